"""Rows: marks grouped into lines of writing, each read left to right, lines top to bottom.

Rows that slope (a page photographed turned) are followed along their slope: the slope is read
from the marks themselves (each mark and its nearest neighbour of about its height on the right),
and the marks are levelled by it first. Then, scanning left to right, a mark joins the line whose
last mark it overlaps most in height, so a row written at a slant stays one line; a mark
overlapping none starts a line.
"""

from __future__ import annotations

import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h

MIN_OVERLAP = 0.35  # of the shorter mark's height: two marks side by side share this much of it
FRAGMENT = 0.5  # of a line's tallest mark: a mark this flat (a stray piece) does not lead the line
NEIGHBOUR_GAP = 1.0  # of the taller height: a mark's neighbour in its row is at most this far
ALIKE = 1.5  # ... and at most this much taller or shorter
MAX_SLOPE = 0.7  # rise over run: a row climbing more steeply than this (35 degrees) is no row
MIN_PAIRS = 2  # neighbours enough to read a slope from
LEVEL = 0.03  # rows sloping less than this are taken as they are


def overlap(a: Box, b: Box) -> tuple[float, float]:
    """Vertical overlap of two boxes as a fraction of the shorter and of the taller one's height."""
    top, bottom = max(a[1], b[1]), min(a[1] + a[3], b[1] + b[3])
    shared = max(0, bottom - top)
    return shared / max(1, min(a[3], b[3])), shared / max(1, a[3], b[3])


def group_rows(boxes: list[Box]) -> list[list[int]]:
    """Indices of `boxes` grouped in lines (top to bottom), each line left to right.

    A mark may join a line whose last mark shares MIN_OVERLAP of the shorter one's height; of
    those, the line whose last mark it matches best in size and level (a dot or a bar nearby does
    not pull a digit out of its row).
    """
    slope = row_slope(boxes)
    if abs(slope) >= LEVEL:  # level the marks: shift each up or down by the slope at its middle
        boxes = [(x, round(y - slope * (x + w / 2)), w, h) for x, y, w, h in boxes]
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0] + boxes[i][2] / 2)
    lines: list[list[int]] = []
    for i in order:
        box = boxes[i]
        best, best_score = None, 0.0
        for line in lines:
            shorter, taller = overlap(box, boxes[_leader(line, boxes)])
            if shorter >= MIN_OVERLAP and taller > best_score:
                best, best_score = line, taller
        if best is None:
            lines.append([i])
        else:
            best.append(i)
    return sorted(lines, key=lambda line: sum(boxes[i][1] + boxes[i][3] / 2 for i in line)
                  / len(line))


def _leader(line: list[int], boxes: list[Box]) -> int:
    """The mark a line's next mark is compared with: its last one that is not a stray piece."""
    tallest = max(boxes[i][3] for i in line)
    return next(i for i in reversed(line) if boxes[i][3] >= FRAGMENT * tallest)


def row_slope(boxes: list[Box]) -> float:
    """How the rows slope (rise over run, down positive): the median, over the marks that have
    one, of the direction to the nearest mark of about the same height on its right in reach
    (0 with fewer than MIN_PAIRS such pairs)."""
    if len(boxes) < MIN_PAIRS + 1:
        return 0.0
    b = np.asarray(boxes, np.float64)
    cx, cy, h = b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2, b[:, 3]
    dx, dy = cx[None, :] - cx[:, None], cy[None, :] - cy[:, None]  # from i (row) to j (column)
    gap = b[None, :, 0] - (b[:, 0] + b[:, 2])[:, None]
    taller = np.maximum(h[:, None], h[None, :])
    ratio = h[None, :] / np.maximum(h[:, None], 1.0)
    near = ((dx > 0) & (gap <= NEIGHBOUR_GAP * taller) & (ratio <= ALIKE) & (ratio >= 1 / ALIKE)
            & (np.abs(dy) <= MAX_SLOPE * dx))
    if np.count_nonzero(near.any(axis=1)) < MIN_PAIRS:
        return 0.0
    distance = np.where(near, np.hypot(dx, dy), np.inf)
    rows = np.flatnonzero(near.any(axis=1))
    nearest = distance[rows].argmin(axis=1)
    return float(np.median(dy[rows, nearest] / dx[rows, nearest]))
