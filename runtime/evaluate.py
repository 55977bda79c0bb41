"""python -m runtime.evaluate --model M: accuracy on the MNIST test set, on this device.

Judged under the artifact's row of the accuracy contract (runtime/models/formats.py) against the
float model, on every kernel path this device may take (--kernels, default both: onnxruntime with
graph optimizations on and off, LiteRT with XNNPACK and with its built-in kernels; int8 arithmetic
differs between them and between CPUs). The export stores the float model's predicted class for each
of the 10,000 test images in the artifact's metadata, which gives the top-1 agreement here and the
float accuracy on the first N images (--limit N, for slow devices and emulators). Exit 0 inside the
contract on every path, 1 outside on one, 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from runtime.cliargs import percentage, positive_int
from runtime.command import cli, program
from runtime.errors import UserError
from runtime.measure import cpu, dataset
from runtime.models.auto import AUTO, MODEL_HELP, resolve
from runtime.models.classifier import KERNEL_PATHS, Classifier, ClassifierOptions
from runtime.models.formats import Format, format_by_key, format_of
from runtime.models.metadata import float_predictions

PROG = "runtime.evaluate"
EXIT_OUTSIDE_CONTRACT = 1
RECORDED_TOLERANCE = 0.02  # points between this device and the export's own measurement
BOTH = "both"
TEST_IMAGES = dataset.SPLITS["test"][2]


@dataclass(frozen=True)
class Evaluation:
    kernels: str
    accuracy: float  # percent
    images: int
    seconds: float
    per_class: list[float]  # percent, digits 0..9
    agreement: float | None  # percent of images with the float model's class (None: unknown)


@dataclass(frozen=True)
class Reference:
    """The float model on the same images: its accuracy, and its classes when known."""

    accuracy: float
    predictions: np.ndarray | None


def evaluate(classifier: Classifier, inputs: np.ndarray, labels: np.ndarray,
             reference: np.ndarray | None = None) -> Evaluation:
    """Accuracy (and agreement with `reference` classes, if given) of a classifier on model
    inputs (dataset.to_model_input, made once for every kernel path) and their labels."""
    start = time.perf_counter()
    predicted = classifier.predict(inputs).argmax(axis=1)
    seconds = time.perf_counter() - start
    right = predicted == labels
    per_class = [float(100.0 * right[labels == d].mean()) if np.any(labels == d)
                 else float("nan") for d in range(10)]
    agreement = None if reference is None else float(100.0 * np.mean(predicted == reference))
    return Evaluation(classifier.options.kernels, float(100.0 * right.mean()), len(right),
                      seconds, per_class, agreement)


def contract_row(classifier: Classifier) -> Format:
    """The artifact's row: by the format key in its metadata, else by its release file name."""
    key = classifier.metadata.get("format")
    row = format_by_key(key) or format_of(classifier.path)
    if row is None:
        raise UserError(f"{classifier.path.name} is not a release artifact (no format in its "
                        "metadata, not a release file name): no contract row to check")
    return row


def float_reference(metadata: dict, labels: np.ndarray, given: float | None) -> Reference:
    """The float model on the first len(labels) test images, from the artifact's metadata."""
    classes = float_predictions(metadata)
    if classes is not None and len(classes) >= len(labels):
        classes = classes[: len(labels)]
        return Reference(float(100.0 * np.mean(classes == labels)), classes)
    recorded = metadata.get("float_reference_accuracy", given)
    if recorded is None:
        raise UserError("the model carries no float reference in its metadata: pass "
                        "--reference PCT (all test images only)")
    if len(labels) != TEST_IMAGES:
        raise UserError("--limit needs the float model's predictions in the model's metadata "
                        "(re-export it): its recorded accuracy is for all test images")
    return Reference(float(recorded), None)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program(PROG),
                                description="On-device accuracy check of a model.")
    p.add_argument("--model", default=AUTO, help=MODEL_HELP)
    p.add_argument("--data-dir", help="folder with the MNIST files (else $MNIST_DIR, the cache)")
    p.add_argument("--threads", type=positive_int, default=1, help="inference threads")
    p.add_argument("--limit", type=positive_int, metavar="N",
                   help="only the first N test images (slow devices, emulators)")
    p.add_argument("--kernels", choices=[*KERNEL_PATHS, BOTH], default=BOTH,
                   help="kernel path(s) to check (default: both)")
    p.add_argument("--reference", type=percentage, metavar="PCT",
                   help="float model accuracy (percent) when the model's metadata has none")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per kernel path per line instead of text")
    args = p.parse_args(argv)
    if args.limit is not None and not 1 <= args.limit <= TEST_IMAGES:
        p.error(f"--limit must be between 1 and {TEST_IMAGES:,}")
    return args


def report(classifier: Classifier, row: Format, ref: Reference, result: Evaluation,
           inside: bool) -> None:
    """The human-readable block for one kernel path."""
    delta = result.accuracy - ref.accuracy
    print(f"kernels          {result.kernels}")
    print(f"test images      {result.images:,} in {result.seconds:.1f} s"
          + ("" if result.images == TEST_IMAGES else f" (the first {result.images:,})"))
    print(f"accuracy         {result.accuracy:.2f}%")
    print(f"float reference  {ref.accuracy:.2f}% on the same images  (delta {delta:+.2f} points)")
    if result.agreement is not None:
        print(f"agreement        {result.agreement:.2f}% with the float model's classes")
    print("per class        " + " ".join(f"{d}:{a:.1f}" for d, a in enumerate(result.per_class)))
    meta = classifier.metadata
    recorded = (meta.get("kernel_paths") or {}).get(result.kernels, {}).get("accuracy")
    if recorded is None and result.kernels == KERNEL_PATHS[0]:  # exported before kernel_paths
        recorded = meta.get("accuracy")
    if recorded is not None and result.images == TEST_IMAGES:
        differs = abs(float(recorded) - result.accuracy) > RECORDED_TOLERANCE
        note = "  (differs from the export's measurement)" if differs else ""
        print(f"export measured  {float(recorded):.2f}%{note}")
    print(f"contract         {row.budget()}: {'PASS' if inside else 'FAIL'}")


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = KERNEL_PATHS if args.kernels == BOTH else (args.kernels,)
    model, chosen = resolve(args.model)
    classifiers = [Classifier(model, ClassifierOptions(threads=args.threads, kernels=k))
                   for k in paths]
    row = contract_row(classifiers[0])
    split = dataset.load("test", args.data_dir)
    if args.limit is not None:
        split = dataset.Split(split.images[: args.limit], split.labels[: args.limit], split.sha256)
    ref = float_reference(classifiers[0].metadata, split.labels, args.reference)
    machine = cpu.detect()
    if not args.json:
        print(f"model            {classifiers[0].path} ({classifiers[0].backend}, "
              f"{row.description})")
        if chosen:
            print(f"chosen by        {chosen}")
        print(f"cpu              {machine.describe()}")
    all_inside = True
    inputs = dataset.to_model_input(split.images)
    for classifier in classifiers:
        result = evaluate(classifier, inputs, split.labels, ref.predictions)
        # without the float classes (an old artifact) only the accuracy delta can be judged
        agreement = row.min_agreement if result.agreement is None else result.agreement
        inside = row.accepts(result.accuracy - ref.accuracy, agreement, result.accuracy)
        all_inside = all_inside and inside
        if args.json:
            print(json.dumps({"model": classifier.path.name, "format": row.key, **asdict(result),
                              "float_accuracy": ref.accuracy, "contract": row.budget(),
                              "pass": inside, "cpu": machine.describe()}), flush=True)
        else:
            report(classifier, row, ref, result, inside)
    return 0 if all_inside else EXIT_OUTSIDE_CONTRACT


if __name__ == "__main__":
    sys.exit(main())
