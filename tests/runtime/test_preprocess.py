"""Preprocessing: image kinds, polarity, uneven light, MNIST normalisation, reading order."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from runtime.preprocess import find_digits, normalize_digit, to_gray


def _page(digits: list[np.ndarray], h: int = 300, w: int = 500) -> np.ndarray:
    """Dark MNIST digits on a page lit from one side (a plain, unblurred rendering)."""
    light = np.linspace(240, 120, w, dtype=np.float32)[None, :].repeat(h, axis=0)
    alpha = np.zeros((h, w), np.float32)
    for i, digit in enumerate(digits):
        big = cv2.resize(digit, (112, 112), interpolation=cv2.INTER_CUBIC) / np.float32(255)
        alpha[90:202, 40 + i * 100 : 152 + i * 100] = np.maximum(
            alpha[90:202, 40 + i * 100 : 152 + i * 100], big)
    return np.clip(light * (1 - 0.85 * alpha), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def sample(mnist_test):
    picks = [int(np.flatnonzero(mnist_test.labels == d)[0]) for d in (3, 1, 4)]
    return [mnist_test.images[i] for i in picks]


def test_gray_inputs_of_every_kind():
    bgr = np.full((10, 12, 3), (10, 200, 30), np.uint8)
    assert to_gray(bgr).shape == (10, 12)
    assert to_gray(np.full((5, 5), 65535, np.uint16)).max() == 255
    assert to_gray(np.ones((5, 5, 1), np.float32)).max() == 255
    transparent = np.zeros((5, 5, 4), np.uint8)  # black but fully transparent: white paper
    assert to_gray(transparent).min() == 255
    with pytest.raises(ValueError):
        to_gray(np.zeros((0, 5), np.uint8))


def test_blank_and_unevenly_lit_pages_have_no_digits():
    assert find_digits(np.full((480, 640, 3), 230, np.uint8)).boxes == []
    assert find_digits(np.zeros((480, 640), np.uint8)).boxes == []
    assert find_digits(_page([])).boxes == []
    noisy = np.random.default_rng(0).normal(200, 4, (480, 640)).clip(0, 255).astype(np.uint8)
    assert find_digits(noisy).boxes == []


def test_digits_read_left_to_right_in_both_polarities(sample):
    page = _page(sample)
    for image in (page, 255 - page):
        found = find_digits(image)
        assert len(found.boxes) == 3
        assert [b[0] for b in found.boxes] == sorted(b[0] for b in found.boxes)
        assert found.images.shape == (3, 28, 28) and found.images.dtype == np.float32


def test_normalised_like_mnist(sample):
    found = find_digits(_page(sample))
    for digit in found.images:
        assert 0.0 <= digit.min() and digit.max() <= 1.0 and digit.max() > 0.9
        ys, xs = np.nonzero(digit > 0.05)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 <= 22  # fitted into 20x20 (plus soft edges)
        total = digit.sum()
        cy = (digit.sum(axis=1) * np.arange(28)).sum() / total
        cx = (digit.sum(axis=0) * np.arange(28)).sum() / total
        assert abs(cx - 14) < 0.6 and abs(cy - 14) < 0.6


def test_an_mnist_image_itself_is_read_as_one_digit(sample):
    found = find_digits(sample[0])  # white on black, 28x28: the light-ink path
    assert len(found.boxes) == 1


def test_normalize_digit_of_an_empty_mask():
    out = normalize_digit(np.zeros((30, 20), np.uint8), np.zeros((30, 20), bool), 2.0)
    assert out.shape == (28, 28) and not out.any()
