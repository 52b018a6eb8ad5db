#!/usr/bin/env bash
# Newcomer's one command: set up (build + model), build the full index once, start the service.
# Prints the time of each phase (setup, index) and, once the page answers, the time to it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
phase() { echo "start: $1 in $(( $(date +%s) - $2 )) s"; }

t=$(date +%s)
bash scripts/setup.sh
phase "setup (system packages, compile, model)" "$t"

index="${BOUSSOLE_INDEX:-indexes/default}"
if ! ./target/release/boussole info --index "$index" >/dev/null 2>&1; then
  echo "start: building the full index in $index (first run, or after an index format change)"
  t=$(date +%s)
  ./target/release/boussole build --out "$index"
  phase "index build" "$t"
fi

# The address the server will listen on: --addr (either form) or BOUSSOLE_ADDR, as serve reads it.
addr="${BOUSSOLE_ADDR:-127.0.0.1:8080}"
prev=
for arg in "$@"; do
  case "$arg" in --addr=*) addr="${arg#--addr=}" ;; esac
  [ "$prev" = --addr ] && addr="$arg"
  prev="$arg"
done
# Reports the time to the first page from beside the server (which replaces this shell).
(
  t=$(date +%s)
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "http://$addr/readyz" 2>/dev/null; then
      echo "start: server ready in $(( $(date +%s) - t )) s; first page at http://$addr/ $(( $(date +%s) - started )) s after start.sh began"
      exit 0
    fi
    sleep 0.2
  done
) &
exec ./target/release/boussole serve --index "$index" "$@"
