#!/usr/bin/env bash
# `make test`'s runner: each make target in turn, then a table of their wall times,
# printed also when one fails (it stops there). Usage: timed-suites.sh MAKE TARGET...
set -u
make_command=$1
shift
rows=()
status=0
for target in "$@"; do
    started=$(date +%s)
    if $make_command --no-print-directory "$target"; then outcome=passed; else outcome=FAILED; status=1; fi
    rows+=("$target $(($(date +%s) - started)) $outcome")
    [ "$status" -eq 0 ] || break
done
total=0
printf '\n%-16s %8s  %s\n' "make test" seconds result
for row in "${rows[@]}"; do
    read -r target seconds outcome <<<"$row"
    total=$((total + seconds))
    printf '%-16s %8s  %s\n' "$target" "$seconds" "$outcome"
done
printf '%-16s %8s\n' total "$total"
exit "$status"
