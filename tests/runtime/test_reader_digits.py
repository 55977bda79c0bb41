"""Reader stage 'digits': each mark normalised as MNIST made its digits."""

from __future__ import annotations

import numpy as np

from runtime.reader.digits import normalize_digit, stroke_width
from runtime.reader.pipeline import find_digits


def _page(digits: list[np.ndarray], h: int = 300, w: int = 500) -> np.ndarray:
    import cv2

    light = np.linspace(240, 120, w, dtype=np.float32)[None, :].repeat(h, axis=0)
    alpha = np.zeros((h, w), np.float32)
    for i, digit in enumerate(digits):
        big = cv2.resize(digit, (112, 112), interpolation=cv2.INTER_CUBIC) / np.float32(255)
        region = alpha[90:202, 40 + i * 100 : 152 + i * 100]
        np.maximum(region, big, out=region)
    return np.clip(light * (1 - 0.85 * alpha), 0, 255).astype(np.uint8)


def test_normalised_like_mnist(mnist_test):
    picks = [int(np.flatnonzero(mnist_test.labels == d)[0]) for d in (3, 1, 4)]
    found = find_digits(_page([mnist_test.images[i] for i in picks]))
    assert found.images.shape == (3, 28, 28) and found.images.dtype == np.float32
    for digit in found.images:
        assert 0.0 <= digit.min() and digit.max() <= 1.0 and digit.max() > 0.9
        ys, xs = np.nonzero(digit > 0.05)
        assert max(np.ptp(ys), np.ptp(xs)) + 1 <= 22  # fitted into 20x20 (plus soft edges)
        total = digit.sum()
        cy = (digit.sum(axis=1) * np.arange(28)).sum() / total
        cx = (digit.sum(axis=0) * np.arange(28)).sum() / total
        assert abs(cx - 14) < 0.6 and abs(cy - 14) < 0.6


def test_normalize_digit_of_an_empty_mask():
    out = normalize_digit(np.zeros((30, 20), np.uint8), np.zeros((30, 20), bool), 2.0)
    assert out.shape == (28, 28) and not out.any()


def test_stroke_width_of_a_bar():
    bar = np.zeros((40, 20), bool)
    bar[5:35, 8:12] = True  # 4 px wide
    assert 3.0 <= stroke_width(bar) <= 5.0


def _slant(image: np.ndarray) -> float:
    import cv2

    m = cv2.moments(image)
    return m["mu11"] / m["mu02"]


def test_italic_writing_is_sheared_back_to_mnists_slant():
    """An 8 in italic handwriting leans far more than MNIST's writers' do (its narrow waist then
    reads as a 0): it is sheared back to MNIST_SLANT, its centre of mass kept at the centre. A
    digit leaning as MNIST's do is left as it is."""
    import cv2

    from runtime.reader.digits import MNIST_CENTRE, MNIST_SLANT

    for lean, expected in ((-0.9, -MNIST_SLANT), (0.8, MNIST_SLANT), (0.25, 0.25)):
        upright = np.zeros((120, 120), np.uint8)
        cv2.ellipse(upright, (60, 35), (22, 25), 0, 0, 360, 255, 7)
        cv2.ellipse(upright, (60, 87), (26, 28), 0, 0, 360, 255, 7)
        shear = np.float32([[1, lean, -lean * 60], [0, 1, 0]])  # x grows by `lean` per row
        slanted = cv2.warpAffine(upright, shear, (120, 120))
        ys, xs = np.nonzero(slanted)
        crop = slanted[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        out = normalize_digit(crop, crop > 0, stroke=2.2)
        assert abs(_slant(out) - expected) < 0.06, (lean, _slant(out))
        m = cv2.moments(out)
        assert abs(m["m10"] / m["m00"] - MNIST_CENTRE) < 0.3
        assert abs(m["m01"] / m["m00"] - MNIST_CENTRE) < 0.3


def test_digits_of_a_row_that_slopes_are_turned_upright(mnist_test, monkeypatch):
    """A number on a page photographed turned 20 degrees: each digit comes out much as it would
    from the page seen straight, far closer to that than cut as it stands."""
    import cv2

    from runtime.reader import pipeline

    picks = [int(np.flatnonzero(mnist_test.labels == d)[0]) for d in (7, 2, 9, 4)]
    page = _page([mnist_test.images[i] for i in picks], h=420, w=520)
    level = find_digits(page)
    turn = cv2.getRotationMatrix2D((260, 210), -20, 1.0)  # clockwise: the row falls to the right
    turned = cv2.warpAffine(page, turn, (520, 420), borderMode=cv2.BORDER_REPLICATE)
    upright = find_digits(turned)
    monkeypatch.setattr(pipeline, "TURN_UPRIGHT", np.inf)
    standing = find_digits(turned)
    order = [sorted(range(4), key=lambda k: f.boxes[k][0]) for f in (level, upright, standing)]

    def off(found, k: int) -> float:
        return float(np.abs(found.images[order[k]] - level.images[order[0]]).mean())

    assert len(upright.images) == len(standing.images) == 4
    assert off(upright, 1) < 0.7 * off(standing, 2)
