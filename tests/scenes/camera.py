"""What a webcam does to a scene: uneven light, colour cast, defocus or motion blur, noise, JPEG."""

from __future__ import annotations

import cv2
import numpy as np

LIGHT_STEP = 8  # the light field is computed at 1/8 of the frame's size


def lighting(rng: np.random.Generator, h: int, w: int, dim: bool) -> np.ndarray:
    """A smooth brightness field: a gradient, a vignette, sometimes a soft shadow across."""
    full_h, full_w = h, w
    h, w = h // LIGHT_STEP, w // LIGHT_STEP  # the field is smooth: work at a fraction and resize
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / w + np.sin(angle) * ys / h + 1) / 2
    light = 1.0 - rng.uniform(0.05, 0.3) * ramp
    light -= rng.uniform(0.05, 0.25) * (((xs - w / 2) / w) ** 2 + ((ys - h / 2) / h) ** 2) * 2
    if rng.random() < 0.4:  # the shadow of a head or a phone
        edge = rng.uniform(0.15, 0.85) * w
        softness = rng.uniform(10, 60) / LIGHT_STEP
        step = 1 / (1 + np.exp(np.clip((edge - xs) / softness, -50, 50)))
        light *= 1.0 - rng.uniform(0.1, 0.3) * step
    if dim:
        light *= rng.uniform(0.3, 0.5)
    return cv2.resize(light, (full_w, full_h), interpolation=cv2.INTER_LINEAR)


def _motion_kernel(rng: np.random.Generator, length: float) -> np.ndarray:
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    angle = rng.uniform(0, np.pi)
    c = size // 2
    dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
    cv2.line(kernel, (round((c - dx) * 16), round((c - dy) * 16)),
             (round((c + dx) * 16), round((c + dy) * 16)), 1.0, 1, cv2.LINE_AA, 4)
    return kernel / kernel.sum()


def shoot(rng: np.random.Generator, scene: np.ndarray, dim: bool = False) -> np.ndarray:
    """The scene (float32 BGR, 0-255) as a webcam's decoded JPEG frame (uint8 BGR)."""
    h, w = scene.shape[:2]
    scale = w / 640
    frame = scene * lighting(rng, h, w, dim)[..., None]
    frame *= rng.uniform(0.95, 1.05, 3).astype(np.float32)  # white balance
    frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.4, 1.0) * scale)
    if dim:
        frame = cv2.filter2D(frame, -1, _motion_kernel(rng, rng.uniform(2, 6) * scale))
        noise = rng.uniform(5, 11)
        quality = int(rng.integers(45, 75))
    else:
        noise = rng.uniform(1.5, 4)
        quality = int(rng.integers(60, 92))
    frame += noise * rng.standard_normal((h, w, 1), dtype=np.float32)
    colour_noise = rng.standard_normal((h // 2, w // 2, 3), dtype=np.float32)  # blotchy, as in
    frame += noise / 3 * cv2.resize(colour_noise, (w, h), interpolation=cv2.INTER_NEAREST)  # 4:2:0
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
