"""Shapes: whether a mark is a digit, judged by its shape and the marks around it.

Specks, long straight strokes (a pen, a rule's remnant, the sheet's edge) and pieces lying along
them, solid smudges, blobs far thicker than the writing, big marks far lighter than it (fingers)
and things touching the sheet's edge go; only then are dots much smaller than the digits dropped,
so something big that is not a digit never hides the digits: of one mark far bigger than a row of
marks alike in height beside it, the big one is the object and the row the digits.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import cv2
import numpy as np

from runtime.reader.rows import overlap
from runtime.reader.strokes import axis, on_a_stroke

Box = tuple[int, int, int, int]  # x, y, w, h

RELATIVE_MIN_SIZE = 0.3  # of the biggest digit: dots and specks beside real digits
MAX_ASPECT = 2.5  # width / height; wider blobs are lines or smudges
STRAIGHT = 5.0  # length over width of the mark's rotated box: a straight stroke
MAX_SLANT = 40.0  # degrees from vertical: a straight stroke leaning more is not a 1
MAX_ONE_SLANT = 55.0  # ... unless it is no bigger than the digits (a 1 written at a slant)
LEANING = 0.8  # width / height: a straight stroke leaning past MAX_SLANT is at least this wide
LONG_STROKE = 1.5  # a straight stroke this much longer than the other marks is not a 1
LONE_LONG_STROKE = 2.0  # ... or than the one other mark (a single digit is no sure measure)
SOLID, BLOB = 0.85, 0.5  # fill of its box and short/long side: a smudge, not a digit
SOLID_OBJECT = 0.6  # ... and its thick part fills this much of its rotated box (a curve does not)
BLOB_FILL = 0.72  # ... and fills this much of its rotated box (a blurred 3 or 6: about 0.65)
SOLID_BLOB_FILL, SOLID_BLOB_STROKE = 0.78, 1.4  # a blob as solid as a pen's cap: this thick
CAP_ELONGATION = 2.5  # ... and as long for its width (a blurred 0 filled in is rounder)
BLOB_STROKE = 1.8  # a solid mark with strokes this much thicker than its peers' is no writing
DENSE_SIEVE = 1.3  # ... looked at only when it has this much more ink per length than they do
PEER_SIZE = 0.5  # ... peers being the marks at least this big relative to the median mark
DARKEST = 90  # percentile of a mark's ink: how dark its core is
LIGHT_OBJECT, LIGHT_SIZE = 0.65, 1.3  # this light next to the writing's core, and this much bigger
HAIRLINE = 0.6  # of the writing's stroke: as light and this thin, a mark is an edge's hairline
ROW_MARKS, ROW_ALIKE = 2, 0.6  # marks side by side sharing this much of the taller one's height
UPRIGHT_ELONGATION, UPRIGHT_TILT = 2.5, 35.0  # a 1: long and within this of vertical (degrees)

PAPER_EDGE = "edge of the paper or frame"
SPECK = "speck"
SMALLER = "much smaller than the digits"
WIDE = "wider than a digit"
LYING = "straight stroke lying down"
LONGER = "straight stroke longer than the digits"
PIECE_OF_STROKE = "lies along a long straight stroke (a piece of a pen or an edge)"
THICK_OBJECT = "thick object (pen, hand)"
LIGHT = "far lighter than the writing, and bigger (a hand, a shadow)"
THIN = "far lighter and thinner than the writing (the hairline along a board's or a sheet's edge)"
OUTSIZED = "far bigger than a row of digits beside it (an object)"
CUT_BY_FRAME = "cut by the frame's edge"
# straight strokes rejected for these are a pen, a rule or an edge: pieces along them go too (a
# board's or a desk's edge running out of the frame falls into pieces that each look like a 1)
STRAIGHT_REASONS = (LYING, LONGER, PAPER_EDGE, WIDE, THICK_OBJECT, CUT_BY_FRAME)


@dataclass(frozen=True)
class Mark:
    box: Box  # in working pixels
    mask: np.ndarray  # bool, the mark's ink inside its box

    @property
    def size(self) -> int:
        return max(self.box[2], self.box[3])


@dataclass(frozen=True)
class Marks:
    kept: list[Mark]
    rejected: list[tuple[Mark, str]]  # and why


def box_fill(part: np.ndarray) -> float:
    """How much of its rotated bounding box a shape fills (a pen or a hand: most of it)."""
    ys, xs = np.nonzero(part)
    (_, (w, h), _) = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
    return len(xs) / max((w + 1) * (h + 1), 1.0)


def sheet_edge(sheet: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    """The band along the sheet's edge (bool), None when the whole frame is paper."""
    if sheet is None:
        return None
    paper = sheet.view(np.uint8)
    return cv2.dilate(paper, np.ones((3, 3), np.uint8)).view(bool) & ~cv2.erode(
        paper, np.ones((5, 5), np.uint8)).view(bool)


def shape(mark: Mark) -> tuple[float, float]:
    """Length over width of the mark (from its second moments, strokes.axis), and its long
    axis' angle from vertical in degrees."""
    found = axis(mark.box, mark.mask)
    if found is None:
        return 1.0, 0.0
    (_, _, dx, dy), elongation = found
    along = np.degrees(np.arctan2(dy, dx))  # of the long axis, from horizontal
    return elongation, float(abs(abs(along) - 90.0))


def _why_not_alone(mark: Mark, edge: np.ndarray | None, min_size: int) -> str:
    """Why a mark is no digit whatever the marks around it: a speck, too wide, a smudge, on the
    sheet's edge ('' if it may be one)."""
    x, y, w, h = mark.box
    if mark.size < min_size:
        return SPECK
    if w > MAX_ASPECT * h:
        return WIDE
    if min(w, h) >= BLOB * max(w, h) and np.count_nonzero(mark.mask) >= SOLID * w * h:
        return "solid smudge"
    if edge is not None and edge[y : y + h, x : x + w][mark.mask].any():
        return "touches the sheet's edge"
    return ""


def _straight(mark: Mark, long: float) -> str:
    """Why a mark is a straight stroke and no 1 ('' if it is not): lying down, or longer than
    `long` (px, 0: no measure)."""
    _, _, w, h = mark.box
    longer = long > 0 and mark.size > long
    if longer or w >= LEANING * h:  # else it cannot be a straight stroke that matters here
        elongation, tilt = shape(mark)
        if elongation >= STRAIGHT and tilt > (MAX_SLANT if longer else MAX_ONE_SLANT):
            return LYING
        if elongation >= STRAIGHT and longer:
            return LONGER
    return ""


def _upright_stroke(mark: Mark) -> bool:
    """A long stroke standing up: maybe a 1, however thick its pen."""
    elongation, tilt = shape(mark)
    return elongation >= UPRIGHT_ELONGATION and tilt <= UPRIGHT_TILT


def _has_hole(mask: np.ndarray) -> bool:
    """Whether a shape encloses background (a 0, a 6, an 8, a 9 do; a pen's cap does not)."""
    _, hierarchy = cv2.findContours(mask.view(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return hierarchy is not None and bool((hierarchy[0][:, 3] >= 0).any())


def _stroke(mark: Mark) -> float:
    """Mean stroke width in pixels: area over half the boundary length."""
    own = mark.mask.view(np.uint8)
    boundary = np.count_nonzero(own & ~cv2.erode(own, None, borderValue=0))
    return 2.0 * np.count_nonzero(own) / max(boundary, 1)


def _without_blobs(marks: list[Mark], rejected: list[tuple[Mark, str]]) -> list[Mark]:
    """The marks without solid blobs far thicker than the writing around them (a pen's cap, a
    fingertip), judged against at least two other marks not much smaller than the median."""
    if len(marks) < 3:
        return marks
    dense = [np.count_nonzero(m.mask) / m.size for m in marks]  # ink per length: a cheap sieve
    usual = statistics.median(m.size for m in marks)
    strokes: dict[int, float] = {}

    def stroke(j: int) -> float:
        if j not in strokes:
            strokes[j] = _stroke(marks[j])
        return strokes[j]

    kept = []
    for i, mark in enumerate(marks):
        peers = [j for j, m in enumerate(marks) if j != i and m.size >= PEER_SIZE * usual]
        if not (len(peers) >= 2
                and dense[i] > DENSE_SIEVE * statistics.median(dense[j] for j in peers)):
            kept.append(mark)
            continue
        fill = box_fill(mark.mask)  # the more solid, the less thicker than the writing it need be
        capped = fill >= SOLID_BLOB_FILL and shape(mark)[0] >= CAP_ELONGATION  # not a blurred 0
        thicker = SOLID_BLOB_STROKE if capped else BLOB_STROKE
        if (fill >= BLOB_FILL and stroke(i) > thicker * statistics.median(stroke(j) for j in peers)
                and not _has_hole(mark.mask) and not _upright_stroke(mark)):
            rejected.append((mark, "solid blob thicker than the writing (pen cap, finger)"))
        else:
            kept.append(mark)
    return kept


def _without_light_objects(marks: list[Mark], ink: np.ndarray | None,
                           rejected: list[tuple[Mark, str]]) -> list[Mark]:
    """The marks without those far lighter than the writing beside them and also bigger (a hand
    or a shadow on the sheet is a little darker than the paper all over, a pen's stroke much
    darker at its core) or far thinner (the shaded hairline along a board's rim or a sheet's
    edge, in pieces that each look like a 1). A digit in pencil among inked ones is as light, but
    neither bigger nor thinner. The writing is measured per pixel of ink: a few small hairlines
    are not it."""
    if ink is None or len(marks) < 3:
        return marks
    sizes = [m.size for m in marks]
    weights = [np.count_nonzero(m.mask) for m in marks]
    strokes = [_stroke(m) for m in marks]
    big = {i for i in range(len(marks))
           if sizes[i] > LIGHT_SIZE * statistics.median(sizes[:i] + sizes[i + 1:])}
    thin = {i for i in range(len(marks))
            if strokes[i] < HAIRLINE * _writing(strokes, weights, i)}
    if not big and not thin:  # the usual case, and cheap: no ink looked at
        return marks
    darkest = [_darkest(m, ink) for m in marks]
    light = {i for i in big | thin if darkest[i] < LIGHT_OBJECT * _writing(darkest, weights, i)}
    rejected += [(marks[i], LIGHT if i in big else THIN) for i in sorted(light)]
    return [m for i, m in enumerate(marks) if i not in light]


def _writing(values: list[float], weights: list[int], i: int) -> float:
    """The median of `values` over the marks other than i, each weighing as much as its ink."""
    order = sorted((v, w) for j, (v, w) in enumerate(zip(values, weights, strict=True)) if j != i)
    half, seen = sum(w for _, w in order) / 2, 0
    for value, weight in order:
        seen += weight
        if seen >= half:
            return value
    return 0.0


def _in_a_row(marks: list[Mark]) -> bool:
    """Whether at least ROW_MARKS of the marks stand at one height, sharing most of it, as the
    digits of a row do (specks and dots do not line up)."""
    for mark in marks:
        alike = [m for m in marks if overlap(m.box, mark.box)[1] >= ROW_ALIKE]
        if len(alike) >= ROW_MARKS:
            return True
    return False


def _darkest(mark: Mark, ink: np.ndarray) -> float:
    """How dark a mark's core is: a high percentile of its ink."""
    x, y, w, h = mark.box
    values = ink[y : y + h, x : x + w][mark.mask]
    rank = int(DARKEST / 100 * (values.size - 1))
    return float(np.partition(values, rank)[rank]) if values.size else 0.0


def select(found: list[Mark], rejected: list[tuple[Mark, str]], edge: np.ndarray | None,
           min_size: int, ink: np.ndarray | None = None) -> Marks:
    """Digit-like marks, not much smaller than the biggest digit, in no particular order; `ink`
    is the ink map the marks were cut from (None: no judging by how dark they are).

    Size is the longer side: MNIST fits digits by it, so a flat 0 is as big as a tall 1.
    """
    alone = [_why_not_alone(m, edge, min_size) for m in found]
    # the digits' size is measured on what may be digits: not on specks, nor on the bits of a
    # pen or of the desk along the sheet's edge, which would make a real 1 look long
    plain = [m for m, why in zip(found, alone, strict=True) if not why]
    shaped = []
    for mark, reason in zip(found, alone, strict=True):
        others = [m.size for m in plain if m is not mark]
        if others:  # specks are no measure of the digits' size
            others = [size for size in others if size >= RELATIVE_MIN_SIZE * max(others)]
        typical = float(statistics.median(others)) if others else 0.0
        longer = LONG_STROKE if len(others) > 1 else LONE_LONG_STROKE
        if reason not in (SPECK, WIDE):  # a straight stroke is that first, even on the edge
            reason = _straight(mark, longer * typical) or reason
        if reason:
            rejected.append((mark, reason))
        else:
            shaped.append(mark)
    shaped = _without_light_objects(_without_blobs(shaped, rejected), ink, rejected)
    straight = [found for m, why in rejected if why in STRAIGHT_REASONS
                and (found := axis(m.box, m.mask)) is not None and found[1] >= STRAIGHT]
    lines = [a for a, _ in straight]
    if lines:
        pieces = [m for m in shaped if on_a_stroke(m.box, m.mask, lines)]
        rejected += [(m, PIECE_OF_STROKE) for m in pieces]
        shaped = [m for m in shaped if not any(m is p for p in pieces)]
    if not shaped:
        return Marks([], rejected)
    biggest = max(m.size for m in shaped)
    big = [m for m in shaped if m.size >= RELATIVE_MIN_SIZE * biggest]
    if len(big) == 1 and _in_a_row([m for m in shaped if m is not big[0]]):
        # one mark far bigger than a row of digits is the object; the row is no specks
        rejected.append((big[0], OUTSIZED))
        shaped = [m for m in shaped if m is not big[0]]
        biggest = max(m.size for m in shaped)
    kept = []
    for mark in shaped:
        if mark.size >= RELATIVE_MIN_SIZE * biggest:
            kept.append(mark)
        else:
            rejected.append((mark, SMALLER))
    return Marks(kept, rejected)
