#!/usr/bin/env bash
# All the tests, in one command (the README's test command, and CI's):
#   1. cargo test                 the Rust tests (the environment passes through as it is:
#                                 INSTA_UPDATE, INSTA_SNAPSHOT_REFERENCES_FILE, ...)
#   2. scripts/contract.sh        schemathesis against GET /openapi.json
#   3. scripts/browser.sh         the playground page in headless Chromium (Playwright)
#   4. scripts/python-test.sh     the Python tests, when that script exists
# Steps 2-4 install what they lack (Debian: chromium, python3-venv, a CJK font; PyPI, into
# target/venv: schemathesis, playwright, pytest) and are quick once it is there.
# Every step runs even when an earlier one failed; the exit status is 1 when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()

step() {
  local name="$1"
  shift
  echo
  echo "==== test-all: $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "==== test-all: $name passed ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "==== test-all: $name FAILED ($((SECONDS - start)) s)"
  fi
}

step "cargo test" cargo test
step "contract (schemathesis)" bash scripts/contract.sh
step "browser (playwright)" bash scripts/browser.sh
if [ -f scripts/python-test.sh ]; then
  step "python" bash scripts/python-test.sh
fi

echo
if [ "$failed" -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
echo "test-all: $passed passed, $failed failed"
test "$failed" -eq 0
