#!/usr/bin/env bash
# Soak test: N requests (default 10,000) at concurrency C (default 64) over a mix of every
# /v1 route with valid input, against a real server on INDEX; fails on any answer other than
# 2xx or the documented 503 `overloaded`, on any socket error, or when the server's peak
# resident memory exceeds MAX_RSS_MB.
# Usage: scripts/soak.sh [INDEX_DIR] [REQUESTS] [CONCURRENCY]   (env: MAX_RSS_MB, default 900)
set -euo pipefail
cd "$(dirname "$0")/.."
index="${1:-indexes/default}"
requests="${2:-10000}"
concurrency="${3:-64}"
max_rss_mb="${MAX_RSS_MB:-900}"
threads=2
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
port=$((20000 + RANDOM % 20000))
log=$(mktemp)
# Cache off: the mix repeats, and cache hits would make the run cheaper than real traffic.
BOUSSOLE_QUERY_CACHE=0 BOUSSOLE_LOG=warn ./target/release/boussole serve --index "$index" \
  --addr "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
  kill -0 $server 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
rss() { awk -v k="$1" '$1 == k":" {print int($2/1024)}' /proc/$server/status; }
rss_start=$(rss VmRSS)

lua=$(mktemp --suffix=.lua)
cat >"$lua" <<LUA
local per_thread = math.ceil($requests / $threads)
local gets = {
  "/v1/search?q=boulanger&limit=10", "/v1/search?q=devloppeur%20web",
  "/v1/search?q=aide%20soignante%20en%20ehpad", "/v1/search?q=j%27aime%20les%20animaux",
  "/v1/search?q=I%20want%20to%20work%20with%20animals&lang=en", "/v1/search?q=chui%20bon%20en%20maths",
  "/v1/search?q=travailler%20dehors&taxonomy=rome", "/v1/search?q=comptable&taxonomy=esco&limit=50",
  "/v1/occupations/rome/D1102", "/v1/occupations/rome/M1805?lang=en",
  "/v1/skills/search?q=soud&limit=10", "/v1/skills/search?q=relation%20client",
  "/v1/interests",
}
local bodies = {
  '{"text":"j aime bricoler et reparer des velos","limit":10}',
  '{"skills":["accueillir une clientèle","gérer un stock"],"interests":["Je veux travailler avec les animaux"]}',
  '{"text":"nursing","skills":["soins d hygiène"],"lang":"en","taxonomy":"esco"}',
}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; sent = 0 end
function request()
  sent = sent + 1
  if sent % 4 == 0 then
    return wrk.format("POST", "/v1/match", {["Content-Type"] = "application/json"}, bodies[(sent / 4) % #bodies + 1])
  end
  return wrk.format("GET", gets[sent % #gets + 1])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local n = 0
  for _, v in pairs(statuses) do n = n + v end
  if n >= per_thread then wrk.thread:stop() end
end
function done(summary, latency, reqs)
  local all = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do all[k] = (all[k] or 0) + v end
  end
  for k, v in pairs(all) do io.write(string.format("status %d %d\n", k, v)) end
  local e = summary.errors
  io.write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("p50_ms %.1f\np99_ms %.1f\nmax_ms %.1f\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
echo "soak: $requests requests at concurrency $concurrency on $index (cache off)"
started=$(date +%s%N)
# wrk runs for a duration, not a count: its threads stop themselves after their share, and
# SIGINT (which wrk turns into a normal end with its report) ends the run once all is answered.
wrk_out=$(mktemp)
wrk -t "$threads" -c "$concurrency" -d 1800s --timeout 15s -s "$lua" "http://127.0.0.1:$port" >"$wrk_out" &
wrk_pid=$!
answered() {
  curl -fsS "http://127.0.0.1:$port/metrics" |
    awk '/^boussole_http_requests_total\{/ && /route="\/v1/ {n += $NF} END {print n + 0}'
}
while kill -0 $wrk_pid 2>/dev/null && [ "$(answered)" -lt "$requests" ]; do sleep 1; done
sleep 1
kill -INT $wrk_pid 2>/dev/null || true
wait $wrk_pid || true
out=$(cat "$wrk_out")
rm -f "$wrk_out"
elapsed=$(awk -v ns=$(( $(date +%s%N) - started )) 'BEGIN {printf "%.1f", ns / 1e9}')
rm -f "$lua"
echo "$out" | grep -E "^(status|socket_errors|p50_ms|p99_ms|max_ms)" | sort
rss_end=$(rss VmRSS)
rss_peak=$(rss VmHWM)
total=$(echo "$out" | awk '$1 == "status" {n += $3} END {print n + 0}')
bad=$(echo "$out" | awk '$1 == "status" && !($2 ~ /^2/ || $2 == 503) {n += $3} END {print n + 0}')
shed=$(echo "$out" | awk '$1 == "status" && $2 == 503 {n += $3} END {print n + 0}')
socket=$(echo "$out" | awk '$1 == "socket_errors" {print $2}')
echo "soak: $total answers in ${elapsed}s, $bad unexpected, $shed shed (503), $socket socket errors;" \
  "server RSS ${rss_start} MiB at start, ${rss_end} MiB after, peak ${rss_peak} MiB (limit ${max_rss_mb})"
kill -0 $server 2>/dev/null || { echo "soak: the server died"; cat "$log"; exit 1; }
[ "$total" -ge "$requests" ] || { echo "soak: only $total of $requests answered"; exit 1; }
[ "$bad" -eq 0 ] && [ "$socket" -eq 0 ] || { echo "soak: FAILED"; exit 1; }
[ "$rss_peak" -le "$max_rss_mb" ] || { echo "soak: peak RSS over ${max_rss_mb} MiB"; exit 1; }
echo "soak: ok"
