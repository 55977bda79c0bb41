"""Argument checks: out-of-range values are usage errors that say what is wanted."""

from __future__ import annotations

import argparse

import pytest

from runtime.cliargs import output_dir, percentage, positive_int, probability


@pytest.mark.parametrize("check, good", [
    (positive_int, {"1": 1, "16": 16}),
    (probability, {"0.5": 0.5, "1": 1.0, "1e-3": 0.001}),
    (percentage, {"99.61": 99.61, "100": 100.0}),
])
def test_values_in_range_pass(check, good):
    assert {text: check(text) for text in good} == good


@pytest.mark.parametrize("check, bad", [
    (positive_int, ["0", "-1", "1.5", "two", ""]),
    (probability, ["0", "2", "-0.1", "nan", "inf", "high"]),
    (percentage, ["0", "100.1", "-5", "nan"]),
])
def test_values_out_of_range_say_what_is_wanted(check, bad):
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError, match=r"^wants (a|a whole) "):
            check(text)


def test_output_dir_refuses_a_file_and_takes_a_new_or_existing_folder(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(argparse.ArgumentTypeError, match="wants a folder .* is an existing file"):
        output_dir(str(tmp_path / "notes.md"))
    assert output_dir(str(tmp_path)) == tmp_path
    assert output_dir(str(tmp_path / "new")) == tmp_path / "new"
    assert not (tmp_path / "new").exists()  # created by the command, not by parsing


@pytest.mark.parametrize("module, args, message", [
    ("runtime.image", ["docs/sample-number.jpg", "--annotate", "README.md"],
     "argument --annotate: wants a folder (created if missing), but README.md is an existing file"),
    ("runtime.image", ["docs/sample-number.jpg", "--threshold", "2"],
     "argument --threshold: wants a probability above 0 and at most 1, such as 0.5, not 2"),
    ("runtime.image", ["docs/sample-number.jpg", "--threads", "-1"],
     "argument --threads: wants a whole number of at least 1, not -1"),
    ("runtime.evaluate", ["--threads", "0"],
     "argument --threads: wants a whole number of at least 1, not 0"),
    ("runtime.evaluate", ["--reference", "150"],
     "argument --reference: wants a percentage above 0 and at most 100, such as 99.61, not 150"),
    ("runtime.benchmark", ["--runs", "0"],
     "argument --runs: wants a whole number of at least 1, not 0"),
    ("export.tflite", ["--out", "README.md"],
     "argument --out: wants a folder (created if missing), but README.md is an existing file"),
    ("train", ["--out", "README.md"],
     "argument --out: wants a folder (created if missing), but README.md is an existing file"),
])
def test_clis_refuse_bad_values_before_any_work(run_module, module, args, message):
    result = run_module(module, *args)
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("usage: ")
    assert lines[-1].endswith(f"error: {message}"), lines[-1]
