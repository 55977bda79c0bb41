"""The argument parser every export command shares; choices come from the format table."""

from __future__ import annotations

import argparse
from pathlib import Path

from export import pipeline, source
from runtime.cliargs import output_dir
from runtime.command import program
from runtime.models.formats import FLOAT_MODEL_NAME, MODELS_DIR

WHAT = {
    "tflite": "Export the float Keras model to TFLite variants",
    "onnx": "Export the float Keras model to ONNX variants",
    "compress": "Prune or weight-cluster the float Keras model (tensorflow-model-optimization), "
                "fine-tune it, and export it as int8 TFLite",
    "micro": "Export the microcontroller models (models/mnist_micro*.keras, python -m train "
             "--recipe micro) as int8 TFLite, a C array and the arena size they need, each also "
             "verified under TensorFlow Lite Micro's interpreter",
}


def parse(command: str, argv: list[str] | None) -> argparse.Namespace:
    own_model = command == "micro"  # each micro variant has its own float model
    parser = argparse.ArgumentParser(
        prog=program(f"export.{command}"),
        description=f"{WHAT[command]}, each verified on all 10,000 MNIST test images against "
                    "its float model; a variant that breaks its accuracy contract is not written.")
    parser.add_argument("--model", type=Path,
                        default=None if own_model else MODELS_DIR / FLOAT_MODEL_NAME,
                        help="float Keras model (default: "
                             + ("each variant's own in models/, e.g. models/mnist_micro.keras"
                                if own_model else "%(default)s") + ")")
    parser.add_argument("--variant", choices=pipeline.variants(command), default=pipeline.ALL,
                        help="which artifact to make (default: all)")
    parser.add_argument("--out", type=output_dir, default=MODELS_DIR,
                        help="output folder, also gets REPORT.md (default: %(default)s)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder with the MNIST files (default: $MNIST_DIR, then the cache)")
    parser.add_argument("--verbose", action="store_true",
                        help="also show TensorFlow's and the converters' own log lines")
    return parser.parse_args(argv)


def main(command: str, argv: list[str] | None = None) -> int:
    from train import quiet

    args = parse(command, argv)
    if args.model is not None:
        source.check_keras_file(args.model)  # a bad --model answers before TensorFlow's import
    quiet.import_tensorflow(args.verbose)
    pipeline.run(command, args.variant, args.model, args.out, args.data_dir)
    return 0
