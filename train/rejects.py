"""The rejector's examples: what the reader hands the model, digits and not, with the truth.

Each example is ink written on a small sheet of paper and photographed (train.degrade.shoot), then
cut out by the runtime's own reader (`find_digits`) and its splitter (`split.plan`: every segment
of a mark wider than a digit), so the rejector learns from exactly the crops it will judge:

- `pair`: two or three MNIST training digits (or digits in a training font) touching or
  overlapping. A crop that is one of them is that digit; a crop of two, or of a piece of one, or
  of one and a piece of its neighbour, is no digit.
- `text`: letters, symbols and words in handwriting, printed and Hershey fonts: no digit.
- `single`: one training digit or font digit, and the splitter's pieces of it (no digits).
- `stroke`: arcs, dashes, scribbles, blobs (a fingertip, a pen's cap): no digit.

The test scenes write with the fonts of tests/scenes/glyphs.py: none of them is used here, nor any
MNIST test digit. HELD_OUT_FONTS make the held-out negatives only (export.reject measures them).
"""

from __future__ import annotations

import multiprocessing

import cv2
import numpy as np

from runtime.reader import split
from runtime.reader.pipeline import find_digits
from train.degrade import HEIGHT, shoot
from train.writing import Box, digits_row, font_paths, stroke, text

NOT_DIGIT = 10  # the rejector's eleventh class
KINDS = ("pair", "text", "single", "stroke")
SHARES = (0.45, 0.3, 0.15, 0.1)
MATCH, MISMATCH = 0.8, 0.55  # IoU with a true digit's box: that digit / no digit (between: unused)
CHUNK = 500  # photographs per seeded piece of work
HELD_OUT_PHOTOS, HELD_OUT_SEED = 600, 2027  # the held-out negatives: other fonts, unseen digits
ONE_WIDE = 9  # px of 28: a crop this narrow looks like a 1 whatever it was cut from (a stem, an
# "l", a "/"): never taught as no digit, or the rejector learns to reject 1s




def _iou(a: Box, b: Box) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    shared = w * h
    return shared / (a[2] * a[3] + b[2] * b[3] - shared)


def crops(alpha: np.ndarray, truth: list[tuple[Box, int]], rng: np.random.Generator
          ) -> tuple[list[np.ndarray], list[int]]:
    """The ink photographed and cut by the reader and the splitter: every crop and its label
    (a digit, or NOT_DIGIT); crops neither clearly a digit nor clearly none are left out."""
    height = float(np.exp(rng.uniform(*np.log(HEIGHT))))
    tall = max([b[3] for b, _ in truth], default=alpha.shape[0])
    scale = height / tall if truth else height / max(alpha.shape[0], 1) * rng.uniform(0.6, 1.1)
    size = (max(2, round(alpha.shape[1] * scale)), max(2, round(alpha.shape[0] * scale)))
    ink = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    frame, (ox, oy) = shoot(ink, height, rng)
    boxes = [((round(bx * scale) + ox, round(by * scale) + oy, round(bw * scale),
               round(bh * scale)), label) for (bx, by, bw, bh), label in truth]
    found = find_digits(frame)
    plan = split.plan(found)
    images = list(found.images) + list(plan.images)
    out, labels = [], []
    for image, box in zip(images, found.boxes + plan.boxes, strict=True):
        best, label = max(((_iou(box, b), lab) for b, lab in boxes), default=(0.0, NOT_DIGIT))
        if best >= MATCH:
            out.append(image)
            labels.append(label)
        elif best < MISMATCH and np.count_nonzero((image > 0.2).any(axis=0)) > ONE_WIDE:
            out.append(image)
            labels.append(NOT_DIGIT)
    return out, labels


def example(kind: str, rng: np.random.Generator, images: np.ndarray, labels: np.ndarray,
            fonts: list[str]) -> tuple[list[np.ndarray], list[int]]:
    """One photograph's crops of one kind and their labels."""
    if kind == "pair":
        alpha, truth = digits_row(rng, images, labels, fonts, int(rng.choice((2, 2, 2, 3))))
    elif kind == "single":
        alpha, truth = digits_row(rng, images, labels, fonts, 1)
    elif kind == "text":
        alpha, truth = text(rng, fonts), []
    else:
        alpha, truth = stroke(rng), []
    return crops(alpha, truth, rng)


def _chunk(count: int, seed: int, images: np.ndarray, labels: np.ndarray, held_out: bool
           ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    fonts = font_paths(held_out)
    xs, ys = [], []
    for _ in range(count):
        kind = KINDS[int(rng.choice(len(KINDS), p=SHARES))]
        got, lab = example(kind, rng, images, labels, fonts)
        xs += got
        ys += lab
    x = np.round(np.stack(xs) * 255).astype(np.uint8) if xs else np.zeros((0, 28, 28), np.uint8)
    return x, np.asarray(ys, np.int64)


def make(count: int, seed: int, images: np.ndarray, labels: np.ndarray, held_out: bool = False,
         workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Crops of `count` photographs (uint8 (N, 28, 28)) and their labels (0-9, NOT_DIGIT), from
    training `images`; `held_out` writes with HELD_OUT_FONTS. The same seed, the same crops."""
    chunks = [(min(CHUNK, count - i), seed * 1_000_003 + i, images, labels, held_out)
              for i in range(0, count, CHUNK)]
    if workers <= 1 or len(chunks) == 1:
        parts = [_chunk(*c) for c in chunks]
    else:  # spawned, not forked: the parent may hold TensorFlow's threads
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.starmap(_chunk, chunks)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def held_out(data_dir: str | None = None, photos: int = HELD_OUT_PHOTOS) -> np.ndarray:
    """The held-out non-digits (uint8 (N, 28, 28)): written with HELD_OUT_FONTS, touching digits
    made of the validation digits the rejector never trained on; the rejector's contract counts
    how many of them it catches."""
    from runtime.measure import dataset
    from train.holdout import split_validation

    train = dataset.load("train", data_dir)
    _, val_idx = split_validation(train.labels, 5_000, 0)
    x, y = make(photos, HELD_OUT_SEED, train.images[val_idx],
                train.labels[val_idx].astype(np.int64), held_out=True)
    return x[y == NOT_DIGIT]
