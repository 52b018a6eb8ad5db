#!/usr/bin/env python3
"""Validate datasets/eval/young_queries.jsonl against ROME 4.60.

Checks: one JSON object per line with the keys id, style, split, lang, query,
gold, note; unique ids (y-NNN); unique queries (after lowercasing and trimming);
style in the 7 known styles with exactly 50 queries each; exactly 20 dev and 30
test queries per style; lang is "en" for style english and "fr" otherwise; gold
is a non-empty object of ROME codes to grades 1 or 2, with 1-3 grade-2 codes and
at most 6 grade-1 codes; every code is a fiche of ROME 4.60.
Prints counts per style and split and a grade histogram; exits 1 on any error.

Usage (from anywhere):
    python3 datasets/eval/check_young_queries.py [ROME_DIR] [--file FILE]

ROME_DIR defaults to ../shared/datasets/rome-4.60 relative to the repository
root (the repository root is two levels above this script).

Standard library only.
"""
import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
DEFAULT_ROME_DIR = REPO_ROOT.parent / "shared" / "datasets" / "rome-4.60"
ROME_FILE = "unix_referentiel_code_rome_v460_utf8.csv"

STYLES = ("title", "interest", "school", "situation", "sms", "english", "trap")
PER_STYLE = 50
DEV_PER_STYLE = 20
TEST_PER_STYLE = 30
KEYS = {"id", "style", "split", "lang", "query", "gold", "note"}
ID_RE = re.compile(r"^y-[0-9]{3}$")
ROME_RE = re.compile(r"^[A-N][0-9]{4}$")
MAX_GRADE2 = 3
MAX_GRADE1 = 6


def load_rome(rome_dir):
    with open(rome_dir / ROME_FILE, encoding="utf-8", newline="") as f:
        return {row["code_rome"]: row["libelle_rome"] for row in csv.DictReader(f)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rome_dir", nargs="?", default=str(DEFAULT_ROME_DIR),
                    help="ROME 4.60 folder (default: %(default)s)")
    ap.add_argument("--file", default=str(HERE / "young_queries.jsonl"),
                    help="JSONL file to check (default: %(default)s)")
    args = ap.parse_args(argv)

    errors = []

    def err(lineno, msg):
        errors.append(f"line {lineno}: {msg}" if lineno else msg)

    rome_dir = Path(args.rome_dir)
    try:
        rome = load_rome(rome_dir)
    except (OSError, KeyError, csv.Error) as e:
        print(f"ERROR: cannot read ROME fiches in {rome_dir}: {e}", file=sys.stderr)
        return 1
    try:
        with open(args.file, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as e:
        print(f"ERROR: cannot read {args.file}: {e}", file=sys.stderr)
        return 1
    if lines and lines[-1] == "":
        lines.pop()

    ids = set()
    queries = {}
    per_style = Counter()
    per_split = Counter()
    grades = Counter()
    gold_sizes = Counter()
    codes_used = set()

    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            err(lineno, "empty line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            err(lineno, f"invalid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            err(lineno, "not a JSON object")
            continue
        missing = KEYS - obj.keys()
        extra = obj.keys() - KEYS
        if missing:
            err(lineno, f"missing keys {sorted(missing)}")
        if extra:
            err(lineno, f"unexpected keys {sorted(extra)}")

        qid = obj.get("id")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            err(lineno, f"bad id {qid!r} (want y-NNN)")
        elif qid in ids:
            err(lineno, f"duplicate id {qid}")
        else:
            ids.add(qid)

        style = obj.get("style")
        if style not in STYLES:
            err(lineno, f"bad style {style!r}")
        split = obj.get("split")
        if split not in ("dev", "test"):
            err(lineno, f"bad split {split!r}")
        if style in STYLES and split in ("dev", "test"):
            per_style[style] += 1
            per_split[(style, split)] += 1

        lang = obj.get("lang")
        want_lang = "en" if style == "english" else "fr"
        if lang not in ("fr", "en"):
            err(lineno, f"bad lang {lang!r}")
        elif style in STYLES and lang != want_lang:
            err(lineno, f"lang {lang!r} but style {style!r} needs {want_lang!r}")

        query = obj.get("query")
        if not isinstance(query, str) or not query.strip():
            err(lineno, "empty or non-string query")
        else:
            key = query.strip().lower()
            if key in queries:
                err(lineno, f"duplicate query {query!r} (first at line {queries[key]})")
            else:
                queries[key] = lineno

        note = obj.get("note")
        if not isinstance(note, str) or not note.strip():
            err(lineno, "empty or non-string note")

        gold = obj.get("gold")
        if not isinstance(gold, dict) or not gold:
            err(lineno, "gold must be a non-empty object")
            continue
        n2 = n1 = 0
        for code, grade in gold.items():
            if not ROME_RE.match(code):
                err(lineno, f"bad ROME code format {code!r}")
            elif code not in rome:
                err(lineno, f"code {code} is not a ROME 4.60 fiche")
            else:
                codes_used.add(code)
            if isinstance(grade, bool) or grade not in (1, 2):
                err(lineno, f"grade of {code} must be 1 or 2, got {grade!r}")
                continue
            grades[grade] += 1
            if grade == 2:
                n2 += 1
            else:
                n1 += 1
        if n2 == 0:
            err(lineno, "gold has no grade-2 code")
        if n2 > MAX_GRADE2:
            err(lineno, f"{n2} grade-2 codes (max {MAX_GRADE2})")
        if n1 > MAX_GRADE1:
            err(lineno, f"{n1} grade-1 codes (max {MAX_GRADE1})")
        gold_sizes[len(gold)] += 1

    for style in STYLES:
        if per_style[style] != PER_STYLE:
            err(0, f"style {style}: {per_style[style]} queries (want {PER_STYLE})")
        if per_split[(style, "dev")] != DEV_PER_STYLE:
            err(0, f"style {style}: {per_split[(style, 'dev')]} dev (want {DEV_PER_STYLE})")
        if per_split[(style, "test")] != TEST_PER_STYLE:
            err(0, f"style {style}: {per_split[(style, 'test')]} test (want {TEST_PER_STYLE})")

    print(f"file: {args.file}")
    print(f"rome: {rome_dir} ({len(rome)} fiches)")
    print(f"{'style':<10} {'dev':>4} {'test':>5} {'total':>6}")
    for style in STYLES:
        d, t = per_split[(style, "dev")], per_split[(style, "test")]
        print(f"{style:<10} {d:>4} {t:>5} {d + t:>6}")
    td = sum(per_split[(s, "dev")] for s in STYLES)
    tt = sum(per_split[(s, "test")] for s in STYLES)
    print(f"{'total':<10} {td:>4} {tt:>5} {td + tt:>6}")
    print(f"grades: 2 -> {grades[2]}, 1 -> {grades[1]} "
          f"({grades[1] + grades[2]} gold entries, {len(codes_used)} distinct fiches)")
    print("gold size histogram: " + ", ".join(f"{k}: {gold_sizes[k]}" for k in sorted(gold_sizes)))

    if errors:
        print(f"\n{len(errors)} error(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
