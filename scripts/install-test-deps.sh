#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, if it is missing (zbar-tools
# decodes the flyer QR code in a test):
# Debian's Chromium (browser test), poppler-utils (PDF checks of later issues), Node.js,
# and the pinned npm packages of e2e/ (playwright-core drives the system Chromium; no
# browser download). Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
command -v zbarimg >/dev/null 2>&1 || need_apt+=(zbar-tools)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -d e2e/node_modules/playwright-core ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  (cd e2e && npm ci --no-audit --no-fund --ignore-scripts)
fi

# Python peers for the tests (icalendar, the official openai SDK) in a venv outside the clone;
# the tests find its interpreter through KIPILOT_TEST_PYTHON (default below).
PYENV="${KIPILOT_TEST_PYENV:-/var/tmp/kipilot-pyenv}"
if [ ! -x "$PYENV/bin/python" ]; then
  python3 -m venv "$PYENV"
fi
if ! cmp -s scripts/requirements-test.txt "$PYENV/requirements-test.txt"; then
  "$PYENV/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-test.txt
  cp scripts/requirements-test.txt "$PYENV/requirements-test.txt"
fi
