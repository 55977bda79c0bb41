"""Scene-like crops for training: photographed training digits, cut out by the runtime's reader."""

from __future__ import annotations

import numpy as np

from runtime.reader.pipeline import find_digits
from train import degrade


def test_a_photographed_digit_is_one_digit_to_the_reader(mnist_train):
    """The photos look like paper under a camera: the reader finds exactly one digit in nearly
    every one (else the crops would be MNIST images standing in, and teach nothing new)."""
    rng = np.random.default_rng(0)
    found = []
    for digit in mnist_train.images[:200]:
        photo = degrade.photograph(digit, rng)
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3
        gray = photo.mean(axis=2)
        assert np.median(gray) > 80  # paper, not a dark MNIST background
        found.append(len(find_digits(photo).images))
    assert np.mean(np.array(found) == 1) >= 0.95


def test_scene_crops_differ_from_mnist_but_keep_the_digit(mnist_train):
    """A crop is an MNIST-normalised digit (ink centred in 28x28), yet not the original pixels:
    blurred, resampled, thicker or thinner."""
    images = mnist_train.images[:300]
    crops = degrade.scene_crops(images, seed=1)
    assert crops.shape == images.shape and crops.dtype == np.uint8
    changed = np.abs(crops.astype(int) - images).reshape(len(images), -1).mean(axis=1) > 5
    assert changed.mean() > 0.9
    ys, xs = np.mgrid[0:28, 0:28]
    mass = crops.reshape(len(images), -1).sum(axis=1)
    kept = mass > 0
    cy = (crops * ys).reshape(len(images), -1).sum(axis=1)[kept] / mass[kept]
    cx = (crops * xs).reshape(len(images), -1).sum(axis=1)[kept] / mass[kept]
    assert np.abs(cy - 14).max() < 2.5 and np.abs(cx - 14).max() < 2.5


def test_scene_crops_are_seeded_and_the_same_in_parallel(mnist_train, monkeypatch):
    monkeypatch.setattr(degrade, "CHUNK", 40)  # several pieces of work from few images
    images = mnist_train.images[:100]
    one = degrade.scene_crops(images, seed=3)
    assert np.array_equal(one, degrade.scene_crops(images, seed=3, workers=2))
    assert not np.array_equal(one, degrade.scene_crops(images, seed=4))


def test_scene_share_picks_scene_crops_for_that_share_of_the_batch(mnist_train):
    from train.augment import training_dataset

    images, labels = mnist_train.images[:512], mnist_train.labels[:512]
    scenes = np.stack([255 - images, np.zeros_like(images)])  # two copies, easy to tell apart

    def sources(share: float) -> np.ndarray:
        x, _ = next(iter(training_dataset(images, labels, 512, None, 0, scenes, share)))
        x = np.round(x.numpy()[..., 0] * 255).astype(np.uint8)
        inverted = np.isin(x.reshape(512, -1).mean(axis=1),
                           (255 - images).reshape(512, -1).mean(axis=1))
        blank = x.reshape(512, -1).max(axis=1) == 0
        return np.array([inverted.mean(), blank.mean()])

    assert sources(0.0).sum() == 0.0
    assert np.allclose(sources(1.0).sum(), 1.0)
    half = sources(0.5)
    assert 0.4 < half.sum() < 0.6 and half.min() > 0.15  # both copies are drawn
