#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests (every database test on SQLite and,
# when a PostgreSQL server is reachable, on PostgreSQL too), then the browser test in
# headless Chromium on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

scripts/install-test-deps.sh
export KIPILOT_TEST_PYTHON="${KIPILOT_TEST_PYTHON:-${KIPILOT_TEST_PYENV:-/var/tmp/kipilot-pyenv}/bin/python}"

if [ -z "${KIPILOT_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  export KIPILOT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
fi
if [ -z "${KIPILOT_TEST_POSTGRES_URL:-}" ]; then
  echo "*** WARNING: no PostgreSQL at 127.0.0.1:5432 and KIPILOT_TEST_POSTGRES_URL unset: PostgreSQL tests will be SKIPPED ***" >&2
fi

cargo test --workspace

cargo build -p kipilot
export KIPILOT_BIN="$CARGO_TARGET_DIR/debug/kipilot"
echo "== browser test on SQLite"
node --test e2e/
if [ -n "${KIPILOT_TEST_POSTGRES_URL:-}" ]; then
  echo "== browser test on PostgreSQL"
  # The harness creates (and drops) a fresh database per test file on this server.
  E2E_DATABASE_URL="$KIPILOT_TEST_POSTGRES_URL" node --test e2e/
fi
