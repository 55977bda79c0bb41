"""Background: the paper's own brightness under the writing, whatever the light does across it.

The paper under a stroke is as bright as the paper beside it: a closing (the brightest value
nearby, then the darkest of those) erases strokes narrower than its window. A wide window also
erases a hand's shadow or a phone's narrower than itself, and the shadow becomes ink. What tells
them apart is the edge: a pen's stroke ends in a step a pixel or two wide; a shadow fades over
many pixels (the lamp is not a point). So the closing is also taken with a cone instead of a flat
window, one that may only rise SLOPE of the paper's brightness per pixel: it bridges a stroke, whose
walls are steeper, and follows a shadow's soft edge down into it. The paper is the lower of the two.
"""

from __future__ import annotations

import cv2
import numpy as np

SLOPE = 0.15  # of the paper's brightness per pixel of the image given (a quarter of the working
# copy's): steeper walls are a stroke's, gentler ones a shadow's or the light's
NARROW = 5  # px on that copy: dips this narrow are strokes, however faint (a pencil's)
REACH = (1, 2, 4, 8)  # px: the cone is built of flat squares this far out (a staircase at most
# twice as steep as the cone: as good for telling a step from a slope, and cheap); eight of them
# rise further than the paper is bright
WIDE_DIP = 0.08  # of the paper's brightness: dips wider than NARROW no deeper than this are not
# worth the cone (they change no ink)


def cone_close(image: np.ndarray, slope: int) -> np.ndarray:
    """The closing of a uint8 `image` by a cone rising `slope` per pixel (a staircase of
    squares): every dip whose walls are steeper than the cone is filled, up to where the cone
    meets it; a dip with gentler walls is followed down."""
    grown = image
    for r in REACH:
        square = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
        grown = cv2.max(grown, cv2.subtract(cv2.dilate(image, square), slope * r))
    closed = grown
    for r in REACH:
        square = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
        closed = cv2.min(closed, cv2.add(cv2.erode(grown, square), slope * r))
    return closed


def paper(small: np.ndarray, kernel: int) -> np.ndarray:
    """The paper's brightness on a small uint8 copy (ink dark): a closing by a `kernel`-wide
    square, lowered where a cone closing follows the light down a soft edge (uint8)."""
    flat = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel)))
    narrow = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((NARROW, NARROW), np.uint8))
    level = cv2.mean(flat)[0]
    if cv2.minMaxLoc(cv2.subtract(flat, narrow))[1] <= WIDE_DIP * level:
        return flat  # only strokes: the usual page, and cheap
    cone = cone_close(small, max(1, round(SLOPE * level)))
    return cv2.min(flat, cv2.max(cone, narrow))
