"""Strokes: the axis of a long straight stroke (a pen, a rule's remnant, the sheet's edge), and
whether a smaller mark lies on it: a pen crossed by ruled lines falls into digit-sized pieces
that each look like a 1, but they line up with the part of it that was seen whole. And whether
something goes on past a short stroke's ends: a light pen's body past its dark tip."""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]
Axis = tuple[float, float, float, float]  # centre x, y (working pixels), direction (unit) x, y

ON_AXIS = 0.3  # of the piece's size: its centre at most this far from the stroke's axis
ALONG = 12.0  # degrees: ... and its own long axis at most this far from the stroke's
PIECE_ELONGATION = 2.0  # length over width: a piece of a straight stroke is itself elongated
BEYOND = 1.0  # of a stroke's length: how far past its ends a pen's body is looked for
SIDE = 0.6  # of its length: the paper beside that strip, as the reference
NOT_PAPER = 15.0  # levels (any channel): this far from the paper beside it is not paper
BODY_SHARE = 0.5  # of the strip past an end: this much not paper is a pen's body going on


def axis(box: Box, mask: np.ndarray) -> tuple[Axis, float] | None:
    """The long axis of a mark (from its second moments) and its length over width."""
    m = cv2.moments(mask.view(np.uint8), binaryImage=True)
    if m["m00"] <= 0:
        return None
    a, b, c = m["mu20"] / m["m00"], m["mu11"] / m["m00"], m["mu02"] / m["m00"]
    spread = np.sqrt(max((a - c) ** 2 + 4 * b * b, 0.0))
    long, short = (a + c + spread) / 2, max((a + c - spread) / 2, 1.0 / 12)  # a 1 px line's
    angle = 0.5 * np.arctan2(2 * b, a - c)
    centre = (box[0] + m["m10"] / m["m00"], box[1] + m["m01"] / m["m00"])
    return (centre[0], centre[1], float(np.cos(angle)), float(np.sin(angle))), float(
        np.sqrt(long / short))


def run_count(mask: np.ndarray, axis: int) -> np.ndarray:
    """How many separate runs of a bool mask each line along `axis` crosses (axis 1: per row,
    axis 0: per column): 1 for a stroke crossed once, 2 for a loop or a double line."""
    return np.count_nonzero(np.diff(mask.view(np.int8), axis=axis, prepend=0) > 0, axis=axis)


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


def runs_on(image: np.ndarray, centre: tuple[float, float], direction: tuple[float, float],
            length: float) -> bool:
    """Whether something that is not paper continues past either end of a stroke along its axis
    (a pen's body past its dark tip), in an image (gray or BGR) and its pixels: the strip past
    the end differs from the strips beside it, at the same distance along, most of the way, and
    is not between them either (where the two sides differ, a shadow's or the sheet's edge runs
    along). Only pixels inside the image count: past the frame's edge nothing can be told."""
    cx, cy = centre
    dx, dy = direction
    h, w = image.shape[:2]
    beyond = np.arange(length / 2 + 2, length / 2 + 2 + BEYOND * length)

    def strip(x0: float, y0: float, sign: int) -> tuple[np.ndarray, np.ndarray]:
        xs = np.round(x0 + sign * dx * beyond).astype(int)
        ys = np.round(y0 + sign * dy * beyond).astype(int)
        inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        pixels = image[np.clip(ys, 0, h - 1), np.clip(xs, 0, w - 1)].astype(np.float32)
        return pixels.reshape(len(beyond), -1), inside

    for sign in (1, -1):
        past, seen = strip(cx, cy, sign)
        beside = [strip(cx + s * -dy * SIDE * length, cy + s * dx * SIDE * length, sign)
                  for s in (1, -1)]
        both = seen & beside[0][1] & beside[1][1]
        if np.count_nonzero(both) < BODY_SHARE * len(beyond):
            continue
        far = _off_between(past[both], beside[0][0][both], beside[1][0][both]) > NOT_PAPER
        if np.count_nonzero(far) >= BODY_SHARE * len(beyond):
            return True
    return False


def _off_between(pixels: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """How far each pixel is (largest channel) from every colour between the pixels beside it:
    paper, or, across a shadow's or the sheet's edge, anything from the one side to the other
    (the half-shadow itself) is not a pen's body; a body of another colour or brightness is."""
    span = right - left
    t = np.sum((pixels - left) * span, axis=1) / np.maximum(np.sum(span * span, axis=1), 1e-6)
    nearest = left + np.clip(t, 0.0, 1.0)[:, None] * span
    return np.abs(pixels - nearest).max(axis=1)
