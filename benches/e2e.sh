#!/usr/bin/env bash
# End-to-end batch benchmark: the release binary over the 1M-line workload, 5 runs per
# thread count, beside the two baselines of the targets in the same run: the hand-written
# Python normalizer (benches/baseline.py) and the parse-only Rust loop (examples/loops);
# prints each one's median wall time, lines/s, input MB/s and peak RSS, and the ratios.
# Usage: bash benches/e2e.sh [LINES] [SEED] [real]   (needs GNU time at /usr/bin/time;
# `real` mixes whole corpus bodies into one line in five)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
seed=${2:-42}
mix=${3:-}
cargo build --release --quiet --bin paynorm --example workload --example loops
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/workload "$lines" "$seed" $mix > "$work/in.jsonl"
bytes=$(stat -c %s "$work/in.jsonl")
echo "workload: $lines lines, $bytes bytes ($((bytes / lines)) bytes a line), seed $seed"
# One timed command, 5 runs: prints "label median_seconds" on fd 3 and a line for humans.
measure() {
  local label=$1
  shift
  : > "$work/runs"
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" > /dev/null 2> /dev/null
    cat "$work/t" >> "$work/runs"
  done
  sort -n "$work/runs" | awk -v n="$lines" -v b="$bytes" -v l="$label" '
    { s[NR] = $1; if ($2 > m) m = $2 }
    END { med = s[3]; printf "%-26s median %.2f s (min %.2f, max %.2f), %.2f M lines/s, %.0f MB/s, peak RSS %.1f MB\n", l, med, s[1], s[5], n / med / 1e6, b / med / 1e6, m / 1024
          printf "%s %s\n", l, med >> "/dev/fd/3" }'
}
exec 3> "$work/medians"
measure python-baseline python3 benches/baseline.py "$work/in.jsonl"
measure rust-parse-only ./target/release/examples/loops baseline "$work/in.jsonl"
for threads in 1 2; do
  measure "paynorm-$threads-thread" ./target/release/paynorm batch --threads "$threads" "$work/in.jsonl"
done
exec 3>&-
awk '{ t[$1] = $2 } END {
  for (k in t) if (k ~ /^paynorm/) printf "%s: %.1fx the Python baseline, %.2fx the parse-only loop\n", k, t["python-baseline"] / t[k], t["rust-parse-only"] / t[k] }' "$work/medians" | sort
