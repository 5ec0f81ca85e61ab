#!/usr/bin/env bash
# Privacy-gateway benchmark: added latency for a 4 KB prompt (p50/p99, gateway vs direct to
# a stub model server) and rounds of concurrent streams with the process RSS.
# Usage: bench/gateway.sh [requests] [streams]   (defaults 2000 and 200; release profile)
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_REQUESTS="${1:-2000}" BENCH_STREAMS="${2:-200}"
ulimit -n 8192 2>/dev/null || true
RUST_LOG="${RUST_LOG:-warn}" cargo run --release -q -p kipilot --example gateway_bench
