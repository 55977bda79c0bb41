"""Frame: any decoded image -> a uint8 gray copy, and smaller working copies of it."""

from __future__ import annotations

import cv2
import numpy as np

MAX_SIDE = 1920  # larger photos are shrunk to this first: more pixels add nothing to 28x28
MIN_SIDE = 200  # smaller images (MNIST itself) are enlarged to this first


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


def prepare(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The gray image the reader works from, and its scale to the input's pixels
    (gray = scale x input)."""
    gray = to_gray(image)
    scale = 1.0
    if max(gray.shape) > MAX_SIDE:
        scale = MAX_SIDE / max(gray.shape)
    elif max(gray.shape) < MIN_SIDE:  # too small to estimate paper on
        scale = MIN_SIDE / max(gray.shape)
    if scale != 1.0:
        size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        gray = cv2.resize(gray, size, interpolation=interpolation)
        scale = gray.shape[0] / image.shape[0]
    return gray, scale


def shrink(gray: np.ndarray, factor: int) -> np.ndarray:
    """A copy shrunk by a whole number (OpenCV's INTER_AREA is several times faster then)."""
    if factor <= 1:
        return gray
    size = (max(1, gray.shape[1] // factor), max(1, gray.shape[0] // factor))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)


def factor_for(shape: tuple[int, int], side: int) -> int:
    """The smallest whole shrink factor that brings the longer side to at most `side`."""
    return max(1, int(np.ceil(max(shape) / side)))
