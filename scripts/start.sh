#!/usr/bin/env bash
# Newcomer's one command: set up (build + model), build the full index once, start the service.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
index="${BOUSSOLE_INDEX:-indexes/default}"
if ! ./target/release/boussole info --index "$index" >/dev/null 2>&1; then
  echo "start: building the full index in $index (first run, or after an index format change: ~6 min on 2 cores)"
  ./target/release/boussole build --out "$index"
fi
exec ./target/release/boussole serve --index "$index" "$@"
