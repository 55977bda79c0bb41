"""Digits as people outside MNIST's writers write them, drawn onto MNIST training digits.

MNIST's writers were American: their 1 is a bare stroke, their 7 has no bar, their 0 no slash. A
European 1 has a long upstroke (the shipped model read it as 7), a 7 may carry a bar across its
stem and a 0 a slash through it. `restyle` adds those strokes to a share of the training digits of
each label, with the pen of the digit they are added to, so the model learns them as what they are.
Only training (or validation) images go in; the MNIST test set keeps its contract.
"""

from __future__ import annotations

import cv2
import numpy as np

SCALE = 4  # strokes are drawn on a 4x copy, then shrunk: antialiased like MNIST's own
INK = 100  # an MNIST pixel brighter than this is ink
# Of the digits of a label, the share that gets its label's stroke.
SHARES = {0: 0.2, 1: 0.35, 7: 0.35}
FLAG_LENGTH = (0.3, 0.55)  # a European 1's upstroke, of the digit's height
FLAG_ANGLE = (30.0, 60.0)  # degrees below the horizontal, down to the left of the stem's top
FOOT_SHARE = 0.3  # of the flagged 1s: a base stroke too
BAR_LENGTH = (0.45, 0.8)  # a 7's bar, of the digit's width
BAR_HEIGHT = (0.45, 0.62)  # where it crosses the stem, of the height from the top
SLASH_OVERHANG = (-0.05, 0.15)  # a 0's slash reaches past its box by this share of it


def _box(digit: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(digit > INK)
    if not len(ys):
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def _pen(digit: np.ndarray) -> int:
    """The digit's stroke width at SCALE, from its ink area over its skeleton-ish length."""
    ink = digit > INK
    rows = np.count_nonzero(ink.any(axis=1))
    cols = np.count_nonzero(ink.any(axis=0))
    width = ink.sum() / max(1.0, float(np.hypot(rows, cols)) * 1.5)
    return int(np.clip(round(width * SCALE), SCALE, 4 * SCALE))


def _line(digit: np.ndarray, points: list[tuple[float, float]], pen: int) -> np.ndarray:
    """The digit with a polyline added in its own pen (points in 28x28 pixels)."""
    big = np.zeros((28 * SCALE, 28 * SCALE), np.uint8)
    pts = np.round(np.array(points) * SCALE).astype(np.int32)
    cv2.polylines(big, [pts], False, 255, pen, cv2.LINE_AA)
    stroke = cv2.resize(big, (28, 28), interpolation=cv2.INTER_AREA)
    return np.maximum(digit, stroke)


def european_one(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 1 with a long upstroke into the top of its stem (and sometimes a foot)."""
    box = _box(digit)
    if box is None:
        return digit
    x0, y0, x1, y1 = box
    top = np.nonzero(digit[y0] > INK)[0]
    tx, ty = float(top.mean()), float(y0)
    height = y1 - y0
    length = rng.uniform(*FLAG_LENGTH) * height
    angle = np.deg2rad(rng.uniform(*FLAG_ANGLE))
    flag = (tx - length * np.cos(angle), ty + length * np.sin(angle))
    out = _line(digit, [flag, (tx, ty)], _pen(digit))
    if rng.random() < FOOT_SHARE:
        bottom = np.nonzero(digit[y1] > INK)[0]
        bx, half = float(bottom.mean()), rng.uniform(0.2, 0.35) * height
        out = _line(out, [(bx - half, y1), (bx + half, y1)], _pen(digit))
    return out


def barred_seven(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 7 with a bar across its stem."""
    box = _box(digit)
    if box is None:
        return digit
    x0, y0, x1, y1 = box
    y = int(round(y0 + rng.uniform(*BAR_HEIGHT) * (y1 - y0)))
    stem = np.nonzero(digit[y] > INK)[0]
    if not len(stem):
        return digit
    half = rng.uniform(*BAR_LENGTH) * (x1 - x0) / 2
    cx, tilt = float(stem.mean()), rng.uniform(-0.1, 0.1) * half
    return _line(digit, [(cx - half, y + tilt), (cx + half, y - tilt)], _pen(digit))


def slashed_zero(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 0 with a slash through it, bottom left to top right."""
    box = _box(digit)
    if box is None:
        return digit
    x0, y0, x1, y1 = box
    over = rng.uniform(*SLASH_OVERHANG)
    dx, dy = over * (x1 - x0), over * (y1 - y0)
    return _line(digit, [(x0 - dx, y1 + dy), (x1 + dx, y0 - dy)], _pen(digit))


STYLES = {0: slashed_zero, 1: european_one, 7: barred_seven}


def restyle(images: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """A copy of (N, 28, 28) uint8 digits where SHARES of each label got its style's stroke."""
    rng = np.random.default_rng(seed)
    out = images.copy()
    chosen = rng.random(len(images))
    for i, label in enumerate(labels):
        style = STYLES.get(int(label))
        if style is not None and chosen[i] < SHARES[int(label)]:
            out[i] = style(images[i], rng)
    return out
