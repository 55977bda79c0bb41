"""The "export" section of REPORT.md, rebuilt from the artifacts present and their metadata."""

from __future__ import annotations

from pathlib import Path

from runtime import metadata as model_metadata
from runtime.benchmark import latency_us
from runtime.classifier import Classifier
from runtime.formats import FORMATS
from runtime.report import update_section

REPORT_NAME = "REPORT.md"
SECTION = "export"
LATENCY_RUNS = 200
HEADER = (
    "| artifact | size | accuracy | vs float | agreement | max prob diff | latency/image "
    "| contract |\n"
    "|---|---:|---:|---:|---:|---:|---:|---|"
)


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MiB"


def row(path: Path, source_sha256: str | None) -> str:
    """One table row from an artifact file and its embedded numbers."""
    meta = model_metadata.read(path)
    median, _ = latency_us(Classifier(path), runs=LATENCY_RUNS)
    stale = source_sha256 is not None and meta.get("source_model_sha256") != source_sha256
    name = f"`{path.name}`" + (" (from another float model)" if stale else "")
    if "accuracy" not in meta:
        return f"| {name} | {_size(path.stat().st_size)} | no metadata | | | | {median:,.0f} us | |"
    return (
        f"| {name} | {_size(path.stat().st_size)} | {meta['accuracy']:.2f}% "
        f"| {meta['delta_points']:+.2f} pts | {meta['agreement']:.2f}% "
        f"| {meta['max_prob_diff']:.4f} | {median:,.0f} us | {meta.get('contract', '')} |"
    )


def section(out_dir: Path, source_sha256: str | None, reference_accuracy: float | None) -> str:
    rows = [row(out_dir / f.filename, source_sha256) for f in FORMATS
            if (out_dir / f.filename).is_file()]
    intro = [
        "## Exported models vs the float model",
        "",
        "All 10,000 MNIST test images, run through the runtime's Classifier (the code a device "
        "runs); latency is the median of "
        f"{LATENCY_RUNS} single-image calls, one thread, on the machine that exported.",
    ]
    if reference_accuracy is not None:
        intro.append(f"Float reference (Keras): {reference_accuracy:.2f}%, "
                     f"model SHA-256 `{(source_sha256 or '')[:16]}...`.")
    return "\n".join([*intro, "", HEADER, *rows]) + "\n"


def write(out_dir: Path, source_sha256: str | None = None,
          reference_accuracy: float | None = None) -> Path:
    """Regenerate the export section of out_dir/REPORT.md from the artifacts in out_dir."""
    path = out_dir / REPORT_NAME
    update_section(path, SECTION, section(out_dir, source_sha256, reference_accuracy))
    return path
