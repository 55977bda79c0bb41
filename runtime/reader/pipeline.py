"""The reader's stages run in order: frame -> sheet -> ink -> marks -> digits -> rows.

The working resolution follows the content: a first look on a copy about WORK_SIDE pixels wide; when
the marks found there are small (writing far from the camera, or small in a big frame), or the only
ink there is too faint for the first look's threshold, a second look at the region holding them,
at the resolution that makes them about TARGET_SIZE pixels tall.
Digits are always cut from the full-size image. A short stroke standing alone, with a light pen's
body going on past one end, is the pen's tip, not a 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from runtime.reader import rectify
from runtime.reader.digits import MNIST_SIDE, crop, cut_digit
from runtime.reader.frame import factor_for, prepare, shrink
from runtime.reader.ink import MIN_INK, Ink, find_ink
from runtime.reader.marks import (
    MIN_DETECT,
    MIN_SIZE,
    SMALLER,
    SPECK,
    Mark,
    Marks,
    find_marks,
    find_marks_on,
)
from runtime.reader.rows import MIN_OVERLAP, group_rows, overlap, row_slope
from runtime.reader.sheet import Sheet, find_sheet
from runtime.reader.strokes import axis, runs_on

WORK_SIDE = 400  # px: the first look (speed); digits are cut at full size
REFINE_BELOW = 18  # px at the first look: marks smaller than this are looked at again, closer
# (a thin stroke shrunk to a fraction of a pixel fades under the threshold, and the digit loses it)
TARGET_SIZE = 24  # px: ... at the resolution that makes them about this big
REFINE_MARGIN = 3.0  # of the marks' size: the closer look covers this much around them
LINE_MARKS = 3.0  # a ruled line is longer than this many marks (a digit's bar is not)
LINE_WIDTH = 0.25  # of the marks' size: a ruled line is at most this wide (a stroke is wider)
CLOSER_LINE_WIDTH = 6  # px: ... and at least this wide (a blurred rule, seen at full resolution)
CLOSER_MIN_INK = 35  # the lowest ink threshold there: small writing is faint, and where marks were
# found the risk of reading paper grain as ink is small (specks are rejected by size anyway)

TIP_ELONGATION = 1.5  # length over width: a pen's tip is a short stroke or a blob, longer than wide
ROW_REACH = 1.5  # of the taller height: marks in a row (rows.MIN_OVERLAP) are this near
PEN_TIP = "the tip of a pen (its body runs on past it)"
NOT_HINTS = (SPECK, SMALLER)  # marks rejected for anything else may be a desk's, a pen's, an edge's
ALL_PAPER = "nothing but writing in view: all paper"
HUGE_MARK = 0.5  # of the frame's shorter side: a mark this big may be a sheet seen as ink
FLATTENED = "a sheet flattened by its four corners"
TURN_UPRIGHT = 0.12  # rise over run (7 degrees): rows sloping more have their digits turned
# upright (MNIST's writers lean their digits less; a slope estimated from a few uneven digits
# can be that far off)

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Look:
    """One look at (part of) the frame: where, how shrunk, and what each stage found."""

    origin: tuple[int, int]  # top-left corner in the full-size gray image
    factor: int  # working pixels are this many full-size pixels
    work: np.ndarray  # the gray working copy
    sheet: Sheet
    ink: Ink
    marks: Marks

    def to_full(self, box: Box) -> Box:
        """A working box in full-size gray pixels."""
        x, y, w, h = box
        f = self.factor
        return (x * f + self.origin[0], y * f + self.origin[1], w * f, h * f)


@dataclass(frozen=True)
class Found:
    """The digits found in one image: model inputs, boxes in the image's pixels, rows."""

    images: np.ndarray  # float32 (N, 28, 28) in [0, 1], white on black
    boxes: list[Box]  # (x, y, w, h) in the input image's pixels
    lines: list[list[int]]  # indices into images/boxes: rows top to bottom, each left to right
    looks: list[Look] = field(default_factory=list)  # what the stages saw (for --debug)
    scale: float = 1.0  # the full-size gray image is this many times the input
    warp: rectify.Warp | None = None  # the sheet was flattened: looks after the first are on it
    marks: list[tuple[Look, Mark]] = field(default_factory=list)  # each image's look and mark
    gray: np.ndarray | None = None  # the gray image the marks are in (segments are cut from it)
    shape: tuple[int, ...] = ()  # the input image's shape
    slope: float = 0.0  # the rows' rise over run, when the digits are turned upright

    def cut(self, look: Look, mark: Mark) -> tuple[np.ndarray, Box]:
        """A mark of a look cut from the gray image: its model input and its box in the input
        image's pixels."""
        return self.cut_parts(look, mark, [mark])[0]

    def cut_parts(self, look: Look, whole: Mark, parts: list[Mark]
                  ) -> list[tuple[np.ndarray, Box]]:
        """Parts of a mark (each inside its box) cut from the gray image at once, as cut()."""
        region = self.gray[look.origin[1]:, look.origin[0]:]
        within = crop(region, look.ink.paper, look.ink.dark, whole.box, look.factor,
                      look.ink.lines)
        out = []
        for part in parts:
            box = look.to_full(part.box)
            if self.warp is not None:
                box = self.warp.back(box)
            out.append((cut_digit(within, part.mask, part.box, self.slope),
                        _to_input(box, self.scale, self.shape)))
        return out

    def in_reading_order(self) -> list[int]:
        return [i for line in self.lines for i in line]


def _look(gray: np.ndarray, origin: tuple[int, int], factor: int, sheet: Sheet | None,
          colour: np.ndarray | None, min_size: int, min_line: int = 0, max_width: int = 0,
          min_ink: float = MIN_INK) -> Look:
    work = shrink(gray, factor)
    if sheet is None:  # the sheet is looked for only when something else may be in view
        ink = find_ink(work, None, min_line, max_width, min_ink)
        ink, marks = find_marks_on(ink, None, min_size)
        huge = any(m.size > HUGE_MARK * min(work.shape) for m in marks.kept)
        if ink.dark and not huge and all(why in NOT_HINTS for _, why in marks.rejected):
            return Look(origin, factor, work, Sheet(None, None, ALL_PAPER), ink, marks)
        sheet = find_sheet(work, colour)
        if sheet.whole:
            return Look(origin, factor, work, sheet, ink, marks)
    ink = find_ink(work, sheet.mask, min_line, max_width, min_ink)
    ink, marks = find_marks_on(ink, sheet.mask, min_size)
    return Look(origin, factor, work, sheet, ink, marks)


def _closer_look(gray: np.ndarray, first: Look, small: list[Mark]) -> Look:
    """The region around small marks, looked at with more pixels."""
    f1 = first.factor
    size = float(np.median([m.size for m in small]))
    factor = max(1, int(f1 * size / TARGET_SIZE))
    pad = int(REFINE_MARGIN * size * f1)
    boxes = [first.to_full(m.box) for m in small]
    x0 = max(0, min(b[0] for b in boxes) - pad) // factor * factor
    y0 = max(0, min(b[1] for b in boxes) - pad) // factor * factor
    x1 = min(gray.shape[1], max(b[0] + b[2] for b in boxes) + pad)
    y1 = min(gray.shape[0], max(b[1] + b[3] for b in boxes) + pad)
    region = gray[y0:y1, x0:x1]
    sheet = first.sheet
    if sheet.mask is not None:  # the sheet found on the first look, cut to the region
        mask = cv2.resize(sheet.mask.view(np.uint8), (gray.shape[1], gray.shape[0]),
                          interpolation=cv2.INTER_NEAREST)[y0:y1, x0:x1]
        mask = shrink_mask(mask, factor)
        sheet = Sheet(mask.astype(bool), None, sheet.reason)
    else:
        sheet = Sheet(None, None, sheet.reason)
    min_line = int(LINE_MARKS * size * f1 / factor)
    max_width = max(CLOSER_LINE_WIDTH, int(LINE_WIDTH * size * f1 / factor))
    # what its edges cut is no digit near the small marks (they lie well inside): a sheet's
    # corner, a pen, the frame's edge
    return _look(region, (x0, y0), factor, sheet, None, MIN_SIZE, min_line, max_width,
                 min_ink=CLOSER_MIN_INK)


def _faint(look: Look, small: list[Mark]) -> list[Mark]:
    """Small marks of ink too faint for the first look's threshold (a pencil far from the camera
    fades when shrunk), not already among `small`: where the closer look should look too."""
    faint = (look.ink.ink >= CLOSER_MIN_INK).view(np.uint8) * np.uint8(255)
    if not cv2.countNonZero(faint):
        return []
    found = find_marks(faint, look.sheet.mask, MIN_DETECT, look.ink.ink).kept
    return [m for m in found if m.size < REFINE_BELOW
            and not any(_inside(look.to_full(m.box), look.to_full(s.box)) for s in small)]


def shrink_mask(mask: np.ndarray, factor: int) -> np.ndarray:
    """A uint8 mask shrunk by a whole number (nearest)."""
    return mask[::factor, ::factor][: mask.shape[0] // factor, : mask.shape[1] // factor] \
        if factor > 1 else mask


def find_digits(image: np.ndarray, colour: np.ndarray | None = None) -> Found:
    """Every digit in a photo or frame, MNIST-normalised, grouped in rows; a sheet whose outline
    is a quadrilateral is flattened first (rectify.py) and read as all paper."""
    gray, scale = prepare(image)
    if colour is None and image.ndim == 3 and image.shape[2] >= 3 and image.dtype == np.uint8:
        colour = image[..., :3]
    first = _first_look(gray, None, colour)
    quad = None if first.sheet.outline is None else rectify.corners(first.sheet.outline)
    quad = None if quad is None else rectify.refine(quad, first.work)
    warp = None if quad is None else rectify.warp_for(quad * first.factor)
    if warp is None:
        looks, chosen = _looks(gray, first, image, scale)
    else:  # the sheet's own outline stays its outline: a hand or a pen over its edge is no ink
        mask = cv2.resize(first.sheet.mask.view(np.uint8), (gray.shape[1], gray.shape[0]),
                          interpolation=cv2.INTER_NEAREST)
        sheet = Sheet(warp.paper(mask), None, FLATTENED)
        gray = warp.apply(gray)
        looks, chosen = _looks(gray, _first_look(gray, sheet), gray, 1.0)
        looks = [first, *looks]
    full = [look.to_full(mark.box) for look, mark in chosen]
    slope = row_slope(full)  # a page seen turned: its digits are turned upright
    found = Found(np.zeros((0, MNIST_SIDE, MNIST_SIDE), np.float32), [], group_rows(full), looks,
                  scale, warp, chosen, gray, image.shape,
                  slope if abs(slope) >= TURN_UPRIGHT else 0.0)
    cut = [found.cut(look, mark) for look, mark in chosen]
    if not cut:
        return found
    return replace(found, images=np.stack([digit for digit, _ in cut]),
                   boxes=[box for _, box in cut])


def _first_look(gray: np.ndarray, sheet: Sheet | None, colour: np.ndarray | None = None) -> Look:
    """The first look at a gray image, on a copy about WORK_SIDE wide; `sheet`, if given, is
    where the paper is in the gray image's pixels."""
    factor = factor_for(gray.shape, WORK_SIDE)
    if sheet is not None and sheet.mask is not None:
        sheet = Sheet(shrink_mask(sheet.mask.view(np.uint8), factor).view(bool), sheet.outline,
                      sheet.reason)
    return _look(gray, (0, 0), factor, sheet, colour, MIN_DETECT if factor > 1 else MIN_SIZE)


def _looks(gray: np.ndarray, first: Look, image: np.ndarray,
           scale: float) -> tuple[list[Look], list[tuple[Look, Mark]]]:
    """The looks at a gray image (the first, and a closer one at small marks) and the marks
    chosen from them; `image` and `scale` are where pens' bodies are looked for."""
    looks = [first]
    kept = first.marks.kept
    small = [m for m in kept if m.size < REFINE_BELOW]
    if first.factor > 1 and (not kept or small and len(small) * 2 >= len(kept)):
        small += _faint(first, small)
        if small:
            looks.append(_closer_look(gray, first, small))
    chosen: list[tuple[Look, Mark]] = []
    for look in looks:
        chosen += [(look, m) for m in look.marks.kept if m.size >= MIN_SIZE or look is not first]
    if len(looks) > 1:  # the first look's marks are replaced where the closer look looked
        x0, y0 = looks[1].origin
        h, w = looks[1].work.shape
        f = looks[1].factor
        chosen = [(look, m) for look, m in chosen if look is looks[1] or not _inside(
            look.to_full(m.box), (x0, y0, w * f, h * f))]
    return looks, _without_pen_tips(chosen, image, scale)


def _without_pen_tips(chosen: list[tuple[Look, Mark]], image: np.ndarray,
                      scale: float) -> list[tuple[Look, Mark]]:
    """The marks without the dark tips of pens whose light bodies continue past them: a short
    stroke alone (no mark beside it in a row) with something that is not paper along its axis."""
    full = [look.to_full(mark.box) for look, mark in chosen]
    kept = []
    for k, (look, mark) in enumerate(chosen):
        found = None if _has_neighbour(full, k) else axis(mark.box, mark.mask)
        if found is not None and found[1] >= TIP_ELONGATION:
            (cx, cy, dx, dy), _ = found
            centre = ((cx * look.factor + look.origin[0]) / scale,
                      (cy * look.factor + look.origin[1]) / scale)
            if runs_on(image, centre, (dx, dy), mark.size * look.factor / scale):
                look.marks.kept.remove(mark)
                look.marks.rejected.append((mark, PEN_TIP))
                continue
        kept.append((look, mark))
    return kept


def _has_neighbour(boxes: list[Box], k: int) -> bool:
    """Whether another box sits beside box k, as digits in a row do."""
    x, _, w, h = boxes[k]
    for j, (xj, _, wj, hj) in enumerate(boxes):
        if j == k:
            continue
        gap = max(xj - (x + w), x - (xj + wj))
        if overlap(boxes[k], boxes[j])[0] >= MIN_OVERLAP and gap <= ROW_REACH * max(h, hj):
            return True
    return False


def _inside(box: Box, region: Box) -> bool:
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return region[0] <= cx < region[0] + region[2] and region[1] <= cy < region[1] + region[3]


def _to_input(box: Box, scale: float, shape: tuple[int, ...]) -> Box:
    """A box in full-size gray pixels in the input image's pixels."""
    x, y, w, h = box
    x0, y0 = int(x / scale), int(y / scale)
    x1 = min(int(np.ceil((x + w) / scale)), shape[1])
    y1 = min(int(np.ceil((y + h) / scale)), shape[0])
    return (x0, y0, x1 - x0, y1 - y0)
