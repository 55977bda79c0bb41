"""mnist-edge: one command for every CLI; `mnist-edge image x.jpg` runs `runtime.image x.jpg`.

Only dispatches: the rest of the command line goes to the module's own main(argv), so the flags
are the same. Nothing heavy is imported before a subcommand is chosen and its packages are found
(runtime.deps), so `--help` and `--version` work in any install, and TensorFlow is imported only
by train and export.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from runtime import __version__
from runtime.command import set_program
from runtime.deps import require
from runtime.errors import EXIT_USER_ERROR

PROG = "mnist-edge"
# subcommand -> (module, one-line help); export's backends are a second word.
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("train.__main__", "train the article's CNN into a run folder (train extra)"),
    "image": ("runtime.image", "read the number in photos"),
    "webcam": ("runtime.webcam", "read numbers from a camera or a video file"),
    "serve": ("runtime.serve", "a drawing pad in the browser, read live"),
    "evaluate": ("runtime.evaluate", "accuracy of a model on the MNIST test set, on this device"),
    "benchmark": ("runtime.benchmark", "speed of the models and the whole pipeline"),
}
EXPORTS = {"tflite": "export.tflite", "onnx": "export.onnx", "compress": "export.compress",
           "micro": "export.micro"}
EXPORT_HELP = ("export verified TFLite or ONNX variants, pruned or clustered ones (compress), "
               "or the microcontroller models with their C arrays (micro) (train extra)")


def parser() -> argparse.ArgumentParser:
    """Only for --help, --version and choosing the subcommand; each module parses its own flags."""
    p = argparse.ArgumentParser(
        prog=PROG, description="Handwritten digits from a Keras model to a Raspberry Pi.",
        epilog=f"'{PROG} COMMAND --help' shows a command's flags; they are the same as "
               "'python -m <module>' in a checkout.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_, text) in COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    export = commands.add_parser("export", help=EXPORT_HELP, description=EXPORT_HELP)
    export.add_argument("backend", choices=sorted(EXPORTS),
                        help=f"then the backend's own flags ('{PROG} export tflite --help')")
    return p


def resolve(argv: list[str]) -> tuple[str, str, list[str]]:
    """(module, name to show, its arguments) for a command line; argparse errors otherwise."""
    words = 2 if argv[:1] == ["export"] else 1
    chosen = parser().parse_args(argv[:words])
    if chosen.command == "export":
        return EXPORTS[chosen.backend], f"{PROG} export {chosen.backend}", argv[2:]
    return COMMANDS[chosen.command][0], f"{PROG} {chosen.command}", argv[1:]


def load(module: str, shown: str) -> Callable[[list[str]], int]:
    """The module's main, or exit 2 with one line when it is absent or its packages are."""
    require(module.removesuffix(".__main__"), shown)
    try:
        return importlib.import_module(module).main
    except ModuleNotFoundError as e:
        if e.name != module:
            raise
    print(f"{shown}: error: not available in this version ({module} is not installed)",
          file=sys.stderr)
    raise SystemExit(EXIT_USER_ERROR)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    module, shown, rest = resolve(argv)
    set_program(shown)  # its usage and error lines say 'mnist-edge image', not 'runtime.image'
    return load(module, shown)(rest)


if __name__ == "__main__":
    sys.exit(main())
