"""Writing on a sheet: a sheet of paper in its own pixels, and numbers written on it in rows.

The ink is an alpha mask (1 = ink) the size of the sheet; paper.ink() puts it on the paper later,
in one pen's colour. A row's boxes are the digits' boxes in sheet pixels, left to right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from tests.scenes import glyphs, paper

Box = tuple[int, int, int, int]  # x, y, w, h


@dataclass
class Row:
    text: str
    boxes: list[Box]  # in sheet pixels
    sources: list[str]


def gap(rng: np.random.Generator, height: float) -> int:
    """Space between two digits: usually clear, sometimes nearly touching."""
    share = rng.uniform(0.03, 0.1) if rng.random() < 0.3 else rng.uniform(0.12, 0.45)
    return max(2, round(share * height))


def write_row(rng, alpha: np.ndarray, hand: glyphs.Hand, count: int, height: float,
              left: float, base: float, max_width: float,
              place: Callable[[np.ndarray, glyphs.Glyph, int, int], int] | None = None) -> Row:
    """Write a `count`-digit number on the ink mask, its bottom near `base`, from `left`.

    `place(alpha, glyph, right, y)`, when given, says where each digit after the first goes
    instead of after the usual gap: the x of its left edge, given the right edge of the one before.
    """
    marks = [glyphs.write(hand, max(8, round(height * rng.uniform(0.85, 1.15))), rng)
             for _ in range(count)]
    gaps = [gap(rng, height) for _ in range(count - 1)] + [0]
    width = sum(g.mask.shape[1] for g in marks) + sum(gaps)
    if width > max_width:  # too long for the line: the writer writes smaller
        shrink = max_width / width
        marks = [glyphs.Glyph(cv2.resize(g.mask, None, fx=shrink, fy=shrink,
                                         interpolation=cv2.INTER_AREA), g.label, g.source)
                 for g in marks]
        gaps = [max(2, int(g * shrink)) for g in gaps]
    boxes, x = [], round(left)
    for k, (mark, space) in enumerate(zip(marks, gaps, strict=True)):
        h, w = mark.mask.shape
        y = round(base - h + rng.uniform(-0.06, 0.06) * height)
        if place is not None and k:
            x = place(alpha, mark, boxes[-1][0] + boxes[-1][2], y)
        region = alpha[y : y + h, x : x + w]
        np.maximum(region, mark.mask, out=region)
        boxes.append((x, y, w, h))
        x += w + space
    return Row("".join(str(g.label) for g in marks), boxes,
               [g.source for g in marks])


def row_width(count: int, height: float) -> float:
    """About how wide a `count`-digit number `height` px tall is written."""
    return count * height * 0.75


def number_length(rng: np.random.Generator, low: int = 2) -> int:
    return int(rng.integers(low, 7))


class Sheet:
    """A sheet of paper in its own pixels, the area to write in, and the ink written on it."""

    def __init__(self, rng, w: int, h: int, area: tuple[float, float, float, float],
                 pixels: np.ndarray | None = None):
        self.rng = rng
        self.pixels = paper.blank(rng, h, w) if pixels is None else pixels
        self.alpha = np.zeros((h, w), np.float32)
        self.area = area  # x0, y0, x1, y1: where writing goes
        self.rules: list[float] = []
        self.spacing = 0.0

    def lined(self, style: str, height: float) -> None:
        """Print rules ("ruled") or a grid ("squared") sized for digits `height` px tall."""
        rng = self.rng
        x0, y0, x1, _ = self.area
        if style == "ruled":
            self.spacing = height * rng.uniform(0.6, 1.1)  # digits cross the rule above
            margin = x0 + rng.uniform(0.0, 0.05) * (x1 - x0)
            self.rules = paper.ruled(rng, self.pixels, self.spacing, rng.uniform(0, self.spacing),
                                     margin if rng.random() < 0.8 else None)
            # Writing starts right of the margin (its double line included), sometimes close to it.
            left = margin + max(0.03 * (x1 - x0), 0.15 * height) + rng.uniform(0, 0.05) * (x1 - x0)
            self.area = (left, *self.area[1:])
        elif style == "squared":
            paper.squared(rng, self.pixels, height * rng.uniform(0.4, 0.65))

    def bases(self, rows: int, height: float) -> tuple[list[float], float]:
        """Where `rows` numbers one under the other sit (their bottoms), and the height they are
        written at (smaller when they would not fit the writing area)."""
        rng = self.rng
        _, y0, _, y1 = self.area
        pitch = height * rng.uniform(1.5, 2.2)
        block = pitch * (rows - 1) + height * 1.2
        if block > y1 - y0:  # the rows must fit: write smaller
            height *= (y1 - y0) / block
            pitch *= (y1 - y0) / block
            block = y1 - y0
        top = rng.uniform(y0, max(y0, y1 - block)) + height * 1.1
        bases = [top + r * pitch for r in range(rows)]
        if self.rules:  # write on the rules: every row's bottom sits on (or just across) one
            step = int(np.ceil(pitch / self.spacing))
            usable = [y for y in self.rules if y0 + 1.3 * height <= y <= y1 - 0.2 * height]
            need = (rows - 1) * step + 1
            if len(usable) >= need:
                first = int(rng.integers(len(usable) - need + 1))
                bases = [y + rng.uniform(-0.05, 0.12) * height
                         for y in usable[first : first + need : step]]
        return bases, height

    def write(self, rows: int, height: float, hand_share: float, low: int | None = None,
              place: Callable | None = None, hand: glyphs.Hand | None = None) -> list[Row]:
        """`rows` numbers, one under the other, each fitted into the writing area; each at least
        `low` digits long (default: 1 with several rows, else 2); `place` as in write_row; by
        `hand`, or by a writer picked here (a font's with probability `hand_share`)."""
        rng = self.rng
        x0, _, x1, _ = self.area
        bases, height = self.bases(rows, height)
        out = []
        if hand is None:
            hand = glyphs.pick_hand(rng, hand_share)  # one writer per sheet
        for base in bases:
            count = number_length(rng, low or (1 if rows > 1 else 2))
            width = min(row_width(count, height), x1 - x0)
            left = x0 + rng.uniform(0, max(0.0, x1 - x0 - width))
            out.append(write_row(rng, self.alpha, hand, count, height, left, base, x1 - left,
                                 place))
        return out
