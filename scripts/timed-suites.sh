#!/usr/bin/env bash
# `make test`'s runner: stages one after another; a stage's lanes side by side, each lane
# its make targets in turn. Ends with a table of each target's wall and CPU time and the
# total wall time, printed also when a target fails (no later stage starts then).
#
# Usage: timed-suites.sh MAKE STAGE...   where a STAGE is "target target | target ..."
#
# Why lanes: most of the backend suite waits on servers, subprocesses and a database
# cluster's timeouts, so the browser and benchmark suites fit beside it on two cores
# (docs/how-to/testing.md). The first lane's output streams; each other lane's is
# held and printed whole when it ends, so that no two suites' lines interleave.
set -u
make_command=$1
shift
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
started_all=$(date +%s)

# This shell's children's CPU seconds (user + system) so far, from bash's `times`
# (run in this shell, not in a `$(...)` subshell, whose children are not these).
children_cpu() {
    times >"$results/times.$BASHPID"
    awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
        "$results/times.$BASHPID"
}

# run_lane INDEX TARGET...: the targets in turn, stopping at the first failure; one
# "target seconds cpu outcome" line each in $results/INDEX.
run_lane() {
    local index=$1 target started cpu_before cpu_after outcome
    shift
    for target in "$@"; do
        started=$(date +%s)
        children_cpu >"$results/cpu.$BASHPID"
        read -r cpu_before <"$results/cpu.$BASHPID"
        if $make_command --no-print-directory "$target"; then outcome=passed; else outcome=FAILED; fi
        children_cpu >"$results/cpu.$BASHPID"
        read -r cpu_after <"$results/cpu.$BASHPID"
        echo "$target $(($(date +%s) - started)) $((cpu_after - cpu_before)) $outcome" >>"$results/$index"
        [ "$outcome" = passed ] || return 1
    done
}

status=0
lane_count=0
for stage in "$@"; do
    pids=()
    first=1
    IFS='|' read -r -a lanes <<<"$stage"
    for lane in "${lanes[@]}"; do
        read -r -a targets <<<"$lane"
        lane_count=$((lane_count + 1))
        if [ "$first" -eq 1 ]; then
            run_lane "$lane_count" "${targets[@]}" &
            first=0
        else
            (
                run_lane "$lane_count" "${targets[@]}" >"$results/$lane_count.log" 2>&1
                lane_status=$?
                printf '\n===== %s (its output, held while other suites ran) =====\n' "${targets[*]}"
                cat "$results/$lane_count.log"
                printf '===== end of %s =====\n\n' "${targets[*]}"
                exit "$lane_status"
            ) &
        fi
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    [ "$status" -eq 0 ] || break
done

printf '\n%-16s %8s %8s  %s\n' "make test" seconds cpu-s result
for index in $(seq 1 "$lane_count"); do
    [ -f "$results/$index" ] || continue
    while read -r target seconds cpu outcome; do
        printf '%-16s %8s %8s  %s\n' "$target" "$seconds" "$cpu" "$outcome"
    done <"$results/$index"
done
printf '%-16s %8s  (wall time; lanes overlap)\n' total "$(($(date +%s) - started_all))"
exit "$status"
