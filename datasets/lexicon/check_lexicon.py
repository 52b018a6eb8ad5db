#!/usr/bin/env python3
"""Validate the boussole lexicon tables (python3, standard library only).

Usage:
    python3 check_lexicon.py [ROME_DIR] [-v]

ROME_DIR is the folder holding the ROME 4.60 CSV files
(unix_referentiel_code_rome_v460_utf8.csv, unix_referentiel_appellation_v460_utf8.csv).
Default: ../../../shared/datasets/rome-4.60 relative to this script.
-v also prints, for each colloquial warning, the fiche labels of the listed codes.

Checks (errors make the script exit with status 1):
  * every table exists, is UTF-8, and starts with the expected header line;
  * every data line has the expected number of tab-separated columns;
  * keys and target texts are "folded": lowercase ascii letters, digits and single
    spaces only (no accents, punctuation, leading/trailing or double spaces);
  * no duplicate key within a file, and no entry that maps a key to itself;
  * sms_fr.tsv never rewrites a common correct French word, nor a single letter left
    by folding an elision (j' l' d' m' n' s' t' c' qu');
  * every ROME code is well formed and exists in the ROME 4.60 fiche file;
  * colloquial_fr.tsv rows have at least one code, school_fr.tsv rows 1 to 10 codes;
    no code is listed twice in a row.
Warnings (reported, not fatal):
  * colloquial_fr.tsv: a word of the `to` text is not found in the appellations
    (or fiche label) of the listed fiches;
  * school_fr.tsv: a row with a single code (the convention is 2 to 10);
  * colloquial_fr.tsv: a key that is already a ROME 4.60 title (fiche label or
    appellation, masculine or feminine form): standard titles need no entry;
  * a colloquial/school key containing a token that sms_fr.tsv rewrites, when the
    rewritten key is neither in the same table nor a ROME title (the entry could
    become unreachable if the engine normalises SMS spellings first).
"""
import csv
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROME = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "rome-4.60")

TABLES = {
    "sms_fr.tsv": ["from", "to"],
    "colloquial_fr.tsv": ["from", "to", "rome"],
    "school_fr.tsv": ["from", "to", "rome"],
}

FOLDED = re.compile(r"^[a-z0-9]+( [a-z0-9]+)*$")
ROME_CODE = re.compile(r"^[A-N][0-9]{4}$")

# Correct, frequent French words (folded) that an SMS rewrite must never touch,
# plus the single letters that folding leaves behind after an elision.
PROTECTED_SMS_KEYS = set("""
a au aux avec ce ces cet cette ci comme dans de des du donc elle elles en encore et
etre eu fait faire il ils je la le les leur leurs lui ma mais me meme mes moi mon ne
ni non nos notre nous on ou par pas peu plus pour qu que qui quoi sa sans se ses si
son sont sur ta te tes toi ton tous tout tres tu un une vos votre vous y est es ai as
ont va vais vas bon bien fin mal sel ver vers vie cas car ami amie sol mot mur nul
cou coup dos bas haut son sont lit lis dit dis mi pu vu su bu du pur peur cour court
""".split()) | set("j l d m n s t c".split())

STOP = set("""
a au aux de des du d en et l la le les ou un une sur pour par dans avec
""".split())


def fold(text):
    """Same folding convention as the tables: lowercase, accents stripped,
    apostrophes/hyphens/punctuation turned into single spaces."""
    text = text.replace("''", "'")
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u0153", "oe").replace("\u00e6", "ae")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def title_variants(label):
    """Folded forms of a ROME title: as written, masculine and feminine.
    "Infirmier / Infirmière en soins généraux" gives "infirmier infirmiere en soins generaux",
    "infirmier en soins generaux" and "infirmiere en soins generaux"."""
    label = label.replace("''", "'")
    out = {fold(label)}
    if " / " in label:
        left, right = label.split(" / ", 1)
        lw, rw = fold(left).split(), fold(right).split()
        out.add(" ".join(lw + rw[len(lw):]))
        out.add(" ".join(rw))
    return out


def load_rome(rome_dir):
    fiche_path = os.path.join(rome_dir, "unix_referentiel_code_rome_v460_utf8.csv")
    app_path = os.path.join(rome_dir, "unix_referentiel_appellation_v460_utf8.csv")
    fiches = {}
    with open(fiche_path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            fiches[row["code_rome"]] = row["libelle_rome"]
    words = {code: set(fold(label).split()) for code, label in fiches.items()}
    titles = set()
    for label in fiches.values():
        titles |= title_variants(label)
    if os.path.exists(app_path):
        with open(app_path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["code_rome"]
                for col in ("libelle_appellation_long", "libelle_appellation_court"):
                    words.setdefault(code, set()).update(fold(row[col]).split())
                    titles |= title_variants(row[col])
    return fiches, words, titles


def read_table(path, header, errors):
    """Return a list of (line_number, columns)."""
    name = os.path.basename(path)
    rows = []
    if not os.path.exists(path):
        errors.append(f"{name}: file missing")
        return rows
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            lines = fh.read().split("\n")
    except UnicodeDecodeError as exc:
        errors.append(f"{name}: not UTF-8 ({exc})")
        return rows
    seen_header = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if not seen_header:
            seen_header = True
            if cols != header:
                errors.append(f"{name}:{lineno}: header is {cols!r}, expected {header!r}")
            continue
        if len(cols) != len(header):
            errors.append(f"{name}:{lineno}: {len(cols)} columns, expected {len(header)}: {line!r}")
            continue
        rows.append((lineno, cols))
    if not seen_header:
        errors.append(f"{name}: no header line")
    return rows


def apply_sms(key, sms):
    """Token-wise rewrite of a key with the SMS table (longest multi-word key first)."""
    toks = key.split()
    out = []
    i = 0
    max_n = max((len(k.split()) for k in sms), default=1)
    while i < len(toks):
        for n in range(min(max_n, len(toks) - i), 0, -1):
            cand = " ".join(toks[i:i + n])
            if cand in sms:
                out.append(sms[cand])
                i += n
                break
        else:
            out.append(toks[i])
            i += 1
    return " ".join(out)


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    rome_dir = args[0] if args else DEFAULT_ROME
    errors, warnings = [], []
    try:
        fiches, words, titles = load_rome(rome_dir)
    except OSError as exc:
        print(f"ERROR: cannot read ROME 4.60 files in {rome_dir}: {exc}")
        return 1

    tables = {}
    for name, header in TABLES.items():
        tables[name] = read_table(os.path.join(HERE, name), header, errors)

    sms = {}
    for name, rows in tables.items():
        seen = {}
        for lineno, cols in rows:
            key, to = cols[0], cols[1]
            where = f"{name}:{lineno}"
            for label, text in (("key", key), ("to", to)):
                if not FOLDED.match(text):
                    errors.append(f"{where}: {label} {text!r} is not folded "
                                  f"(lowercase ascii letters/digits, single spaces)")
            if key in seen:
                errors.append(f"{where}: duplicate key {key!r} (first on line {seen[key]})")
            else:
                seen[key] = lineno
            if key == to:
                errors.append(f"{where}: key {key!r} maps to itself")
            if name == "sms_fr.tsv":
                if key in PROTECTED_SMS_KEYS:
                    errors.append(f"{where}: SMS key {key!r} is a common correct French word "
                                  f"or an elision letter; rewriting it would corrupt normal text")
                sms[key] = to
                continue
            codes = [c.strip() for c in cols[2].split(",")] if cols[2].strip() else []
            if cols[2] != ",".join(codes):
                errors.append(f"{where}: rome column {cols[2]!r} must be codes separated by ',' "
                              f"without spaces")
            if not codes:
                errors.append(f"{where}: no ROME code")
            if len(set(codes)) != len(codes):
                errors.append(f"{where}: a ROME code is repeated in {cols[2]!r}")
            for code in codes:
                if not ROME_CODE.match(code):
                    errors.append(f"{where}: malformed ROME code {code!r}")
                elif code not in fiches:
                    errors.append(f"{where}: ROME code {code} is not a ROME 4.60 fiche")
            if name == "school_fr.tsv":
                if len(codes) > 10:
                    errors.append(f"{where}: {len(codes)} codes, at most 10 allowed")
                elif len(codes) == 1:
                    warnings.append(f"{where}: {key!r} has a single code (convention: 2 to 10)")
            if name == "colloquial_fr.tsv":
                if key in titles:
                    warnings.append(f"{where}: key {key!r} is already a ROME 4.60 title "
                                    f"(standard titles need no entry)")
                known = set()
                for code in codes:
                    known |= words.get(code, set())
                missing = [w for w in to.split() if w not in STOP and w not in known]
                if missing and codes:
                    msg = (f"{where}: {key!r} -> {to!r}: word(s) {missing} not found in the "
                           f"appellations of {','.join(codes)}")
                    if verbose:
                        msg += " [" + "; ".join(f"{c} {fiches.get(c, '?')}" for c in codes) + "]"
                    warnings.append(msg)

    # Keys that an SMS-first normalisation would rewrite before lookup.
    for name in ("colloquial_fr.tsv", "school_fr.tsv"):
        keys = {cols[0] for _, cols in tables[name]}
        for lineno, cols in tables[name]:
            rewritten = apply_sms(cols[0], sms)
            if rewritten != cols[0] and rewritten not in keys and rewritten not in titles:
                warnings.append(f"{name}:{lineno}: key {cols[0]!r} becomes {rewritten!r} after "
                                f"sms_fr.tsv, which is not a key of this table")

    for name, rows in tables.items():
        extra = ""
        if name != "sms_fr.tsv":
            codes = {c for _, cols in rows for c in cols[2].split(",") if c}
            extra = f", {len(codes)} distinct ROME codes"
        print(f"{name}: {len(rows)} entries{extra}")
    for w in warnings:
        print(f"WARNING: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
