"""Split: a mark wider than one digit of its row, cut where the classifier says its pieces are
digits.

Candidate cuts are lines across the mark where two digits may meet: the valleys of its ink per
column (the thinnest columns), the lowest points of its upper outline and the highest points of
its lower one, each leaning to the slant that crosses the least ink (overlapping digits lean).
Every run of pieces between two cuts that a digit could fill is a candidate segment. The caller
scores all segments of all wide marks in one batched classifier call (with the rejector, when
there is one: a piece of a digit, or two digits in one crop, is no digit), and the path of
segments across the mark with the best total score is kept (dynamic programming): one digit,
or two or more that touch. The whole mark is always one of the paths, so the classifier, not a
rule, decides whether to cut at all; what a crop's shape says (a "64" is no wide 4: the models
see every crop fitted into 20x20) is a cost learned from MNIST's own digits.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace

import cv2
import numpy as np

from runtime.models.rejector import rescale
from runtime.reader.digits import MNIST_SIDE
from runtime.reader.marks import MIN_SIZE
from runtime.reader.pipeline import Box, Found, Look
from runtime.reader.rows import group_rows
from runtime.reader.shapes import WIDE as TOO_WIDE
from runtime.reader.shapes import Mark

WIDE = 0.8  # width over its row's height: a mark this wide may be digits that touch
CUT_SPACING = 0.2  # of the height: candidate cuts at least this far apart
MAX_STRETCH = 0.45  # of the height: no stretch of a mark this wide goes without a candidate cut
MIN_PIECE = 0.12  # of the height: the narrowest digit a cut may leave (a 1)
MAX_SEGMENT = 1.15  # of the height: the widest digit a segment may hold
MIN_HEIGHT = 0.45  # of the mark's height: a segment flatter than this is a stroke, not a digit
SLOPES = (-0.35, -0.17, 0.0, 0.17, 0.35)  # x per y: how far a cut may lean
SLIVER = 0.08  # of a segment's ink: smaller parts a cut leaves of the neighbour are dropped
CUT_COST = 0.05  # log-score each extra cut costs: of two equal paths, the one with fewer cuts
FLOOR = 1e-4  # probabilities are clipped here before the logarithm
TALL = (0.6, 2.5)  # of the digits' height: a mark rejected as too wide, this tall, may be digits
PIECE_REJECT = 0.95  # the rejector's probability from which a piece of a cut mark is no digit
LONGEST = 8.0  # width over height: ... and no wider than this (a row of digits that all touch)
# width over height, per digit 0-9: 99% of MNIST's training digits of each are narrower than this
USUAL_ASPECT = np.array([1.43, 1.0, 1.67, 1.25, 1.25, 1.67, 1.11, 1.25, 1.25, 1.05], np.float32)
ASPECT_COST = 3.0  # log-score per unit of width over height beyond it (a "64" is no wide 4)


@dataclass(frozen=True)
class Segment:
    """A run of a mark's pieces, from boundary `start` to boundary `end` (0: the mark's left
    edge, K+1: its right edge for K cuts), with its ink as a mark of its own."""

    start: int
    end: int
    mark: Mark


@dataclass(frozen=True)
class Wide:
    """A mark that may be digits that touch, and its candidate segments."""

    index: int | None  # in what the reader found; None: a mark it rejected as too wide
    look: Look
    segments: list[Segment]  # the whole mark first
    rows: list[int]  # each segment's row in the probabilities (-1: the whole was not scored)


@dataclass(frozen=True)
class Plan:
    """The wide marks of what the reader found, and their segments' model inputs."""

    found: Found
    wide: list[Wide]
    images: np.ndarray  # (M, 28, 28): the segments' model inputs (the found images' come first)
    boxes: list[Box]  # their boxes in the input image's pixels


def is_wide(box: Box, height: float) -> bool:
    """Whether a box is wider than one digit of a row `height` tall."""
    return box[2] > WIDE * max(height, box[3])


def plan(found: Found, whole: np.ndarray | None = None) -> Plan:
    """The candidate segments of every mark wider than one digit of its row, and of the marks
    rejected as wider than any digit but as tall as the digits, cut to model inputs.

    `whole` (optional) is each found mark's own score(): a mark whose whole scores above
    -CUT_COST is left whole unlooked at, as no path of two or more segments could beat it."""
    wide: list[Wide] = []
    images: list[np.ndarray] = []
    boxes: list[Box] = []
    if found.gray is None:
        return Plan(found, wide, np.zeros((0, MNIST_SIDE, MNIST_SIDE), np.float32), boxes)
    n = len(found.images)
    heights = {i: float(statistics.median(found.boxes[j][3] for j in line))
               for line in found.lines for i in line}
    marks = [(i, *found.marks[i]) for i in sorted(heights)
             if is_wide(found.boxes[i], heights[i])
             and (whole is None or whole[i] <= -CUT_COST)]
    for i, look, mark in marks + [(None, look, mark) for look, mark in _too_wide(found)]:
        found_segments = segments(mark)
        if len(found_segments) == 1:
            continue
        rows = [-1 if i is None else i]
        for image, box in found.cut_parts(look, mark, [s.mark for s in found_segments[1:]]):
            rows.append(n + len(images))
            images.append(image)
            boxes.append(box)
        wide.append(Wide(i, look, found_segments, rows))
    stack = np.stack(images) if images else np.zeros((0, MNIST_SIDE, MNIST_SIDE), np.float32)
    return Plan(found, wide, stack, boxes)


def _too_wide(found: Found) -> list[tuple[Look, Mark]]:
    """Marks the marks stage rejected as wider than a digit that stand as tall as the digits
    found beside them (four or more digits that touch): in the looks the digits came from."""
    looks = {id(look): look for look, _ in found.marks}
    if not looks:  # no digit kept anywhere: the closest look, where they would have come from
        looks = {id(found.looks[-1]): found.looks[-1]} if found.looks else {}
    out = []
    for look in looks.values():
        tall = [m.box[3] for m in look.marks.kept]
        height = float(statistics.median(tall)) if tall else 0.0
        for mark, why in look.marks.rejected:
            h = mark.box[3]
            if why == TOO_WIDE and h >= MIN_SIZE and mark.box[2] <= LONGEST * h \
                    and (not tall or TALL[0] * height <= h <= TALL[1] * height):
                out.append((look, mark))
    return out


def resolve(chosen: Plan, probs: np.ndarray, not_digit: np.ndarray | None
            ) -> tuple[Found, np.ndarray, np.ndarray | None, np.ndarray]:
    """Each wide mark replaced by its best path of segments: the found digits again, regrouped
    in rows, with their probabilities (and not-a-digit probabilities), and which of them are
    segments (True) rather than marks found whole. `probs` holds the found images' rows first,
    then the plan's segments'."""
    found = chosen.found
    n = len(found.images)
    by_index = {w.index: w for w in chosen.wide if w.index is not None}
    kept: list[tuple[int, tuple[Look, Mark], Box]] = []  # row, (look, mark), box
    pieces: set[int] = set()  # rows of segments of a mark cut in two or more
    for i in range(n):
        if i not in by_index:
            kept.append((i, found.marks[i], found.boxes[i]))
    for w in chosen.wide:
        scores = score(probs[w.rows], None if not_digit is None else not_digit[w.rows],
                       [s.mark.box for s in w.segments])
        if w.index is None:
            scores[0] = -np.inf  # no digit as a whole: the marks stage said so
        path = best_path(w.segments, scores)
        for k in path:
            if w.rows[k] < 0:
                continue  # nothing in it was read as digits
            box = found.boxes[w.index] if k == 0 else chosen.boxes[w.rows[k] - n]
            kept.append((w.rows[k], (w.look, w.segments[k].mark), box))
            if len(path) > 1:
                pieces.add(w.rows[k])
    kept.sort(key=lambda entry: entry[0] if entry[0] < n else n + entry[0])
    at = [row for row, _, _ in kept]
    if at == list(range(n)):
        return found, probs[:n], None if not_digit is None else not_digit[:n], np.zeros(n, bool)
    if not_digit is not None and pieces:
        # the path was chosen over the whole by the rejector's own weighing: its pieces, often
        # with a sliver of their neighbour, are rejected only when the rejector is much surer
        not_digit = not_digit.copy()
        cut_rows = sorted(pieces)
        not_digit[cut_rows] = rescale(not_digit[cut_rows], PIECE_REJECT)
    everything = np.concatenate([found.images, chosen.images]) if len(chosen.images) \
        else found.images
    marks = [mark for _, mark, _ in kept]
    # rows as the reader grouped them: in the gray image's pixels (a flattened sheet's)
    rows = group_rows([look.to_full(mark.box) for look, mark in marks])
    result = replace(found, images=everything[at], boxes=[box for _, _, box in kept], lines=rows,
                     marks=marks)
    return (result, probs[at], None if not_digit is None else not_digit[at],
            np.array(at) >= n)


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


def score(probs: np.ndarray, not_digit: np.ndarray | None,
          boxes: list[Box] | None = None) -> np.ndarray:
    """Each segment's log-score as a digit: its class's probability, times the rejector's
    probability that it is a digit at all, less what its shape costs (`boxes`, when given): the
    models see a crop fitted into 20x20 and cannot tell a wide one from a narrow one."""
    p = np.log(np.maximum(probs.max(axis=1), FLOOR))
    if not_digit is not None:
        p = p + np.log(np.maximum(1.0 - not_digit, FLOOR))
    if boxes is not None and len(boxes):
        aspect = np.array([w / max(h, 1) for _, _, w, h in boxes], np.float32)
        usual = USUAL_ASPECT[probs.argmax(axis=1)]
        p = p - ASPECT_COST * np.maximum(aspect - usual, 0.0)
    return p


def best_path(found: list[Segment], scores: np.ndarray) -> list[int]:
    """Indices of the segments that cross the mark, left to right, with the best total score;
    none when no run of segments crosses it (the whole scored -inf and a gap is left)."""
    last = max(s.end for s in found)
    best = np.full(last + 1, -np.inf)
    best[0] = 0.0
    came: list[int] = [-1] * (last + 1)
    for end in range(1, last + 1):
        for i, seg in enumerate(found):
            if seg.end == end and np.isfinite(best[seg.start]):
                total = best[seg.start] + scores[i] - (CUT_COST if seg.start else 0.0)
                if total > best[end]:
                    best[end], came[end] = total, i
    if not np.isfinite(best[last]):
        return []
    path, at = [], last
    while at > 0:
        path.append(came[at])
        at = found[came[at]].start
    return path[::-1]
