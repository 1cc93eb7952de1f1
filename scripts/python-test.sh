#!/usr/bin/env bash
# The Python package's tests in one command, on a fresh machine with Python 3 (>= 3.9) and
# Rust: a fresh venv under target/, the test dependencies from PyPI, the abi3 wheel built with
# maturin and installed into the venv (not `maturin develop`, not editable), the release CLI
# built for the side-by-side tests, then pytest over python/tests.
#
#   scripts/python-test.sh [PYTEST ARGS...]      e.g. scripts/python-test.sh -x -k arrow
#
# Environment: PYTHON (default python3), PIP_INDEX_URL as pip reads it. On Debian,
# `python3 -m venv` needs the package python3-venv (apt-get install python3-venv); the Spark
# test needs Java 17+ (it is skipped, with the reason, where `java` is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-python3}
venv=$root/target/python-test/venv
wheels=$root/target/python-test/wheels

if ! "$python" -c "import ensurepip" > /dev/null 2>&1 && command -v apt-get > /dev/null; then
    echo "== installing python3-venv (Debian)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv > /dev/null
fi
rm -rf "$venv" "$wheels"
mkdir -p "$(dirname "$venv")"
if ! "$python" -m venv "$venv"; then
    echo "error: '$python -m venv' failed; on Debian/Ubuntu install python3-venv" \
         "(apt-get install python3-venv)" >&2
    exit 1
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet maturin pytest hypothesis pyarrow polars duckdb pandas pyspark

"$venv/bin/maturin" build --release --manifest-path python/Cargo.toml --out "$wheels"
"$venv/bin/python" -m pip install --quiet --no-deps "$wheels"/paynorm-*.whl

cargo build --release --bin paynorm
export PAYNORM_CLI=$root/target/release/paynorm

# From the repository root: python/ is not on sys.path, so `import paynorm` is the wheel.
"$venv/bin/python" -m pytest python/tests -p no:cacheprovider "$@"
