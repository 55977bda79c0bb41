"""Real photos and camera frames -> MNIST-normalised 28x28 digits, read left to right.

Steps: grayscale; paper brightness estimated by a morphological closing on a downscaled copy (it
erases strokes but keeps shadow edges, so uneven light cancels out); ink = how much darker than
its own paper a pixel is; a threshold on that; digit regions (runtime.segment); each digit cut at
full size, fitted into 20x20 keeping its aspect ratio and placed in 28x28 with its centre of mass
at the centre, as MNIST was made. All per-pixel work is OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.segment import regions

SEGMENT_SIDE = 400  # segmentation runs on a copy this size (speed); digits are cut at full size
MIN_SIDE = 200  # smaller images are enlarged to this first
MAX_CROP_SIDE = 1600  # larger photos are shrunk to this first: more pixels add nothing to 28x28
BACKGROUND_SCALE = 4  # paper brightness is estimated at 1/4 resolution: light varies slowly
BACKGROUND_KERNEL = 0.25  # of the smaller side: wider than the stroke of a frame-filling digit
MIN_INK, MAX_INK = 50, 120  # threshold bounds on ink (0..255, fraction darker than the paper)
MNIST_SIDE, MNIST_BOX, MNIST_CENTRE = 28, 20, 14.0  # MNIST's mean centre of mass is (14.0, 14.0)
PEAK_QUANTILE = 0.9  # this quantile of a digit's ink becomes full white, as in MNIST
MNIST_STROKE = 2.2  # mean stroke width of MNIST digits, in pixels of the 20x20 box


@dataclass(frozen=True)
class Digits:
    """The digits found in one image: model inputs and their boxes in the image's pixels."""

    images: np.ndarray  # float32 (N, 28, 28) in [0, 1], white on black
    boxes: list[tuple[int, int, int, int]]  # (x, y, w, h), left to right


def to_gray(image: np.ndarray) -> np.ndarray:
    """Any decoded image (gray, BGR, BGRA; 8 or 16 bit; float) -> uint8 gray on white for alpha."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or img.size == 0:
        raise ValueError(f"not an image array: shape {img.shape}")
    img = _to_uint8(img)
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:  # transparent areas become white paper, not black
        alpha = img[..., 3:4].astype(np.float32) / 255.0
        rgb = img[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        img = rgb.astype(np.uint8)
    return cv2.cvtColor(img[..., :3], cv2.COLOR_BGR2GRAY)


def _to_uint8(img: np.ndarray) -> np.ndarray:
    if img.dtype == np.uint8:
        return img
    if img.dtype == np.uint16:
        return (img >> 8).astype(np.uint8)
    if img.dtype.kind == "f":
        top = 1.0 if float(np.nanmax(img)) <= 1.0 else 255.0
        return np.clip(np.nan_to_num(img) * (255.0 / top), 0, 255).astype(np.uint8)
    return np.clip(img, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Ink:
    """How much darker than its own paper each pixel is (0 paper .. 255 black ink)."""

    ink: np.ndarray  # uint8, the size of the gray image
    paper: np.ndarray  # uint8 paper brightness, same size, ink made dark
    dark: bool  # whether the ink was darker than the paper (else the gray image was inverted)


def ink_map(gray: np.ndarray) -> Ink:
    """The ink of a gray image of either polarity, with uneven light divided out."""
    small = cv2.resize(gray, (max(1, gray.shape[1] // BACKGROUND_SCALE),
                              max(1, gray.shape[0] // BACKGROUND_SCALE)),
                       interpolation=cv2.INTER_AREA)
    k = max(3, int(min(small.shape) * BACKGROUND_KERNEL) | 1)
    dark = _dark_ink(small, k)
    if not dark:  # chalk on a board, or MNIST itself: make the ink dark
        gray, small = 255 - gray, 255 - small
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    paper = cv2.resize(paper, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return Ink(_ink(gray, paper), paper, dark)


def _ink(gray: np.ndarray, paper: np.ndarray) -> np.ndarray:
    return 255 - cv2.divide(gray, np.maximum(paper, 1), scale=255)


def _dark_ink(small: np.ndarray, k: int) -> bool:
    """Whether the ink is darker than the paper.

    Global brightness cannot tell (a shadow makes half the paper darker than the median), but ink
    is a few sharp outliers from the local mean, all on one side: the third moment has their sign.
    """
    deviation = small.astype(np.float32) - cv2.blur(small, (k, k)).astype(np.float32)
    return float(np.sum(deviation**3)) <= 0.0


def binarize(ink: np.ndarray) -> np.ndarray:
    """Otsu on the ink map, kept within [MIN_INK, MAX_INK] so a blank page gives nothing."""
    otsu, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, mask = cv2.threshold(ink, float(np.clip(otsu, MIN_INK, MAX_INK)), 255, cv2.THRESH_BINARY)
    return mask


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
    shift = np.float32([[1, 0, MNIST_CENTRE - m["m10"] / m["m00"]],
                        [0, 1, MNIST_CENTRE - m["m01"] / m["m00"]]])
    return cv2.warpAffine(small, shift, (MNIST_SIDE, MNIST_SIDE), flags=cv2.INTER_LINEAR)


def _stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width in pixels: area over half the boundary length."""
    boundary = np.count_nonzero(mask & ~cv2.erode(mask.view(np.uint8), None).view(bool))
    return 2.0 * np.count_nonzero(mask) / max(boundary, 1)


def _shrink(gray: np.ndarray, side: int, integer: bool = False) -> tuple[np.ndarray, float]:
    """A copy whose longer side is at most `side`, and the factor; `integer` shrinks by a whole
    number (2x, 3x...), which OpenCV's INTER_AREA does several times faster."""
    factor = min(1.0, side / max(gray.shape))
    if integer and factor < 1.0:
        factor = 1.0 / int(np.ceil(1.0 / factor))
    if factor == 1.0:
        return gray, 1.0
    size = (max(1, int(gray.shape[1] * factor)), max(1, int(gray.shape[0] * factor)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), size[1] / gray.shape[0]


def find_digits(image: np.ndarray) -> Digits:
    """Every digit in a photo or frame, MNIST-normalised, left to right."""
    full, _ = _shrink(to_gray(image), MAX_CROP_SIDE)
    if max(full.shape) < MIN_SIDE:  # tiny crops (MNIST itself): too small to estimate paper on
        grow = MIN_SIDE / max(full.shape)
        full = cv2.resize(full, None, fx=grow, fy=grow, interpolation=cv2.INTER_CUBIC)
    work, factor = _shrink(full, SEGMENT_SIDE, integer=True)
    page = ink_map(work)
    images, boxes = [], []
    for (x, y, w, h), mask in regions(binarize(page.ink)):
        stroke = _stroke_width(mask) * MNIST_BOX / max(w, h)
        if factor == 1.0:
            wide = cv2.dilate(mask.view(np.uint8), None).view(bool)  # keep the soft edges
            images.append(normalize_digit(page.ink[y : y + h, x : x + w], wide, stroke))
        else:
            images.append(_full_size_digit(full, page, mask, (x, y, w, h), factor, stroke))
        boxes.append(_scale_box((x, y, w, h), factor * full.shape[0] / image.shape[0]))
    stack = np.stack(images) if images else np.zeros((0, MNIST_SIDE, MNIST_SIDE), np.float32)
    return Digits(stack, boxes)


def _full_size_digit(full: np.ndarray, page: Ink, mask: np.ndarray, box: tuple[int, int, int, int],
                     factor: float, stroke: float) -> np.ndarray:
    """Cut a digit found on the small copy out of the full-size gray image."""
    x0, y0, x1, y1 = _scale_box(box, factor, corners=True)
    x1, y1 = min(x1, full.shape[1]), min(y1, full.shape[0])
    size = (x1 - x0, y1 - y0)
    gray = full[y0:y1, x0:x1] if page.dark else 255 - full[y0:y1, x0:x1]
    x, y, w, h = box
    paper = cv2.resize(page.paper[y : y + h, x : x + w], size, interpolation=cv2.INTER_LINEAR)
    # the mask from the small copy, a little wider so the strokes' soft edges come along
    soft = cv2.resize(mask.view(np.uint8) * np.uint8(255), size, interpolation=cv2.INTER_LINEAR)
    grow = max(1, int(round(0.5 / factor))) * 2 + 1
    wide = cv2.dilate(soft, np.ones((grow, grow), np.uint8)) > 0
    return normalize_digit(_ink(gray, paper), wide, stroke)


def _scale_box(box: tuple[int, int, int, int], factor: float,
               corners: bool = False) -> tuple[int, int, int, int]:
    """A box on a copy shrunk by `factor`, in the original's pixels (x0, y0, x1, y1 if corners)."""
    x, y, w, h = box
    x0, y0 = int(x / factor), int(y / factor)
    x1, y1 = int(np.ceil((x + w) / factor)), int(np.ceil((y + h) / factor))
    return (x0, y0, x1, y1) if corners else (x0, y0, x1 - x0, y1 - y0)
