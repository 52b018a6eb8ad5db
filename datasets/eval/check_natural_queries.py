#!/usr/bin/env python3
"""Validate datasets/eval/natural_queries.jsonl against the ROME 4.60 and ESCO 1.1.1 data.

Checks: one JSON object per line; required keys; unique ids; id prefix matches lang;
lang in {fr, en}; non-empty query; non-empty gold list of {taxonomy, code} with
taxonomy in {rome, esco}; no duplicate gold entry; every ROME code is a fiche of
ROME 4.60 and every ESCO code is an occupation URI of ESCO 1.1.1; minimum number
of queries per language. Prints counts; exits 1 on any problem, 2 if the data
files cannot be read.

Usage (from the repository root):
    python3 datasets/eval/check_natural_queries.py [--data-dir ../shared/datasets]
        [--file datasets/eval/natural_queries.jsonl] [--min-fr 65] [--min-en 22]

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
ROME_FILE = "rome-4.60/unix_referentiel_code_rome_v460_utf8.csv"
ESCO_FILES = ("esco-1.1.1/occupations_en.csv", "esco-1.1.1/occupations_fr.csv")
ESCO_PREFIX = "http://data.europa.eu/esco/occupation/"
ROME_RE = re.compile(r"^[A-N][0-9]{4}$")
LANGS = ("fr", "en")
KEYS = {"id", "lang", "query", "gold", "note"}

csv.field_size_limit(sys.maxsize)


def load_rome(data_dir):
    path = data_dir / ROME_FILE
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return {row["code_rome"]: row["libelle_rome"] for row in csv.DictReader(f)}


def load_esco(data_dir):
    uris = {}
    for name in ESCO_FILES:
        path = data_dir / name
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            for row in csv.DictReader(f):
                uris.setdefault(row["conceptUri"], row["preferredLabel"])
    return uris


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=None,
                    help="dataset folder (default: ../shared/datasets relative to the repo root)")
    ap.add_argument("--file", default=str(HERE / "natural_queries.jsonl"),
                    help="JSONL file to check (default: %(default)s)")
    ap.add_argument("--min-fr", type=int, default=65, help="minimum French queries")
    ap.add_argument("--min-en", type=int, default=22, help="minimum English queries")
    args = ap.parse_args(argv)

    data_dir = Path(args.data_dir) if args.data_dir else (REPO_ROOT / ".." / "shared" / "datasets")
    data_dir = data_dir.resolve()
    try:
        rome = load_rome(data_dir)
        esco = load_esco(data_dir)
    except (OSError, KeyError) as e:
        print(f"error: cannot read taxonomy data under {data_dir}: {e}", file=sys.stderr)
        return 2
    if not rome or not esco:
        print(f"error: empty taxonomy data under {data_dir}", file=sys.stderr)
        return 2

    problems = []
    ids = set()
    queries = set()
    by_lang = Counter()
    gold_by_tax = Counter()
    n_gold = 0

    def bad(lineno, msg):
        problems.append(f"line {lineno}: {msg}")

    try:
        lines = Path(args.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        print(f"error: cannot read {args.file}: {e}", file=sys.stderr)
        return 1

    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            bad(lineno, "empty line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            bad(lineno, f"invalid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            bad(lineno, "not a JSON object")
            continue
        missing = {"id", "lang", "query", "gold"} - obj.keys()
        if missing:
            bad(lineno, f"missing keys {sorted(missing)}")
            continue
        extra = obj.keys() - KEYS
        if extra:
            bad(lineno, f"unexpected keys {sorted(extra)}")
        qid, lang, query, gold = obj["id"], obj["lang"], obj["query"], obj["gold"]
        if not isinstance(qid, str) or not qid:
            bad(lineno, "id must be a non-empty string")
        elif qid in ids:
            bad(lineno, f"duplicate id {qid!r}")
        else:
            ids.add(qid)
        if lang not in LANGS:
            bad(lineno, f"{qid}: lang {lang!r} not in {LANGS}")
        else:
            by_lang[lang] += 1
            if isinstance(qid, str) and not qid.startswith(lang + "-"):
                bad(lineno, f"{qid}: id should start with {lang + '-'!r}")
        if not isinstance(query, str) or not query.strip():
            bad(lineno, f"{qid}: query must be a non-empty string")
        else:
            key = (lang, query.strip().lower())
            if key in queries:
                bad(lineno, f"{qid}: duplicate query {query!r}")
            queries.add(key)
        if "note" in obj and not isinstance(obj["note"], str):
            bad(lineno, f"{qid}: note must be a string")
        if not isinstance(gold, list) or not gold:
            bad(lineno, f"{qid}: gold must be a non-empty list")
            continue
        seen = set()
        for g in gold:
            if not isinstance(g, dict) or set(g) != {"taxonomy", "code"}:
                bad(lineno, f"{qid}: gold entry must be {{taxonomy, code}}: {g!r}")
                continue
            tax, code = g["taxonomy"], g["code"]
            if (tax, code) in seen:
                bad(lineno, f"{qid}: duplicate gold entry {tax}:{code}")
            seen.add((tax, code))
            ok = False
            if tax == "rome":
                if not isinstance(code, str) or not ROME_RE.match(code):
                    bad(lineno, f"{qid}: malformed ROME code {code!r}")
                elif code not in rome:
                    bad(lineno, f"{qid}: ROME code {code} not in ROME 4.60")
                else:
                    ok = True
            elif tax == "esco":
                if not isinstance(code, str) or not code.startswith(ESCO_PREFIX):
                    bad(lineno, f"{qid}: ESCO code must be an occupation URI: {code!r}")
                elif code not in esco:
                    bad(lineno, f"{qid}: ESCO URI {code} not in ESCO 1.1.1 occupations")
                else:
                    ok = True
            else:
                bad(lineno, f"{qid}: unknown taxonomy {tax!r}")
            if not ok:
                continue
            gold_by_tax[tax] += 1
            n_gold += 1

    for lang, minimum in (("fr", args.min_fr), ("en", args.min_en)):
        if by_lang[lang] < minimum:
            problems.append(f"only {by_lang[lang]} {lang} queries (minimum {minimum})")

    total = sum(by_lang.values())
    print(f"file: {args.file}")
    print(f"data: {data_dir} (ROME fiches: {len(rome)}, ESCO occupations: {len(esco)})")
    print(f"queries: {total} (" + ", ".join(f"{l}: {by_lang[l]}" for l in LANGS) + ")")
    print(f"valid gold entries: {n_gold} (rome: {gold_by_tax['rome']}, esco: {gold_by_tax['esco']}); "
          f"mean per query: {n_gold / total:.2f}" if total else "gold entries: 0")
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
