"""Train the Rasa model only when its inputs changed (`make train`).

The fingerprint covers what the trained model depends on: config.yml, domain.yml, data/,
the custom NLU components' code and what they are built from (bot/understanding, the
vocabulary, phrasings, place names and carrier aliases they read, the canonical codes). A
model trained before an extractor change would otherwise be kept, and a fresh clone (CI)
would train a different one than the developer tested. The model is saved as models/model-<fingerprint>.tar.gz,
so an unchanged checkout finds its model and skips training.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ["config.yml", "domain.yml", "data", "bot/rasa_adapters/nlu", "bot/understanding",
          "bot/domain/canonical.py", "bot/domain/catalog.py", "bot/data/vocabulary.yml",
          "bot/data/phrasings.yml", "bot/data/city_aliases.yml", "bot/data/carriers.yml"]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def main() -> int:
    models = ROOT / "models"
    models.mkdir(exist_ok=True)
    name = f"model-{fingerprint()}"
    target = models / f"{name}.tar.gz"
    if target.exists():
        print(f"model up to date: {target.relative_to(ROOT)}")
        return 0
    print(f"training {target.relative_to(ROOT)} (data or config changed)", flush=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               SQLALCHEMY_SILENCE_UBER_WARNING="1", PYTHONPATH=str(ROOT))
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml",
         "--domain", "domain.yml", "--data", "data", "--out", str(models),
         "--fixed-model-name", name],
        cwd=ROOT, env=env,
    )
    if result.returncode != 0:
        return result.returncode
    elapsed = time.monotonic() - started
    for old in models.glob("*.tar.gz"):
        if old != target:
            old.unlink()
    (models / "last-train-seconds").write_text(f"{elapsed:.1f}\n")
    print(f"trained in {elapsed:.0f} s: {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
