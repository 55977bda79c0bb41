"""python -m export.ladder: every TFLite artifact from the article model down to the smallest
microcontroller model, side by side, as the "ladder" section of REPORT.md and a plot.

Per artifact: weights and multiply-accumulates (from the flatbuffer), file and gzip size, zero
weights, the tensor arena TensorFlow Lite Micro needs (int8 models), accuracy on all 10,000 test
images on every kernel path (from the export's verdicts in its metadata), and latency in LiteRT at
batch 1 on one thread, measured now on this CPU.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from dataclasses import dataclass
from pathlib import Path

from export import tflm
from runtime.benchmark import latency_us
from runtime.cliargs import output_dir, positive_int
from runtime.command import cli, program
from runtime.errors import UserError
from runtime.files import written
from runtime.measure import cpu
from runtime.measure.report import update_section
from runtime.models import metadata as model_metadata
from runtime.models.classifier import Classifier
from runtime.models.formats import FORMATS, MODELS_DIR, Format
from runtime.models.tflite_graph import summarize

PROG = "export.ladder"
SECTION = "ladder"
REPORT_NAME = "REPORT.md"
PLOT_NAME = "ladder.png"
GZIP_LEVEL = 9
RUNS = 300


@dataclass(frozen=True)
class Rung:
    fmt: Format
    path: Path
    weights: int
    macs: int
    size: int  # bytes
    gzip_size: int
    zeros: float  # share of the int8 weights that are 0 (0 for float models)
    arena: int | None  # bytes, TFLM (int8 in and out only)
    float_accuracy: float | None
    accuracy: dict[str, float]  # kernel path -> percent
    latency_us: float


def rung(fmt: Format, path: Path, runs: int) -> Rung:
    data = path.read_bytes()
    graph = summarize(data)
    meta = model_metadata.read(path)
    paths = meta.get("kernel_paths") or {}
    arena = meta.get("tflm", {}).get("arena_bytes")
    if arena is None and fmt.int8_io:
        arena = tflm.arena_bytes(data)
    median, _ = latency_us(Classifier(path), runs)
    return Rung(fmt, path, graph.weights, graph.macs, len(data),
                len(gzip.compress(data, GZIP_LEVEL)),
                graph.zero_weights / graph.int8_weights if graph.int8_weights else 0.0,
                arena, meta.get("float_reference_accuracy"),
                {k: float(v["accuracy"]) for k, v in paths.items()}, median)


def _kib(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:,.1f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


def table(rungs: list[Rung], runs: int) -> str:
    lines = [
        "## The ladder: from the article model to a microcontroller (`python -m export.ladder`)",
        "",
        f"Every TFLite artifact in models/. Weights and multiply-accumulates (MACs) per image come "
        "from the flatbuffer (BatchNormalization folded into the layers before it); gzip at level "
        f"{GZIP_LEVEL}, the size that counts for pruned and clustered models (a download, an "
        "over-the-air update, a compressed flash image); the arena is the smallest tensor arena "
        "in which TensorFlow Lite Micro's interpreter allocates and runs the model (x86_64, "
        "reference kernels; the C headers reserve 25% more). Accuracy on all 10,000 test images "
        "as the export verified it: LiteRT with XNNPACK / with its built-in kernels, and TFLM's "
        f"interpreter for the microcontroller models. Latency: LiteRT, median of {runs} calls at "
        f"batch 1 on one thread, measured {cpu.describe().removeprefix('CPU ')}.",
        "",
        "| model | artifact | weights | MACs | file (KiB) | gzip (KiB) | zero weights "
        "| TFLM arena (KiB) | float | LiteRT XNNPACK / built-in | TFLM | latency (us) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rungs:
        lite = " / ".join(_pct(r.accuracy.get(k)) for k in ("optimized", "reference"))
        lines.append(
            f"| {r.fmt.source.removesuffix('.keras')} | `{r.path.name}` | {r.weights:,} "
            f"| {r.macs / 1e6:,.2f} M | {_kib(r.size)} | {_kib(r.gzip_size)} "
            f"| {r.zeros:.0%} | {_kib(r.arena)} | {_pct(r.float_accuracy)} | {lite} "
            f"| {_pct(r.accuracy.get('tflm'))} | {r.latency_us:,.0f} |")
    return "\n".join(lines) + "\n"


def _labels(rungs: list[Rung]) -> list[tuple[float, float, str]]:
    """(gzip KiB, accuracy, text) per group of artifacts that land on one spot of the plot."""
    spots: list[tuple[float, float, list[str]]] = []
    for r in rungs:
        x, y = r.gzip_size / 1024, r.accuracy.get("optimized")
        if y is None:
            continue
        near = next((s for s in spots if s[1] == y and abs(s[0] / x - 1) < 0.06), None)
        if near is None:
            spots.append((x, y, [r.fmt.variant]))
        else:
            near[2].append(r.fmt.variant)
    return [(x, y, ", ".join(names)) for x, y, names in spots]


def plot(rungs: list[Rung], path: Path) -> None:
    """Accuracy (LiteRT, XNNPACK) against size: the file (filled) and its gzip (hollow)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(10, 6))
    palette = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
    sources = list(dict.fromkeys(r.fmt.source for r in rungs))
    for r in rungs:
        color = palette[sources.index(r.fmt.source) % len(palette)]
        y = r.accuracy.get("optimized")
        if y is None:
            continue
        ax.plot([r.size / 1024, r.gzip_size / 1024], [y, y], color=color, lw=0.8, alpha=0.6)
        ax.scatter([r.size / 1024], [y], color=color, zorder=3)
        ax.scatter([r.gzip_size / 1024], [y], facecolors="white", edgecolors=color, zorder=3)
    # labelled at the gzip size, where the artifacts of one model spread out
    for i, (x, y, text) in enumerate(_labels(rungs)):
        ax.annotate(text, (x, y), textcoords="offset points", fontsize=7, ha="right",
                    xytext=(-5, 5 if i % 2 == 0 else -11))
    for source in sources:
        ax.scatter([], [], color=palette[sources.index(source) % len(palette)],
                   label=source.removesuffix(".keras"))
    ax.legend(loc="center right", fontsize=8, title="float model", title_fontsize=8)
    ax.axhline(99.5, color="gray", ls=":", lw=0.8)
    ax.set_xscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:,.0f}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.annotate("micro contract: 99.50%", (1, 99.5), xycoords=("axes fraction", "data"),
                xytext=(-4, 3), textcoords="offset points", ha="right", fontsize=7, color="gray")
    ax.set(xlabel="size (KiB, log scale): the file filled, gzip -9 hollow",
           ylabel="accuracy on 10,000 test images (%)",
           title="Accuracy against size (LiteRT, XNNPACK)")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def rungs_in(models_dir: Path, runs: int) -> list[Rung]:
    present = [(f, models_dir / f.filename) for f in FORMATS
               if f.backend == "tflite" and (models_dir / f.filename).is_file()]
    if not present:
        raise UserError(f"no TFLite artifacts in {models_dir}: export some first")
    return [rung(f, path, runs) for f, path in present]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program(PROG), description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=output_dir, default=MODELS_DIR,
                   help="the folder of the artifacts; gets REPORT.md's ladder section and "
                        f"{PLOT_NAME} (default: %(default)s)")
    p.add_argument("--runs", type=positive_int, default=RUNS, help="timed calls per model")
    return p.parse_args(argv)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    found = rungs_in(args.out, args.runs)
    text = table(found, args.runs)
    print(text)
    plot_path = args.out / PLOT_NAME
    replaced = plot_path.exists()
    plot(found, plot_path)
    update_section(args.out / REPORT_NAME, SECTION, text + f"\n![accuracy against size]"
                   f"({PLOT_NAME})\n")
    print(written(plot_path, replaced), file=sys.stderr)
    print(f"updated the '{SECTION}' section of {args.out / REPORT_NAME}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
