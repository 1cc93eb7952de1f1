#!/usr/bin/env bash
# The browser test: the playground page (GET /) driven end to end in headless Chromium by
# Playwright for Python (tests/browser/, pytest). Installs what is missing: Debian's
# chromium (apt-get; Playwright never downloads a browser, it is given this one) and, in a
# virtual environment under target/venv, playwright and pytest from PyPI (pinned below).
# Starts two servers (one open, one with a bearer token) and stops them after. Screenshots:
# target/playground.png (the record and trace), target/playground-zh.png,
# target/playground-error.png.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh

CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$CHROMIUM" ]; then
  echo "== installing chromium (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  CHROMIUM=$(command -v chromium)
fi
export CHROMIUM
# Fonts for the Chinese texts, when the machine has none (screenshots only: the test reads
# the DOM).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "== installing fonts-wqy-microhei (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null || true
fi

need_venv "playwright:playwright==1.65.2" "pytest:pytest==9.2.0"
# Never download browsers: the system chromium is passed as executable_path.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

start_server
export PAYNORM_BASE="$BASE"
open_pid=$SERVER_PID

token_file=$(mktemp)
export PAYNORM_TOKEN="browser-$$"
echo "$PAYNORM_TOKEN" > "$token_file"
# A second server, with the token; start_server keeps one PID, so this one is stopped here.
SERVER_PID=
start_server --auth-token-file "$token_file"
export PAYNORM_TOKEN_BASE="$BASE"
token_pid=$SERVER_PID
trap 'kill -TERM "$open_pid" "$token_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$token_file"' EXIT

mkdir -p target
export PLAYGROUND_SCREENSHOT="$PWD/target/playground.png"
cd tests/browser
"$VENV/bin/python" -m pytest -p no:cacheprovider -q "$@"
