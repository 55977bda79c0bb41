"""The "export" section of REPORT.md, rebuilt from the artifacts present and their metadata."""

from __future__ import annotations

from pathlib import Path

from runtime import cpu
from runtime import metadata as model_metadata
from runtime.benchmark import latency_us
from runtime.classifier import KERNEL_PATHS, Classifier, ClassifierOptions
from runtime.formats import FORMATS
from runtime.report import update_section

REPORT_NAME = "REPORT.md"
SECTION = "export"
LATENCY_RUNS = 200
HEADER = (
    "| artifact | size | kernels | accuracy | vs float | agreement | max prob diff "
    "| latency/image | contract |\n"
    "|---|---:|---|---:|---:|---:|---:|---:|---|"
)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MiB"


def rows(path: Path, source_sha256: str | None) -> list[str]:
    """One table row per kernel path from an artifact file and its embedded numbers."""
    meta = model_metadata.read(path)
    stale = source_sha256 is not None and meta.get("source_model_sha256") != source_sha256
    name = f"`{path.name}`" + (" (from another float model)" if stale else "")
    size = _size(path.stat().st_size)
    paths = meta.get("kernel_paths") or {}
    if "accuracy" not in meta:
        median = _latency(path, KERNEL_PATHS[0])
        return [f"| {name} | {size} | {KERNEL_PATHS[0]} | no metadata | | | | {median} | |"]
    if not paths:  # exported before both paths were verified
        paths = {KERNEL_PATHS[0]: meta}
    return [
        f"| {name if i == 0 else ''} | {size if i == 0 else ''} | {kernels} "
        f"| {m['accuracy']:.2f}% | {m['delta_points']:+.2f} pts | {m['agreement']:.2f}% "
        f"| {m['max_prob_diff']:.4f} | {_latency(path, kernels)} "
        f"| {meta.get('contract', '') if i == 0 else ''} |"
        for i, (kernels, m) in enumerate(paths.items())
    ]


def _latency(path: Path, kernels: str) -> str:
    median, _ = latency_us(Classifier(path, ClassifierOptions(kernels=kernels)), runs=LATENCY_RUNS)
    return f"{median:,.0f} us"


def section(out_dir: Path, source_sha256: str | None, reference_accuracy: float | None) -> str:
    table = [line for f in FORMATS if (out_dir / f.filename).is_file()
             for line in rows(out_dir / f.filename, source_sha256)]
    exported_on = sorted({model_metadata.read(out_dir / f.filename).get("measured_on_cpu", "")
                          .removeprefix("CPU ")
                          for f in FORMATS if (out_dir / f.filename).is_file()} - {""})
    intro = [
        "## Exported models vs the float model",
        "",
        "All 10,000 MNIST test images, run through the runtime's Classifier (the code a device "
        "runs) on both kernel paths a device may take: `optimized` (onnxruntime with graph "
        "optimizations on, LiteRT with XNNPACK) and `reference` (graph optimizations off, LiteRT's "
        "built-in kernels without the default delegate); each must meet the contract. Latency "
        f"is the median of {LATENCY_RUNS} single-image calls, one thread, on the machine that "
        "wrote this table.",
        "",
        # one line per CPU: a CPU's own description already holds '; '
        *(f"- Accuracy measured on: {cpu_line}" for cpu_line in
          exported_on or ["unknown (older artifacts)"]),
        f"- This table written on: {cpu.describe().removeprefix('CPU ')}",
    ]
    if reference_accuracy is not None:
        intro.append(f"- Float reference (Keras): {reference_accuracy:.2f}%, "
                     f"model SHA-256 `{(source_sha256 or '')[:16]}...`.")
    return "\n".join([*intro, "", HEADER, *table]) + "\n"


def write(out_dir: Path, source_sha256: str | None = None,
          reference_accuracy: float | None = None) -> Path:
    """Regenerate the export section of out_dir/REPORT.md from the artifacts in out_dir."""
    path = out_dir / REPORT_NAME
    update_section(path, SECTION, section(out_dir, source_sha256, reference_accuracy))
    return path
