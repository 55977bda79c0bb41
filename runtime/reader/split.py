"""Split: a mark wider than one digit of its row, cut where the classifier says its pieces are
digits.

Every run of pieces between two candidate cuts that a digit could fill is a candidate segment
(runtime.reader.segments). The caller scores all segments of all wide marks in one batched
classifier call (with the rejector, when there is one: a piece of a digit, or two digits in one
crop, is no digit), and the path of segments across the mark with the best total score is kept
(dynamic programming): one digit, or two or more that touch. The whole mark is always one of the
paths, so the classifier, not a rule, decides whether to cut at all; what a crop's shape says (a
"64" is no wide 4: the models see every crop fitted into 20x20) is a cost learned from MNIST's
own digits.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace

import numpy as np

from runtime.models.rejector import rescale
from runtime.reader.digits import MNIST_SIDE
from runtime.reader.marks import MIN_SIZE
from runtime.reader.pipeline import Box, Found, Look
from runtime.reader.rows import group_rows
from runtime.reader.segments import Segment, segments
from runtime.reader.shapes import WIDE as TOO_WIDE
from runtime.reader.shapes import Mark

WIDE = 0.8  # width over its row's height: a mark this wide may be digits that touch
CUT_COST = 0.05  # log-score each extra cut costs: of two equal paths, the one with fewer cuts
FLOOR = 1e-4  # probabilities are clipped here before the logarithm
TALL = (0.6, 2.5)  # of the digits' height: a mark rejected as too wide, this tall, may be digits
PIECE_REJECT = 0.95  # the rejector's probability from which a piece of a cut mark is no digit
LONGEST = 8.0  # width over height: ... and no wider than this (a row of digits that all touch)
# width over height, per digit 0-9: 99% of MNIST's training digits of each are narrower than this
USUAL_ASPECT = np.array([1.43, 1.0, 1.67, 1.25, 1.25, 1.67, 1.11, 1.25, 1.25, 1.05], np.float32)
ASPECT_COST = 3.0  # log-score per unit of width over height beyond it (a "64" is no wide 4)


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


def score(probs: np.ndarray, not_digit: np.ndarray | None,
          boxes: list[Box] | None = None) -> np.ndarray:
    """Each segment's log-score as a digit: its class's probability, times the rejector's
    probability that it is a digit at all, less what its shape costs (`boxes`, when given, with
    the rejector): the models see a crop fitted into 20x20 and cannot tell a wide one from a
    narrow one."""
    p = np.log(np.maximum(probs.max(axis=1), FLOOR))
    if not_digit is not None:
        p = p + np.log(np.maximum(1.0 - not_digit, FLOOR))
    if boxes is not None and len(boxes) and not_digit is not None:
        # (without the rejector nothing here tells a piece from a digit: a shape cost would only
        # cut wide digits into pieces the classifier is sure of)
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
