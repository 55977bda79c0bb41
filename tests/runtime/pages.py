"""Photos nobody hand-drew: MNIST test digits as ink on unevenly lit paper, blurred, noisy, JPEG."""

from __future__ import annotations

import cv2
import numpy as np

PAGE_SIZES = ((480, 640), (600, 800), (360, 480))  # (height, width)
JPEG_QUALITY = (55, 90)


def _lighting(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A smooth brightness field in about [0.45, 1]: a gradient, a vignette and a soft shadow."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / w + np.sin(angle) * ys / h + 1) / 2
    light = 1.0 - rng.uniform(0.1, 0.4) * ramp
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    light -= rng.uniform(0.0, 0.2) * (((xs - cx) / w) ** 2 + ((ys - cy) / h) ** 2)
    if rng.random() < 0.5:  # the shadow of a hand or a phone across the page
        edge = rng.uniform(0.2, 0.8) * w
        softness = rng.uniform(5, 40)
        step = 1 / (1 + np.exp(np.clip((edge - xs) / softness, -50, 50)))
        light *= 1.0 - rng.uniform(0.15, 0.35) * step
    return np.clip(light, 0.3, 1.0)


def render(digits: list[np.ndarray], rng: np.random.Generator, light_ink: bool = False,
           step: float | None = None):
    """A BGR photo of the given MNIST digits (uint8 28x28, white on black) written as one number;
    `step` (of a digit's 28-pixel tile) from one digit to the next: about 0.5 makes them touch."""
    h, w = PAGE_SIZES[rng.integers(len(PAGE_SIZES))]
    height = int(rng.uniform(0.12, 0.3) * h) if len(digits) > 1 else int(rng.uniform(0.15, 0.6) * h)
    tile = max(28, int(height * 28 / 20))  # MNIST digits fill 20 of their 28 pixels
    height = tile * 20 // 28
    step = int(tile * (rng.uniform(0.75, 0.95) if step is None else step))
    total = step * (len(digits) - 1) + tile
    while total > 0.9 * w:  # too long for the page: write smaller
        tile, step = int(tile * 0.8), int(step * 0.8)
        total = step * (len(digits) - 1) + tile
    alpha = np.zeros((h, w), np.float32)
    x0 = int(rng.uniform(0.05 * w, w - total - 0.05 * w))
    y0 = int(rng.uniform(0.05 * h, h - tile - 0.05 * h))
    for i, digit in enumerate(digits):
        big = cv2.resize(digit, (tile, tile), interpolation=cv2.INTER_CUBIC) / np.float32(255)
        dy = int(rng.uniform(-0.05, 0.05) * tile)
        y = int(np.clip(y0 + dy, 0, h - tile))
        x = x0 + i * step
        region = alpha[y : y + tile, x : x + tile]
        np.maximum(region, np.clip(big, 0, 1), out=region)
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-6, 6), 1.0)
    alpha = cv2.warpAffine(alpha, rotation, (w, h))
    paper = np.array([rng.uniform(190, 250) for _ in range(3)], np.float32)
    ink = np.array([rng.uniform(10, 70) for _ in range(3)], np.float32)
    if light_ink:  # chalk on a blackboard
        paper, ink = ink * 0.8, paper
    page = paper * (1 - alpha[..., None]) + ink * alpha[..., None]
    page *= _lighting(rng, h, w)[..., None]
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.6, 1.6))
    page += rng.normal(0, rng.uniform(2, 7), page.shape).astype(np.float32)
    page = np.clip(page, 0, 255).astype(np.uint8)
    quality = int(rng.integers(*JPEG_QUALITY))
    ok, jpeg = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def make_set(images: np.ndarray, labels: np.ndarray, count: int, seed: int):
    """`count` (photo, true number, test indices): single digits and numbers of 2 to 6 digits."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        n = 1 if k % 3 == 0 else int(rng.integers(2, 7))
        idx = rng.choice(len(images), n, replace=False)
        photo = render([images[i] for i in idx], rng, light_ink=k % 10 == 9)
        out.append((photo, "".join(str(int(labels[i])) for i in idx), idx))
    return out
