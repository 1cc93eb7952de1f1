# Sourced by the test scripts: a Python virtual environment under target/ with the given
# PyPI packages (pinned), created and filled only when something is missing.
# Usage: . scripts/venv.sh; need_venv "module:package==version" ...

# Sourced from the repository's root: an absolute path, usable after a cd.
VENV="${PAYNORM_VENV:-$PWD/target/venv}"

need_venv() {
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" >/dev/null 2>&1; then
    echo "== installing python3-venv (Debian)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    python3 -m venv "$VENV"
  fi
  local missing=() spec module package
  for spec in "$@"; do
    module="${spec%%:*}"
    package="${spec#*:}"
    # The module imports and the installed version is the pinned one.
    if ! "$VENV/bin/python" - "$module" "$package" >/dev/null 2>&1 <<'PY'
import importlib, sys
from importlib.metadata import version
module, package = sys.argv[1], sys.argv[2]
importlib.import_module(module)
name, _, want = package.partition("==")
assert not want or version(name) == want
PY
    then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== pip install ${missing[*]} into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
  fi
}

# Starts `paynorm serve --addr 127.0.0.1:0 ARGS...` in the background: sets SERVER_PID and
# BASE (http://127.0.0.1:PORT), and stops the server when the calling script exits.
start_server() {
  local bin="${PAYNORM_BIN:-}"
  if [ -z "$bin" ]; then
    cargo build --quiet --bin paynorm
    bin=target/debug/paynorm
  fi
  SERVER_LOG=$(mktemp)
  "$bin" serve --addr 127.0.0.1:0 "$@" 2>"$SERVER_LOG" &
  SERVER_PID=$!
  trap 'stop_server' EXIT
  local i
  for i in $(seq 1 100); do
    BASE=$(sed -n 's|.*listening on \(http://[0-9.:]*\).*|\1|p' "$SERVER_LOG" | head -n 1)
    [ -n "$BASE" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "paynorm serve exited at start:" >&2
      cat "$SERVER_LOG" >&2
      return 1
    fi
    sleep 0.1
  done
  if [ -z "$BASE" ]; then
    echo "paynorm serve printed no address in 10 s" >&2
    return 1
  fi
  echo "== paynorm serve at $BASE (pid $SERVER_PID)"
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
