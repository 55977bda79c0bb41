"""Segments: where two digits in one mark may meet, and every run of pieces between two such
cuts that one digit could fill.

Candidate cuts are lines across the mark: the valleys of its ink per column (the thinnest
columns), the lowest points of its upper outline and the highest points of its lower one, each
leaning to the slant that crosses the least ink (overlapping digits lean).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.reader.marks import MIN_SIZE
from runtime.reader.shapes import Mark

CUT_SPACING = 0.2  # of the height: candidate cuts at least this far apart
MAX_STRETCH = 0.45  # of the height: no stretch of a mark this wide goes without a candidate cut
MIN_PIECE = 0.12  # of the height: the narrowest digit a cut may leave (a 1)
MAX_SEGMENT = 1.15  # of the height: the widest digit a segment may hold
MIN_HEIGHT = 0.45  # of the mark's height: a segment flatter than this is a stroke, not a digit
SLOPES = (-0.35, -0.17, 0.0, 0.17, 0.35)  # x per y: how far a cut may lean
SLIVER = 0.08  # of a segment's ink: smaller parts a cut leaves of the neighbour are dropped


@dataclass(frozen=True)
class Segment:
    """A run of a mark's pieces, from boundary `start` to boundary `end` (0: the mark's left
    edge, K+1: its right edge for K cuts), with its ink as a mark of its own."""

    start: int
    end: int
    mark: Mark


def cuts(mask: np.ndarray) -> list[tuple[float, float]]:
    """Candidate cuts of a bool mask, left to right: (x at mid-height, slope in x per y)."""
    h, w = mask.shape
    ink = np.count_nonzero(mask, axis=0).astype(np.float32)
    smooth = np.convolve(np.pad(ink, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    rows = np.arange(h)[:, None]
    has = ink > 0
    top = np.where(has, np.where(mask, rows, h).min(axis=0), h).astype(np.float32)
    bottom = np.where(has, np.where(mask, rows, -1).max(axis=0), -1).astype(np.float32)
    lo, hi = max(1, int(MIN_PIECE * h)), min(w - 1, w - int(MIN_PIECE * h))
    found: dict[int, float] = {}
    for x in range(lo, hi):
        valley = smooth[x] <= smooth[x - 1] and smooth[x] <= smooth[x + 1]
        from_above = top[x] >= top[x - 1] and top[x] >= top[x + 1] and top[x] < h
        from_below = bottom[x] <= bottom[x - 1] and bottom[x] <= bottom[x + 1] and bottom[x] >= 0
        if valley or from_above or from_below or not has[x]:
            found[x] = float(smooth[x])  # how much ink it crosses: the less, the likelier
    kept: list[int] = []
    for x in sorted(found, key=lambda c: (found[c], c)):
        if all(abs(x - k) >= CUT_SPACING * h for k in kept):
            kept.append(x)
    # overlapping digits leave no valley between them: a wide stretch with no cut gets one at
    # its thinnest middle column, until no stretch is wider than a narrow digit
    stretch = max(MAX_STRETCH * h, 3.0)
    while True:
        edges = [0, *sorted(kept), w]
        wide = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if b - a > stretch]
        if not wide:
            break
        for a, b in wide:  # strictly inside (a, b): every pass splits every wide stretch
            mid = slice(a + max(1, (b - a) // 3), b - max(1, (b - a) // 3))
            kept.append(mid.start + int(np.argmin(smooth[mid])))
    return [(float(x), _lean(mask, x)) for x in sorted(kept)]


def _lean(mask: np.ndarray, x: int) -> float:
    """The slope of the line through column x at mid-height that crosses the least ink."""
    h, w = mask.shape
    ys = np.arange(h)
    slopes = np.array(sorted(SLOPES, key=abs))  # upright first: of equal crossings, the upright
    xs = np.round(x + slopes[:, None] * (ys - h / 2)).astype(int)
    inside = (xs >= 0) & (xs < w)
    crossed = (mask[ys, np.clip(xs, 0, w - 1)] & inside).sum(axis=1)
    return float(slopes[int(np.argmin(crossed))])


def segments(mark: Mark) -> list[Segment]:
    """Every segment of a mark a digit could fill, the whole mark first."""
    (x, y, w, h), mask = mark.box, mark.mask
    found = [Segment(0, 1, mark)]
    if h < MIN_SIZE:
        return found  # too flat to hold digits side by side
    lines = cuts(mask)
    if not lines:
        return found
    ys, xs = np.mgrid[0:h, 0:w]
    # which piece each pixel is in: how many cuts lie left of it
    piece = sum((xs >= cx + slope * (ys - h / 2)).astype(np.int32) for cx, slope in lines)
    last = len(lines) + 1
    # each piece's first and last column of ink: a segment lies within its pieces' span
    inked = np.where(mask, piece, -1)
    spans = [np.flatnonzero((inked == p).any(axis=0)) for p in range(last)]
    found = [Segment(0, last, mark)]
    for a in range(last):
        for b in range(a + 1, last + 1):
            cols = [c for c in spans[a:b] if len(c)]
            if (a, b) == (0, last) or not cols:
                continue
            x0, x1 = min(c[0] for c in cols), max(c[-1] for c in cols) + 1
            if x1 - x0 < MIN_PIECE * h:
                continue  # nothing left after the slivers go can be wider
            part = (inked[:, x0:x1] >= a) & (inked[:, x0:x1] < b)
            seg = _segment(part, (x + x0, y), h)
            if seg is not None:
                found.append(Segment(a, b, seg))
    return found


def _segment(part: np.ndarray, origin: tuple[int, int], height: int) -> Mark | None:
    """A segment's ink without the slivers of its neighbours, tight; None when no digit fits."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(part.view(np.uint8), 8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= SLIVER * areas.sum()
    s = stats[keep]
    x0, y0 = s[:, cv2.CC_STAT_LEFT].min(), s[:, cv2.CC_STAT_TOP].min()
    x1 = (s[:, cv2.CC_STAT_LEFT] + s[:, cv2.CC_STAT_WIDTH]).max()
    y1 = (s[:, cv2.CC_STAT_TOP] + s[:, cv2.CC_STAT_HEIGHT]).max()
    if not (MIN_PIECE * height <= x1 - x0 <= MAX_SEGMENT * height) \
            or y1 - y0 < MIN_HEIGHT * height:
        return None
    box = (origin[0] + int(x0), origin[1] + int(y0), int(x1 - x0), int(y1 - y0))
    return Mark(box, keep[labels[y0:y1, x0:x1]])
