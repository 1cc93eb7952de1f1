#!/usr/bin/env bash
# The contract test: schemathesis (PyPI, pinned below; its v4 command line) generates
# requests from the server's own GET /openapi.json and checks every answer against it: no
# 5xx, only documented status codes and content types, bodies that match their schemas.
# A second pass runs with a bearer token configured and sent, with the stricter checks of
# scripts/contract.toml. Custom (de)serializers for NDJSON: scripts/contract_hooks.py.
# Bounded: CONTRACT_MAX_EXAMPLES (default 40) cases per operation, a fixed seed, one worker,
# and a hard limit of CONTRACT_TIMEOUT seconds (default 900).
# Set-up: a virtual environment under target/venv (python3-venv from Debian if missing);
# the server is the debug build (cargo build), or PAYNORM_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh

SCHEMATHESIS_VERSION=4.32.5
need_venv "schemathesis:schemathesis==$SCHEMATHESIS_VERSION"

# schemathesis keeps a cache in its working directory: run it there, not in the repository.
report_dir="$PWD/target/contract"
rm -rf "$report_dir"
mkdir -p "$report_dir"

# schemathesis [--config-file FILE] run ARGS...: the document of the server at $BASE.
run_schemathesis() {
  local config=()
  if [ "$1" = --config-file ]; then
    config=(--config-file "$PWD/$2")
    shift 2
  fi
  (cd "$report_dir" &&
  PYTHONPATH="$OLDPWD/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=contract_hooks \
  timeout "${CONTRACT_TIMEOUT:-900}" "$VENV/bin/schemathesis" "${config[@]}" run "$BASE/openapi.json" \
    --max-examples "${CONTRACT_MAX_EXAMPLES:-40}" \
    --seed "${CONTRACT_SEED:-20261202}" \
    --workers 1 \
    --request-timeout 20 \
    --report junit --report-dir "$report_dir" \
    "$@")
}

echo "== schemathesis $SCHEMATHESIS_VERSION: the contract, without a token"
start_server
run_schemathesis --report-junit-path "$report_dir/open.xml" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
stop_server

# With a token every request without it is refused, so a schema-violating request must be
# refused too (negative_data_rejection), and one without the token must be (ignored_auth):
# the checks of scripts/contract.toml.
echo "== schemathesis: the contract with a bearer token"
token_file=$(mktemp)
echo "contract-$$" > "$token_file"
start_server --auth-token-file "$token_file"
run_schemathesis --config-file scripts/contract.toml --report-junit-path "$report_dir/token.xml" -H "Authorization: Bearer contract-$$"
stop_server
rm -f "$token_file"
echo "contract: passed"
