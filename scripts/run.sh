#!/usr/bin/env bash
# `make run`, `make dev`, `make debug`: the backend (:BACKEND_PORT) and the frontend
# (:FRONTEND_PORT) together on the embedded SQLite database in DATA_DIR.
#
#   scripts/run.sh                  production builds: `next build` when stale, `next start`
#   scripts/run.sh --dev            the backend restarts on every saved change, `next dev`
#   scripts/run.sh --dev --debug    the backend under debugpy on 127.0.0.1:DEBUG_PORT (5678),
#                                   without reload; --debug-wait: serve once a debugger attached
#
# Ctrl-C (SIGINT) or SIGTERM stops both and exits 0. A process that ends on its own ends
# the run with a non-zero status. A busy port is reported before anything starts.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/backend/src/.venv"
cli="$venv/bin/minor-illusion"
host="${HOST:-127.0.0.1}"
backend_port="${BACKEND_PORT:-8000}"
frontend_port="${FRONTEND_PORT:-3000}"
debug_port="${DEBUG_PORT:-5678}"
export DEV_MODE="${DEV_MODE:-1}"

mode=run debug=0 debug_wait=0
for arg in "$@"; do
    case "$arg" in
        --dev) mode=dev ;;
        --debug) debug=1 ;;
        --debug-wait) debug=1 debug_wait=1 ;;
        *) echo "usage: $0 [--dev [--debug] [--debug-wait]]" >&2; exit 2 ;;
    esac
done
if [ "$debug" = 1 ]; then
    mode=dev
fi

# Each port, tried the way the servers bind it (SO_REUSEADDR, as Hypercorn and Node do,
# so a port with connections in TIME_WAIT from the last run counts as free).
port_free() {
    "$venv/bin/python" - "$1" "$2" <<'PY'
import socket, sys
with socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET) as sock:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((sys.argv[1], int(sys.argv[2])))
    except OSError:
        sys.exit(1)
PY
}
target="make $mode"
checks=("BACKEND_PORT $backend_port" "FRONTEND_PORT $frontend_port")
if [ "$debug" = 1 ]; then
    target="make debug"
    checks+=("DEBUG_PORT $debug_port")
fi
for check in "${checks[@]}"; do
    read -r name port <<<"$check"
    if ! port_free "$host" "$port"; then
        echo "run.sh: port $port is busy on $host (another process listens there, perhaps an earlier run):" \
            "stop it, or set $name to a free port ($target $name=$((port + 1)))" >&2
        exit 1
    fi
done

pids=()
stop() {
    [ "${#pids[@]}" -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
# Ctrl-C reaches every process of the foreground group (each stops itself) and this
# script, which makes sure both have stopped and reports success: stopping was asked for.
interrupted() {
    trap - INT TERM EXIT
    echo >&2
    echo "run.sh: stopping …" >&2
    stop
    exit 0
}
trap interrupted INT TERM
trap stop EXIT

"$cli" migrate
"$cli" seed-demo
if [ "$mode" = run ]; then
    (cd "$root/frontend" && node scripts/build-if-stale.mjs)
fi

serve=("$cli" serve --host "$host" --port "$backend_port")
if [ "$debug" = 1 ]; then
    # frozen_modules=off: debugpy can then set breakpoints in the standard library too.
    serve=("$venv/bin/python" -X frozen_modules=off "$cli" serve --host "$host" --port "$backend_port"
        --debugpy "127.0.0.1:$debug_port")
    if [ "$debug_wait" = 1 ]; then
        serve+=(--debugpy-wait)
    fi
elif [ "$mode" = dev ]; then
    serve+=(--reload)
fi
frontend=(node server.mjs)
if [ "$mode" = dev ]; then
    frontend+=(--dev)
fi

# The frontend connects from 127.0.0.1 and sets X-Forwarded-For to the browser's address;
# the backend believes that header from 127.0.0.1 only, which no remote client can be,
# so log-in failures count per browser.
TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}" "${serve[@]}" &
pids+=($!)
# The frontend's own server (server.mjs) directly rather than through npm, so stopping
# this pid stops the server.
# The frontend is the edge: it trusts no X-Forwarded-For unless FRONTEND_TRUSTED_PROXIES
# names a proxy of yours in front of it.
(cd "$root/frontend" && BACKEND_URL="http://127.0.0.1:$backend_port" PORT="$frontend_port" HOSTNAME="$host" \
    TRUSTED_PROXIES="${FRONTEND_TRUSTED_PROXIES:-}" exec "${frontend[@]}") &
pids+=($!)

case "$mode/$debug" in
    run/*) how="production builds; make dev reloads on every change" ;;
    dev/0) how="development: the backend restarts and the page hot-reloads on every saved change" ;;
    *) how="development: debugger on 127.0.0.1:$debug_port (VS Code: \"Attach to backend (local)\"), no backend reload" ;;
esac
cat <<INFO

  minor-illusion is starting ($how):
    app       http://$host:$frontend_port   (log in as user1 / pass)
    API       http://$host:$backend_port    (docs: http://$host:$backend_port/docs)
  Ctrl-C stops both.

INFO
# Reached only when a process ends on its own (a stop signal runs `interrupted`).
status=0
wait -n "${pids[@]}" || status=$?
echo "run.sh: a process ended on its own (status $status); stopping the other" >&2
trap - INT TERM
stop
exit $((status == 0 ? 1 : status))
