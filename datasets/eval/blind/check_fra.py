#!/usr/bin/env python3
"""Validator for the fra blind evaluation set.

Usage: python3 check_fra.py [ROME_DIR] [JSONL]
  ROME_DIR defaults to datasets/official/rome-4.60
  JSONL    defaults to fra.jsonl next to this script
Standard library only. Exits non-zero on any error.
"""
import csv, json, os, sys
from collections import Counter

def _open(path, *args, **kwargs):
    """Opens a dataset file, or its gzipped copy (the repository vendors `.csv.gz`)."""
    import gzip
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rt", **kwargs)
    return open(path, *args, **kwargs)



STYLES = ["value", "constraint", "situation", "school", "passion", "trap", "sms", "title"]
REQUIRED = ["id", "lang", "style", "query", "gold", "note"]
MIN_PER_STYLE = 15
MIN_TOTAL = 120


def main():
    rome_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "official", "rome-4.60")
    path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fra.jsonl")
    errors = []
    code_file = os.path.join(rome_dir, "unix_referentiel_code_rome_v460_utf8.csv")
    try:
        with _open(code_file, encoding="utf-8", newline="") as f:
            codes = {row["code_rome"].strip() for row in csv.DictReader(f)}
    except (OSError, KeyError) as e:
        print(f"ERROR: cannot read ROME codes from {code_file}: {e}")
        return 2
    if not codes:
        print(f"ERROR: no ROME codes found in {code_file}")
        return 2

    ids, queries, styles = Counter(), Counter(), Counter()
    n = 0
    n_g2 = n_g1 = 0
    try:
        fh = _open(path, encoding="utf-8")
    except OSError as e:
        print(f"ERROR: cannot open {path}: {e}")
        return 2
    with fh:
        for ln, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"line {ln}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {ln}: invalid JSON ({e})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {ln}: not a JSON object")
                continue
            n += 1
            for k in REQUIRED:
                if k not in obj:
                    errors.append(f"line {ln}: missing field '{k}'")
            qid = obj.get("id")
            if not isinstance(qid, str) or not qid:
                errors.append(f"line {ln}: id must be a non-empty string")
            else:
                ids[qid] += 1
            if obj.get("lang") != "fr":
                errors.append(f"line {ln}: lang must be 'fr' (got {obj.get('lang')!r})")
            st = obj.get("style")
            if st not in STYLES:
                errors.append(f"line {ln}: bad style {st!r}")
            else:
                styles[st] += 1
            q = obj.get("query")
            if not isinstance(q, str) or not q.strip():
                errors.append(f"line {ln}: query must be a non-empty string")
            else:
                queries[" ".join(q.lower().split())] += 1
            if "note" in obj and not isinstance(obj["note"], str):
                errors.append(f"line {ln}: note must be a string")
            gold = obj.get("gold")
            if not isinstance(gold, dict) or not gold:
                errors.append(f"line {ln}: gold must be a non-empty object")
                continue
            has2 = False
            for code, grade in gold.items():
                if code not in codes:
                    errors.append(f"line {ln}: unknown ROME code {code!r}")
                if isinstance(grade, bool) or grade not in (1, 2):
                    errors.append(f"line {ln}: grade for {code} must be 1 or 2 (got {grade!r})")
                elif grade == 2:
                    has2 = True
                    n_g2 += 1
                else:
                    n_g1 += 1
            if not has2:
                errors.append(f"line {ln}: no grade-2 code")

    for k, c in ids.items():
        if c > 1:
            errors.append(f"duplicate id {k!r} ({c}x)")
    for k, c in queries.items():
        if c > 1:
            errors.append(f"duplicate query text {k!r} ({c}x)")
    for st in STYLES:
        if styles[st] < MIN_PER_STYLE:
            errors.append(f"style {st!r}: {styles[st]} queries (< {MIN_PER_STYLE})")
    if n < MIN_TOTAL:
        errors.append(f"only {n} queries (< {MIN_TOTAL})")

    print(f"file: {path}")
    print(f"ROME codes loaded: {len(codes)} from {code_file}")
    print(f"queries: {n}  gold grade-2: {n_g2}  gold grade-1: {n_g1}")
    print("per style: " + ", ".join(f"{s}={styles[s]}" for s in STYLES))
    if errors:
        print(f"FAILED with {len(errors)} error(s):")
        for e in errors:
            print("  - " + e)
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
