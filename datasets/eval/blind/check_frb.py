#!/usr/bin/env python3
"""Validator for the frb blind evaluation set (standard library only).

Usage: python3 check_frb.py [ROME_DIR] [--jsonl PATH]
  ROME_DIR defaults to datasets/official/rome-4.60 and must contain
  unix_referentiel_code_rome_v460_utf8.csv. PATH defaults to frb.jsonl next to this script.
Exits non-zero on any error.
"""
import csv, json, os, sys, collections

def _open(path, *args, **kwargs):
    """Opens a dataset file, or its gzipped copy (the repository vendors `.csv.gz`)."""
    import gzip
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rt", **kwargs)
    return open(path, *args, **kwargs)



STYLES = ["value", "constraint", "situation", "school", "passion", "trap", "sms", "title"]
MIN_PER_STYLE, MIN_TOTAL = 15, 120
REQUIRED = ["id", "lang", "style", "query", "gold", "note"]

def main(argv):
    rome_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "official", "rome-4.60")
    jsonl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frb.jsonl")
    args = list(argv)
    if "--jsonl" in args:
        i = args.index("--jsonl"); jsonl = args[i + 1]; del args[i:i + 2]
    if args:
        rome_dir = args[0]
    errors = []
    code_file = os.path.join(rome_dir, "unix_referentiel_code_rome_v460_utf8.csv")
    try:
        with _open(code_file, encoding="utf-8", errors="replace", newline="") as f:
            codes = {r["code_rome"].strip() for r in csv.DictReader(f)}
    except (OSError, KeyError) as e:
        print("ERROR cannot read ROME codes from %s: %s" % (code_file, e)); return 2
    if not codes:
        print("ERROR no ROME codes read from %s" % code_file); return 2

    ids, texts = set(), {}
    per_style = collections.Counter()
    n = g2 = g1 = 0
    try:
        lines = open(jsonl, encoding="utf-8").read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        print("ERROR cannot read %s: %s" % (jsonl, e)); return 2
    for ln, line in enumerate(lines, 1):
        if not line.strip():
            errors.append("line %d: empty line" % ln); continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append("line %d: invalid JSON (%s)" % (ln, e)); continue
        if not isinstance(d, dict):
            errors.append("line %d: not a JSON object" % ln); continue
        n += 1
        miss = [k for k in REQUIRED if k not in d]
        if miss:
            errors.append("line %d: missing fields %s" % (ln, miss)); continue
        qid = d["id"]
        if not isinstance(qid, str) or not qid:
            errors.append("line %d: bad id" % ln)
        elif qid in ids:
            errors.append("line %d: duplicate id %s" % (ln, qid))
        ids.add(qid)
        if d["lang"] != "fr":
            errors.append("%s: lang must be 'fr'" % qid)
        if d["style"] not in STYLES:
            errors.append("%s: unknown style %r" % (qid, d["style"]))
        else:
            per_style[d["style"]] += 1
        q = d["query"]
        if not isinstance(q, str) or not q.strip():
            errors.append("%s: empty query" % qid)
        else:
            key = " ".join(q.lower().split())
            if key in texts:
                errors.append("%s: duplicate query text (same as %s)" % (qid, texts[key]))
            texts[key] = qid
        if not isinstance(d["note"], str):
            errors.append("%s: note must be a string" % qid)
        gold = d["gold"]
        if not isinstance(gold, dict) or not gold:
            errors.append("%s: gold must be a non-empty object" % qid); continue
        has2 = False
        for c, g in gold.items():
            if c not in codes:
                errors.append("%s: unknown ROME code %s" % (qid, c))
            if isinstance(g, bool) or g not in (1, 2):
                errors.append("%s: grade for %s must be 1 or 2 (got %r)" % (qid, c, g))
            if g == 2 and not isinstance(g, bool):
                has2 = True; g2 += 1
            elif g == 1 and not isinstance(g, bool):
                g1 += 1
        if not has2:
            errors.append("%s: no grade-2 code" % qid)
        n2 = sum(1 for g in gold.values() if g == 2 and not isinstance(g, bool))
        n1 = sum(1 for g in gold.values() if g == 1 and not isinstance(g, bool))
        if n2 > 4:
            errors.append("%s: %d grade-2 codes (max 4)" % (qid, n2))
        if n1 > 8:
            errors.append("%s: %d grade-1 codes (max 8)" % (qid, n1))

    if n < MIN_TOTAL:
        errors.append("only %d queries (need >= %d)" % (n, MIN_TOTAL))
    for s in STYLES:
        if per_style[s] < MIN_PER_STYLE:
            errors.append("style %s: %d queries (need >= %d)" % (s, per_style[s], MIN_PER_STYLE))

    print("file: %s" % jsonl)
    print("ROME codes known: %d (from %s)" % (len(codes), code_file))
    print("queries: %d  | grade-2 codes: %d  | grade-1 codes: %d" % (n, g2, g1))
    print("per style: " + ", ".join("%s=%d" % (s, per_style[s]) for s in STYLES))
    if errors:
        print("ERRORS (%d):" % len(errors))
        for e in errors:
            print("  - " + e)
        return 1
    print("OK: all checks passed")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
