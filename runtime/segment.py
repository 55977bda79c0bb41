"""Binary ink mask -> digit regions, left to right: connected components filtered by size and
shape, pieces of one broken digit joined, touching digits split at their thinnest column."""

from __future__ import annotations

import itertools

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h
Region = tuple[Box, np.ndarray]  # box and the digit's mask (bool) inside it

MIN_SIZE = 8  # px (longer side): smaller blobs are specks
MIN_AREA = 12  # px
RELATIVE_MIN_SIZE = 0.3  # of the biggest region: dots and specks beside real digits
MAX_ASPECT = 2.5  # width / height; wider blobs are lines or smudges
MAX_FRAME_SPAN = 0.9  # components this wide or tall and touching the border are paper edges
MAX_COMPONENTS = 64  # the largest ones; more than this is texture, not a number
MERGE_OVERLAP = 0.5  # of the narrower box's width: pieces stacked like this are one digit
STACK_OVERLAP = 0.3  # ... or this, when they are one above the other with little vertical overlap
PIECE_SIZE = 0.6  # a piece this much smaller than its neighbour, touching its span, joins it
PIECE_HEIGHT = 0.5  # ... or this much flatter (the bar of a 5 or a 7)
SPLIT_ASPECT = 1.3  # wider than this (width / height): maybe digits that touch
SPLIT_ZONE = (0.3, 0.7)  # the cut is looked for in this part of the width
SPLIT_MAX_INK = 0.15  # of the height: a column this thin is where two digits touch
SPLIT_MIN_PART = 0.4  # of the height: the narrowest digit a cut may leave on either side
SPLIT_MIN_HEIGHT = 0.6  # of the height: the flattest digit a cut may leave
# Grana's block-based labelling computes statistics 3x faster than OpenCV 5's default here
LABELLING = getattr(cv2, "CCL_GRANA", cv2.CCL_DEFAULT)


def regions(mask: np.ndarray) -> list[Region]:
    """The digit-like regions of a uint8 mask (255 = ink), left to right."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask, 8, cv2.CV_32S, LABELLING)
    if count <= 1:
        return []
    found = []
    for members, (x, y, w, h) in _merge(stats, _candidates(stats, mask.shape)):
        window = labels[y : y + h, x : x + w]
        inside = window == members[0] if len(members) == 1 else np.isin(window, members)
        if len(members) == 1:  # only one component can be touching digits; joined pieces stay
            found.extend(_split((x, y, w, h), inside))
        else:
            found.append(((x, y, w, h), inside))
    return _select(found)


def _candidates(stats: np.ndarray, shape: tuple[int, int]) -> list[int]:
    """Component labels big enough to matter and not the paper's or the frame's edges."""
    x, y, w, h, area = (stats[:, i] for i in range(5))
    height, width = shape
    touches = (x == 0) | (y == 0) | (x + w == width) | (y + h == height)
    huge = (w > MAX_FRAME_SPAN * width) | (h > MAX_FRAME_SPAN * height)
    keep = (area >= MIN_AREA) & ~(touches & huge)
    keep[0] = False  # label 0 is the background
    labels = np.flatnonzero(keep)
    return labels[np.argsort(-area[labels])][:MAX_COMPONENTS].tolist()


def _belong_together(a: list[int], b: list[int]) -> bool:
    """Two boxes that are pieces of one digit: stacked over each other, or a small piece touching
    the span of a big one (the bar of a 7 or a 5 drawn apart from the rest)."""
    (xa, ya, wa, ha), (xb, yb, wb, hb) = a, b
    overlap = min(xa + wa, xb + wb) - max(xa, xb)
    gap = max(ya, yb) - min(ya + ha, yb + hb)  # negative when they overlap vertically
    if overlap >= MERGE_OVERLAP * min(wa, wb) and gap <= 0.5 * max(ha, hb):
        return True
    if overlap >= STACK_OVERLAP * min(wa, wb) and -0.2 * min(ha, hb) <= gap <= 0.25 * max(ha, hb):
        return True  # one above the other: a stroke broken across
    small, big = sorted((max(wa, ha), max(wb, hb)))
    piece = small < PIECE_SIZE * big or min(ha, hb) < PIECE_HEIGHT * max(ha, hb)
    return overlap >= 0 and piece and gap <= 0.25 * max(ha, hb)


def _merge(stats: np.ndarray, labels: list[int]) -> list[tuple[list[int], list[int]]]:
    """Groups of labels that make one digit, with their joint box."""
    groups = [([lab], [int(v) for v in stats[lab, :4]]) for lab in labels]
    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(groups)), 2):
            if _belong_together(groups[i][1], groups[j][1]):
                (xi, yi, wi, hi), (xj, yj, wj, hj) = groups[i][1], groups[j][1]
                x0, y0 = min(xi, xj), min(yi, yj)
                x1, y1 = max(xi + wi, xj + wj), max(yi + hi, yj + hj)
                groups[i] = (groups[i][0] + groups[j][0], [x0, y0, x1 - x0, y1 - y0])
                del groups[j]
                merged = True
                break
    return groups


def _tight(box: Box, mask: np.ndarray) -> Region | None:
    """The region shrunk to its ink (None when it has none)."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    x, y = box[0] + int(x0), box[1] + int(y0)
    return (x, y, int(x1 - x0), int(y1 - y0)), mask[y0:y1, x0:x1]


def _split(box: Box, mask: np.ndarray) -> list[Region]:
    """Touching digits cut apart at the thinnest column of the middle of a too-wide region."""
    x, y, w, h = box
    if w <= SPLIT_ASPECT * h:
        return [(box, mask)]
    lo = max(int(SPLIT_ZONE[0] * w), int(SPLIT_MIN_PART * h))
    hi = min(int(SPLIT_ZONE[1] * w), w - int(SPLIT_MIN_PART * h))
    if hi <= lo:
        return [(box, mask)]
    ink = np.count_nonzero(mask[:, lo:hi], axis=0)
    cut = lo + int(np.argmin(ink))
    if ink[cut - lo] > SPLIT_MAX_INK * h:
        return [(box, mask)]
    left = _tight((x, y, cut, h), mask[:, :cut])
    right = _tight((x + cut, y, w - cut, h), mask[:, cut:])
    if left is None or right is None or min(left[0][3], right[0][3]) < SPLIT_MIN_HEIGHT * h:
        return [(box, mask)]  # a flat part is a stroke of one digit (the bar of a 5), not a digit
    return _split(*left) + _split(*right)


def _select(found: list[Region]) -> list[Region]:
    """Digit-shaped regions, not much smaller than the biggest, left to right.

    Size is the longer side: MNIST fits digits by it, so a flat 0 is as big as a tall 1.
    """
    shaped = [r for r in found
              if max(r[0][2], r[0][3]) >= MIN_SIZE and r[0][2] <= MAX_ASPECT * r[0][3]]
    if not shaped:
        return []
    biggest = max(max(r[0][2], r[0][3]) for r in shaped)
    chosen = [r for r in shaped if max(r[0][2], r[0][3]) >= RELATIVE_MIN_SIZE * biggest]
    return sorted(chosen, key=lambda r: r[0][0] + r[0][2] / 2)
