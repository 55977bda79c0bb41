"""python -m export.tflite: quiet by default, every written file named, --verbose shows the rest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_module(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_export_is_quiet_names_its_files_and_verbose_shows_the_rest(tmp_path):
    """TensorFlow's start-up lines and the converter's C++ output appear with --verbose only."""
    out = tmp_path / "models"
    quiet = run_module("export.tflite", "--variant", "int8", "--out", str(out))
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    lines = quiet.stdout.splitlines()
    assert [line for line in lines if line.startswith("wrote ")] == [
        next(line for line in lines if line.startswith(f"wrote {out / 'mnist_cnn_int8.tflite'}: ")),
        f"wrote {out / 'REPORT.md'}",
    ]
    verbose = run_module("export.tflite", "--variant", "int8", "--out", str(out), "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert "fully_quantize" in verbose.stderr  # the converter's own line, hidden above
    assert f"wrote {out / 'mnist_cnn_int8.tflite'} (replaced the previous file): " in \
        verbose.stdout
    assert f"updated the export table of {out / 'REPORT.md'}" in verbose.stdout
