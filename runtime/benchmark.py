"""python -m runtime.benchmark [--models ...] [--threads N] [--report]: speed of the models.

Load time, batch-1 latency (median, p99), batch-64 throughput, and the full pipeline
(the reader's stages + inference) on a 640x480 and a 1280x720 frame, in frames per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import cv2
import numpy as np

from runtime.cliargs import positive_int
from runtime.command import cli, program
from runtime.errors import UserError
from runtime.measure import cpu
from runtime.measure.report import update_section
from runtime.models import auto
from runtime.models.classifier import Classifier, ClassifierOptions
from runtime.models.formats import FORMATS, MODELS_DIR, REJECTOR_NAME
from runtime.models.rejector import Rejector
from runtime.reader.pipeline import find_digits
from runtime.reader.recognizer import Recognizer

PROG = "runtime.benchmark"
WARMUP_RUNS = 10
THROUGHPUT_BATCH = 64
FRAME_SIZE = (640, 480)
HD_FRAME_SIZE = (1280, 720)
FRAME_TEXT = "4096"  # digits on the benchmark frame
REPORT_SECTION = "benchmark"
MODEL_SUFFIXES = (".tflite", ".onnx")
ROUNDS = 5  # batch-1 latency is timed in this many turns over all models


def _sample_images(n: int, seed: int = 0) -> np.ndarray:
    """Deterministic inputs (timing depends on the shapes only, not the values)."""
    return np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32)


def _timed(fn, runs: int) -> np.ndarray:
    """Seconds per call of fn(), after a warm-up."""
    for _ in range(min(WARMUP_RUNS, runs)):
        fn()
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        fn()
        times[i] = time.perf_counter() - start
    return times


def latency_us(classifier: Classifier, runs: int = 200) -> tuple[float, float]:
    """Median and p99 microseconds per image at batch 1."""
    x = _sample_images(1)
    times = _timed(lambda: classifier.predict(x), runs) * 1e6
    return float(np.median(times)), float(np.percentile(times, 99))


def throughput(classifier: Classifier, runs: int = 20, batch: int = THROUGHPUT_BATCH) -> float:
    """Images per second at the given batch size (median run)."""
    x = _sample_images(batch)
    return batch / float(np.median(_timed(lambda: classifier.predict(x), runs)))


def benchmark_frame(size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """A photo-like frame (640x480 by default): a handwriting-like number on unevenly lit, noisy
    paper, as big relative to the frame at every size."""
    w, h = size
    grow = h / FRAME_SIZE[1]
    ramp = np.linspace(1.0, 0.6, w, dtype=np.float32)[None, :] * np.ones((h, 1), np.float32)
    frame = np.full((h, w), 220, np.float32) * ramp
    ink = np.zeros((h, w), np.uint8)
    left = (w - int(360 * grow)) // 2
    cv2.putText(ink, FRAME_TEXT, (left, int(300 * grow)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                4.0 * grow, 255, max(1, int(round(9 * grow))), cv2.LINE_AA)
    frame = frame * (1 - 0.8 * ink.astype(np.float32) / 255)
    frame += np.random.default_rng(0).normal(0, 4, frame.shape).astype(np.float32)
    gray = np.clip(frame, 0, 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


@dataclass(frozen=True)
class Result:
    path: Path
    backend: str
    size_kb: float
    load_ms: float
    median_us: float
    p99_us: float
    batch_per_s: float
    pipeline_fps: float
    pipeline_hd_fps: float


def interleaved_latency_us(classifiers: list[Classifier], runs: int,
                           rounds: int = ROUNDS) -> list[tuple[float, float]]:
    """Median and p99 microseconds per image at batch 1 of each classifier, timed in turns (each
    round times every model once), so that a busy machine's load falls on all of them alike."""
    x = _sample_images(1)
    times: list[list[float]] = [[] for _ in classifiers]
    for _ in range(rounds):
        for spent, classifier in zip(times, classifiers, strict=True):
            spent.extend(_timed(lambda c=classifier: c.predict(x), max(1, runs // rounds)) * 1e6)
    return [(float(np.median(t)), float(np.percentile(t, 99))) for t in times]


def load(path: Path, threads: int) -> tuple[Classifier, float]:
    """A classifier and the milliseconds it took to load."""
    start = time.perf_counter()
    classifier = Classifier(path, ClassifierOptions(threads=threads))
    return classifier, (time.perf_counter() - start) * 1e3


def measure(classifier: Classifier, load_ms: float, latency: tuple[float, float], runs: int,
            frames: tuple[np.ndarray, np.ndarray]) -> Result:
    """Throughput and the pipeline's frame rates, with the load time and latency measured."""
    batch = throughput(classifier, max(3, runs // 10))
    # the rejector beside the model runs on every frame too: its cost is the pipeline's
    path = classifier.path
    recognizer = Recognizer(classifier, rejector=Rejector.beside(path, ClassifierOptions(
        threads=classifier.options.threads)))
    fps, hd = (1.0 / float(np.median(_timed(lambda f=f: recognizer.read(f), runs))) for f in frames)
    return Result(path, classifier.backend, path.stat().st_size / 1024, load_ms, *latency,
                  batch, fps, hd)


def default_models() -> list[Path]:
    """Every model in models/, release artifacts first in the table's order."""
    order = {f.filename: i for i, f in enumerate(FORMATS)}
    found = [p for p in MODELS_DIR.glob("*")
             if p.suffix in MODEL_SUFFIXES and p.name != REJECTOR_NAME]
    return sorted(found, key=lambda p: (order.get(p.name, len(order)), p.name))


def machine() -> str:
    """The CPU with its int8 features (int8 speed depends on them), cores and load."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu.detect().describe()}; {os.cpu_count()} cores, load average {load:.1f}"


def auto_line(results: list[Result], choice: auto.Choice | None) -> str:
    """What --model auto takes on this CPU, and whether this run's batch-1 latency agrees."""
    if choice is None:
        return "`--model auto` finds no verified model of the article model here."
    line = (f"`--model auto` on this CPU takes **{choice.path.name}** (the rule for "
            f"{choice.rule.cpus}: {choice.rule.evidence}).")
    candidates = [r for r in results if r.path.parent.resolve() == choice.path.parent.resolve()
                  and any(f.filename == r.path.name for f in auto.CANDIDATES)]
    if not candidates:
        return line
    fastest = min(candidates, key=lambda r: r.median_us)
    if fastest.path.name == choice.path.name:
        return line + " This run measured it the fastest of them at batch 1 too."
    ours = next((r for r in candidates if r.path.name == choice.path.name), None)
    ratio = f"{ours.median_us / fastest.median_us:.2f}x its time" if ours else "not measured"
    return (line + f" This run measured {fastest.path.name} fastest at batch 1 "
            f"({fastest.median_us:,.0f} us; the choice: {ratio}): on a quiet machine, if that "
            "holds, pass --model to use it.")


def _choice() -> auto.Choice | None:
    try:
        return auto.choose()
    except UserError:
        return None


def table(results: list[Result], threads: int, preprocess_fps: tuple[float, float],
          choice: auto.Choice | None = None) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Speed ({threads} thread{'s' if threads > 1 else ''}, `python -m runtime.benchmark`)",
        "",
        f"Measured {when} on {machine()}. Latency is per image at batch 1, timed in "
        f"{ROUNDS} turns over all models (a busy machine slows them alike); the pipeline is "
        f"the reader's stages plus inference on a {FRAME_SIZE[0]}x{FRAME_SIZE[1]} and a "
        f"{HD_FRAME_SIZE[0]}x{HD_FRAME_SIZE[1]} frame holding {len(FRAME_TEXT)} digits; the "
        f"stages alone run at {preprocess_fps[0]:,.0f} and {preprocess_fps[1]:,.0f} FPS.",
        "",
        auto_line(results, choice),
        "",
        "| model | backend | size (KB) | load (ms) | batch-1 median (us) | batch-1 p99 (us) "
        f"| batch-{THROUGHPUT_BATCH} (images/s) | pipeline {FRAME_SIZE[0]}x{FRAME_SIZE[1]} (FPS) "
        f"| pipeline {HD_FRAME_SIZE[0]}x{HD_FRAME_SIZE[1]} (FPS) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.path.name} | {r.backend} | {r.size_kb:,.0f} | {r.load_ms:,.1f} "
                     f"| {r.median_us:,.0f} | {r.p99_us:,.0f} | {r.batch_per_s:,.0f} "
                     f"| {r.pipeline_fps:,.0f} | {r.pipeline_hd_fps:,.0f} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program(PROG), description="Measure the speed of the models.")
    p.add_argument("--models", nargs="+", metavar="M", help="model files (default: models/*)")
    p.add_argument("--threads", type=positive_int, default=1,
                   help="inference and OpenCV threads (default 1: one core)")
    p.add_argument("--runs", type=positive_int, default=200, help="timed runs per measurement")
    p.add_argument("--report", nargs="?", const=str(MODELS_DIR / "REPORT.md"), metavar="PATH",
                   help="also write the table into the 'benchmark' section of models/REPORT.md")
    return p.parse_args(argv)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = [Path(m) for m in args.models] if args.models else default_models()
    if not paths:
        raise UserError(f"no models in {MODELS_DIR}: export some or pass --models")
    cv2.setNumThreads(args.threads)
    print(cpu.describe(), file=sys.stderr, flush=True)
    frames = (benchmark_frame(FRAME_SIZE), benchmark_frame(HD_FRAME_SIZE))
    preprocess_fps = tuple(1.0 / float(np.median(_timed(lambda f=f: find_digits(f), args.runs)))
                           for f in frames)
    loaded = [load(path, args.threads) for path in paths]
    latencies = interleaved_latency_us([c for c, _ in loaded], args.runs)
    results = []
    for k, ((classifier, load_ms), latency) in enumerate(zip(loaded, latencies, strict=True)):
        # progress only: the results are printed once, in the table
        print(f"measuring {classifier.path.name} ({k + 1} of {len(loaded)})", file=sys.stderr,
              flush=True)
        results.append(measure(classifier, load_ms, latency, args.runs, frames))
    text = table(results, args.threads, preprocess_fps, _choice())
    print(text)
    if args.report:
        update_section(args.report, REPORT_SECTION, text)
        print(f"wrote section '{REPORT_SECTION}' of {args.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
