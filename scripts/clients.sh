#!/usr/bin/env bash
# Client test: the usual client generators take the server's OpenAPI document, and the clients
# they make call every /v1 operation correctly.
#
#   BASE_URL=http://127.0.0.1:8080 scripts/clients.sh
#
# Against a running server on the fixture index (scripts/test.sh starts one), this
#   1. installs pinned tools: openapi-python-client (tests/clients/python/requirements.txt, in
#      a venv under target/clients-venv) and openapi-typescript + openapi-fetch + typescript
#      (tests/clients/ts/package.json and package-lock.json, `npm ci` into its node_modules);
#   2. fetches $BASE_URL/openapi.json and generates a Python client (target/clients/python)
#      and TypeScript types (target/clients/ts/schema.d.ts). Any line a generator prints beyond
#      its usual banner (a warning such as "Unable to parse schema", an operation it skips)
#      fails the run, and so does an operation of the document the Python client lacks;
#   3. type-checks the TypeScript test (tests/clients/ts/client.test.ts, typed openapi-fetch
#      calls to every operation) with `tsc --strict --noEmit`, then compiles and runs it;
#   4. runs the Python test (tests/clients/python/test_client.py) with the generated client.
# Both tests call every /v1 operation with typed values and check the parsed bodies, and fail
# when the document has a /v1 operation they do not call. Exits non-zero on any failure, so a
# change to the document that breaks a generator fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BASE_URL:?set BASE_URL to a running boussole server, e.g. http://127.0.0.1:8080}"
root=$PWD
venv=target/clients-venv
requirements=tests/clients/python/requirements.txt
ts=tests/clients/ts
out=target/clients
started=$(date +%s)

fail() {
  echo "clients: FAIL: $*" >&2
  exit 1
}

# A generator's output, minus the lines it always prints (given as an extended regex): what is
# left is a warning, an error or a skipped operation.
check_quiet() {
  local what=$1 log=$2 usual=$3 extra
  extra=$(grep -Ev "^[[:space:]]*$|$usual" "$log" || true)
  if [ -n "$extra" ]; then
    echo "clients: $what printed more than its banner:" >&2
    cat "$log" >&2
    fail "$what warned about the document (see above)"
  fi
}

# --- 1. Tools -------------------------------------------------------------------------------
need_apt=()
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "clients: installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

stamp() { sha256sum "$1" | cut -d' ' -f1; }
if [ "$(cat "$venv/.requirements" 2>/dev/null || true)" != "$(stamp "$requirements")" ]; then
  echo "clients: installing $(grep -E '^openapi-python-client==' "$requirements") in $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  stamp "$requirements" >"$venv/.requirements"
fi
if [ "$(cat "$ts/node_modules/.package-lock" 2>/dev/null || true)" != "$(stamp "$ts/package-lock.json")" ]; then
  echo "clients: installing $ts/package-lock.json (npm ci)"
  (cd "$ts" && npm ci --silent --no-audit --no-fund)
  stamp "$ts/package-lock.json" >"$ts/node_modules/.package-lock"
fi

# --- 2. Generation --------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out/python" "$out/ts/build"
curl -fsS "$BASE_URL/openapi.json" -o "$out/openapi.json" || fail "cannot fetch $BASE_URL/openapi.json"

echo "clients: openapi-python-client $("$venv/bin/openapi-python-client" --version | awk '{print $NF}')"
# Its post-hooks run the venv's ruff, which must be on PATH.
PATH="$root/$venv/bin:$PATH" "$venv/bin/openapi-python-client" generate --path "$out/openapi.json" \
  --meta none --output-path "$out/python/boussole_client" --fail-on-warning \
  >"$out/python-generate.log" 2>&1 || {
  cat "$out/python-generate.log" >&2
  fail "openapi-python-client failed"
}
check_quiet openapi-python-client "$out/python-generate.log" "^Generating "
# Every operation of the document has its module (a skipped one would also be a warning).
"$venv/bin/python" - "$out/openapi.json" "$out/python/boussole_client/api" <<'PY' || fail "the Python client lacks operations"
import json, pathlib, sys
doc = json.load(open(sys.argv[1]))
modules = {p.stem for p in pathlib.Path(sys.argv[2]).glob("*/*.py")}
ops = [(m.upper(), path, op["operationId"]) for path, item in doc["paths"].items() for m, op in item.items()]
missing = [f"{m} {path} ({oid})" for m, path, oid in ops if oid not in modules]
for line in missing:
    print(f"clients: not generated: {line}", file=sys.stderr)
sys.exit(1 if missing else 0)
PY

bin=$root/$ts/node_modules/.bin
echo "clients: openapi-typescript $("$bin/openapi-typescript" --version | awk '{print $NF}' | tr -d v), typescript $("$bin/tsc" --version | awk '{print $NF}')"
"$bin/openapi-typescript" "$out/openapi.json" -o "$out/ts/schema.d.ts" >"$out/ts-generate.log" 2>&1 || {
  cat "$out/ts-generate.log" >&2
  fail "openapi-typescript failed"
}
check_quiet openapi-typescript "$out/ts-generate.log" "^✨ openapi-typescript |^🚀 "

# --- 3. TypeScript: strict type check, then run ---------------------------------------------
"$bin/tsc" -p "$ts/tsconfig.json" --strict --noEmit || fail "tsc --strict rejects the typed calls (above)"
"$bin/tsc" -p "$ts/tsconfig.json" --strict --outDir "$out/ts/build" || fail "tsc could not emit the test"
# The compiled test runs from target/: it finds openapi-fetch through this link, and is a module.
ln -sfn "$root/$ts/node_modules" "$out/ts/node_modules"
echo '{"type": "module"}' >"$out/ts/build/package.json"
echo "clients: TypeScript client (openapi-fetch)"
BASE_URL=$BASE_URL node "$out/ts/build/client.test.js" || fail "the TypeScript client test failed"

# --- 4. Python ------------------------------------------------------------------------------
echo "clients: Python client (openapi-python-client)"
BASE_URL=$BASE_URL PYTHONPATH="$out/python" "$venv/bin/python" tests/clients/python/test_client.py ||
  fail "the Python client test failed"

echo "clients: done in $(($(date +%s) - started))s: both generators quiet, every /v1 operation called through both clients"
