#!/usr/bin/env bash
# `make run`: the backend (:BACKEND_PORT) and the frontend (:FRONTEND_PORT) together on
# the embedded SQLite database. Ctrl-C stops both.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="$root/backend/src/.venv/bin/minor-illusion"
host="${HOST:-127.0.0.1}"
backend_port="${BACKEND_PORT:-8000}"
frontend_port="${FRONTEND_PORT:-3000}"
export DEV_MODE="${DEV_MODE:-1}"

"$cli" migrate
"$cli" seed-demo
(cd "$root/frontend" && node scripts/build-if-stale.mjs)

pids=()
stop() {
    trap - INT TERM EXIT
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

# The frontend connects from 127.0.0.1 and sets X-Forwarded-For to the browser's address;
# the backend believes that header from 127.0.0.1 only, which no remote client can be,
# so log-in failures count per browser.
TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}" "$cli" serve --host "$host" --port "$backend_port" &
pids+=($!)
# The frontend's own server (server.mjs) directly rather than through npm, so stopping
# this pid stops the server.
# The frontend is the edge: it trusts no X-Forwarded-For unless FRONTEND_TRUSTED_PROXIES
# names a proxy of yours in front of it.
(cd "$root/frontend" && BACKEND_URL="http://127.0.0.1:$backend_port" PORT="$frontend_port" HOSTNAME="$host" \
    TRUSTED_PROXIES="${FRONTEND_TRUSTED_PROXIES:-}" exec node server.mjs) &
pids+=($!)

cat <<INFO

  minor-illusion is starting:
    app       http://$host:$frontend_port   (log in as user1 / pass)
    API       http://$host:$backend_port    (docs: http://$host:$backend_port/docs)
  Ctrl-C stops both.

INFO
# Whichever process ends first (or Ctrl-C) ends the run.
wait -n "${pids[@]}"
