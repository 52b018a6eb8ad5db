#!/usr/bin/env bash
# The project's test command: Rust unit + integration tests (fixture data, real model), then the
# browser test of the web client against a real server on a fixture index.
set -euo pipefail
cd "$(dirname "$0")/.."

# Idempotent: on a fresh machine this installs the toolchain's needs, the model and the browser;
# afterwards it only confirms the build is up to date.
if [ "${BOUSSOLE_SKIP_BROWSER:-0}" = 1 ]; then
  bash scripts/setup.sh
else
  BOUSSOLE_BROWSER_TESTS=1 bash scripts/setup.sh
fi

cargo test --release --locked

if [ "${BOUSSOLE_SKIP_BROWSER:-0}" = 1 ]; then
  echo "test: browser test skipped (BOUSSOLE_SKIP_BROWSER=1)"
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
(cd tests/browser && { [ -d node_modules/playwright-core ] || npm ci --silent; })
BASE_URL="http://127.0.0.1:$port" node tests/browser/ui.mjs
