#!/usr/bin/env bash
# Latency of /v1/search under load (wrk, loopback only), at concurrency 1 and 16, plus the
# server's resident memory. Usage: scripts/load.sh [INDEX_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
index="${1:-indexes/default}"
secs="${2:-20}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
port=$((20000 + RANDOM % 20000))
# The query cache is off: the 10 queries rotate, and cache hits would flatter the numbers.
BOUSSOLE_QUERY_CACHE=0 BOUSSOLE_LOG=warn ./target/release/boussole serve --index "$index" --addr "127.0.0.1:$port" --max-concurrency 256 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.5; done

# Rotate through realistic queries so caches don't flatter the numbers.
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
local queries = {"boulanger", "devloppeur%20web", "aide%20soignante%20en%20ehpad",
  "j%27aime%20les%20animaux", "I%20want%20to%20work%20with%20animals", "m%C3%A9canicien%20auto",
  "travailler%20dehors", "comptable", "infirmiere", "graphiste"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/search?q=" .. queries[(i % #queries) + 1] .. "&limit=10")
end
LUA
for c in 1 16; do
  echo "== concurrency $c, ${secs}s"
  wrk -t "$([ $c = 1 ] && echo 1 || echo 2)" -c "$c" -d "${secs}s" --latency -s "$lua" "http://127.0.0.1:$port" \
    | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx"
done
echo "server RSS: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$server/status), peak: $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/$server/status)"
rm -f "$lua"
