#!/usr/bin/env python3
"""Checks datasets/facets/facets.tsv against the vendored ROME 4.60 contexts and fills its
`rome` column (the published libellé of each context, which the engine matches against the
fiches' contextes de travail).

Usage: python3 datasets/facets/check_facets.py [--write]
Exits 1 on any error; with --write, rewrites the `rome` column from the referentiel first.
"""
import csv
import gzip
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TSV = os.path.join(HERE, "facets.tsv")
REFERENTIEL = os.path.join(HERE, "..", "official", "rome-4.60", "unix_referentiel_contexte_travail_v460_utf8.csv.gz")
HEADER = ["id", "kind", "code_ogr", "rome", "fr", "en", "detect", "chip", "fr_phrases", "en_phrases"]
LEVELS = ["level-none", "level-cap", "level-bac", "level-bac2", "level-bac3", "level-bac5"]


def main():
    with gzip.open(REFERENTIEL, "rt", encoding="utf-8") as f:
        contexts = {r["code_ogr"]: r["libelle_cont_travail"] for r in csv.DictReader(f)}
    with open(TSV, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = lines[0].split("\t")
    rows = [l.split("\t") for l in lines[1:] if l.strip()]
    if header == [h for h in HEADER if h != "rome"]:
        # A table written without the `rome` column: add it.
        header = HEADER
        rows = [r[:3] + [""] + r[3:] for r in rows]
    errors = []
    if header != HEADER:
        errors.append(f"line 1: header must be {HEADER}")
    seen, codes = set(), set()
    for n, r in enumerate(rows, start=2):
        if len(r) != len(HEADER):
            errors.append(f"line {n}: {len(r)} columns, expected {len(HEADER)}")
            continue
        row = dict(zip(HEADER, r))
        if row["id"] in seen:
            errors.append(f"line {n}: duplicate id {row['id']}")
        seen.add(row["id"])
        if row["kind"] == "context":
            code = row["code_ogr"]
            if code not in contexts:
                errors.append(f"line {n}: unknown context code_ogr {code}")
                continue
            codes.add(code)
            if "--write" in sys.argv:
                r[3] = contexts[code]
            elif row["rome"] != contexts[code]:
                errors.append(f"line {n}: rome label differs from the referentiel ({contexts[code]!r})")
        elif row["kind"] not in ("level", "intent", "none"):
            errors.append(f"line {n}: unknown kind {row['kind']}")
        for col in ("fr", "en"):
            if not row[col] or len(row[col]) > 28:
                errors.append(f"line {n}: {col} label empty or over 28 characters")
        if row["detect"] not in ("0", "1") or row["chip"] not in ("0", "1"):
            errors.append(f"line {n}: detect and chip are 0 or 1")
        phrases = [p for p in (row["fr_phrases"] + " | " + row["en_phrases"]).split(" | ") if p.strip()]
        if row["detect"] == "1" and len(phrases) < 4:
            errors.append(f"line {n}: a detected facet needs phrases in both languages")
    missing = set(contexts) - codes
    if missing:
        errors.append(f"contexts without a facet: {sorted(missing)}")
    for level in LEVELS:
        if level not in seen:
            errors.append(f"missing level facet {level}")
    if "undecided" not in seen:
        errors.append("missing the undecided intent")
    if "--write" in sys.argv and not errors:
        out = io.StringIO()
        out.write("\t".join(HEADER) + "\n")
        for r in rows:
            out.write("\t".join(r) + "\n")
        tmp = TSV + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(out.getvalue())
        os.replace(tmp, TSV)
    for e in errors:
        print(f"facets.tsv: {e}", file=sys.stderr)
    print(f"facets.tsv: {len(rows)} rows, {len(codes)}/{len(contexts)} ROME contexts, {len(errors)} errors")
    sys.exit(1 if errors else 0)


main()
