"""Every file a command writes is named once, and a replaced file is said to be replaced."""

from __future__ import annotations

import json

from runtime.files import publish, temp_beside, write_atomic, written

SAMPLE = "docs/sample-number.jpg"


def test_publish_and_write_atomic_report_replacement(tmp_path):
    target = tmp_path / "a.txt"
    assert write_atomic(target, "one") is False
    assert write_atomic(target, "two") is True and target.read_text() == "two"
    tmp = temp_beside(tmp_path / "b.bin")
    tmp.write_bytes(b"x")
    assert publish(tmp, tmp_path / "b.bin") is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_written_line():
    assert written("out/x.jpg", False) == "wrote out/x.jpg"
    assert written("out/x.jpg", True) == "wrote out/x.jpg (replaced the previous file)"


def test_image_annotate_names_its_file_and_a_replacement(run_module, int8_model, tmp_path):
    out = tmp_path / "annotated"
    target = out / "sample-number.annotated.jpg"
    first = run_module("runtime.image", SAMPLE, "--annotate", str(out), "--model", str(int8_model))
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [first.stdout.splitlines()[0], f"wrote {target}"]
    assert first.stdout.startswith(f"{SAMPLE}: 01234 ")
    second = run_module("runtime.image", SAMPLE, "--annotate", str(out), "--model",
                        str(int8_model))
    assert second.stdout.splitlines()[-1] == f"wrote {target} (replaced the previous file)"
    assert [p.name for p in out.iterdir()] == [target.name]


def test_with_json_the_note_goes_to_stderr(run_module, int8_model, tmp_path):
    out = tmp_path / "annotated"
    result = run_module("runtime.image", SAMPLE, "--json", "--annotate", str(out), "--model",
                        str(int8_model))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["digits"] == "01234"  # stdout stays one JSON object
    assert result.stderr == f"wrote {out / 'sample-number.annotated.jpg'}\n"
