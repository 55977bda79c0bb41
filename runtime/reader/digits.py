"""Digits: each kept mark cut from the full-size gray image and normalised as MNIST made its digits
(fitted into 20x20 keeping its aspect ratio, centre of mass at the centre of 28x28), a slant far
beyond MNIST's writers' sheared back to theirs."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.reader.ink import ink_of

MNIST_SIDE, MNIST_BOX, MNIST_CENTRE = 28, 20, 14.0  # MNIST's mean centre of mass is (14.0, 14.0)
PEAK_QUANTILE = 0.9  # this quantile of a digit's ink becomes full white, as in MNIST
MNIST_STROKE = 2.2  # mean stroke width of MNIST digits, in pixels of the 20x20 box
FAT_STROKE = 1.6  # of MNIST_STROKE: strokes fatter than this are thinned to it
MNIST_SLANT = 0.4  # x shift per y (from second moments): MNIST's writers rarely slant more, and
# italic handwriting (an 8 whose waist then reads as a 0) is sheared back to this much

Box = tuple[int, int, int, int]


def normalize_digit(ink: np.ndarray, mask: np.ndarray, stroke: float) -> np.ndarray:
    """One digit's ink (uint8) and mask (bool), cropped -> float32 28x28 as MNIST made its digits.

    `stroke` is the digit's stroke width in pixels of MNIST's 20x20 box.
    """
    h, w = ink.shape
    scale = MNIST_BOX / max(h, w)
    digit = np.where(mask, ink, 0).astype(np.uint8)
    if stroke < MNIST_STROKE:  # thin pen strokes fade to gray when shrunk: thicken them first
        k = int(round((MNIST_STROKE - stroke) / scale))
        if k >= 1:
            digit = cv2.dilate(digit, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k + 1, k + 1)))
    elif stroke > FAT_STROKE * MNIST_STROKE:  # blurred or fat strokes close a 4 into a 9: thin them
        k = int(round((stroke - MNIST_STROKE) / scale / 2))
        if k >= 1:
            disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
            digit = cv2.erode(digit, disc)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(digit, size, interpolation=interpolation).astype(np.float32)
    inked = small[small > 0]
    rank = int(PEAK_QUANTILE * (inked.size - 1))
    peak = float(np.partition(inked, rank)[rank]) if inked.size else 1.0
    small = np.minimum(small / max(peak, 1.0), 1.0)
    m = cv2.moments(small)
    if m["m00"] <= 0:
        return np.zeros((MNIST_SIDE, MNIST_SIDE), np.float32)
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    slant = m["mu11"] / m["mu02"] if m["mu02"] > 0 else 0.0
    excess = float(np.sign(slant)) * max(abs(slant) - MNIST_SLANT, 0.0)
    # where each output pixel comes from: centre of mass to the centre, then sheared about the
    # centre row by the slant beyond MNIST's (the centre of mass stays put)
    source = np.float32([[1, excess, cx - MNIST_CENTRE - excess * MNIST_CENTRE],
                         [0, 1, cy - MNIST_CENTRE]])
    return cv2.warpAffine(small, source, (MNIST_SIDE, MNIST_SIDE),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width in pixels: area over half the boundary length."""
    boundary = np.count_nonzero(mask & ~cv2.erode(mask.view(np.uint8), None).view(bool))
    return 2.0 * np.count_nonzero(mask) / max(boundary, 1)


@dataclass(frozen=True)
class Crop:
    """A working box cut from the full-size image once, for one or more digits inside it: how
    dark each pixel is against the paper, and where lines were taken out (grown, never None)."""

    box: Box  # in working pixels
    factor: int  # working pixels are this many full-size pixels
    ink: np.ndarray  # uint8, full-size pixels
    lines: np.ndarray | None  # bool, full-size pixels, grown like the digits' masks


def crop(gray: np.ndarray, paper: np.ndarray, dark: bool, box: Box, factor: int,
         removed: np.ndarray | None = None) -> Crop:
    """A box found on a copy shrunk by `factor`, cut from the full-size gray image.

    `paper` is the working copy's paper brightness; `removed` its pixels taken out as lines (their
    ink stays out of the digits cut from the crop).
    """
    x, y, w, h = box
    x0, y0 = x * factor, y * factor
    x1, y1 = min((x + w) * factor, gray.shape[1]), min((y + h) * factor, gray.shape[0])
    size = (max(0, x1 - x0), max(0, y1 - y0))
    if not size[0] or not size[1]:
        return Crop(box, factor, np.zeros((size[1], size[0]), np.uint8), None)
    region = gray[y0:y1, x0:x1] if dark else 255 - gray[y0:y1, x0:x1]
    sheet = paper[y : y + h, x : x + w]
    sheet = sheet if factor == 1 else cv2.resize(sheet, size, interpolation=cv2.INTER_LINEAR)
    lines = None if removed is None else removed[y : y + h, x : x + w]
    if lines is not None and lines.any():
        if factor > 1:
            lines = cv2.resize(lines, size, interpolation=cv2.INTER_NEAREST)
        lines = cv2.dilate(lines, _grown(factor)) > 0
    else:
        lines = None
    return Crop(box, factor, ink_of(region, sheet), lines)


def _grown(factor: int) -> np.ndarray:
    """The square a mask is grown by so the strokes' soft edges come along."""
    grow = max(1, int(round(0.5 * factor))) * 2 + 1
    return np.ones((grow, grow), np.uint8)


def cut_digit(within: Crop, mask: np.ndarray, box: Box, slope: float = 0.0) -> np.ndarray:
    """A mark (its mask and box in working pixels, inside the crop's box), normalised.

    `slope` is how its row rises (down positive): the digit is turned upright against it, as
    written on a page photographed turned.
    """
    x, y, w, h = box
    f = within.factor
    stroke = stroke_width(mask) * MNIST_BOX / max(w, h)
    at = (slice((y - within.box[1]) * f, (y + h - within.box[1]) * f),
          slice((x - within.box[0]) * f, (x + w - within.box[0]) * f))
    ink = within.ink[at]
    size = (ink.shape[1], ink.shape[0])
    if size[0] <= 0 or size[1] <= 0:
        return np.zeros((MNIST_SIDE, MNIST_SIDE), np.float32)
    # the mask a little wider so the strokes' soft edges come along, but not into a removed line
    soft = mask.view(np.uint8) * np.uint8(255)
    if f > 1:
        soft = cv2.resize(soft, size, interpolation=cv2.INTER_LINEAR)
    wide = cv2.dilate(soft, _grown(f)) > 0
    if within.lines is not None:
        wide &= ~(within.lines[at] & ~(soft > 0))
    if slope:
        ink, wide = _turned(ink, wide, float(np.degrees(np.arctan(slope))))
    return normalize_digit(ink, wide, stroke)


def _turned(ink: np.ndarray, mask: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """A digit's ink and mask turned by `angle` degrees (counterclockwise on screen) about its
    middle, on a canvas big enough to hold it all."""
    h, w = ink.shape
    side = int(np.ceil(np.hypot(h, w)))
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turn[:, 2] += ((side - w) / 2, (side - h) / 2)
    ink = cv2.warpAffine(ink, turn, (side, side), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(mask.view(np.uint8), turn, (side, side), flags=cv2.INTER_NEAREST) > 0
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return ink, mask
    return (ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1],
            mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
