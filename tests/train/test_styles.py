"""How other people write: European 1s, barred 7s and slashed 0s drawn onto training digits."""

from __future__ import annotations

import numpy as np

from train import styles


def _ink(image: np.ndarray) -> np.ndarray:
    return image > styles.INK


def test_each_style_adds_ink_and_keeps_the_digit(mnist_train):
    """A stroke is added (more ink), none taken away, and it stays inside the 28x28 square."""
    rng = np.random.default_rng(0)
    for label, style in styles.STYLES.items():
        digits = mnist_train.images[mnist_train.labels == label][:50]
        for digit in digits:
            out = style(digit, rng)
            assert out.shape == digit.shape and out.dtype == np.uint8
            assert (out >= digit).all()  # nothing of the digit is lost
            assert _ink(out).sum() > _ink(digit).sum() + 3  # a stroke was drawn


def test_a_european_one_has_its_upstroke_left_of_the_stem(mnist_train):
    """The flag goes down to the left from the stem's top: the ink's left edge moves left, its top
    half gets wider, its height does not grow."""
    rng = np.random.default_rng(1)
    ones = mnist_train.images[mnist_train.labels == 1][:40]
    for digit in ones:
        out = styles.european_one(digit, rng)
        before, after = styles._box(digit), styles._box(out)
        assert after[0] < before[0] or _ink(out)[: 14].sum() > _ink(digit)[: 14].sum()
        assert after[1] >= before[1] - 1  # nothing drawn above the stem


def test_restyle_touches_only_its_share_of_styled_labels(mnist_train):
    images, labels = mnist_train.images[:3000], mnist_train.labels[:3000]
    out = styles.restyle(images, labels, seed=3)
    changed = (out != images).reshape(len(images), -1).any(axis=1)
    assert not changed[~np.isin(labels, list(styles.STYLES))].any()
    for label, share in styles.SHARES.items():
        mine = changed[labels == label].mean()
        assert abs(mine - share) < 0.08, (label, mine)
    again = styles.restyle(images, labels, seed=3)
    assert np.array_equal(out, again)  # same seed, same copies
