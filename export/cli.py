"""The argument parser both export commands share; choices come from the format table."""

from __future__ import annotations

import argparse
from pathlib import Path

from export import pipeline, source
from runtime.cliargs import output_dir
from runtime.command import program
from runtime.formats import FLOAT_MODEL_NAME, MODELS_DIR


def parse(backend: str, argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=program(f"export.{backend}"),
        description=f"Export the float Keras model to {backend} variants, each verified on all "
                    "10,000 MNIST test images against the float model; a variant that breaks "
                    "its accuracy contract is not written.")
    parser.add_argument("--model", type=Path, default=MODELS_DIR / FLOAT_MODEL_NAME,
                        help="float Keras model (default: %(default)s)")
    parser.add_argument("--variant", choices=pipeline.variants(backend), default=pipeline.ALL,
                        help="which artifact to make (default: all)")
    parser.add_argument("--out", type=output_dir, default=MODELS_DIR,
                        help="output folder, also gets REPORT.md (default: %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the MNIST files (default: $MNIST_DIR, then the cache)")
    parser.add_argument("--verbose", action="store_true",
                        help="also show TensorFlow's and the converters' own log lines")
    return parser.parse_args(argv)


def main(backend: str, argv: list[str] | None = None) -> int:
    from train import quiet

    args = parse(backend, argv)
    source.check_keras_file(args.model)  # a bad --model answers before TensorFlow's import
    quiet.import_tensorflow(args.verbose)
    pipeline.run(backend, args.variant, args.model, args.out, args.data_dir)
    return 0
