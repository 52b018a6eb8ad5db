#!/usr/bin/env python3
"""Validator for the blind evaluation set frd.jsonl (author id: frd).

Usage:
    python3 check_frd.py [ROME_DIR] [--jsonl PATH]

ROME_DIR  folder holding unix_referentiel_code_rome_v460_utf8.csv
          (default: datasets/official/rome-4.60)
--jsonl   query file (default: frd.jsonl next to this script)

Standard library only. Prints a summary; exits 1 on any error, 0 otherwise.
"""
import csv
import json
import os
import re
import sys
from collections import Counter

def _open(path, *args, **kwargs):
    """Opens a dataset file, or its gzipped copy (the repository vendors `.csv.gz`)."""
    import gzip
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rt", **kwargs)
    return open(path, *args, **kwargs)



DEFAULT_ROME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "official", "rome-4.60")
ROME_FILE = "unix_referentiel_code_rome_v460_utf8.csv"
STYLES = ["value", "constraint", "situation", "school",
          "passion", "trap", "sms", "title"]
LANGS = {"fr", "en"}
REQUIRED = ["id", "lang", "style", "query", "gold", "note"]
MIN_TOTAL = 120
MIN_PER_STYLE = 15
MAX_GRADE2 = 4
MAX_GRADE1 = 8
ID_RE = re.compile(r"^frd-\d{3}$")
CODE_RE = re.compile(r"^[A-N]\d{4}$")


def load_rome_codes(rome_dir):
    path = os.path.join(rome_dir, ROME_FILE)
    codes = set()
    with _open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            code = (row.get("code_rome") or "").strip()
            if code:
                codes.add(code)
    return path, codes


def norm_query(text):
    return " ".join(text.lower().split())


def main(argv):
    rome_dir = DEFAULT_ROME_DIR
    jsonl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frd.jsonl")
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--jsonl":
            if not args:
                print("ERROR: --jsonl needs a path")
                return 2
            jsonl = args.pop(0)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            rome_dir = a

    errors = []
    try:
        rome_path, codes = load_rome_codes(rome_dir)
    except OSError as exc:
        print(f"ERROR: cannot read ROME code file in {rome_dir}: {exc}")
        return 1
    if not codes:
        print(f"ERROR: no ROME code found in {rome_path}")
        return 1

    try:
        with open(jsonl, encoding="utf-8-sig") as fh:
            lines = fh.read().split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"ERROR: cannot read {jsonl}: {exc}")
        return 1

    records = []
    seen_ids = {}
    seen_queries = {}
    style_count = Counter()
    lang_count = Counter()
    style_lang = Counter()
    n_grade2 = n_grade1 = 0

    # ignore only trailing empty lines (final newline)
    while lines and lines[-1].strip() == "":
        lines.pop()

    for lineno, line in enumerate(lines, 1):
        where = f"line {lineno}"
        if line.strip() == "":
            errors.append(f"{where}: empty line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        records.append(obj)

        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            errors.append(f"{where}: missing field(s) {missing}")
        extra = [k for k in obj if k not in REQUIRED and k != "split"]
        if extra:
            errors.append(f"{where}: unexpected field(s) {extra}")

        qid = obj.get("id")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            errors.append(f"{where}: bad id {qid!r} (expected frd-NNN)")
        elif qid in seen_ids:
            errors.append(f"{where}: duplicate id {qid} (first at line {seen_ids[qid]})")
        else:
            seen_ids[qid] = lineno
        where = f"line {lineno} ({qid})"

        lang = obj.get("lang")
        if lang not in LANGS:
            errors.append(f"{where}: lang {lang!r} not in {sorted(LANGS)}")
        else:
            lang_count[lang] += 1

        style = obj.get("style")
        if style not in STYLES:
            errors.append(f"{where}: style {style!r} not in {STYLES}")
        else:
            style_count[style] += 1
            if lang in LANGS:
                style_lang[(style, lang)] += 1

        query = obj.get("query")
        if not isinstance(query, str) or not query.strip():
            errors.append(f"{where}: empty or non-string query")
        else:
            nq = norm_query(query)
            if nq in seen_queries:
                errors.append(f"{where}: duplicate query text (same as line {seen_queries[nq]})")
            else:
                seen_queries[nq] = lineno

        note = obj.get("note")
        if not isinstance(note, str) or not note.strip():
            errors.append(f"{where}: empty or non-string note")

        gold = obj.get("gold")
        if not isinstance(gold, dict) or not gold:
            errors.append(f"{where}: gold must be a non-empty object")
            continue
        g2 = g1 = 0
        for code, grade in gold.items():
            if not isinstance(code, str) or not CODE_RE.match(code):
                errors.append(f"{where}: malformed ROME code {code!r}")
            elif code not in codes:
                errors.append(f"{where}: ROME code {code} not in {ROME_FILE}")
            if isinstance(grade, bool) or grade not in (1, 2):
                errors.append(f"{where}: grade {grade!r} for {code} not in {{1, 2}}")
            elif grade == 2:
                g2 += 1
            else:
                g1 += 1
        if g2 < 1:
            errors.append(f"{where}: no grade-2 code")
        if g2 > MAX_GRADE2:
            errors.append(f"{where}: {g2} grade-2 codes (max {MAX_GRADE2})")
        if g1 > MAX_GRADE1:
            errors.append(f"{where}: {g1} grade-1 codes (max {MAX_GRADE1})")
        n_grade2 += g2
        n_grade1 += g1

    total = len(records)
    if total < MIN_TOTAL:
        errors.append(f"only {total} queries (need >= {MIN_TOTAL})")
    for s in STYLES:
        if style_count[s] < MIN_PER_STYLE:
            errors.append(f"style {s!r}: {style_count[s]} queries (need >= {MIN_PER_STYLE})")

    print(f"file: {jsonl}")
    print(f"ROME codes: {len(codes)} read from {rome_path}")
    print(f"queries: {total}  (fr: {lang_count['fr']}, en: {lang_count['en']})")
    print(f"{'style':<11} {'total':>5} {'fr':>4} {'en':>4}")
    for s in STYLES:
        print(f"{s:<11} {style_count[s]:>5} {style_lang[(s, 'fr')]:>4} {style_lang[(s, 'en')]:>4}")
    if total:
        print(f"gold codes: {n_grade2} grade-2, {n_grade1} grade-1 "
              f"(mean {(n_grade2 + n_grade1) / total:.2f} per query)")
    if errors:
        print(f"\nFAILED: {len(errors)} error(s)")
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
