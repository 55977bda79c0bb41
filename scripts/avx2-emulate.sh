#!/usr/bin/env bash
# What an x86 CPU WITHOUT AVX-512/VNNI computes, on any x86_64 Linux machine (as root):
#   sudo scripts/avx2-emulate.sh [--limit N] [--kernels optimized|reference|both] [MODEL...]
# Runs runtime.evaluate under qemu-x86_64-static -cpu EPYC-Rome (AMD Zen 2: AVX2, no AVX-512, no
# VNNI). onnxruntime's MLAS picks its kernels from CPUID, which QEMU emulates, so int8 models take
# the AVX2 path (VPMADDUBSW, saturating 16-bit pair sums) even on a VNNI host. A mount namespace
# shows runtime.measure.cpu a matching /proc/cpuinfo. Slow (about 1 ms of host time per image and path):
# use --limit. Default: the ONNX int8 model, 2,000 images, both paths. Exit as runtime.evaluate.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
LIMIT=2000
KERNELS=both
MODELS=()
QEMU_MODEL=EPYC-Rome
die() { echo "avx2-emulate: error: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --limit) LIMIT="${2:?}"; shift 2 ;;
        --kernels) KERNELS="${2:?}"; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) MODELS+=("$1"); shift ;;
    esac
done
[ ${#MODELS[@]} -gt 0 ] || MODELS=("$REPO/models/mnist_cnn_int8.onnx")
[ "$(uname -m)" = x86_64 ] || die "needs an x86_64 host"
[ -x "$PY" ] || die "no python at $PY (set PYTHON=...)"
if ! command -v qemu-x86_64-static >/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "qemu-x86_64-static missing: apt-get install qemu-user-static"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        qemu-user-static >/dev/null; } || die "apt-get install qemu-user-static failed"
fi

cd "$REPO"  # python -m runtime.evaluate imports this checkout
status=0
for model in "${MODELS[@]}"; do
    echo "avx2-emulate: $(basename "$model") on qemu -cpu $QEMU_MODEL, $LIMIT images"
    # unshare: the bind mount of /proc/cpuinfo is seen by this command only
    unshare -m sh -c 'mount --bind "$1" /proc/cpuinfo 2>/dev/null; shift
                      exec qemu-x86_64-static -cpu "$@"' sh \
        "$REPO/scripts/cpuinfo/epyc-rome.txt" "$QEMU_MODEL" "$PY" -m runtime.evaluate \
        --model "$model" --limit "$LIMIT" --kernels "$KERNELS" 2> >(grep -v "TCG doesn't support" >&2) \
        || status=$?
done
exit "$status"
