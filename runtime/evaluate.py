"""python -m runtime.evaluate --model M: accuracy on all 10,000 MNIST test images, on this device.

It is compared with the float model's accuracy recorded in the artifact's metadata, under the
artifact's row of the accuracy contract (runtime/formats.py). Top-1 agreement with the float model
needs the float model's predictions (TensorFlow), so the device checks the accuracy delta only; the
export checks agreement. Exit 0 inside the contract, 1 outside, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from runtime import dataset
from runtime.classifier import Classifier, ClassifierOptions
from runtime.cliargs import percentage, positive_int
from runtime.errors import UserError, cli
from runtime.formats import DEFAULT_MODEL, FORMATS, Format, format_of

PROG = "runtime.evaluate"
EXIT_OUTSIDE_CONTRACT = 1
RECORDED_TOLERANCE = 0.02  # points between this device and the export's own measurement


@dataclass(frozen=True)
class Evaluation:
    accuracy: float  # percent
    images: int
    seconds: float
    per_class: list[float]  # percent, digits 0..9


def evaluate(classifier: Classifier, split: dataset.Split) -> Evaluation:
    start = time.perf_counter()
    predicted = classifier.predict(dataset.to_model_input(split.images)).argmax(axis=1)
    seconds = time.perf_counter() - start
    right = predicted == split.labels
    per_class = [float(100.0 * right[split.labels == d].mean()) for d in range(10)]
    return Evaluation(float(100.0 * right.mean()), len(right), seconds, per_class)


def contract_row(classifier: Classifier) -> Format:
    """The artifact's row: by the format key in its metadata, else by its release file name."""
    key = classifier.metadata.get("format")
    row = next((f for f in FORMATS if f.key == key), None) or format_of(classifier.path)
    if row is None:
        raise UserError(f"{classifier.path.name} is not a release artifact (no format in its "
                        "metadata, not a release file name): no contract row to check")
    return row


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=PROG, description="On-device accuracy check of a model.")
    p.add_argument("--model", default=str(DEFAULT_MODEL), help="a .tflite or .onnx model")
    p.add_argument("--data-dir", help="folder with the MNIST files (else $MNIST_DIR, the cache)")
    p.add_argument("--threads", type=positive_int, default=1, help="inference threads")
    p.add_argument("--reference", type=percentage, metavar="PCT",
                   help="float model accuracy (percent) when the model's metadata has none")
    return p.parse_args(argv)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    classifier = Classifier(args.model, ClassifierOptions(threads=args.threads))
    row = contract_row(classifier)
    reference = classifier.metadata.get("float_reference_accuracy", args.reference)
    if reference is None:
        raise UserError(f"{classifier.path.name} carries no float reference accuracy in its "
                        "metadata: pass --reference PCT")
    result = evaluate(classifier, dataset.load("test", args.data_dir))
    delta = result.accuracy - float(reference)
    # agreement is the export's check (it needs the float model): only the delta is judged here
    inside = row.accepts(delta, row.min_agreement)
    print(f"model            {classifier.path} ({classifier.backend}, {row.description})")
    print(f"test images      {result.images:,} in {result.seconds:.1f} s")
    print(f"accuracy         {result.accuracy:.2f}%")
    print(f"float reference  {float(reference):.2f}%  (delta {delta:+.2f} points)")
    print("per class        " + " ".join(f"{d}:{a:.1f}" for d, a in enumerate(result.per_class)))
    recorded = classifier.metadata.get("accuracy")
    if recorded is not None:
        differs = abs(float(recorded) - result.accuracy) > RECORDED_TOLERANCE
        note = "  (differs from the export's measurement)" if differs else ""
        print(f"export measured  {float(recorded):.2f}%{note}")
    print(f"contract         {row.budget()}: {'PASS' if inside else 'FAIL'}")
    return 0 if inside else EXIT_OUTSIDE_CONTRACT


if __name__ == "__main__":
    sys.exit(main())

