#!/usr/bin/env bash
# Run the runtime on a Raspberry Pi's own software (Debian 12 arm64, Python 3.11, the real aarch64
# wheels) under qemu user-mode emulation on an x86_64 Debian machine, as root:
#   sudo scripts/pi-emulate.sh [--cpu pi4|pi5] [--limit N] [--models "a.tflite b.onnx"]
#                              [--kernels optimized|reference|both] [--root DIR] [--setup-only]
# It checks every shipped model's accuracy with the Pi's ARM kernels (runtime.evaluate), reads
# docs/sample-number.jpg (runtime.image) and prints a markdown table. Timings under emulation mean
# nothing; accuracy does. Exit: 0 all models inside their contract, 1 one is outside, 2 bad usage,
# 3 the userland could not be built (no network, no binfmt_misc...): the caller may skip on 3.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$REPO/.cache/pi-arm64"
CPU=pi4
LIMIT=""
KERNELS=both
MODELS=""
SETUP_ONLY=0
SUITE=bookworm  # Raspberry Pi OS 64-bit is Debian 12
MIRROR="${PI_EMULATE_MIRROR:-http://deb.debian.org/debian}"
EXIT_SETUP=3

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
die() { echo "pi-emulate: error: $*" >&2; exit 2; }
setup_failed() { echo "pi-emulate: cannot build the arm64 userland: $*" >&2; exit "$EXIT_SETUP"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --cpu) CPU="${2:?}"; shift 2 ;;
        --limit) LIMIT="${2:?}"; shift 2 ;;
        --kernels) KERNELS="${2:?}"; shift 2 ;;
        --models) MODELS="${2:?}"; shift 2 ;;
        --root) ROOT="$(realpath -m "${2:?}")"; shift 2 ;;
        --setup-only) SETUP_ONLY=1; shift ;;
        -h|--help) usage 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
case "$CPU" in
    pi4) QEMU_CPU=cortex-a72 ;;  # Raspberry Pi 4: no dot-product instructions
    pi5) QEMU_CPU=cortex-a76 ;;  # Raspberry Pi 5: asimddp (SDOT/UDOT)
    *) die "--cpu must be pi4 or pi5" ;;
esac
case "$KERNELS" in optimized|reference|both) ;; *) die "--kernels: optimized|reference|both" ;; esac
[ -z "$LIMIT" ] || [[ "$LIMIT" =~ ^[1-9][0-9]*$ ]] || die "--limit must be a positive integer"
CPUINFO="$REPO/scripts/cpuinfo/$CPU.txt"
[ -f "$CPUINFO" ] || die "missing $CPUINFO"
[ "$(id -u)" -eq 0 ] || setup_failed "run as root (debootstrap, chroot and mounts need it)"
[ "$(uname -m)" = x86_64 ] || setup_failed "meant for an x86_64 host (this is $(uname -m))"
command -v apt-get >/dev/null || setup_failed "needs a Debian/Ubuntu host (apt-get)"

# --- host tools and binfmt_misc ------------------------------------------------------------
if ! command -v debootstrap >/dev/null || ! command -v qemu-aarch64-static >/dev/null \
        || ! command -v update-binfmts >/dev/null; then
    echo "pi-emulate: installing qemu-user-static binfmt-support debootstrap"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        qemu-user-static binfmt-support debootstrap ca-certificates >/dev/null; } \
        || setup_failed "apt-get install qemu-user-static binfmt-support debootstrap failed"
fi
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
        || setup_failed "cannot mount binfmt_misc (a container without the privilege?)"
fi
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 \
    || setup_failed "cannot register qemu-aarch64 with binfmt_misc"

# --- the arm64 userland (kept in ROOT between runs; delete it to start over) ---------------
mkdir -p "$ROOT"
if [ ! -e "$ROOT/.stage2-done" ]; then
    echo "pi-emulate: debootstrap arm64 $SUITE into $ROOT (several minutes)"
    # --foreign + second stage under qemu: the host's debootstrap cannot run arm64 maintainer scripts
    debootstrap --arch=arm64 --foreign --variant=minbase \
        --include=python3,python3-venv,python3-pip,ca-certificates \
        "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 \
        || setup_failed "debootstrap stage 1 failed (network?), see $ROOT.debootstrap.log"
    chroot "$ROOT" /debootstrap/debootstrap --second-stage >>"$ROOT.debootstrap.log" 2>&1 \
        || setup_failed "debootstrap stage 2 failed, see $ROOT.debootstrap.log"
    touch "$ROOT/.stage2-done"
fi
# pip verifies PyPI against the host's CA bundle, name resolution is the host's
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

# --- mounts, undone on exit ----------------------------------------------------------------
MOUNTED=()
cleanup() {
    local i
    for (( i=${#MOUNTED[@]}-1; i>=0; i-- )); do umount -l "${MOUNTED[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() {  # bind <source> <target inside ROOT>
    mount --bind "$1" "$ROOT$2"
    MOUNTED+=("$ROOT$2")
}
mkdir -p "$ROOT/proc" "$ROOT/dev" "$ROOT/sys"
mountpoint -q "$ROOT/proc" || { mount -t proc proc "$ROOT/proc"; MOUNTED+=("$ROOT/proc"); }
mountpoint -q "$ROOT/dev" || bind /dev /dev
mountpoint -q "$ROOT/sys" || bind /sys /sys  # onnxruntime's cpuinfo lists the cores there
# onnxruntime reads /proc/cpuinfo to pick its kernels and segfaults on the host's x86 text
bind "$CPUINFO" /proc/cpuinfo

# --- the project and its runtime wheels ----------------------------------------------------
APP=/opt/mnist-edge
rm -rf "$ROOT$APP"
mkdir -p "$ROOT$APP"
tar -C "$REPO" --exclude=./.git --exclude=./.cache --exclude=./.venv --exclude=./venv \
    --exclude='*/__pycache__' --exclude=./runs -cf - . | tar -C "$ROOT$APP" -xf -
stamp="$(sha256sum "$REPO/pyproject.toml" | cut -c1-16)"
if [ "$(cat "$ROOT/opt/venv/.installed" 2>/dev/null)" != "$stamp" ]; then
    echo "pi-emulate: pip install .[runtime] (aarch64 wheels)"
    in_pi() { chroot "$ROOT" env -i PATH=/usr/bin:/bin HOME=/root QEMU_CPU="$QEMU_CPU" "$@"; }
    in_pi python3 -m venv --clear /opt/venv || setup_failed "python3 -m venv failed"
    in_pi /opt/venv/bin/pip install -q --disable-pip-version-check "$APP[runtime]" \
        || setup_failed "pip install .[runtime] failed (network?)"
    echo "$stamp" >"$ROOT/opt/venv/.installed"
fi
[ "$SETUP_ONLY" -eq 0 ] || { echo "pi-emulate: userland ready in $ROOT"; exit 0; }

# --- MNIST test split (never downloaded inside: the host's copy) ---------------------------
DATA="${MNIST_DIR:-$REPO/../shared/data/mnist}"
[ -f "$DATA/t10k-images-idx3-ubyte.gz" ] || [ -f "$DATA/t10k-images-idx3-ubyte" ] \
    || die "MNIST test files not found in $DATA (set MNIST_DIR)"
mkdir -p "$ROOT/opt/mnist"
cp "$DATA"/t10k-* "$ROOT/opt/mnist/"

# --- evaluate every model under the emulated CPU -------------------------------------------
run_pi() {  # the Pi's environment: only what a user's shell would have, plus the emulated CPU
    chroot "$ROOT" env -i PATH=/opt/venv/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
        QEMU_CPU="$QEMU_CPU" MNIST_DIR=/opt/mnist MNIST_EDGE_MODELS="$APP/models" \
        sh -c "cd $APP && exec \"\$@\"" sh "$@"
}
if [ -z "$MODELS" ]; then
    MODELS="$(cd "$REPO/models" && ls -1 *.tflite *.onnx | tr '\n' ' ')"
fi
RESULTS="$ROOT/opt/results.jsonl"  # one JSON line per model and kernel path
: >"$RESULTS"
status=0
limit_args=()
[ -z "$LIMIT" ] || limit_args=(--limit "$LIMIT")
echo "pi-emulate: emulated CPU $CPU ($QEMU_CPU), kernels $KERNELS, images ${LIMIT:-10000}"
for model in $MODELS; do
    echo "pi-emulate: runtime.evaluate --model models/$model"
    rc=0
    run_pi python -m runtime.evaluate --model "models/$model" --kernels "$KERNELS" \
        "${limit_args[@]}" --json | tee -a "$RESULTS" || rc=$?
    [ "$rc" -eq 0 ] || status=1
done
echo "pi-emulate: runtime.image docs/sample-number.jpg"
image_out="$(run_pi python -m runtime.image docs/sample-number.jpg)" || status=1
echo "$image_out"
echo
run_pi python scripts/pi_table.py /opt/results.jsonl --emulated "$CPU, QEMU_CPU=$QEMU_CPU" \
    --image "$image_out" || status=1
exit "$status"
