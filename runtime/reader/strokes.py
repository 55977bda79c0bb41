"""Strokes: the axis of a long straight stroke (a pen, a rule's remnant, the sheet's edge), and
whether a smaller mark lies on it: a pen crossed by ruled lines falls into digit-sized pieces
that each look like a 1, but they line up with the part of it that was seen whole."""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]
Axis = tuple[float, float, float, float]  # centre x, y (working pixels), direction (unit) x, y

ON_AXIS = 0.3  # of the piece's size: its centre at most this far from the stroke's axis
ALONG = 12.0  # degrees: ... and its own long axis at most this far from the stroke's
PIECE_ELONGATION = 2.0  # length over width: a piece of a straight stroke is itself elongated


def axis(box: Box, mask: np.ndarray) -> tuple[Axis, float] | None:
    """The long axis of a mark (from its second moments) and its length over width."""
    m = cv2.moments(mask.view(np.uint8), binaryImage=True)
    if m["m00"] <= 0:
        return None
    a, b, c = m["mu20"] / m["m00"], m["mu11"] / m["m00"], m["mu02"] / m["m00"]
    spread = np.sqrt(max((a - c) ** 2 + 4 * b * b, 0.0))
    long, short = (a + c + spread) / 2, max((a + c - spread) / 2, 1.0 / 12)
    angle = 0.5 * np.arctan2(2 * b, a - c)
    centre = (box[0] + m["m10"] / m["m00"], box[1] + m["m01"] / m["m00"])
    return (centre[0], centre[1], float(np.cos(angle)), float(np.sin(angle))), float(
        np.sqrt(long / short))


def on_a_stroke(box: Box, mask: np.ndarray, strokes: list[Axis]) -> bool:
    """Whether an elongated mark lies along one of the strokes' axes (a piece of it)."""
    if not strokes:
        return False
    found = axis(box, mask)
    if found is None or found[1] < PIECE_ELONGATION:
        return False
    (cx, cy, dx, dy), _ = found
    size = max(box[2], box[3])
    for sx, sy, ux, uy in strokes:
        if abs(dx * ux + dy * uy) < np.cos(np.radians(ALONG)):
            continue  # not parallel
        if abs((cx - sx) * uy - (cy - sy) * ux) <= ON_AXIS * size:
            return True
    return False
