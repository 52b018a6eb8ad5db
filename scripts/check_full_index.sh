#!/usr/bin/env bash
# Acceptance checks of the ranking on the full index (not run by CI, which builds only the
# fixture index): young people's phrasing must reach the obvious occupations.
# Usage: scripts/check_full_index.sh [INDEX_DIR]   (default indexes/default)
set -euo pipefail
cd "$(dirname "$0")/.."
index="${1:-indexes/default}"
bin=target/release/boussole
fail=0
check() { # name, command output, grep -E pattern expected (or ! pattern refused)
  local name=$1 out=$2 want=$3 refuse=${4:-}
  if ! grep -qE "$want" <<<"$out"; then echo "FAIL $name: no line matches /$want/"; fail=1; return; fi
  if [ -n "$refuse" ] && grep -qiE "$refuse" <<<"$out"; then echo "FAIL $name: a line matches /$refuse/"; fail=1; return; fi
  echo "ok   $name"
}
# ESCO "animal care attendant" (0b14d5d7…) in the top 10, no slaughtering occupation.
out=$("$bin" query --index "$index" --taxonomy esco --lang en --limit 10 "I want to work with animals" 2>/dev/null)
check "esco: I want to work with animals" "$out" "0b14d5d7-1bbe-4403-b9e6-7b0f37fc44fc" "slaughter|abatt"
# A dog-related ROME fiche in the top 5.
out=$("$bin" query --index "$index" --taxonomy rome --limit 5 "je veux bosser avec des chiens" 2>/dev/null)
check "rome: je veux bosser avec des chiens" "$out" "rome (A1501|A1503|A1506|A1511) "
exit $fail
