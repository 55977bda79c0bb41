#!/usr/bin/env bash
# Fresh machine -> trained, exported, verified digit reader, end to end.
#   bash quickstart.sh               set up .venv, train (article recipe), export all variants into
#                                    the run folder, check the int8 model on the device, read a photo
#   bash quickstart.sh --setup-only  just create .venv with every extra (what CI does)
# Environment: PYTHON (default python3), RECIPE (default article), MNIST_DIR (else downloaded).
# Each step prints how long it took; the README lists what they took on our 2-core CPU.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
RECIPE=${RECIPE:-article}

step() {  # step "what" command...: a header, the command's own output, its wall time
  local started=$SECONDS
  echo "==> $1"
  shift
  "$@"
  echo "    ($((SECONDS - started)) s)"
}

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  # -qq: errors only (setuptools' notes on editable installs are not for a newcomer)
  .venv/bin/python -m pip install -qq --upgrade pip
  .venv/bin/python -m pip install -qq -e ".[all]"
}

step "install into .venv (every extra: 2.7 GiB, TensorFlow is 1.8 GiB of it)" setup
[ "${1:-}" = "--setup-only" ] && exit 0

py=.venv/bin/python
run="runs/quickstart-$(date +%Y%m%d-%H%M%S)"
step "train the $RECIPE recipe into $run" $py -m train --recipe "$RECIPE" --out "$run"
step "export the TFLite variants into $run/models" \
  $py -m export.tflite --model "$run/mnist_cnn.keras" --out "$run/models"
step "export the ONNX variants into $run/models" \
  $py -m export.onnx --model "$run/mnist_cnn.keras" --out "$run/models"
step "check the int8 model on all 10,000 test images" \
  $py -m runtime.evaluate --model "$run/models/mnist_cnn_int8.tflite"
step "read a photo" \
  $py -m runtime.image docs/sample-number.jpg --model "$run/models/mnist_cnn_int8.tflite"
echo "Done: $run (model card, plots, models/REPORT.md)"
echo "Your own commands: source .venv/bin/activate, then e.g. mnist-edge --help"
