#!/usr/bin/env bash
# Overload behaviour under a realistic mix (60% searches, 20% profile matches, 10% batches of 4
# searches, 10% skill look-ups), with wrk on loopback: for each number of clients, requests,
# refusals (503) and how many of them carried `Retry-After`, other errors, p50/p99/max latency.
#
# Usage: scripts/load_mix.sh [INDEX_DIR] [SECONDS] [CLIENTS...]
#   defaults: indexes/default, 30 s, clients 8 32 512 (512 is far beyond what 2 cores serve:
#   refusals are expected there, each with Retry-After; at 32 none are).
# Environment: BOUSSOLE_SERVE_ARGS (extra `serve` flags), OUT (markdown table, default
# target/load-mix.md).
set -euo pipefail
cd "$(dirname "$0")/.."
index="${1:-indexes/default}"
secs="${2:-30}"
shift $(( $# > 2 ? 2 : $# ))
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(8 32 512)
out="${OUT:-target/load-mix.md}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
[ -f "$index/manifest.json" ] || { echo "load_mix: no index in $index" >&2; exit 1; }

port=$((20000 + RANDOM % 20000))
# The query cache is off: repeated texts would be answered without the model and flatter the numbers.
# shellcheck disable=SC2086
# Errors only: at the far level every refusal would otherwise log a warning.
BOUSSOLE_QUERY_CACHE=0 BOUSSOLE_LOG=error ./target/release/boussole serve --index "$index" \
  --addr "127.0.0.1:$port" ${BOUSSOLE_SERVE_ARGS:-} &
server=$!
lua=$(mktemp --suffix=.lua)
trap 'kill $server 2>/dev/null || true; rm -f "$lua"' EXIT
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
  kill -0 $server 2>/dev/null || { echo "load_mix: the server did not start" >&2; exit 1; }
  sleep 0.5
done

cat >"$lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end

local searches = {"boulanger", "devloppeur web", "aide soignante en ehpad", "j'aime les animaux",
  "I want to work with animals", "mécanicien auto", "travailler dehors", "comptable", "infirmiere",
  "graphiste", "je veux aider les gens", "métier manuel sans longues études", "plombier chauffagiste",
  "cuisinier en restauration collective", "data analyst", "electricien batiment", "vendeuse en boulangerie",
  "chauffeur poids lourd", "educateur sportif", "je suis fort en maths", "software developer",
  "nurse", "truck driver", "travailler avec les enfants", "agent de sécurité", "coiffeuse",
  "paysagiste", "I like fixing things", "secrétaire médicale", "technicien de maintenance"}
local skills = {"soudure", "accueil", "cuisine", "excel", "permis", "vente", "anglais", "python", "soins", "conduite"}
local profiles = {
  '{"text":"j\'aime bricoler","skills":["soudure"],"interests":["Je veux travailler de mes mains"]}',
  '{"text":"travailler avec les animaux","skills":["soins aux animaux"]}',
  '{"skills":["accueil","vente"],"interests":["Je veux être au contact des autres"]}',
  '{"text":"I want to help people","lang":"en"}',
}
local function enc(s) return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
local json = {["Content-Type"] = "application/json"}

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  refused, retry_after, other = 0, 0, 0
end

function request()
  local r = math.random(100)
  if r <= 60 then
    return wrk.format("GET", "/v1/search?limit=10&q=" .. enc(searches[math.random(#searches)]))
  elseif r <= 80 then
    return wrk.format("POST", "/v1/match", json, profiles[math.random(#profiles)])
  elseif r <= 90 then
    local items = {}
    for i = 1, 4 do items[i] = '{"q":"' .. searches[math.random(#searches)] .. '"}' end
    return wrk.format("POST", "/v1/search/batch", json, '{"queries":[' .. table.concat(items, ",") .. ']}')
  else
    return wrk.format("GET", "/v1/skills/search?limit=10&q=" .. enc(skills[math.random(#skills)]))
  end
end

function response(status, headers, body)
  if status == 503 then
    refused = refused + 1
    if headers["Retry-After"] or headers["retry-after"] then retry_after = retry_after + 1 end
  elseif status ~= 200 then
    other = other + 1
  end
end

function done(summary, latency, requests)
  local r, ra, o = 0, 0, 0
  for _, t in ipairs(threads) do
    r = r + t:get("refused"); ra = ra + t:get("retry_after"); o = o + t:get("other")
  end
  io.write(string.format(
    'LOADJSON {"requests":%d,"refused":%d,"retry_after":%d,"other_errors":%d,"socket_errors":%d,"p50_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f,"rps":%.1f}\n',
    summary.requests, r, ra, o,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6)))
end
LUA

mkdir -p "$(dirname "$out")"
{
  echo "| clients | requests | req/s | refused (503) | with Retry-After | other errors | p50 ms | p99 ms | max ms |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$out"
for c in "${levels[@]}"; do
  threads=$(( c < 2 ? 1 : 2 ))
  echo "== $c clients, ${secs}s" >&2
  line=$(wrk -t "$threads" -c "$c" -d "${secs}s" --timeout 10s -s "$lua" "http://127.0.0.1:$port" | grep '^LOADJSON' | cut -d' ' -f2-)
  echo "$line" >&2
  python3 - "$c" "$line" >>"$out" <<'PY'
import json, sys
c, j = sys.argv[1], json.loads(sys.argv[2])
print(f"| {c} | {j['requests']} | {j['rps']:.0f} | {j['refused']} | {j['retry_after']} | {j['other_errors'] + j['socket_errors']} | {j['p50_ms']:.0f} | {j['p99_ms']:.0f} | {j['max_ms']:.0f} |")
PY
done
echo "server peak RSS: $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/$server/status)" >>"$out"
cat "$out"
