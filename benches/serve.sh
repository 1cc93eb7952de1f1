#!/usr/bin/env bash
# Service benchmark: the release binary's `paynorm serve` on 127.0.0.1 under wrk (Debian
# package `wrk`), which shares the machine with it. Prints requests/s and latency percentiles
# for /v1/normalize at full load and at half that rate (wrk -R needs wrk2; here the half-rate
# run uses fewer connections), items/s for /v1/normalize/batch, and the server's RSS before
# and after. Usage: bash benches/serve.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
. benches/serve/start.sh
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
rss_kb() { echo "$(rss) kB"; }
echo "server $addr, RSS at start $(rss_kb)"
echo "== /v1/normalize, 2 wrk threads, 64 connections, ${secs}s"
wrk -t2 -c64 -d"${secs}s" --latency -s benches/serve/normalize.lua "$addr/v1/normalize" | grep -E 'Requests/sec|Latency|50%|90%|99%'
echo "== /v1/normalize, 1 thread, 4 connections, ${secs}s (lighter load)"
wrk -t1 -c4 -d"${secs}s" --latency -s benches/serve/normalize.lua "$addr/v1/normalize" | grep -E 'Requests/sec|Latency|50%|90%|99%'
echo "== /v1/normalize/batch, 1000 items a request, 2 threads, 8 connections, ${secs}s"
out=$(wrk -t2 -c8 -d"${secs}s" -s benches/serve/batch.lua "$addr/v1/normalize/batch")
echo "$out" | grep -E 'Requests/sec|Latency'
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
awk -v r="$rps" 'BEGIN { printf "items/s: %.0f\n", r * 1000 }'
echo "RSS at end $(rss_kb)"
