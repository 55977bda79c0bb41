"""Which ONNX int8 quantization to ship: accuracy on both onnxruntime paths, and speed.

  python scripts/compare_onnx_int8.py [--float models/mnist_cnn_float32.onnx] [--limit N]

Re-quantizes the shipped float32 ONNX the way export/convert_onnx.py does, once per candidate
(activation type / weight type / 7-bit weights), and prints a markdown table: accuracy with graph
optimizations on and off, the largest |weight| (the saturation rule, export/saturation.py), and
the batch-1 latency at one thread on this machine. Run it under `qemu-x86_64-static -cpu
EPYC-Rome` to see what an AVX2-only CPU computes (slow: use --limit).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from export import saturation  # noqa: E402
from export.convert_onnx import quantize  # noqa: E402
from export.source import calibration_images  # noqa: E402
from runtime.benchmark import latency_us  # noqa: E402
from runtime.command import cli  # noqa: E402
from runtime.measure import cpu, dataset  # noqa: E402
from runtime.models.classifier import KERNEL_PATHS, Classifier, ClassifierOptions  # noqa: E402

CANDIDATES = {  # name: (activation type, weight type, reduce_range)
    "s8 act / s8 weights, 8-bit (old)": ("int8", "int8", False),
    "u8 act / s8 weights, 8-bit": ("uint8", "int8", False),
    "s8 act / s8 weights, 7-bit": ("int8", "int8", True),
    "u8 act / s8 weights, 7-bit": ("uint8", "int8", True),
    "u8 act / u8 weights": ("uint8", "uint8", False),
}


@cli
def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--float", type=Path, default=Path("models/mnist_cnn_float32.onnx"))
    p.add_argument("--limit", type=int, default=None, help="first N test images")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--no-latency", action="store_true")
    args = p.parse_args()
    test = dataset.load("test", args.data_dir)
    images = dataset.to_model_input(test.images[: args.limit])
    labels = test.labels[: args.limit]
    calib = calibration_images(dataset.load("train", args.data_dir).images)
    print(cpu.describe())
    print(f"{len(labels):,} test images\n")
    print("| quantization | graph opt. on | graph opt. off | max abs weight | saturation-free "
          "| latency/image |")
    print("|---|---:|---:|---:|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (act, weight, reduced) in CANDIDATES.items():
            path = Path(tmp) / "candidate.onnx"
            path.write_bytes(quantize(args.float.read_bytes(), calib, act, weight, reduced))
            accs = []
            for kernels in KERNEL_PATHS:
                clf = Classifier(path, ClassifierOptions(kernels=kernels))
                accs.append(100.0 * np.mean(clf.predict(images).argmax(1) == labels))
            problems = saturation.problems(path)
            largest = saturation.largest_weight(path)
            latency = "" if args.no_latency else \
                f"{latency_us(Classifier(path), runs=500)[0]:,.0f} us"
            print(f"| {name} | {accs[0]:.2f}% | {accs[1]:.2f}% | {largest} "
                  f"| {'yes' if not problems else 'no'} | {latency} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
