#!/usr/bin/env python3
"""Validate enc.jsonl (blind evaluation set, author `enc`).

Usage: python3 check_enc.py [ESCO_DIR] [JSONL]
  ESCO_DIR  folder holding occupations_en.csv (default datasets/official/esco-1.1.1)
  JSONL     query file (default: enc.jsonl next to this script)
Exits 1 on any error, 0 otherwise. Standard library only.
"""
import collections
import csv
import json
import os
import sys

def _open(path, *args, **kwargs):
    """Opens a dataset file, or its gzipped copy (the repository vendors `.csv.gz`)."""
    import gzip
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rt", **kwargs)
    return open(path, *args, **kwargs)



STYLES = ["value", "constraint", "situation", "school", "passion", "trap", "sms", "title"]
MIN_PER_STYLE = 15
MIN_TOTAL = 120
REQUIRED = ["id", "lang", "style", "query", "gold", "note"]


def main():
    esco_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "official", "esco-1.1.1")
    jsonl = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "enc.jsonl")
    errors = []
    occ_path = os.path.join(esco_dir, "occupations_en.csv")
    try:
        with _open(occ_path, encoding="utf-8", newline="") as f:
            uris = {row["conceptUri"]: row["preferredLabel"] for row in csv.DictReader(f)}
    except (OSError, KeyError) as e:
        print(f"ERROR cannot read {occ_path}: {e}")
        return 1
    ids, texts = set(), {}
    styles = collections.Counter()
    n = 0
    n_gold = collections.Counter()
    try:
        fh = open(jsonl, encoding="utf-8")
    except OSError as e:
        print(f"ERROR cannot read {jsonl}: {e}")
        return 1
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
            missing = [k for k in REQUIRED if k not in obj]
            if missing:
                errors.append(f"line {ln}: missing fields {missing}")
                continue
            qid = obj["id"]
            if not isinstance(qid, str) or not qid.startswith("enc-"):
                errors.append(f"line {ln}: bad id {qid!r}")
            if qid in ids:
                errors.append(f"line {ln}: duplicate id {qid}")
            ids.add(qid)
            if obj["lang"] != "en":
                errors.append(f"{qid}: lang must be 'en', got {obj['lang']!r}")
            if obj["style"] not in STYLES:
                errors.append(f"{qid}: unknown style {obj['style']!r}")
            else:
                styles[obj["style"]] += 1
            q = obj["query"]
            if not isinstance(q, str) or not q.strip():
                errors.append(f"{qid}: empty query")
            else:
                key = " ".join(q.lower().split())
                if key in texts:
                    errors.append(f"{qid}: duplicate query text (same as {texts[key]})")
                texts[key] = qid
            if not isinstance(obj["note"], str):
                errors.append(f"{qid}: note must be a string")
            gold = obj["gold"]
            if not isinstance(gold, dict) or not gold:
                errors.append(f"{qid}: gold must be a non-empty object")
                continue
            for uri, g in gold.items():
                if uri not in uris:
                    errors.append(f"{qid}: unknown ESCO occupation URI {uri}")
                if g not in (1, 2) or isinstance(g, bool):
                    errors.append(f"{qid}: grade {g!r} not in {{1,2}} for {uri}")
                else:
                    n_gold[g] += 1
            if not any(g == 2 for g in gold.values()):
                errors.append(f"{qid}: no grade-2 occupation")
    if n < MIN_TOTAL:
        errors.append(f"only {n} queries (need >= {MIN_TOTAL})")
    for s in STYLES:
        if styles[s] < MIN_PER_STYLE:
            errors.append(f"style {s}: {styles[s]} queries (need >= {MIN_PER_STYLE})")
    print(f"file: {jsonl}")
    print(f"queries: {n}  (grade-2 labels: {n_gold[2]}, grade-1 labels: {n_gold[1]})")
    print("per style: " + ", ".join(f"{s}={styles[s]}" for s in STYLES))
    if errors:
        print(f"{len(errors)} ERROR(S):")
        for e in errors:
            print("  " + e)
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
