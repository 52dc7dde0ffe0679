#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 150), one after the other, on one core,
# carrying on past crashes (-fork=1: one child process at a time; -jobs=1 would only add a
# supervising process that logs to ./fuzz-0.log), and prints per target: time, execs, crashes.
# Usage: fuzz/run-all.sh [SECONDS] [TARGET...]   (after fuzz/seed-corpora.sh)
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-150}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
mkdir -p logs
printf '%-10s %8s %12s %8s\n' target seconds execs crashes
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    start=$(date +%s)
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -fork=1 \
        -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        > "logs/$t.log" 2>&1 || true
    took=$(( $(date +%s) - start ))
    execs=$(grep -oE '^#[0-9]+' "logs/$t.log" | tail -1 | tr -d '#')
    crashes=$(find "artifacts/$t" -type f | wc -l)
    printf '%-10s %8s %12s %8s\n' "$t" "$took" "${execs:-?}" "$crashes"
done
