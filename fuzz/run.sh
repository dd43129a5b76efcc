#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a number of executions, bounded
# in time too, then prints the executions each did. Not part of CI.
#
#   fuzz/run.sh [TARGET...]          # all four targets when none is named
#
# Environment:
#   RUNS=1000000       executions per target (libFuzzer's -runs)
#   MAX_TIME=900       seconds per target at most (libFuzzer's -max_total_time)
#   SANITIZER=address  cargo-fuzz's sanitizer; `none` builds faster and runs
#                      about twice as fast, but catches only panics
#
# cargo-fuzz needs nightly-only compiler flags. On a stable toolchain this
# script sets RUSTC_BOOTSTRAP=1, which lets stable rustc accept them.
# Corpora go to fuzz/corpus/<target>, crashes to fuzz/artifacts/<target>,
# logs to fuzz/target/fuzz-logs; all are ignored by git.
set -euo pipefail

cd "$(dirname "$0")"
RUNS="${RUNS:-1000000}"
MAX_TIME="${MAX_TIME:-900}"
SANITIZER="${SANITIZER:-address}"
ALL_TARGETS=(webhook_verify jwt_validate error_details token_response)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi

for target in "${TARGETS[@]}"; do
    cargo fuzz build --sanitizer "$SANITIZER" "$target"
done

logs=target/fuzz-logs
mkdir -p "$logs"
status=0
summary=()
for target in "${TARGETS[@]}"; do
    log="$logs/$target.log"
    echo "== $target: up to $RUNS executions or $MAX_TIME s (log: fuzz/$log)"
    rc=0
    cargo fuzz run --sanitizer "$SANITIZER" "$target" -- \
        -runs="$RUNS" -max_total_time="$MAX_TIME" -print_final_stats=1 \
        >"$log" 2>&1 || rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1 || true)
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "!! $target failed (exit $rc); crash inputs are in fuzz/artifacts/$target:"
        grep -E 'panicked|ERROR: |SUMMARY|Test unit written' "$log" | head -10 || true
    fi
    summary+=("$(printf '%-16s %10s executions  %6s s  exit %s' "$target" "${execs:-?}" "${secs:-?}" "$rc")")
done

echo
echo "target              executions    time"
printf '%s\n' "${summary[@]}"
exit "$status"
