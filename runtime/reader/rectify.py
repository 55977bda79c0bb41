"""Rectify: a sheet whose outline is a quadrilateral is warped flat before it is read.

A page photographed at an angle, a sticky note turned on a desk: their four corners are where the
sheet stage found the outline. A four-point warp maps them to a rectangle as long as the sheet's
longer sides look, so the writing stands upright and its rows run level, as if the camera looked
straight down; what the reader finds there is mapped back to the image's pixels. An outline that
is no quadrilateral (a sheet cut by the frame's edge, a curled page) is read as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h

SQUARENESS = (0.02, 0.04, 0.06)  # of the outline's perimeter: how far the four sides may stray
MIN_FILL = 0.92  # the four corners' quadrilateral covers this much of the outline's hull
INSET = 0.02  # of the shorter side: the corners move in this far (the edge is paper's, not ink)
SEARCH = 0.04  # of the quadrilateral's diagonal: each side's true edge is looked for this far
# either way of the outline (found on a small copy, it is that coarse)
SAMPLES = 24  # points along each side where the edge is looked for, its middle 70%
STEP_PX = 1.5  # px either side of a point: the brightness step across the edge is measured there
MIN_STEP = 0.12  # of the paper's brightness: a sheet's edge is at least this much brighter inside
MIN_FOUND = 0.5  # of the points along a side: fewer on an edge, the side is no sheet's edge
SLIVER = 0.25  # of the flattened sheet's shorter side: paper the sheet's mask missed, thinner
# than this along its edges, is paper
MAX_SIDE = 1600  # px: a flattened sheet is at most this big (more pixels add nothing)
MIN_SIDE = 40  # px: ... and at least this (smaller is no sheet to read)


@dataclass(frozen=True)
class Warp:
    """A four-point warp from the image's pixels to a flattened sheet's, and back."""

    matrix: np.ndarray  # 3x3: image pixels -> sheet pixels
    size: tuple[int, int]  # the flattened sheet's (width, height)
    corners: np.ndarray  # (4, 2) float32: the sheet's corners in the image (for --debug)

    def apply(self, image: np.ndarray, interpolation: int = cv2.INTER_LINEAR,
              border: int | None = None) -> np.ndarray:
        """The image on the flattened sheet; beyond the image, `border`, or its edge repeated."""
        if border is None:
            return cv2.warpPerspective(image, self.matrix, self.size, flags=interpolation,
                                       borderMode=cv2.BORDER_REPLICATE)
        return cv2.warpPerspective(image, self.matrix, self.size, flags=interpolation,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=border)

    def paper(self, mask: np.ndarray) -> np.ndarray:
        """Where the paper is on the flattened sheet (bool), from the sheet stage's mask of it
        (uint8, the image's pixels): that mask, found on a small copy, misses slivers along the
        sheet's edges (and its corners, where the edge is shaded); what it leaves out wider than
        SLIVER of the sheet (a hand or a pen over the edge) stays out."""
        out = self.apply(mask, cv2.INTER_NEAREST, 0) == 0
        k = max(3, int(SLIVER * min(self.size)))
        out = cv2.morphologyEx(out.view(np.uint8), cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
        return out == 0

    def back(self, box: Box) -> Box:
        """A box on the flattened sheet -> the box around it in the image's pixels."""
        x, y, w, h = box
        corners = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
        seen = cv2.perspectiveTransform(corners[None], np.linalg.inv(self.matrix))[0]
        (x0, y0), (x1, y1) = np.floor(seen.min(axis=0)), np.ceil(seen.max(axis=0))
        return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def corners(outline: np.ndarray) -> np.ndarray | None:
    """The four corners of an outline (N, 2) that is a quadrilateral, clockwise from the top-left
    (float32), or None."""
    hull = cv2.convexHull(outline.reshape(-1, 1, 2).astype(np.int32))
    area = cv2.contourArea(hull)
    if area <= 0:
        return None
    for stray in SQUARENESS:
        quad = cv2.approxPolyDP(hull, stray * cv2.arcLength(hull, True), True)
        if len(quad) == 4 and cv2.contourArea(quad) >= MIN_FILL * area:
            break
    else:  # a small sheet's outline is blocky, its corners cut: its turned box, if it fills it
        box = cv2.minAreaRect(hull)
        if area < MIN_FILL * box[1][0] * box[1][1]:
            return None
        quad = cv2.boxPoints(box)
    pts = quad.reshape(4, 2).astype(np.float32)
    centre = pts.mean(axis=0)
    order = np.argsort(np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0]))
    pts = pts[order]  # clockwise in image coordinates (y down), from the left-most angle
    first = int(np.argmin(pts.sum(axis=1)))  # the top-left corner: smallest x + y
    return np.roll(pts, -first, axis=0)


def refine(quad: np.ndarray, gray: np.ndarray) -> np.ndarray | None:
    """The corners moved onto the sheet's edges in `gray` (the image the quadrilateral is in):
    along each side, the strongest step from bright inside to dark outside near the outline; a
    line through those points per side, the corners where the lines meet. None when a side has
    no such edge along most of it."""
    centre = quad.mean(axis=0)
    reach = max(3.0, SEARCH * float(np.linalg.norm(quad.max(axis=0) - quad.min(axis=0))))
    offsets = np.arange(-reach, reach + 1, dtype=np.float32)
    along = np.linspace(0.15, 0.85, SAMPLES, dtype=np.float32)
    lines = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        side = b - a
        normal = np.float32([side[1], -side[0]]) / max(float(np.linalg.norm(side)), 1e-6)
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal  # pointing out of the sheet
        points = a + along[:, None] * side  # (SAMPLES, 2)
        inside, outside = (points[:, None, :] + (offsets[None, :, None] + d) * normal
                           for d in (-STEP_PX, STEP_PX))
        step = _sample(gray, inside) - _sample(gray, outside)  # (SAMPLES, offsets)
        best = step.argmax(axis=1)
        level = float(np.median(_sample(gray, inside[:, :1])))
        found = step[np.arange(SAMPLES), best] >= MIN_STEP * max(level, 1.0)
        if np.count_nonzero(found) < MIN_FOUND * SAMPLES:
            return None
        edge = points[found] + offsets[best[found], None] * normal
        lines.append(cv2.fitLine(edge.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01)
                     .reshape(4))
    out = []
    for (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) in zip(np.roll(lines, 1, axis=0), lines,
                                                      strict=True):
        det = vx1 * vy2 - vy1 * vx2  # corner k is where side k-1 meets side k
        if abs(det) < 1e-3:
            return None
        t = ((x2 - x1) * vy2 - (y2 - y1) * vx2) / det
        out.append((x1 + t * vx1, y1 + t * vy1))
    refined = np.float32(out)
    if np.abs(refined - quad).max() > 2 * reach:
        return None
    return refined


def _sample(gray: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bilinear samples of `gray` at points (..., 2) (x, y), float32; the edge's value outside."""
    shape = points.shape[:-1]
    flat = points.reshape(-1, 1, 2).astype(np.float32)
    values = cv2.remap(gray, flat[..., 0], flat[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    return values.reshape(shape).astype(np.float32)


def warp_for(quad: np.ndarray) -> Warp | None:
    """The warp flattening the sheet with these corners (image pixels, clockwise from the
    top-left), moved in a little; None when the sheet would be too small to read."""
    centre = quad.mean(axis=0)
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)  # top, right, bottom, left
    inset = INSET * float(min(sides))
    towards = centre - quad
    quad = quad + towards / np.linalg.norm(towards, axis=1, keepdims=True) * inset * np.sqrt(2)
    sides = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
    width, height = float(max(sides[0], sides[2])), float(max(sides[1], sides[3]))
    scale = min(1.0, MAX_SIDE / max(width, height))
    w, h = round(width * scale), round(height * scale)
    if min(w, h) < MIN_SIDE:
        return None
    rect = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    return Warp(cv2.getPerspectiveTransform(quad.astype(np.float32), rect), (w, h),
                quad.astype(np.float32))
