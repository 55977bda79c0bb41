"""Sheet: where the paper is, when a sheet covers only part of the frame (a desk around it).

On a small copy, ink is closed away, the bright part is split from the dark by Otsu, and its largest
region is taken as the sheet if it looks like one: a solid, nearly convex shape big enough to write
on, much brighter than what lies around it (or clearly less coloured, like white paper on wood).
A shadow across a page is not that much darker, so a page in partial shadow stays one page. Anything
else (a frame that is all paper, a blackboard, a bright desk) is read as a whole. When nothing
sheet-like is found, ink is closed away less: the close may have bridged the narrow strip of desk
between the sheet and a light thing beside it (a white keyboard).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SIDE = 100  # the sheet is looked for on a copy this size: it is the biggest thing in view
INK_CLOSE = 5  # px on that copy: closes pen strokes away so they do not cut the paper apart
NARROW_CLOSE = 3  # ... or this, when that also closed the gap to a light thing beside the sheet
MIN_AREA, WHOLE_AREA = 0.02, 0.92  # of the frame: smaller is not a sheet, larger is the frame
MIN_SIDE = 0.12  # of the frame's shorter side: the sheet's shorter side at least this
SMALL_SHEET, SMALL_FILL = 0.06, 0.85  # of the frame: a sheet this small (a sticky note) fills
# this much of its turned box: it is all there is to see of it, and it is a quadrilateral
MIN_SOLIDITY = 0.85  # area over convex hull area: paper is a (perspective) quadrilateral
MAX_HOLES = 0.2  # of the filled area: a sheet has writing on it, not big dark holes
FLAT_SURROUND = 0.8  # the darker part of the frame this bright relative to the rest: all paper
DESK_DARK = 0.5  # surroundings this dark are a desk even behind a soft (blurred) edge
DARK_SURROUND = 0.7  # surroundings at most this bright relative to the paper: a desk, not a shadow
COLOUR_SURROUND, MIN_COLOUR_GAIN = 0.8, 20.0  # or a bit darker but clearly coloured (wood)
RING = 3  # px on the small copy: brightness is compared this far inside and outside the edge
MIN_SHARPNESS = 0.6  # of that step, seen right at the edge: a sheet's edge is sharp, a shadow's not
TOP_PERCENTILE = 98  # the paper's own brightness
THRESHOLD_STEPS = (0.0, 0.3, 0.55)  # from Otsu towards the paper's brightness
QUAD_FILL = 0.88  # of its rotated box: a sheet fills this much (one joined to a keyboard less)
MARGIN = 0.015  # of the frame's shorter side: the sheet's edge itself is not writing


ALL_PAPER = "the frame is all paper"
SOFT_EDGE = "the bright region's edge is soft (a shadow, not a sheet)"
FLAT = "nothing in view much darker than the paper"
FINAL = (ALL_PAPER, SOFT_EDGE, FLAT)


@dataclass(frozen=True)
class Sheet:
    """The paper in working pixels; `mask` is None when the whole frame is read."""

    mask: np.ndarray | None  # bool, working size: True on the paper, its edge left out
    outline: np.ndarray | None  # (N, 2) int32 polygon of the sheet in working pixels
    reason: str  # why the whole frame is read, or 'sheet'

    @property
    def whole(self) -> bool:
        return self.mask is None


def find_sheet(gray: np.ndarray, colour: np.ndarray | None = None) -> Sheet:
    """The sheet on a gray working image (dark ink on light paper); `colour` is a BGR copy or
    None."""
    factor = max(1, int(np.ceil(max(gray.shape) / SIDE)))
    size = (max(1, gray.shape[1] // factor), max(1, gray.shape[0] // factor))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    reasons: list[str] = []
    for close in (INK_CLOSE, NARROW_CLOSE):  # narrower: a light thing the close joined to it
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (close, close))
        light = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), 3)
        best, why = _brightest_sheet(small, light, colour, size)
        if best is not None:
            break
        reasons += why
        if why and why[-1] in FINAL:
            break
    if best is None:
        return Sheet(None, None, "; ".join(dict.fromkeys(reasons)))
    region, filled, outline = best
    margin = max(1, int(round(MARGIN * min(gray.shape))))
    full = cv2.resize(filled, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
    full = cv2.erode(full, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * margin + 1,) * 2))
    poly = cv2.approxPolyDP(outline, 0.01 * cv2.arcLength(outline, True), True)
    return Sheet(full.astype(bool), (poly.reshape(-1, 2) * factor).astype(np.int32), "sheet")


def _brightest_sheet(small: np.ndarray, light: np.ndarray, colour: np.ndarray | None,
                     size: tuple[int, int]) -> tuple[tuple | None, list[str]]:
    """The sheet-like bright region of `light` (ink closed away) that fills its rotated box best,
    or None and why not."""
    otsu, _ = cv2.threshold(light, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    dark, bright = light[light <= otsu], light[light > otsu]
    if not dark.size or not bright.size or dark.mean() > FLAT_SURROUND * bright.mean():
        return None, [FLAT]
    top = float(np.percentile(light, TOP_PERCENTILE))
    reasons: list[str] = []
    best, best_fill = None, 0.0
    for step in THRESHOLD_STEPS:  # brighter and brighter: light things touching it fall away
        level = otsu + step * max(top - otsu, 0.0)
        _, bright = cv2.threshold(light, level, 255, cv2.THRESH_BINARY)
        bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        found = _largest(bright)
        reason = "no bright region" if found is None else _not_a_sheet(
            small, light, *found, colour, size)
        if not reason:
            fill = _rect_fill(found[1], found[2])
            if fill > best_fill:
                best, best_fill = found, fill
            if fill >= QUAD_FILL:  # a paper-shaped sheet: nothing light is joined to it
                break
            continue  # maybe a white keyboard joined to the sheet: try brighter
        reasons.append(reason)
        if reason in FINAL or best is not None:  # brighter would only cut the page's lit part
            break
    return best, reasons


def _rect_fill(filled: np.ndarray, outline: np.ndarray) -> float:
    """How much of its rotated bounding box a region fills (a sheet of paper: nearly all)."""
    (_, (w, h), _) = cv2.minAreaRect(outline)
    return float(filled.sum()) / max(w * h, 1.0)


def _largest(bright: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The largest bright region, the same with its holes filled, and its outline."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count <= 1:
        return None
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == label).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, [outline], -1, 1, cv2.FILLED)
    return region, filled, outline


def _not_a_sheet(small: np.ndarray, light: np.ndarray, region: np.ndarray, filled: np.ndarray,
                 outline: np.ndarray, colour: np.ndarray | None, size: tuple[int, int]) -> str:
    """Why the bright region is not a sheet on a desk ('' when it is one)."""
    area, total = int(filled.sum()), filled.size
    if area < MIN_AREA * total:
        return "no bright region big enough to be paper"
    if area > WHOLE_AREA * total:
        return ALL_PAPER
    (_, (rw, rh), _) = cv2.minAreaRect(outline)
    if min(rw, rh) < MIN_SIDE * min(small.shape):
        return "the bright region is too narrow to be paper"
    if area < SMALL_SHEET * total and area < SMALL_FILL * rw * rh:
        return "the bright region is small and no quadrilateral (a chalk digit, not a note)"
    hull = cv2.contourArea(cv2.convexHull(outline))
    if hull <= 0 or area / hull < MIN_SOLIDITY:
        return "the bright region is not paper-shaped"
    if (area - int(region.sum())) > MAX_HOLES * area:
        return "the bright region has big dark holes"
    near, far = _rings(filled, 1, 1), _rings(filled, RING, RING + 2)
    if near is None or far is None:
        return "the bright region has no surroundings"
    ratio = float(np.median(light[far[1]])) / max(float(np.median(light[far[0]])), 1.0)
    step = float(light[near[0]].mean()) - float(light[near[1]].mean())
    soft = step < MIN_SHARPNESS * (float(light[far[0]].mean()) - float(light[far[1]].mean()))
    if soft and ratio > DESK_DARK:  # a shadow, unless what is around is far too dark for one
        return SOFT_EDGE
    if ratio <= DARK_SURROUND:
        return ""
    if ratio <= COLOUR_SURROUND and colour is not None:
        small_colour = cv2.resize(colour, size, interpolation=cv2.INTER_AREA)
        chroma = (small_colour.max(axis=2).astype(np.int16) - small_colour.min(axis=2))
        if float(chroma[far[1]].mean()) - float(chroma[far[0]].mean()) >= MIN_COLOUR_GAIN:
            return ""
    return f"the surroundings are not much darker than the paper ({ratio:.2f})"


def _rings(filled: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The bands `start`..`stop` px inside and outside a region's edge (bool), None if empty."""
    def grow(n: int) -> np.ndarray:
        if n == 0:
            return filled.astype(bool)
        kernel = np.ones((2 * abs(n) + 1,) * 2, np.uint8)
        return (cv2.dilate(filled, kernel) if n > 0 else cv2.erode(filled, kernel)).astype(bool)
    inside = grow(-(start - 1)) & ~grow(-stop)
    outside = grow(stop) & ~grow(start - 1)
    if not inside.any() or not outside.any():
        return None
    return inside, outside
