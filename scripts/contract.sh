#!/usr/bin/env bash
# Contract test: schemathesis, every check, against the OpenAPI document of a running server.
#
#   BASE_URL=http://127.0.0.1:8080 scripts/contract.sh [more schemathesis run options]
#
# Generates requests from $BASE_URL/openapi.json (valid ones, which must be answered 2xx, and
# invalid ones, which must be refused 4xx), sends them, and checks every answer against the
# document: status listed, body and headers as described, never a 500. Deterministic (fixed
# seed, no example database, no crash cache) and time-boxed (CONTRACT_MAX_TIME seconds of
# generation, default 120; CONTRACT_SEED to explore other seeds). Exits non-zero on any
# failure. The server should run on a small index (`scripts/test.sh` uses the fixtures) with
# the default limits, which are the ones the document states.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${BASE_URL:?set BASE_URL to a running boussole server, e.g. http://127.0.0.1:8080}"
version=4.32.5
seed=${CONTRACT_SEED:-20261129}
max_time=${CONTRACT_MAX_TIME:-120}
venv=.cache/schemathesis-venv
st=$venv/bin/schemathesis

if [ "$("$st" --version 2>/dev/null || true)" != "schemathesis, version $version" ]; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || {
    echo "contract: python3 -m venv is unavailable (apt-get install python3-venv; scripts/setup.sh does with BOUSSOLE_CONTRACT_TESTS=1)" >&2
    exit 1
  }
  echo "contract: installing schemathesis $version in $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Checks narrowed where what they assume is not what this API documents. Nothing else is.
# Two kinds of rules cannot be written in the schema: limits JSON Schema has no words for
# (tokens, serialized size: BEYOND_SCHEMA below), and rules that could be, but only with
# constructs client generators cannot read (an `anyOf` of `contains`/`pattern` branches made
# openapi-python-client drop `POST /v1/match`): those are stated in the descriptions instead,
# and scripts/clients.sh checks that the generators take the whole document (IN_WORDS_ONLY).
cat >"$work/hooks.py" <<'PY'
"""boussole's narrowing of schemathesis' `positive_data_acceptance` (see scripts/contract.sh)."""

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Refusals a schema-valid request may still get, because what they limit cannot be said in
# JSON Schema: the number of tokens the model's tokenizer makes of a text (`/v1/search` `q` and
# `/v1/match` `text`: 400 `too_many_tokens`), and the size of a request once serialized (a body
# over --max-body-bytes, 413 `payload_too_large`: 50 items of 256 characters are legal, and
# JSON escapes can take 12 bytes a character; a target over 48 KiB, 414 `uri_too_long`). The
# document states each limit in words, and lists each answer. Matched by status *and* error
# code, so that any other 4xx to valid data still fails the check.
BEYOND_SCHEMA = {
    (400, "too_many_tokens"),
    (413, "payload_too_large"),
    (414, "uri_too_long"),
}


# Rules stated in the document's descriptions only, so that client generators take it (no
# schema says "at least one non-blank field" in a way they read): `POST /v1/match` needs a
# profile that says something (a non-blank `text`, a non-blank item of `skills` or
# `interests`, or `riasec`), and a `riasec` object a score above 0. Matched by operation,
# status, error code and the start of the message the server answers for that rule, so any
# other refusal of valid data still fails the check.
IN_WORDS_ONLY = {
    ("POST", "/v1/match"): [
        (400, "empty_query", "give at least one of `text`, `skills`, `interests` or `riasec`"),
        (400, "invalid_parameter", "riasec: every score is 0"),
    ],
}


def _error(response):
    try:
        error = response.json()["error"]
        return error["code"], error["message"]
    except Exception:  # not JSON, or not an error body: not one of the above
        return None, ""


@schemathesis.check
def positive_data_acceptance_within_stated_limits(ctx, response, case):
    """`positive_data_acceptance`, except for the refusals of BEYOND_SCHEMA and IN_WORDS_ONLY."""
    code, message = _error(response)
    if (response.status_code, code) in BEYOND_SCHEMA:
        return None
    for status, rule_code, start in IN_WORDS_ONLY.get((case.method.upper(), case.path), []):
        if response.status_code == status and code == rule_code and message.startswith(start):
            return None
    return positive_data_acceptance(ctx, response, case)
PY

# (Expanded: no backquotes or dollars in the comments below.)
cat >"$work/schemathesis.toml" <<TOML
hooks = "$work/hooks.py"
seed = $seed
max-time = $max_time
# One worker: as fast as two on 2 cores (the generator holds the GIL), the requests come in
# one order, and CPython 3.11's ast module can fail under threads (gh-106905, "AST constructor
# recursion depth mismatch", which hypothesis can hit describing its strategies).
workers = 1
# Hypothesis' timing health check fails runs on a loaded machine; it says nothing of the API.
suppress-health-check = ["too_slow"]

# No state carried between runs: the same seed makes the same requests.
[cache]
enabled = false

[generation]
database = "none"

# Also a refusal: 413 (body over --max-body-bytes) and 414 (target over 48 KiB), which invalid
# data made large enough gets before anything reads it. schemathesis' default list otherwise.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx"]
TOML

started=$(date +%s)
echo "contract: schemathesis $version, every check, seed $seed, ${max_time}s, against $BASE_URL/openapi.json"
status=0
"$st" --config-file "$work/schemathesis.toml" run "$BASE_URL/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance \
  --phases examples,coverage,fuzzing,stateful \
  --no-color --output-truncate false "$@" || status=$?
echo "contract: done in $(($(date +%s) - started))s (exit $status)"
exit $status
