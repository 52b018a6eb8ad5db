#!/usr/bin/env python3
"""Copy the dataset files boussole's pipeline reads into datasets/official/, gzipped.

Usage: python3 scripts/vendor_datasets.py [SOURCE_DIR]

SOURCE_DIR holds the official extracts in the published layout (esco-1.1.1/, rome-4.60/,
crosswalks/, onisep/, onet-29.2/), e.g. a fresh download from the official sources named in
datasets/manifests/*.json. Each file is checked against its manifest (sha256 of the
uncompressed bytes) before it is written; the gzip output is deterministic (no name, no
timestamp), so re-vendoring the same data changes nothing. Standard library only.
"""
import gzip
import hashlib
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "datasets", "official")
MANIFESTS = os.path.join(REPO, "datasets", "manifests")

# The files the catalogue loader reads (src/catalog), by dataset manifest.
FILES = {
    "esco-1.1.1": [
        "esco-1.1.1/occupations_en.csv",
        "esco-1.1.1/occupations_fr.csv",
        "esco-1.1.1/skills_en.csv",
        "esco-1.1.1/skills_fr.csv",
        "esco-1.1.1/occupationSkillRelations.csv",
        "esco-1.1.1/broaderRelationsOccPillar.csv",
    ],
    "rome-4.60": [
        f"rome-4.60/unix_{stem}_v460_utf8.csv"
        for stem in [
            "referentiel_code_rome", "texte", "referentiel_code_rome_riasec", "arborescence_centre_interet",
            "centre_interet", "referentiel_appellation", "liens_rome_referentiels", "coherence_item",
            "referentiel_competence", "referentiel_savoir", "rubrique_mobilite", "referentiel_contexte_travail",
        ]
    ],
    "rome-esco-crosswalk-1.4": ["crosswalks/rome_esco_mapping_v1.4_2023-06-07.csv"],
    "onisep": ["onisep/ideo-metiers_onisep_2022-04.csv"],
    "onet-29.2": ["onet-29.2/Alternate Titles.xlsx", "onet-29.2/Sample of Reported Titles.xlsx", "onet-29.2/Read Me.txt"],
    "onet-esco-crosswalk-2022": ["crosswalks/onet_esco_crosswalk_2022.csv"],
}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "datasets")
    errors = 0
    total_in = total_out = 0
    for name, paths in FILES.items():
        with open(os.path.join(MANIFESTS, f"{name}.json"), encoding="utf-8") as handle:
            expected = {f["name"]: f["sha256"] for f in json.load(handle)["files"]}
        for rel in paths:
            with open(os.path.join(src, rel), "rb") as handle:
                data = handle.read()
            sha = hashlib.sha256(data).hexdigest()
            if expected.get(rel) != sha:
                print(f"error: {rel}: sha256 {sha} differs from manifest {name}", file=sys.stderr)
                errors += 1
                continue
            out = os.path.join(OUT, rel + ".gz")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            packed = gzip.compress(data, compresslevel=9, mtime=0)
            tmp = out + ".tmp"
            with open(tmp, "wb") as handle:
                handle.write(packed)
            os.replace(tmp, out)
            total_in += len(data)
            total_out += len(packed)
    print(f"vendored into {OUT}: {total_in / 1e6:.1f} MB -> {total_out / 1e6:.1f} MB gzip, {errors} error(s)")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
