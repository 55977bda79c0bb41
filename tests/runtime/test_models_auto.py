"""--model auto: the rule picks per CPU features (the sample /proc/cpuinfo files), only verified
artifacts of the article model qualify, a named file is always itself, and the CLIs say what
they chose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runtime.errors import UserError
from runtime.measure import cpu
from runtime.models import auto, metadata
from runtime.models.formats import FLOAT_MODEL_NAME, FORMATS, MODELS_DIR

CPUINFO = Path(__file__).resolve().parents[2] / "scripts" / "cpuinfo"


def sample(name: str) -> cpu.CpuInfo:
    machine = "aarch64" if name.startswith("pi") else "x86_64"
    return cpu.parse_cpuinfo((CPUINFO / f"{name}.txt").read_text(), machine)


@pytest.mark.parametrize("name, expected", [
    ("epyc-naples", "mnist_cnn_int8.onnx"),  # AVX2, no VNNI (this project's machine)
    ("epyc-rome", "mnist_cnn_int8.onnx"),  # AVX2, no VNNI (QEMU's model)
    ("epyc-genoa", "mnist_cnn_int8.tflite"),  # AVX-512 VNNI
    ("pi5", "mnist_cnn_int8.tflite"),  # asimddp
    ("pi4", "mnist_cnn_int8.tflite"),  # neither: not measured, int8 TFLite as before
])
def test_the_shipped_models_chosen_per_cpu(name, expected):
    choice = auto.choose(sample(name), MODELS_DIR)
    assert choice.path == MODELS_DIR / expected
    assert choice.passed_over == ()  # every shipped artifact carries verdicts inside its row
    assert expected in choice.note() and choice.rule.cpus in choice.note()


def test_features_unknown_fall_to_the_last_rule():
    choice = auto.choose(cpu.CpuInfo("Some CPU", "x86_64", None), MODELS_DIR)
    assert choice.rule is auto.RULES[-1] and choice.path.name == "mnist_cnn_int8.tflite"


def test_only_the_article_models_artifacts_are_candidates():
    keys = {f.key for f in auto.CANDIDATES}
    assert keys == {f.key for f in FORMATS if f.source == FLOAT_MODEL_NAME}
    assert not any("micro" in key for key in keys)  # the reader needs the article's accuracy
    for rule in auto.RULES:  # every rule orders every candidate, each once
        assert sorted(f.key for f in rule.order()) == sorted(keys)


def _copy(names: list[str], folder: Path) -> Path:
    folder.mkdir()
    for name in names:
        shutil.copy(MODELS_DIR / name, folder / name)
    return folder


def test_an_artifact_outside_its_row_is_passed_over(tmp_path):
    folder = _copy(["mnist_cnn_int8.tflite", "mnist_cnn_float32.tflite"], tmp_path / "models")
    int8 = folder / "mnist_cnn_int8.tflite"
    meta = metadata.read(int8)
    meta["kernel_paths"]["reference"] = {**meta["kernel_paths"]["reference"],
                                         "delta_points": -0.5, "accuracy": 99.2}
    int8.write_bytes(metadata.embed_tflite(int8.read_bytes(), meta))
    choice = auto.choose(sample("epyc-genoa"), folder)
    assert choice.path == folder / "mnist_cnn_float32.tflite"
    assert choice.passed_over == ("mnist_cnn_int8.tflite: outside its contract on the reference "
                                  "kernels",)
    assert "passed over mnist_cnn_int8.tflite" in choice.note()


def test_an_artifact_without_verdicts_is_passed_over(tmp_path):
    folder = _copy(["mnist_cnn_int8.tflite"], tmp_path / "models")
    (folder / "mnist_cnn_int8.onnx").write_bytes(b"not a model")
    choice = auto.choose(sample("epyc-naples"), folder)
    assert choice.path.name == "mnist_cnn_int8.tflite"
    assert choice.passed_over == ("mnist_cnn_int8.onnx: no export metadata",)


def test_nothing_verified_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no verified model"):
        auto.choose(sample("epyc-genoa"), tmp_path)


def test_a_named_model_is_used_as_it_is(tmp_path):
    named = tmp_path / "anything.onnx"
    assert auto.resolve(named) == (named, None)
    assert auto.resolve(str(named)) == (named, None)
    path, note = auto.resolve(auto.AUTO)
    assert path == auto.choose().path and path.name in note


def test_image_says_what_auto_chose_and_json_keeps_stdout_clean(run_module):
    chosen = auto.choose().path.name
    text = run_module("runtime.image", "docs/sample-number.jpg")
    assert text.returncode == 0, text.stderr
    first, second = text.stdout.splitlines()[:2]
    assert first.startswith(f"model {chosen} (--model auto: the fastest verified model for ")
    assert second.startswith("docs/sample-number.jpg: 01234 ")
    as_json = run_module("runtime.image", "docs/sample-number.jpg", "--json")
    assert as_json.returncode == 0 and as_json.stdout.startswith("{")
    assert as_json.stderr.startswith(f"model {chosen} ")
    named = run_module("runtime.image", "docs/sample-number.jpg", "--model",
                       str(MODELS_DIR / "mnist_cnn_float32.tflite"))
    assert named.stdout.startswith("docs/sample-number.jpg: 01234 ") and named.stderr == ""


def test_benchmark_shows_the_choice(run_module):
    chosen = auto.choose().path
    result = run_module("runtime.benchmark", "--models", str(chosen), "--runs", "5")
    assert result.returncode == 0, result.stderr
    assert f"`--model auto` on this CPU takes **{chosen.name}**" in result.stdout
    assert f"| {chosen.name} | {chosen.suffix[1:]} |" in result.stdout
