"""Pieces: the pieces of one digit joined, two digits in one mark parted.

Components that are pieces of one broken digit are joined (a 4 written in two strokes, a thin 0
broken into two arcs, the bar of a 5 or a 7 drawn apart from the rest, a faint digit broken
across); a mark wider than a digit is split at its thinnest column or where its darkest ink falls
apart (blur joins touching digits with a halo the threshold keeps).
"""

from __future__ import annotations

import itertools
import statistics

import cv2
import numpy as np

from runtime.reader.shapes import Box, Mark
from runtime.reader.strokes import run_count

MERGE_OVERLAP = 0.5  # of the narrower box's width: pieces stacked like this are one digit
STACK_OVERLAP = 0.3  # ... or this, when they are one above the other with little vertical overlap
PIECE_SIZE = 0.6  # a piece this much smaller than its neighbour, touching its span, joins it
PIECE_HEIGHT = 0.5  # ... or this much flatter (the bar of a 5 or a 7)
BAR_TOP, BAR_GAP = 0.35, 0.3  # a bar in the top part of a digit, this near its side, is its bar
BAR_JOINT = 1.0  # ... when the two together are no wider than this (of the height)
FOUR_STEM, FOUR_ARM, FOUR_GAP = 0.55, (0.35, 0.8), 0.3  # of the stem's height: a 4 in two strokes
FOUR_TOP, FOUR_FOOT, FOUR_OVERLAP = 0.2, 0.2, 0.3  # tops level, the arm ending this far above
MAX_PIECE = 2.0  # of the typical mark's height: bigger is never a piece of a digit
MAX_MERGED = 1.5  # joined pieces at most this tall relative to the typical mark: rows stay apart
ROW_GAP = 0.15  # of the taller piece: ... unless the gap between them is smaller than this
BROKEN_GAP, BROKEN_JOINT = 0.4, 1.25  # of a whole digit's height: a faint digit's pieces, stacked
ZERO_HALVES = 0.7  # of the taller: two arcs side by side share this much of their height
ZERO_HALF_WIDTH = 0.6  # of the height: each arc at most this wide
ZERO_GAP = 0.2  # of the height: at most this far apart (or overlapping this much)
ZERO_BEND = 0.15  # of its width: an arc's middle lies this far off the line joining its ends
ZERO_LOOP_ROWS = 0.15  # of an arc's rows: at most this many cross it twice
SPLIT_ASPECT = 1.3  # wider than this (width / height): maybe digits that touch
SPLIT_ZONE = (0.3, 0.7)  # the cut is looked for in this part of the width
SPLIT_MAX_INK = 0.15  # of the height: a column this thin is where two digits touch
SPLIT_MIN_PART = 0.4  # of the height: the narrowest digit a cut may leave on either side
SPLIT_MIN_HEIGHT = 0.6  # of the height: the flattest digit a cut may leave
CORE_SPLIT_ASPECT = 0.9  # narrower than SPLIT_ASPECT but wider than this: two narrow digits?
CORE_MIN_PART = 0.3  # of the height: the narrowest digit such a cut may leave
DARK_CORE = 0.6  # of the mark's darkest ink: the core of the strokes, without the blur's halo


def _belong_together(a: list[int], b: list[int], typical: float, whole: float) -> bool:
    """Two boxes that are pieces of one digit: stacked over each other, or a small piece touching
    the span of a big one (the bar of a 7 or a 5 drawn apart from the rest)."""
    (xa, ya, wa, ha), (xb, yb, wb, hb) = a, b
    if max(wa, ha, wb, hb) > MAX_PIECE * typical:
        return False  # something much bigger than a digit (a pen) is not a piece of one
    overlap = min(xa + wa, xb + wb) - max(xa, xb)
    gap = max(ya, yb) - min(ya + ha, yb + hb)  # negative when they overlap vertically
    tall = max(ya + ha, yb + hb) - min(ya, yb) > MAX_MERGED * typical
    if tall and gap > ROW_GAP * max(ha, hb):
        return False  # two rows, one above the other (a broken stroke leaves a smaller gap)
    if overlap >= MERGE_OVERLAP * min(wa, wb) and gap <= 0.5 * max(ha, hb):
        return True
    if overlap >= STACK_OVERLAP * min(wa, wb) and -0.2 * min(ha, hb) <= gap <= 0.25 * max(ha, hb):
        return True  # one above the other: a stroke broken across
    joint = max(ya + ha, yb + hb) - min(ya, yb)
    if overlap >= STACK_OVERLAP * min(wa, wb) and 0 <= gap <= BROKEN_GAP * whole \
            and joint <= BROKEN_JOINT * whole:
        return True  # a faint digit broken in two, together no taller than a digit
    small, big = sorted((max(wa, ha), max(wb, hb)))
    piece = small < PIECE_SIZE * big or min(ha, hb) < PIECE_HEIGHT * max(ha, hb)
    if overlap >= 0 and piece and gap <= 0.25 * max(ha, hb):
        return True
    return _detached_bar(a, b) or _detached_bar(b, a) or _open_four(a, b) or _open_four(b, a)


def _open_four(arm: list[int], stem: list[int]) -> bool:
    """The two strokes of a 4 written apart: a short arm hanging from the top, a little left of
    a tall thin stem, ending well above the stem's foot. Digits side by side stand on one line."""
    (xa, ya, wa, ha), (xs, ys, ws, hs) = arm, stem
    gap = xs - (xa + wa)
    return (ws <= FOUR_STEM * hs and -FOUR_OVERLAP * wa <= gap <= FOUR_GAP * hs
            and FOUR_ARM[0] * hs <= ha <= FOUR_ARM[1] * hs and wa <= FOUR_ARM[1] * hs
            and abs(ya - ys) <= FOUR_TOP * hs and ya + ha <= ys + hs - FOUR_FOOT * hs)


def _halves_of_a_zero(a: tuple[list[int], list[int]], b: tuple[list[int], list[int]],
                      image: np.ndarray) -> bool:
    """Two arcs side by side, "(" and ")", as tall as each other: a 0 whose thin top and bottom
    the threshold broke (two 1s stand straight, or lean the same way, or stand further apart)."""
    if len(a[0]) != 1 or len(b[0]) != 1:
        return False
    (left, (xl, yl, wl, hl)), (right, (xr, yr, wr, hr)) = sorted((a, b), key=lambda g: g[1][0])
    h = max(hl, hr)
    shared = min(yl + hl, yr + hr) - max(yl, yr)
    gap = xr - (xl + wl)
    if shared < ZERO_HALVES * h or max(wl, wr) > ZERO_HALF_WIDTH * h \
            or not -ZERO_GAP * h <= gap <= ZERO_GAP * h:
        return False
    arcs = (image[yl : yl + hl, xl : xl + wl] == left[0],
            image[yr : yr + hr, xr : xr + wr] == right[0])
    if not all(_one_stroke(arc) for arc in arcs):
        return False  # a loop (the 6 of "67") is no half of a 0
    return _bend(arcs[0]) >= ZERO_BEND and _bend(arcs[1]) <= -ZERO_BEND


def _one_stroke(piece: np.ndarray) -> bool:
    """Whether nearly every row crosses a piece once (an arc, not a loop)."""
    return np.count_nonzero(run_count(piece, 1) >= 2) <= ZERO_LOOP_ROWS * piece.shape[0]


def _bend(piece: np.ndarray) -> float:
    """How far a tall piece's middle lies left of the line joining its two ends, in its widths:
    an arc like "(" gives a positive number, like ")" a negative one, a straight stroke (upright
    or leaning) about 0."""
    h, w = piece.shape
    xs = np.arange(w, dtype=np.float32)

    def centre(rows: np.ndarray) -> float | None:
        weight = rows.sum(axis=0, dtype=np.float32)
        total = float(weight.sum())
        return float(weight @ xs) / total if total else None

    quarter = max(1, h // 4)
    top, middle, bottom = (centre(piece[:quarter]), centre(piece[quarter:-quarter]),
                           centre(piece[-quarter:]))
    if top is None or middle is None or bottom is None:
        return 0.0
    return ((top + bottom) / 2 - middle) / w


def _detached_bar(bar: list[int], body: list[int]) -> bool:
    """The flat top bar of a 5 (or a 7) written apart from its body, a little to its side."""
    (xa, ya, wa, ha), (xb, yb, wb, hb) = bar, body
    if ha >= PIECE_HEIGHT * hb or wa >= hb or ha > wa:
        return False
    side_gap = max(xa, xb) - min(xa + wa, xb + wb)  # negative when they overlap across
    top = ya + ha / 2 <= yb + BAR_TOP * hb and ya + ha >= yb - 0.15 * hb
    joint = max(xa + wa, xb + wb) - min(xa, xb)
    return top and side_gap <= BAR_GAP * hb and joint <= BAR_JOINT * hb


def _typical_heights(stats: np.ndarray, labels: list[int]) -> tuple[float, float]:
    """The height of a typical mark (the median, the biggest left out when there are three or
    more: it may be no digit at all, a pen) and of a whole digit (the upper quartile: pieces and
    bars drag the median down)."""
    heights = sorted(int(stats[lab, cv2.CC_STAT_HEIGHT]) for lab in labels)
    if not heights:
        return 0.0, 0.0
    whole = float(heights[(3 * len(heights)) // 4])
    return float(statistics.median(heights[:-1] if len(heights) >= 3 else heights)), whole


def merge_pieces(stats: np.ndarray, labels: list[int],
           image: np.ndarray) -> list[tuple[list[int], list[int]]]:
    """Groups of labels that make one digit, with their joint box (`image`: the label image)."""
    typical, whole = _typical_heights(stats, labels)
    groups = [([lab], [int(v) for v in stats[lab, :4]]) for lab in labels]
    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(groups)), 2):
            if _belong_together(groups[i][1], groups[j][1], typical, whole) \
                    or _halves_of_a_zero(groups[i], groups[j], image):
                (xi, yi, wi, hi), (xj, yj, wj, hj) = groups[i][1], groups[j][1]
                x0, y0 = min(xi, xj), min(yi, yj)
                x1, y1 = max(xi + wi, xj + wj), max(yi + hi, yj + hj)
                groups[i] = (groups[i][0] + groups[j][0], [x0, y0, x1 - x0, y1 - y0])
                del groups[j]
                merged = True
                break
    return groups


def _tight(box: Box, mask: np.ndarray) -> Mark | None:
    """The mark shrunk to its ink (None when it has none)."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    x, y = box[0] + int(x0), box[1] + int(y0)
    return Mark((x, y, int(x1 - x0), int(y1 - y0)), mask[y0:y1, x0:x1])


def split_touching(mark: Mark, ink: np.ndarray | None = None) -> list[Mark]:
    """Touching digits cut apart at the thinnest column of the middle of a too-wide mark, or
    where its darkest ink falls apart (blur joins digits with a halo the threshold keeps)."""
    (x, y, w, h), mask = mark.box, mark.mask
    narrow = w <= SPLIT_ASPECT * h  # narrow digits that touch: only their darkest ink parts them
    if narrow and (ink is None or w <= CORE_SPLIT_ASPECT * h):
        return [mark]
    part_min = CORE_MIN_PART if narrow else SPLIT_MIN_PART
    lo = max(int(SPLIT_ZONE[0] * w), int(part_min * h))
    hi = min(int(SPLIT_ZONE[1] * w), w - int(part_min * h))
    if hi <= lo:
        return [mark]
    column = np.count_nonzero(mask[:, lo:hi], axis=0)
    cut = lo + int(np.argmin(column))
    if narrow or column[cut - lo] > SPLIT_MAX_INK * h:
        cut = _dark_cut(mark, ink, lo, hi) if ink is not None else None
        if cut is None:
            return [mark]
    left = _tight((x, y, cut, h), mask[:, :cut])
    right = _tight((x + cut, y, w - cut, h), mask[:, cut:])
    if left is None or right is None or min(left.box[3], right.box[3]) < SPLIT_MIN_HEIGHT * h:
        return [mark]  # a flat part is a stroke of one digit (the bar of a 5), not a digit
    def part(m: Mark) -> np.ndarray | None:
        return None if ink is None else ink[m.box[1] - y : m.box[1] - y + m.box[3],
                                            m.box[0] - x : m.box[0] - x + m.box[2]]
    return split_touching(left, part(left)) + split_touching(right, part(right))


def _dark_cut(mark: Mark, ink: np.ndarray, lo: int, hi: int) -> int | None:
    """The column between two digits that only the darkest ink of the mark shows apart."""
    inked = ink[mark.mask]
    if not inked.size:
        return None
    core = (ink >= DARK_CORE * float(np.percentile(inked, 95))) & mark.mask
    column = np.count_nonzero(core[:, lo:hi], axis=0)
    cut = lo + int(np.argmin(column))
    if column[cut - lo] > 0:
        return None
    h = mark.box[3]
    left, right = core[:, :cut], core[:, cut:]
    tall = [np.ptp(np.nonzero(side.any(axis=1))[0]) + 1 if side.any() else 0
            for side in (left, right)]
    return cut if min(tall) >= SPLIT_MIN_HEIGHT * h else None
