#!/usr/bin/env bash
# Load benchmark (not a test): kipilot serving /ki-pilotprojekt versus nginx serving the
# same HTML bytes from a file, both on loopback, measured with wrk in the same run.
# Also samples kipilot's resident memory under load and reads its server-side latency
# histogram from /metrics. Prints a Markdown table; BENCHMARKS.md keeps the results.
#
# Usage: bench/load.sh [duration_seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNS="${2:-32}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
  fi
done

cargo build --release -p kipilot 2>&1 | tail -1
work="$(mktemp -d)"
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

KIPILOT_LISTEN=127.0.0.1:18080 KIPILOT_DATABASE_URL="sqlite://$work/bench.db" RUST_LOG=warn \
  "$CARGO_TARGET_DIR/release/kipilot" serve >"$work/kipilot.log" 2>&1 &
echo $! >"$work/kipilot.pid"
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done

mkdir -p "$work/www"
curl -fs http://127.0.0.1:18080/ki-pilotprojekt -o "$work/www/ki-pilotprojekt.html"
bytes=$(stat -c %s "$work/www/ki-pilotprojekt.html")
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server {
    listen 127.0.0.1:18081;
    root $work/www;
    location = /ki-pilotprojekt { try_files /ki-pilotprojekt.html =404; }
  }
}
NGINX
nginx -c "$work/nginx.conf"
sleep 0.3

# Warm-up, then measure.
wrk -t1 -c8 -d2s http://127.0.0.1:18080/ki-pilotprojekt >/dev/null
wrk -t1 -c8 -d2s http://127.0.0.1:18081/ki-pilotprojekt >/dev/null

pid=$(cat "$work/kipilot.pid")
( peak=0; while kill -0 "$pid" 2>/dev/null; do r=$(awk '/VmRSS/{print $2}' /proc/"$pid"/status 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" >"$work/rss"; sleep 0.2; done ) &
sampler=$!

wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18080/ki-pilotprojekt >"$work/wrk-kipilot.txt"
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency http://127.0.0.1:18081/ki-pilotprojekt >"$work/wrk-nginx.txt"
kill "$sampler" 2>/dev/null || true
rss_kb=$(cat "$work/rss" 2>/dev/null || echo 0)

field() { awk -v k="$2" '$1==k {print $2}' "$1"; }
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
k50=$(field "$work/wrk-kipilot.txt" 50%); k99=$(field "$work/wrk-kipilot.txt" 99%); krps=$(rps "$work/wrk-kipilot.txt")
n50=$(field "$work/wrk-nginx.txt" 50%); n99=$(field "$work/wrk-nginx.txt" 99%); nrps=$(rps "$work/wrk-nginx.txt")
ratio=$(awk -v a="$krps" -v b="$nrps" 'BEGIN { printf "%.0f %%", 100*a/b }')

# Server-side time from kipilot's own histogram (excludes wrk's queueing on 2 shared cores).
metrics=$(curl -fs http://127.0.0.1:18080/metrics)
server=$(echo "$metrics" | awk -F'[{} ]' '/http_request_duration_seconds_bucket/ && /route="\/ki-pilotprojekt"/ {
  match($0, /le="[^"]+"/); le=substr($0, RSTART+4, RLENGTH-5); n=$NF; b[le]=n } END {
  total=b["+Inf"]; printf "%.2f %% ≤ 1 ms, %.2f %% ≤ 2.5 ms, %.2f %% ≤ 5 ms (of %d requests)", 100*b["0.001"]/total, 100*b["0.0025"]/total, 100*b["0.005"]/total, total }')

cat <<TABLE
Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t2 -c$CONNS -d${DURATION}s on the same machine; page /ki-pilotprojekt, $bytes bytes.

| server | p50 | p99 | requests/s |
|---|---|---|---|
| kipilot (release) | $k50 | $k99 | $krps |
| nginx (same bytes, static file) | $n50 | $n99 | $nrps |

- kipilot throughput relative to nginx: **$ratio**
- kipilot server time (from its /metrics histogram): $server
- kipilot peak resident memory under load: **$((rss_kb / 1024)) MB**
TABLE
