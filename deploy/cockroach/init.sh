#!/bin/sh
# One-shot job of docker-compose.yaml: initialise the CockroachDB cluster and create the
# application's database. Safe to run again: a second `docker compose up` finds the
# cluster initialised and the database present, and still exits 0.
#
# LOCAL DEMO ONLY: --insecure (no TLS, no passwords). See docs/operations.md for the
# certificates a real deployment uses instead.
set -eu

COCKROACH=/cockroach/cockroach
HOST="${COCKROACH_HOST:-roach1:26257}"
DATABASE="${COCKROACH_DATABASE:-minor_illusion}"
ATTEMPTS=60

attempt=1
until output=$("$COCKROACH" init --insecure --host="$HOST" 2>&1); do
    case "$output" in
        *"already been initialized"*)
            echo "init: the cluster was already initialised"
            break
            ;;
    esac
    if [ "$attempt" -ge "$ATTEMPTS" ]; then
        echo "init: giving up after $ATTEMPTS attempts: $output" >&2
        exit 1
    fi
    echo "init: $HOST not ready yet (attempt $attempt): $output"
    attempt=$((attempt + 1))
    sleep 1
done
echo "init: cluster initialised"

attempt=1
until "$COCKROACH" sql --insecure --host="$HOST" \
        --execute="CREATE DATABASE IF NOT EXISTS $DATABASE"; do
    if [ "$attempt" -ge "$ATTEMPTS" ]; then
        echo "init: could not create database $DATABASE" >&2
        exit 1
    fi
    attempt=$((attempt + 1))
    sleep 1
done
echo "init: database $DATABASE ready"
