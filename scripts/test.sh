#!/usr/bin/env bash
# The test command (README, "Quick start"; .ci/run calls it too): whatever the tests need, then
# the tests. Debian packages are installed when this runs as root or with sudo; where they cannot
# be, one line says which and how, before any test runs, and the command stops (exit 2).
#   bash scripts/test.sh [pytest arguments]     e.g. bash scripts/test.sh -x tests/runtime
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium + chromium-driver: the live view's browser test (tests/runtime/test_live_browser.py);
# mosquitto: the MQTT tests start their own broker (tests/runtime/broker.py);
# the fonts: other people's handwriting in the scene tests (tests/scenes/glyphs.py);
# g++: the microcontroller models' C arrays are compiled (tests/export/test_micro.py).
PACKAGES="chromium chromium-driver mosquitto g++
  fonts-dkg-handwriting fonts-breip fonts-rufscript fonts-humor-sans fonts-bwht fonts-sjfonts
  fonts-kaushanscript fonts-comic-neue"

missing_packages() {  # the PACKAGES dpkg does not list as installed
  local p
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
      printf '%s ' "$p"
  done
}

if ! command -v dpkg-query >/dev/null; then
  echo "error: not a Debian/Ubuntu system: install the equivalents of these Debian packages" \
    "yourself, then run pytest in .venv: $(echo $PACKAGES)" >&2
  exit 2
fi
missing=$(missing_packages)
if [ -n "$missing" ]; then
  as_root=""; [ "$(id -u)" -ne 0 ] && as_root="sudo -n"
  echo "==> installing the Debian packages the tests need: $missing"
  { $as_root apt-get update -qq &&
    $as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends $missing >/dev/null; } 2>/dev/null || true
  missing=$(missing_packages)
  if [ -n "$missing" ]; then
    echo "error: the tests need Debian packages that could not be installed here (no root," \
      "no sudo, or no package server): sudo apt-get install $missing" >&2
    exit 2
  fi
fi

bash quickstart.sh --setup-only  # .venv with every extra (a no-op when it is up to date)

# MNIST: a checkout beside ../shared (our CI) reads it there; elsewhere the tests read
# $MNIST_DIR or the cache (~/.cache/mnist-edge), downloading it there once.
shared="$(cd .. && pwd)/shared/data/mnist"
if [ -z "${MNIST_DIR:-}" ] && [ -d "$shared" ]; then export MNIST_DIR="$shared"; fi
echo "==> pytest (MNIST_DIR=${MNIST_DIR:-unset: the cache})"
exec .venv/bin/python -m pytest "$@"
