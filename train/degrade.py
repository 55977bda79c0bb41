"""Scene-like crops: MNIST digits written on paper, photographed, cut out by the runtime's reader.

A digit read from a webcam frame is not an MNIST digit: it was small and blurred, its strokes
thicker or thinner, a ruled line may cross it, and the reader's own cut and normalisation made its
28x28 input. Training on such crops closes that gap (issue 8, item 7). Each training digit is put on
a small sheet of paper, under a random camera, and cut out by `runtime.reader.find_digits`, so the
model sees exactly what the reader will hand it. Only training (or validation) images go in.
"""

from __future__ import annotations

import multiprocessing

import cv2
import numpy as np

from runtime.reader.pipeline import find_digits

HEIGHT = (12.0, 72.0)  # px: the written digit's height on the frame, sampled log-uniformly
MNIST_HEIGHT = 20  # px of 28: how tall an MNIST digit is
RULE_SHARE = 0.35  # of the crops: a ruled line crosses the digit
GRID_SHARE = 0.15  # ... and a grid's vertical line too
BLUR = (0.3, 1.6)  # px: the camera's defocus
NOISE = (1.0, 9.0)  # gray levels
JPEG_QUALITY = (40, 95)
CHUNK = 2_000  # images per seeded piece of work


def _stroke(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Thicker or thinner strokes than the MNIST writer's pen, at twice the resolution."""
    big = cv2.resize(digit, (56, 56), interpolation=cv2.INTER_LINEAR)
    change = rng.choice((-1, 0, 0, 1, 2))
    if change > 0:
        big = cv2.dilate(big, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * change + 1,) * 2))
    elif change < 0:
        big = cv2.erode(big, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    return big


def photograph(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One MNIST digit (28x28 uint8, white on black) written on paper and shot: a BGR frame."""
    height = float(np.exp(rng.uniform(*np.log(HEIGHT))))
    side = max(8, round(56 * height / MNIST_HEIGHT / 2))  # the 28x28 square at the written size
    ink = cv2.resize(_stroke(digit, rng), (side, side), interpolation=cv2.INTER_AREA)
    return shoot(ink.astype(np.float32) / 255.0, height, rng)[0]


def shoot(alpha: np.ndarray, height: float, rng: np.random.Generator
          ) -> tuple[np.ndarray, tuple[int, int]]:
    """Ink (float32 (h, w) in [0, 1], at its written size; `height` px is a digit's height)
    written on a small sheet of paper and photographed: a BGR frame, and where the ink's top-left
    corner lies in it."""
    side_h, side_w = alpha.shape
    pad = round(side_h * rng.uniform(0.6, 1.5))
    frame_h, frame_w = side_h + 2 * pad, side_w + 2 * pad + round(rng.uniform(0, 1) * side_h)
    paper = rng.uniform(110, 245)
    page = np.full((frame_h, frame_w), paper, np.float32)
    if rng.random() < RULE_SHARE:  # a rule crosses the digit, often near its foot or top
        y = pad + round(side_h * rng.choice((rng.uniform(0.1, 0.9), 0.8, 0.2)))
        thick = max(1, round(rng.uniform(0.5, 1.2) * height / 25))
        page[y : y + thick] *= rng.uniform(0.72, 0.92)
        if rng.random() < GRID_SHARE / RULE_SHARE:
            x = pad + round(side_w * rng.uniform(0.1, 0.9))
            page[:, x : x + thick] *= rng.uniform(0.72, 0.92)
    darkness = rng.uniform(0.12, 0.6)  # ink's brightness as a share of the paper's
    x0 = pad + round(rng.uniform(0, 1) * (frame_w - side_w - 2 * pad))
    region = page[pad : pad + side_h, x0 : x0 + side_w]
    region *= 1.0 - alpha * (1.0 - darkness)
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(*BLUR))
    page += rng.uniform(*NOISE) * rng.standard_normal(page.shape, dtype=np.float32)
    frame = cv2.cvtColor(np.clip(page, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    quality = int(rng.integers(*JPEG_QUALITY))
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return (cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else frame), (x0, pad)


def scene_crop(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """The reader's 28x28 uint8 input for one photographed digit, or None when it finds not one."""
    found = find_digits(photograph(digit, rng))
    if len(found.images) != 1:
        return None
    return np.round(found.images[0] * 255).astype(np.uint8)


def _crops(images: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = images.copy()
    for i, digit in enumerate(images):
        crop = scene_crop(digit, rng)
        if crop is not None:
            out[i] = crop
    return out


def scene_crops(images: np.ndarray, seed: int, workers: int = 1) -> np.ndarray:
    """One scene-like crop per image ((N, 28, 28) uint8); where the reader finds no single digit,
    the image itself stands in (a crop the reader never hands the model teaches nothing).

    The same seed gives the same crops whatever `workers` is."""
    chunks = [(images[i : i + CHUNK], seed * 1_000_003 + i) for i in range(0, len(images), CHUNK)]
    if workers <= 1 or len(chunks) == 1:
        parts = [_crops(*chunk) for chunk in chunks]
    else:  # spawned, not forked: the parent may hold TensorFlow's threads
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers) as pool:
            parts = pool.starmap(_crops, chunks)
    return np.concatenate(parts) if parts else images.copy()
