# The two commands of the README, plus the benchmark.
.PHONY: run test bench

# Build (release) and start kipilot with demo content on SQLite at http://127.0.0.1:8080
run:
	cargo run --release -p kipilot -- serve

# Every test: Rust tests on SQLite and PostgreSQL, browser test in headless Chromium.
test:
	scripts/test-all.sh

# Load benchmark against nginx serving the same bytes; writes bench/results/*.md
bench:
	bench/load.sh
