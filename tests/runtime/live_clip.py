"""A video of a known number for the live-view tests: MNIST test digits on a shaking page."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SIZE = (640, 480)  # width, height
FPS = 10
SHAKE = 3  # pixels the camera wanders each way


def write_clip(path: Path, pages, mnist_test, digits: list[int], seconds: float,
               seed: int = 3) -> str:
    """An MJPG .avi of a page showing `digits`, moving a little each frame; returns the number."""
    rng = np.random.default_rng(seed)
    idx = [int(np.flatnonzero(mnist_test.labels == d)[1]) for d in digits]
    page = cv2.resize(pages.render([mnist_test.images[i] for i in idx], rng), SIZE)
    big = cv2.copyMakeBorder(page, SHAKE, SHAKE, SHAKE, SHAKE, cv2.BORDER_REPLICATE)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, SIZE)
    for k in range(int(seconds * FPS)):
        dx, dy = (int(round(SHAKE * np.sin(k / 3 + a))) + SHAKE for a in (0.0, 1.3))
        frame = big[dy : dy + SIZE[1], dx : dx + SIZE[0]]
        frame = cv2.add(frame, rng.integers(0, 4, frame.shape, dtype=np.uint8))  # sensor noise
        writer.write(frame)
    writer.release()
    return "".join(map(str, digits))
