#!/usr/bin/env bash
# End-to-end batch benchmark: the release binary over the 1M-line workload, 5 runs per
# thread count; prints the median wall time, lines/s, input MB/s and the peak RSS.
# Usage: bash benches/e2e.sh [LINES] [SEED]     (needs GNU time at /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
seed=${2:-42}
cargo build --release --quiet --bin paynorm --example workload
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/workload "$lines" "$seed" > "$work/in.jsonl"
bytes=$(stat -c %s "$work/in.jsonl")
echo "workload: $lines lines, $bytes bytes ($((bytes / lines)) bytes a line), seed $seed"
for threads in 1 2; do
  : > "$work/runs"
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/t" ./target/release/paynorm batch --threads "$threads" "$work/in.jsonl" > /dev/null 2> /dev/null
    cat "$work/t" >> "$work/runs"
  done
  sort -n "$work/runs" | awk -v n="$lines" -v b="$bytes" -v t="$threads" '
    { s[NR] = $1; if ($2 > m) m = $2 }
    END { med = s[3]; printf "threads %d: median %.2f s (min %.2f, max %.2f), %.2f M lines/s, %.0f MB/s, peak RSS %.1f MB\n", t, med, s[1], s[5], n / med / 1e6, b / med / 1e6, m / 1024 }'
done
