"""The microcontroller models: read under TensorFlow Lite Micro's own interpreter on all 10,000
test images, within their size budget, shipped as a C array that compiles to the very bytes of the
.tflite with an arena TFLM runs them in; and export.micro refuses a model outside its row."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from runtime.models import metadata
from runtime.models.formats import MODELS_DIR, Format, formats_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
# the released ones (none yet: docs/microcontrollers.md); the export's refusals are tested below
MICRO = [f for f in formats_for("micro") if f.shipped]


def shipped(name: str) -> Path:
    path = MODELS_DIR / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: python -m train --recipe micro (and micro_tiny) "
                    "--out models/, then python -m export.micro")
    return path


@pytest.fixture(scope="session")
def under_tflm(mnist_test):
    """Each shipped microcontroller model through TFLM's interpreter, all 10,000 test images,
    once per session (about 3 ms per image for mnist_micro on an x86 core)."""
    from export import tflm
    from runtime.measure.dataset import to_model_input

    images = to_model_input(mnist_test.images)
    return {f.key: tflm.predict(shipped(f.filename).read_bytes(), images).probs for f in MICRO}


@pytest.mark.parametrize("fmt", MICRO, ids=lambda f: f.key)
def test_tflm_reads_it_inside_its_row_on_all_test_images(fmt: Format, under_tflm, mnist_test):
    probs = under_tflm[fmt.key]
    predicted = probs.argmax(axis=1)
    accuracy = 100.0 * float(np.mean(predicted == mnist_test.labels))
    meta = metadata.read(shipped(fmt.filename))
    float_classes = metadata.float_predictions(meta)
    float_accuracy = 100.0 * float(np.mean(float_classes == mnist_test.labels))
    assert len(probs) == 10_000 and accuracy >= fmt.min_accuracy
    assert fmt.accepts(accuracy - float_accuracy, 100.0 * float(np.mean(
        predicted == float_classes)), accuracy), f"{accuracy:.2f}% vs float {float_accuracy:.2f}%"
    assert meta["kernel_paths"]["tflm"]["accuracy"] == pytest.approx(accuracy, abs=1e-3)


@pytest.mark.parametrize("fmt", MICRO, ids=lambda f: f.key)
def test_it_is_lean_and_int8_in_and_out(fmt: Format):
    from runtime.models.tflite_graph import operators

    data = shipped(fmt.filename).read_bytes()
    assert len(data) <= fmt.max_bytes
    assert metadata.read_tflite(data) == {}  # flashed as it is: its metadata is the sidecar
    meta = metadata.read_sidecar(shipped(fmt.filename))
    assert meta["format"] == fmt.key and meta["io"]["input_shape"] == [1, 28, 28, 1]
    assert operators(data) == meta["tflm"]["ops"]
    assert set(operators(data)) <= {"CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
                                    "SOFTMAX"}


@pytest.mark.parametrize("fmt", MICRO, ids=lambda f: f.key)
def test_the_headers_arena_runs_it_under_tflm(fmt: Format):
    from export import tflm

    path = shipped(fmt.filename)
    header = path.with_suffix(".h").read_text()
    arena = int(re.search(r"constexpr int k\w+ArenaSize = (\d+);", header).group(1))
    measured = tflm.arena_bytes(path.read_bytes())
    assert measured < arena == metadata.read(path)["tflm"]["arena_size"]
    assert tflm._runs_in(path.read_bytes(), arena)
    for method in metadata.read(path)["tflm"]["resolver"]:
        assert f"resolver.{method}();" in header


@pytest.mark.parametrize("fmt", MICRO, ids=lambda f: f.key)
def test_the_c_array_compiles_to_the_models_bytes_aligned(fmt: Format, tmp_path):
    if shutil.which("g++") is None:
        pytest.fail("no C++ compiler: apt-get install g++ (.ci/run installs it)")
    path = shipped(fmt.filename)
    name = path.stem
    main = tmp_path / "main.cc"
    main.write_text(f"""
#include <cstdint>
#include <cstdio>
#include "{name}.h"
int main() {{
  if (reinterpret_cast<std::uintptr_t>(g_{name}_model) % 16 != 0) return 3;
  if (k{''.join(p.capitalize() for p in name.split('_'))}ArenaSize <= 0) return 4;
  std::fwrite(g_{name}_model, 1, g_{name}_model_len, stdout);
  return 0;
}}
""")
    binary = tmp_path / "dump"
    subprocess.run(["g++", "-std=c++17", "-Wall", "-Werror", f"-I{path.parent}", str(main),
                    str(path.with_suffix(".cc")), "-o", str(binary)], check=True, timeout=300)
    dumped = subprocess.run([str(binary)], capture_output=True, timeout=60)
    assert dumped.returncode == 0, dumped.returncode
    assert dumped.stdout == path.read_bytes()


def run_micro(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "export.micro", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)


def refused(result: subprocess.CompletedProcess, out: Path, words: str) -> None:
    """Exit 2 with one error line, and no model, C file or sidecar left in `out`."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("export.micro: error:")
    assert words in result.stderr
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert [n for n in left if n != "REPORT.md"] == [], left


def test_a_model_over_the_budget_is_refused(tmp_path):
    from train.model import build_small

    wide = tmp_path / "wide.keras"  # 121,000 weights: about 125 KiB as int8
    build_small((64, 64, 64, 64), "mnist_micro").save(wide)
    out = tmp_path / "out"
    result = run_micro("--model", str(wide), "--variant", "micro", "--out", str(out))
    refused(result, out, "over its budget of 32,768")


def test_a_model_below_the_accuracy_floor_is_refused(tmp_path):
    from train.model import build

    untrained = tmp_path / "untrained.keras"
    build("mnist_micro").save(untrained)
    out = tmp_path / "out"
    result = run_micro("--model", str(untrained), "--variant", "micro", "--out", str(out))
    refused(result, out, "breaks its contract (>= 99.50%")


def test_model_with_every_variant_is_a_usage_error(tmp_path):
    result = run_micro("--model", str(MODELS_DIR / "mnist_cnn.keras"), "--out",
                       str(tmp_path / "out"))
    assert result.returncode == 2 and "choose one --variant" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", MICRO[-1:], ids=lambda f: f.key)  # the smallest released
def test_export_micro_remakes_the_shipped_model(fmt: Format, tmp_path):
    """The command as a user runs it: the same .tflite and C array as shipped, its sidecar."""
    out = tmp_path / "out"
    result = run_micro("--variant", fmt.variant, "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    name = Path(fmt.filename).stem
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["REPORT.md", f"{name}.tflite", f"{name}.tflite.json", f"{name}.cc", f"{name}.h"])
    assert (out / f"{name}.tflite").read_bytes() == shipped(f"{name}.tflite").read_bytes()
    assert (out / f"{name}.cc").read_text() == shipped(f"{name}.cc").read_text()
    meta = json.loads((out / f"{name}.tflite.json").read_text())
    assert meta["command"] == f"python -m export.micro --variant {fmt.variant} --out {out}"
    assert set(meta["kernel_paths"]) == {"optimized", "reference", "tflm"}
    assert "under TFLM: arena" in result.stdout and "tflm" in (out / "REPORT.md").read_text()
