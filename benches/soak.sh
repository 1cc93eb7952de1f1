#!/usr/bin/env bash
# Soak: the release binary's `paynorm serve` under wrk (Debian package `wrk`) on
# /v1/normalize for SECONDS (default 600), with the server's RSS sampled every 10 s. Prints
# the series, its min and max, and wrk's summary. A leak shows as a series that keeps
# climbing after the first minute. The server reads its PAYNORM_* variables as usual, so
# e.g. PAYNORM_DECISION_LOG=/tmp/decisions.jsonl soaks with the decision log on.
# Usage: bash benches/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
. benches/serve/start.sh
wrk_pid=
trap 'kill $pid $wrk_pid 2>/dev/null; rm -f "$log" "$log.wrk"' EXIT
echo "server $addr (pid $pid), wrk -t2 -c32 for ${secs}s on /v1/normalize"
wrk -t2 -c32 -d"${secs}s" --latency -s benches/serve/normalize.lua "$addr/v1/normalize" > "$log.wrk" &
wrk_pid=$!
series=()
start=$(date +%s)
printf '%6s %10s\n' "t (s)" "RSS (kB)"
while kill -0 "$wrk_pid" 2> /dev/null; do
    t=$(( $(date +%s) - start ))
    r=$(rss)
    series+=("$r")
    printf '%6d %10d\n' "$t" "$r"
    sleep 10
done
wait "$wrk_pid" || true
wrk_pid=
r=$(rss)
series+=("$r")
printf '%6s %10d\n' "end" "$r"
printf '%s\n' "${series[@]}" | sort -n | awk 'NR == 1 {min = $1} {max = $1} END {printf "RSS min %d kB, max %d kB, growth %d kB\n", min, max, max - min}'
grep -E 'Requests/sec|Latency|50%|99%|requests in|Non-2xx|Socket errors' "$log.wrk" || true
kill -0 "$pid" || { echo "the server died"; exit 1; }
