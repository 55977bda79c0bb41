"""Marks: the binary ink cut into candidate digits; what is not a digit is rejected, with a reason.

Connected components (the thick parts of a pen or a hand lying on the writing taken out first),
made one digit each by pieces.py (a broken digit's pieces joined, touching digits split); the
paper's and the frame's edges are rejected here, and shapes.py then decides which are digits.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

import cv2
import numpy as np

from runtime.reader.ink import Ink
from runtime.reader.pieces import merge_pieces, split_touching
from runtime.reader.rules import remove_underlines
from runtime.reader.shapes import (  # noqa: F401 (Mark, Marks and the reasons are the stage's API)
    CUT_BY_FRAME,
    MAX_ASPECT,
    PAPER_EDGE,
    SMALLER,
    SOLID_OBJECT,
    SPECK,
    THICK_OBJECT,
    WIDE,
    Mark,
    Marks,
    box_fill,
    select,
    shape,
    sheet_edge,
)

MIN_SIZE = 8  # px (longer side) at the working scale: smaller blobs are specks
MIN_DETECT = 4  # px: blobs this big may be small writing seen from afar (the reader looks closer)
MIN_AREA = 6  # px
MAX_FRAME_SPAN = 0.9  # components this wide or tall and touching the border are paper edges
MAX_COMPONENTS = 64  # the largest ones; more than this is texture, not a number
BIG_OBJECT = 2.0  # a component this much bigger than the typical mark may be a pen or a hand
HUGE_OBJECT = 4.0  # ... and its thick part a pen (long and straight) or this much bigger (a hand)
STROKE_RUN = 2.5  # a digit's strokes, laid end to end, are about this many times its size
THICK_STROKE = 1.8  # of the mean stroke width: parts of it this thick are not writing
UNDERLINE = 1.6  # of the marks' height: a straight line this long is no digit's stroke
UNDERLINE_WIDTH, MIN_UNDERLINE_PX = 2.0, 3  # of the pen's stroke width (px): ... and this thin
# Grana's block-based labelling computes statistics 3x faster than OpenCV 5's default here
LABELLING = getattr(cv2, "CCL_GRANA", cv2.CCL_DEFAULT)


def find_marks(mask: np.ndarray, sheet: np.ndarray | None = None, min_size: int = MIN_SIZE,
               ink: np.ndarray | None = None) -> Marks:
    """The digit-like marks of a uint8 mask (255 = ink); `sheet` (bool) says where the paper is;
    `ink` the ink map the mask was thresholded from (blurred digits that touch are parted on it).
    What the mask's edges cut is rejected (a frame's, or a closer look's region's: the writing
    lies well inside it)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask, 8, cv2.CV_32S, LABELLING)
    if count <= 1:
        return Marks([], [])
    rejected: list[tuple[Mark, str]] = []
    thinned = _without_thick_objects(mask, labels, stats, min_size, rejected)
    if thinned is not None:  # a pen or a hand touched the writing: label what is left
        mask = thinned
        count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
            mask, 8, cv2.CV_32S, LABELLING)
    labels_kept = _candidates(stats, mask.shape, labels, rejected)
    found: list[Mark] = []
    for members, (x, y, w, h) in merge_pieces(stats, labels_kept, labels):
        window = labels[y : y + h, x : x + w]
        inside = window == members[0] if len(members) == 1 else np.isin(window, members)
        if len(members) == 1:  # only one component can be touching digits; joined pieces stay
            window_ink = None if ink is None else ink[y : y + h, x : x + w]
            found.extend(split_touching(Mark((x, y, w, h), inside), window_ink))
        else:
            found.append(Mark((x, y, w, h), inside))
    found = _off_frame(found, mask.shape, rejected)
    return select(found, rejected, sheet_edge(sheet, mask.shape), min_size, ink)


def find_marks_on(ink: Ink, sheet: np.ndarray | None, min_size: int) -> tuple[Ink, Marks]:
    """find_marks on an ink map; a straight line longer than any digit of the writing (an
    underline, often touching the digits above it) is taken out with the rules first."""
    marks = find_marks(ink.mask, sheet, min_size, ink=ink.ink)
    writing = marks.kept or [m for m, why in marks.rejected if why == WIDE and m.box[3] >= min_size]
    if not writing:
        return ink, marks
    heights = sorted(m.box[3] for m in writing)
    typical = float(heights[(3 * len(heights)) // 4])  # a digit's, not a speck's
    # the pen's width from the marks' ink per length (a digit's strokes run STROKE_RUN its size)
    pen = float(np.median([np.count_nonzero(m.mask) / (STROKE_RUN * m.size) for m in writing]))
    thick = max(MIN_UNDERLINE_PX, int(round(UNDERLINE_WIDTH * pen)))
    clean, gone = remove_underlines(ink.mask, int(UNDERLINE * typical), thick)
    if not cv2.countNonZero(gone):
        return ink, marks
    ink = replace(ink, mask=clean, lines=cv2.bitwise_or(ink.lines, gone))
    return ink, find_marks(clean, sheet, min_size, ink=ink.ink)


def _without_thick_objects(mask: np.ndarray, labels: np.ndarray, stats: np.ndarray, min_size: int,
                           rejected: list[tuple[Mark, str]]) -> np.ndarray | None:
    """The mask without the thick parts of components much bigger than the writing (a pen lying
    on the sheet, a finger, a shadow), or None when there are none. Strokes are thinner."""
    widths, heights = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    sizes = np.maximum(widths, heights)
    # the writing is measured on what may be digits: not on a rule's remnants, which are flat,
    # nor on a dim frame's specks (small writing seen from afar waits for the closer look)
    maybe = (sizes >= max(min_size, MIN_SIZE)) & (widths <= MAX_ASPECT * heights)
    plain = np.sort(sizes[maybe])[::-1]
    if len(plain) < 2:
        return None
    typical = float(statistics.median(
        (plain[: (len(plain) + 1) // 2][1:] if len(plain) > 2 else plain[1:]).tolist()))
    big = 1 + np.flatnonzero(sizes > BIG_OBJECT * typical)
    if not len(big):
        return None
    # the writing's stroke width, from its marks' ink per length (a digit's strokes run about
    # STROKE_RUN times its size)
    writing = maybe & (sizes <= BIG_OBJECT * typical)
    if not writing.any():
        return None
    stroke = float(np.median(stats[1:, cv2.CC_STAT_AREA][writing] / (STROKE_RUN * sizes[writing])))
    k = max(3, int(round(THICK_STROKE * stroke)) | 1)
    gone = np.zeros_like(mask)
    for lab in big:  # each within its own box: cheap however big the frame
        x, y, w, h, area = (int(v) for v in stats[lab])
        own = (labels[y : y + h, x : x + w] == lab).view(np.uint8)
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        thick = cv2.morphologyEx(own, cv2.MORPH_OPEN, disc)
        n, parts, part_stats, _ = cv2.connectedComponentsWithStats(thick, connectivity=8)
        for i in range(1, n):
            px, py, pw, ph, _ = (int(v) for v in part_stats[i])
            part = parts[py : py + ph, px : px + pw] == i
            size = max(pw, ph)
            if size <= BIG_OBJECT * typical or box_fill(part) < SOLID_OBJECT:
                continue  # a thick curved stroke of a big digit, not a pen or a hand
            if size > HUGE_OBJECT * typical or shape(Mark((px, py, pw, ph), part))[0] >= 3.0:
                grown = cv2.dilate((parts == i).view(np.uint8), disc, iterations=2)
                gone[y : y + h, x : x + w] |= grown * np.uint8(255)
                rejected.append((Mark((x + px, y + py, pw, ph), part), THICK_OBJECT))
    if not gone.any():
        return None
    return cv2.bitwise_and(mask, cv2.bitwise_not(gone))


def _off_frame(found: list[Mark], shape: tuple[int, int],
               rejected: list[tuple[Mark, str]]) -> list[Mark]:
    """Marks not cut by the frame's edge (what the camera cuts off cannot be read)."""
    height, width = shape
    kept = []
    for mark in found:
        x, y, w, h = mark.box
        if x == 0 or y == 0 or x + w == width or y + h == height:
            rejected.append((mark, CUT_BY_FRAME))
        else:
            kept.append(mark)
    return kept


def _candidates(stats: np.ndarray, shape: tuple[int, int], labels: np.ndarray,
                rejected: list[tuple[Mark, str]]) -> list[int]:
    """Component labels big enough to matter and not the paper's or the frame's edges."""
    x, y, w, h, area = (stats[:, i] for i in range(5))
    height, width = shape
    touches = (x == 0) | (y == 0) | (x + w == width) | (y + h == height)
    huge = (w > MAX_FRAME_SPAN * width) | (h > MAX_FRAME_SPAN * height)
    edges = np.flatnonzero(touches & huge)
    for lab in edges[edges > 0]:
        bx, by, bw, bh = (int(v) for v in stats[lab, :4])
        rejected.append((Mark((bx, by, bw, bh), labels[by : by + bh, bx : bx + bw] == lab),
                         PAPER_EDGE))
    keep = (area >= MIN_AREA) & ~(touches & huge)
    keep[0] = False  # label 0 is the background
    found = np.flatnonzero(keep)
    return found[np.argsort(-area[found])][:MAX_COMPONENTS].tolist()
