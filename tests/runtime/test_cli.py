"""mnist-edge (runtime/cli.py): lists its subcommands, dispatches with the modules' own flags."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from runtime import __version__
from runtime.cli import COMMANDS, EXPORTS

ROOT = Path(__file__).resolve().parents[2]


def mnist_edge(*args: str) -> subprocess.CompletedProcess:
    """The console script's code from this checkout (`python -m runtime` runs the same main)."""
    return subprocess.run([sys.executable, "-m", "runtime", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_console_script_is_declared():
    pyproject = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+
    assert '\n[project.scripts]\n' in pyproject
    assert '\nmnist-edge = "runtime.cli:main"\n' in pyproject


def test_help_lists_every_subcommand_and_version():
    result = mnist_edge("--help")
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.splitlines()
              if line.startswith("    ") and line[4] != " "}  # not wrapped help text
    assert listed == {*COMMANDS, "export"}
    assert "--version" in result.stdout
    version = mnist_edge("--version")
    assert version.stdout.strip() == f"mnist-edge {__version__}"
    assert 'version = { attr = "runtime.__version__" }' in (ROOT / "pyproject.toml").read_text()


def test_export_help_names_the_backends():
    result = mnist_edge("export", "--help")
    assert result.returncode == 0
    assert "{" + ",".join(sorted(EXPORTS)) + "}" in result.stdout


def test_image_reads_the_sample_photo(int8_model):
    result = mnist_edge("image", "docs/sample-number.jpg", "--model", str(int8_model))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("docs/sample-number.jpg: 01234 ")
    assert result.stderr == ""


def test_flags_reach_the_module():
    """--help after a subcommand is the module's own (same flags as python -m)."""
    result = mnist_edge("image", "--help")
    assert result.returncode == 0 and "--annotate DIR" in result.stdout
    result = mnist_edge("train", "--help")
    assert result.returncode == 0 and "--train-limit" in result.stdout


def test_runtime_commands_do_not_import_tensorflow(int8_model):
    code = ("import sys; from runtime.cli import main\n"
            f"main(['image', 'docs/sample-number.jpg', '--model', {str(int8_model)!r}])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tensorflow', 'keras', 'tf_keras')))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize("args, message", [
    (["nonsense"], "argument COMMAND: invalid choice: 'nonsense'"),
    (["export"], "the following arguments are required: backend"),
    (["export", "keras"], "argument backend: invalid choice: 'keras'"),
])
def test_bad_subcommands_are_usage_errors(args, message):
    result = mnist_edge(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


def test_a_subcommand_whose_module_is_absent_says_so(monkeypatch, capsys):
    from runtime import cli

    monkeypatch.setitem(cli.COMMANDS, "serve", ("runtime.not_here", "absent"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "mnist-edge serve: error: not available in this version (runtime.not_here is not "
        "installed)\n")


@pytest.mark.parametrize("command", [*COMMANDS, "export tflite", "export onnx"])
def test_usage_names_the_command_as_typed(command):
    """`mnist-edge benchmark --help` says `usage: mnist-edge benchmark`, not the module's name."""
    result = mnist_edge(*command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: mnist-edge {command} "), result.stdout[:80]


@pytest.mark.parametrize("args, message", [
    (["image", "no-such-file.jpg"], "mnist-edge image: error: "),  # the library's UserError
    (["image", "x.jpg", "--threshold", "2"], "mnist-edge image: error: argument --threshold"),
    (["evaluate", "--model", "no-such-model.tflite"], "mnist-edge evaluate: error: "),
])
def test_error_lines_name_the_command_as_typed(args, message):
    result = mnist_edge(*args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert lines[-1].startswith(message), lines
