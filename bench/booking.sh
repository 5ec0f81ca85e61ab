#!/usr/bin/env bash
# Booking benchmark (not a test): server time of the availability page /erstgespraech
# (4-week horizon, default hours) with existing bookings, and sequential booking throughput.
# Books N slots through the real form (each one transaction with lead, consent, booking and
# mail, fsync'ed), then requests the page M times and reads kipilot's own /metrics
# histogram for both routes. Prints a Markdown snippet; BENCHMARKS.md keeps the results.
#
# Usage: bench/booking.sh [bookings] [page_requests]   (KIPILOT_BIN picks the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
BOOKINGS="${1:-40}"
REQUESTS="${2:-500}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="${KIPILOT_BIN:-$CARGO_TARGET_DIR/release/kipilot}"
[ -x "$BIN" ] || cargo build --release -p kipilot 2>&1 | tail -1
work="$(mktemp -d)"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
PORT=18090
KIPILOT_TRUST_PROXY=1 KIPILOT_LISTEN=127.0.0.1:$PORT KIPILOT_DATABASE_URL="sqlite://$work/bench.db" KIPILOT_FORM_MIN_FILL_MS=0 \
  KIPILOT_DEMO=0 RUST_LOG=warn "$BIN" serve >"$work/kipilot.log" 2>&1 &
echo $! >"$work/kipilot.pid"
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

# Book the first free slot N times, each as its own visitor (KIPILOT_TRUST_PROXY=1 lets
# X-Forwarded-For stand for the client, so the per-client form limit does not interfere).
book_start=$(date +%s%N)
booked=0
for i in $(seq 1 "$BOOKINGS"); do
  page=$(curl -fs "$base/erstgespraech")
  token=$(grep -o 'name="form_token" value="[^"]*"' <<<"$page" | head -1 | sed 's/.*value="//; s/"$//')
  slot=$(grep -o 'name="slot" value="[0-9]*"' <<<"$page" | head -1 | grep -o '[0-9]*')
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/erstgespraech" \
    --data-urlencode "form_token=$token" --data-urlencode "slot=$slot" \
    --data-urlencode "name=Bench $i" --data-urlencode "company=Firma $i" \
    --data-urlencode "email=bench$i@firma$i.at" --data-urlencode "topics=texte" \
    --data-urlencode "consent=on" -H "X-Forwarded-For: 10.9.0.$i")
  [ "$code" = 303 ] && booked=$((booked + 1))
done
book_ms=$(( ($(date +%s%N) - book_start) / 1000000 ))

for _ in $(seq 1 "$REQUESTS"); do curl -fs -o /dev/null "$base/erstgespraech"; done

metrics=$(curl -fs "$base/metrics")
hist() {
  echo "$metrics" | awk -F'[{} ]' -v route="route=\"$1\"" -v method="method=\"$2\"" '/http_request_duration_seconds_bucket/ && index($0, route) && index($0, method) {
    match($0, /le="[^"]+"/); le=substr($0, RSTART+4, RLENGTH-5); b[le]=$NF } END {
    total=b["+Inf"]; if (total == 0) { print "no samples"; exit }
    printf "%.1f %% ≤ 1 ms, %.1f %% ≤ 2.5 ms, %.1f %% ≤ 5 ms, %.1f %% ≤ 10 ms (of %d requests)", 100*b["0.001"]/total, 100*b["0.0025"]/total, 100*b["0.005"]/total, 100*b["0.01"]/total, total }'
}
cat <<OUT
Binary: $BIN; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg).
Booked $booked of $BOOKINGS slots sequentially in $book_ms ms (page GET + POST each; $(awk -v n="$booked" -v ms="$book_ms" 'BEGIN { if (n) printf "%.1f ms", ms/n; else print "–" }') per booking).
GET /erstgespraech server time: $(hist /erstgespraech GET)
POST /erstgespraech server time: $(hist /erstgespraech POST)
OUT
