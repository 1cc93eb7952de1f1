#!/usr/bin/env bash
# Instructions a line, counted by valgrind (callgrind), for the parse-only baseline loop and
# paynorm batch (1 thread), on the synthetic workload and the real mix. Deterministic: the
# counts do not depend on the machine's load, so they compare builds on a busy machine
# (wall time still decides; see benches/e2e.sh). Each loop runs on N and 2N lines and the
# difference is divided by N, which removes start-up and the engine's load.
# Usage: bash benches/instructions.sh [N]     (needs valgrind: apt-get install valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
command -v valgrind > /dev/null || { echo "needs valgrind (apt-get install valgrind)"; exit 1; }
cargo build --release --quiet --example workload --example loops
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() { # loop file -> instructions
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" ./target/release/examples/loops "$1" "$2" 2>&1 |
    awk '/Collected/ {print $4}'
}
printf "%-10s %-10s %12s\n" mix loop "Ir/line"
for mix in synthetic real; do
  arg=$([ "$mix" = real ] && echo real || true)
  ./target/release/examples/workload $((2 * n)) 42 $arg > "$work/big.jsonl"
  head -n "$n" "$work/big.jsonl" > "$work/small.jsonl"
  for loop in baseline paynorm; do
    small=$(count "$loop" "$work/small.jsonl")
    big=$(count "$loop" "$work/big.jsonl")
    printf "%-10s %-10s %12d\n" "$mix" "$loop" $(((big - small) / n))
  done
done
