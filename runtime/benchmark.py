"""Speed of the models: load time, batch-1 latency, batch-64 throughput, full pipeline FPS."""

from __future__ import annotations

import time

import numpy as np

from runtime.classifier import Classifier

WARMUP_RUNS = 10


def _sample_images(n: int, seed: int = 0) -> np.ndarray:
    """Deterministic non-trivial inputs (timing does not depend on the values, only the shapes)."""
    return np.random.default_rng(seed).random((n, 28, 28, 1), dtype=np.float32)


def latency_us(classifier: Classifier, runs: int = 200) -> tuple[float, float]:
    """Median and p99 microseconds per image at batch 1."""
    x = _sample_images(1)
    for _ in range(WARMUP_RUNS):
        classifier.predict(x)
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter_ns()
        classifier.predict(x)
        times[i] = time.perf_counter_ns() - start
    return float(np.median(times) / 1e3), float(np.percentile(times, 99) / 1e3)
