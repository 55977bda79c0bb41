"""Reader stage 'frame': any decoded image to gray, and the scale the reader works at."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.reader.frame import MAX_SIDE, MIN_SIDE, factor_for, prepare, shrink, to_gray


def test_gray_inputs_of_every_kind():
    bgr = np.full((10, 12, 3), (10, 200, 30), np.uint8)
    assert to_gray(bgr).shape == (10, 12)
    assert to_gray(np.full((5, 5), 65535, np.uint16)).max() == 255
    assert to_gray(np.ones((5, 5, 1), np.float32)).max() == 255
    transparent = np.zeros((5, 5, 4), np.uint8)  # black but fully transparent: white paper
    assert to_gray(transparent).min() == 255
    with pytest.raises(ValueError):
        to_gray(np.zeros((0, 5), np.uint8))


def test_tiny_images_grow_and_huge_ones_shrink():
    gray, scale = prepare(np.zeros((28, 28), np.uint8))
    assert max(gray.shape) == MIN_SIDE and scale == pytest.approx(MIN_SIDE / 28)
    gray, scale = prepare(np.zeros((3000, 4000, 3), np.uint8))
    assert max(gray.shape) == MAX_SIDE and scale == pytest.approx(MAX_SIDE / 4000, rel=1e-3)
    gray, scale = prepare(np.zeros((480, 640, 3), np.uint8))
    assert gray.shape == (480, 640) and scale == 1.0


def test_whole_number_shrink():
    assert factor_for((480, 640), 400) == 2 and factor_for((720, 1280), 400) == 4
    assert factor_for((100, 100), 400) == 1
    assert shrink(np.zeros((480, 640), np.uint8), 2).shape == (240, 320)
