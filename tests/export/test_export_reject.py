"""python -m export.reject: bad input is one line and exit 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "export.reject", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_missing_or_foreign_model_is_one_line(tmp_path):
    foreign = tmp_path / "notes.keras"
    foreign.write_text("not a model")
    for model in (tmp_path / "missing.keras", foreign):
        result = _run("--model", str(model), "--out", str(tmp_path / "out"))
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr
        assert str(model.name) in lines[0]
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
