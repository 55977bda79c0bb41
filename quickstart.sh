#!/usr/bin/env bash
# Fresh machine -> trained, exported, verified digit reader, end to end.
#   bash quickstart.sh               set up .venv, train (article recipe), export all variants into
#                                    the run folder, check the int8 model on the device, read a photo
#   bash quickstart.sh --setup-only  just create .venv with every extra (what CI does)
# Environment: PYTHON (default python3), RECIPE (default article), MNIST_DIR (else downloaded).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
RECIPE=${RECIPE:-article}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[all]"
[ "${1:-}" = "--setup-only" ] && exit 0

py=.venv/bin/python
run="runs/quickstart-$(date +%Y%m%d-%H%M%S)"
$py -m train --recipe "$RECIPE" --out "$run"
$py -m export.tflite --model "$run/mnist_cnn.keras" --out "$run/models"
$py -m export.onnx --model "$run/mnist_cnn.keras" --out "$run/models"
$py -m runtime.evaluate --model "$run/models/mnist_cnn_int8.tflite"
$py -m runtime.image docs/sample-number.jpg --model "$run/models/mnist_cnn_int8.tflite"
echo "Done: $run (model card, plots, models/REPORT.md)"
