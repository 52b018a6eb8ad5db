#!/usr/bin/env python3
"""Regenerate the dataset manifests (datasets/manifests/<name>.json) from a dataset tree.

Usage: python3 datasets/manifests/update.py [DATA_DIR]
DATA_DIR defaults to ../shared/datasets relative to the repository root. Only the standard
library is used; the output is deterministic (files sorted by path).
"""
import hashlib
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "datasets", "manifests")

# name -> (version, official source, licence, paths relative to DATA_DIR: folders or files)
DATASETS = {
    "esco-1.1.1": (
        "1.1.1",
        "https://esco.ec.europa.eu/en/use-esco/download",
        "CC BY 4.0 (European Commission, free reuse with attribution)",
        ["esco-1.1.1"],
    ),
    "rome-4.60": (
        "4.60",
        "https://www.data.gouv.fr/fr/datasets/repertoire-operationnel-des-metiers-et-des-emplois-rome/",
        "Licence Ouverte / Etalab 2.0",
        ["rome-4.60"],
    ),
    "rome-esco-crosswalk-1.4": (
        "1.4",
        "https://esco.ec.europa.eu/en/use-esco/esco-mappings",
        "Published by Pôle emploi on the ESCO portal (reuse with attribution)",
        ["crosswalks/rome_esco_mapping_v1.4_2023-06-07.csv"],
    ),
    "onet-esco-crosswalk-2022": (
        "2022-09",
        "https://esco.ec.europa.eu/en/about-esco/data-science-and-esco/crosswalk-between-esco-and-onet",
        "CC BY 4.0 (European Commission / US Department of Labor)",
        ["crosswalks/onet_esco_crosswalk_2022.csv"],
    ),
    "onet-29.2": (
        "29.2",
        "https://www.onetcenter.org/database.html",
        "CC BY 4.0 (O*NET, US Department of Labor / ETA)",
        ["onet-29.2"],
    ),
    "onisep": (
        "2022-04",
        "https://opendata.onisep.fr/",
        "ODbL",
        ["onisep"],
    ),
}


def files_of(data_dir, entry):
    path = os.path.join(data_dir, entry)
    if os.path.isfile(path):
        return [entry]
    out = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            out.append(os.path.relpath(os.path.join(root, name), data_dir))
    return out


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "datasets")
    os.makedirs(OUT, exist_ok=True)
    for name, (version, source, licence, entries) in DATASETS.items():
        paths = sorted(p.replace(os.sep, "/") for e in entries for p in files_of(data_dir, e))
        files = [
            # The entry shape of every artefact manifest (src/fsutil.rs `FileEntry`): `name` is
            # the path relative to the data directory.
            {"name": p, "sha256": sha256(os.path.join(data_dir, p)), "bytes": os.path.getsize(os.path.join(data_dir, p))}
            for p in paths
        ]
        manifest = {"name": name, "version": version, "source": source, "licence": licence, "files": files}
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        print(f"{name}: {len(files)} files")


if __name__ == "__main__":
    main()
