# Sourced by benches/serve.sh and benches/soak.sh: builds the release binary, starts
# `paynorm serve --addr 127.0.0.1:0` in the background and sets `pid`, `log` (its stderr)
# and `addr` (http://127.0.0.1:PORT); `rss` prints the server's resident memory in kB. The
# caller's EXIT trap stops the server.
command -v wrk > /dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
cargo build --release --quiet --bin paynorm
log=$(mktemp)
./target/release/paynorm serve --addr 127.0.0.1:0 2> "$log" &
pid=$!
for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$log" | head -1)
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
