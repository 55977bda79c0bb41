"""The "export" section of REPORT.md, rebuilt from the artifacts present and their metadata."""

from __future__ import annotations

from pathlib import Path

from runtime.benchmark import latency_us
from runtime.measure import cpu
from runtime.measure.report import update_section
from runtime.models import metadata as model_metadata
from runtime.models.classifier import KERNEL_PATHS, Classifier, ClassifierOptions
from runtime.models.formats import FORMATS, Format

REPORT_NAME = "REPORT.md"
SECTION = "export"
LATENCY_RUNS = 200
TFLM = "tflm"
HEADER = (
    "| artifact | size | kernels | accuracy | vs float | agreement | max prob diff "
    "| latency/image | contract |\n"
    "|---|---:|---|---:|---:|---:|---:|---:|---|"
)


def _size(n: int) -> str:
    if n < 64 * 1024:
        return f"{n / 1024:,.1f} KiB"
    return f"{n / 1024:,.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MiB"


def source_sha256(fmt: Format, out_dir: Path, known: dict[str, str]) -> str | None:
    """The SHA-256 of the float model a row comes from: this run's, else the file in out_dir."""
    if fmt.source in known:
        return known[fmt.source]
    path = out_dir / fmt.source
    if not path.is_file():
        return None
    from export.source import file_sha256

    return file_sha256(path)


def rows(fmt: Format, path: Path, sha256: str | None) -> list[str]:
    """One table row per kernel path from an artifact file and its embedded numbers."""
    meta = model_metadata.read(path)
    stale = sha256 is not None and meta.get("source_model_sha256") != sha256
    name = f"`{path.name}`" + (f" (from another {fmt.source})" if stale else "")
    size = _size(path.stat().st_size)
    paths = meta.get("kernel_paths") or {}
    if "accuracy" not in meta:
        median = _latency(path, KERNEL_PATHS[0], meta)
        return [f"| {name} | {size} | {KERNEL_PATHS[0]} | no metadata | | | | {median} | |"]
    if not paths:  # exported before both paths were verified
        paths = {KERNEL_PATHS[0]: meta}
    return [
        f"| {name if i == 0 else ''} | {size if i == 0 else ''} | {kernels} "
        f"| {m['accuracy']:.2f}% | {m['delta_points']:+.2f} pts | {m['agreement']:.2f}% "
        f"| {m['max_prob_diff']:.4f} | {_latency(path, kernels, meta)} "
        f"| {meta.get('contract', '') if i == 0 else ''} |"
        for i, (kernels, m) in enumerate(paths.items())
    ]


def _latency(path: Path, kernels: str, meta: dict) -> str:
    if kernels == TFLM:  # measured by the export: TFLM's Python interpreter, one image per call
        return f"{meta.get('tflm', {}).get('us_per_image', 0):,.0f} us (TFLM, x86)"
    median, _ = latency_us(Classifier(path, ClassifierOptions(kernels=kernels)), runs=LATENCY_RUNS)
    return f"{median:,.0f} us"


def _references(present: list[tuple[Format, Path]]) -> list[str]:
    """'- Float reference ...' lines: each source model's accuracy, from its artifacts."""
    seen: dict[str, str] = {}
    for fmt, path in present:
        meta = model_metadata.read(path)
        if fmt.source in seen or "float_reference_accuracy" not in meta:
            continue
        seen[fmt.source] = (f"- Float reference {fmt.source} (Keras): "
                            f"{meta['float_reference_accuracy']:.2f}%, model SHA-256 "
                            f"`{meta.get('source_model_sha256', '')[:16]}...`.")
    return list(seen.values())


def section(out_dir: Path, known: dict[str, str]) -> str:
    present = [(f, out_dir / f.filename) for f in FORMATS if (out_dir / f.filename).is_file()]
    table = [line for f, path in present
             for line in rows(f, path, source_sha256(f, out_dir, known))]
    exported_on = sorted({model_metadata.read(path).get("measured_on_cpu", "")
                          .removeprefix("CPU ") for _, path in present} - {""})
    intro = [
        "## Exported models vs the float model",
        "",
        "All 10,000 MNIST test images, run through the runtime's Classifier (the code a device "
        "runs) on both kernel paths a device may take: `optimized` (onnxruntime with graph "
        "optimizations on, LiteRT with XNNPACK) and `reference` (graph optimizations off, LiteRT's "
        "built-in kernels without the default delegate); each must meet the contract. Models for "
        "microcontrollers are also run by TensorFlow Lite Micro's interpreter (`tflm`: its "
        "reference kernels, one image per call, as a microcontroller runs them; the latency is "
        "that interpreter's on this x86 CPU, not a microcontroller's). Latency "
        f"is the median of {LATENCY_RUNS} single-image calls, one thread, on the machine that "
        "wrote this table.",
        "",
        # one line per CPU: a CPU's own description already holds '; '
        *(f"- Accuracy measured on: {cpu_line}" for cpu_line in
          exported_on or ["unknown (older artifacts)"]),
        f"- This table written on: {cpu.describe().removeprefix('CPU ')}",
        *_references(present),
    ]
    return "\n".join([*intro, "", HEADER, *table]) + "\n"


def write(out_dir: Path, known: dict[str, str] | None = None) -> Path:
    """Regenerate the export section of out_dir/REPORT.md from the artifacts in out_dir; `known`
    gives the SHA-256 of the float models this run exported from (by file name)."""
    path = out_dir / REPORT_NAME
    update_section(path, SECTION, section(out_dir, known or {}))
    return path
