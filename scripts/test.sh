#!/usr/bin/env bash
# The project's test command: Rust unit + integration tests (fixture data, real model), then,
# against a real server on a fixture index, the browser test of the web client and the
# contract test of the API (schemathesis against /openapi.json, scripts/contract.sh).
# BOUSSOLE_SKIP_BROWSER=1 / BOUSSOLE_SKIP_CONTRACT=1 skip either.
set -euo pipefail
cd "$(dirname "$0")/.."

skip_browser=${BOUSSOLE_SKIP_BROWSER:-0}
skip_contract=${BOUSSOLE_SKIP_CONTRACT:-0}

# Idempotent: on a fresh machine this installs the toolchain's needs, the model, the browser
# and Python's venv; afterwards it only confirms the build is up to date.
setup_env=()
[ "$skip_browser" = 1 ] || setup_env+=(BOUSSOLE_BROWSER_TESTS=1)
[ "$skip_contract" = 1 ] || setup_env+=(BOUSSOLE_CONTRACT_TESTS=1)
env "${setup_env[@]}" bash scripts/setup.sh

cargo test --release --locked

if [ "$skip_browser" = 1 ]; then echo "test: browser test skipped (BOUSSOLE_SKIP_BROWSER=1)"; fi
if [ "$skip_contract" = 1 ]; then echo "test: contract test skipped (BOUSSOLE_SKIP_CONTRACT=1)"; fi
if [ "$skip_browser" = 1 ] && [ "$skip_contract" = 1 ]; then
  exit 0
fi

bin=target/release/boussole
index=target/browser-index
"$bin" build --data-dir datasets/fixtures --out "$index" --no-progress
port=$((20000 + RANDOM % 20000))
"$bin" serve --index "$index" --addr "127.0.0.1:$port" >target/browser-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat target/browser-server.log; exit 1; }
  sleep 0.3
done

if [ "$skip_browser" != 1 ]; then
  (cd tests/browser && { [ -d node_modules/playwright-core ] || npm ci --silent; })
  BASE_URL="http://127.0.0.1:$port" node tests/browser/ui.mjs
fi

if [ "$skip_contract" != 1 ]; then
  BASE_URL="http://127.0.0.1:$port" bash scripts/contract.sh
  # Generated clients (openapi-python-client, openapi-typescript + openapi-fetch) call every operation.
  BASE_URL="http://127.0.0.1:$port" bash scripts/clients.sh
fi
