"""runtime.image, runtime.evaluate and runtime.benchmark as users run them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory, pages, mnist_test):
    """A few photos: a number in colour, gray, 16-bit, RGBA with transparent paper, a blank page."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(7)
    idx = [int(np.flatnonzero(mnist_test.labels == d)[1]) for d in (2, 0, 7)]
    photo = pages.render([mnist_test.images[i] for i in idx], rng)
    gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    rgba = np.zeros((*gray.shape, 4), np.uint8)
    rgba[..., 3] = 255 - gray  # ink opaque, paper transparent
    files = {
        "number.jpg": photo,
        "gray.png": gray,
        "deep.png": gray.astype(np.uint16) * 257,
        "rgba.png": rgba,
        "blank.png": np.full((480, 640, 3), 235, np.uint8),
    }
    for name, image in files.items():
        assert cv2.imwrite(str(folder / name), image)
    return folder


def test_image_json_lines(run_module, photo_dir, int8_model):
    names = ["number.jpg", "gray.png", "deep.png", "rgba.png", "blank.png"]
    result = run_module("runtime.image", *(str(photo_dir / n) for n in names), "--json",
                        "--model", str(int8_model))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(photo_dir / n) for n in names]
    for line in lines[:4]:
        assert set(line) == {"path", "digits", "lines", "items"}
        assert line["digits"] == "207", line
        assert line["lines"] == [{"digits": "207", "items": line["items"]}]
        for item in line["items"]:
            assert set(item) == {"digit", "confidence", "box"}
            assert 0.0 <= item["confidence"] <= 1.0 and len(item["box"]) == 4
        xs = [item["box"][0] for item in line["items"]]
        assert xs == sorted(xs)
    assert lines[4] == {"path": str(photo_dir / "blank.png"), "digits": "", "lines": [],
                        "items": []}


def test_image_text_and_annotations(run_module, photo_dir, tmp_path, int8_model):
    out = tmp_path / "annotated"
    result = run_module("runtime.image", str(photo_dir / "number.jpg"), "--annotate", str(out),
                        "--model", str(int8_model))  # auto's note: tests/runtime/test_models_auto
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{photo_dir / 'number.jpg'}: 207")
    written = cv2.imread(str(out / "number.annotated.jpg"))
    assert written is not None and written.shape[:2] == (cv2.imread(
        str(photo_dir / "number.jpg")).shape[:2])
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left over


def test_image_debug_pictures(run_module, photo_dir, tmp_path, int8_model):
    out = tmp_path / "debug"
    result = run_module("runtime.image", str(photo_dir / "number.jpg"), "--debug", str(out),
                        "--model", str(int8_model))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{photo_dir / 'number.jpg'}: 207")
    written = sorted(p.name for p in out.iterdir())
    assert written == ["number.1-sheet.png", "number.2-ink.png", "number.3-marks.png",
                       "number.4-rows.png"]
    assert [f"wrote {out / name}" for name in written] == result.stdout.splitlines()[1:]
    assert result.stderr == ""
    assert all(cv2.imread(str(out / name)) is not None for name in written)
    as_json = run_module("runtime.image", str(photo_dir / "number.jpg"), "--debug", str(out),
                         "--json")
    assert len(as_json.stdout.splitlines()) == 1  # stdout keeps only the JSON line
    assert f"wrote {out / written[0]} (replaced the previous file)" in as_json.stderr


def _bad_files(folder, photo_dir):
    data = (photo_dir / "number.jpg").read_bytes()
    png = (photo_dir / "gray.png").read_bytes()
    files = {
        "empty.png": b"",
        "text.jpg": b"this is not an image\n",
        "truncated.jpg": data[: len(data) // 2],
        "truncated.png": png[: len(png) // 2],
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return {**{n: folder / n for n in files}, "missing.png": folder / "missing.png"}


@pytest.mark.parametrize("name, message", [
    ("empty.png", "is empty"),
    ("text.jpg", "not an image"),
    ("truncated.jpg", "truncated"),
    ("truncated.png", "truncated"),
    ("missing.png", "not found"),
])
def test_image_bad_inputs(run_module, one_line_error, photo_dir, tmp_path, name, message):
    path = _bad_files(tmp_path, photo_dir)[name]
    line = one_line_error(run_module("runtime.image", str(path)))
    assert line.startswith("runtime.image: error:") and message in line


def _peak_rss_mib(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    """Run `python -m runtime.image args`; (its own peak RSS in MiB from wait4, the result)."""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "runtime.image", *args], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, subprocess.CompletedProcess(proc.args, proc.returncode,
                                                               stdout, stderr)


def test_a_pixel_bomb_is_one_line_and_memory_stays_bounded(png_bomb, photo_dir, tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb)  # 250 KiB, 16000x16000: 768 MB once decoded as colour
    normal, result = _peak_rss_mib(str(photo_dir / "number.jpg"))
    assert result.returncode == 0, result.stderr
    peak, result = _peak_rss_mib(str(bomb))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"runtime.image: error: {bomb} is 16000x16000 (256.0 million "
                             "pixels), more than the 50.0 million pixels allowed: scale it down\n")
    assert peak < normal + 50, (peak, normal)  # refused before decoding: no more than a photo


def test_corrupt_images_print_no_codec_warnings(run_module, photo_dir, tmp_path, int8_model):
    png = bytearray((photo_dir / "gray.png").read_bytes())
    png[29] ^= 0xFF  # the IHDR chunk's CRC: libpng would print "libpng error: IHDR: CRC error"
    jpeg = bytearray((photo_dir / "number.jpg").read_bytes())
    jpeg[len(jpeg) // 2] ^= 0xFF  # libjpeg would print "Corrupt JPEG data: ..."
    (tmp_path / "bad.png").write_bytes(bytes(png))
    (tmp_path / "bad.jpg").write_bytes(bytes(jpeg))
    result = run_module("runtime.image", str(tmp_path / "bad.png"), str(tmp_path / "bad.jpg"),
                        "--model", str(int8_model))  # auto's note: tests/runtime/test_models_auto
    assert result.returncode == 2
    bad = tmp_path / "bad.png"
    assert result.stderr == f"runtime.image: error: {bad} is not an image OpenCV can read\n"
    assert result.stdout.startswith(f"{tmp_path / 'bad.jpg'}: ")  # damaged, still read


def test_image_one_bad_file_does_not_stop_the_others(run_module, photo_dir, tmp_path):
    bad = _bad_files(tmp_path, photo_dir)["text.jpg"]
    result = run_module("runtime.image", str(bad), str(photo_dir / "number.jpg"))
    assert result.returncode == 2 and ": 207" in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("module", ["runtime.image", "runtime.evaluate", "runtime.webcam"])
def test_garbage_model(run_module, one_line_error, photo_dir, tmp_path, module):
    garbage = tmp_path / "model.tflite"
    garbage.write_bytes(np.random.default_rng(0).bytes(4096))
    args = {"runtime.image": [str(photo_dir / "number.jpg")], "runtime.webcam": ["--headless"]}
    args = args.get(module, [])
    line = one_line_error(run_module(module, *args, "--model", str(garbage)))
    assert "not a valid TFLite model" in line


def test_missing_model(run_module, one_line_error, photo_dir, tmp_path):
    line = one_line_error(run_module("runtime.image", str(photo_dir / "number.jpg"),
                                     "--model", str(tmp_path / "absent.onnx")))
    assert "model file not found" in line


def test_evaluate_against_a_reference(run_module, int8_model, classifier):
    reference = classifier.metadata.get("float_reference_accuracy")
    args = ["--model", str(int8_model)]
    if reference is None:  # a development model without metadata
        args += ["--reference", "0.0"]
    result = run_module("runtime.evaluate", *args)
    assert "accuracy" in result.stdout and "contract" in result.stdout, result.stderr
    assert result.returncode == (0 if "PASS" in result.stdout else 1)
    unreachable = run_module("runtime.evaluate", "--model", str(int8_model), "--reference", "100")
    if reference is None:
        assert unreachable.returncode == 1 and "FAIL" in unreachable.stdout


def test_benchmark_writes_its_report_section(run_module, int8_model, tmp_path):
    report = tmp_path / "REPORT.md"
    report.write_text("# Release artifacts\n\n<!-- export:start -->\nexport table\n"
                      "<!-- export:end -->\n")
    result = run_module("runtime.benchmark", "--models", str(int8_model), "--runs", "3",
                        "--report", str(report))
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    assert "export table" in text and "<!-- benchmark:start -->" in text
    assert "| mnist_cnn_int8.tflite | tflite |" in text
