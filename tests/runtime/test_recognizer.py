"""Recognizer: confidences, the threshold, the JSON shape, drawing."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.draw import annotate
from runtime.recognizer import Recognizer


@pytest.fixture(scope="module")
def photo(pages, mnist_test):
    idx = [int(np.flatnonzero(mnist_test.labels == d)[4]) for d in (9, 3)]
    return pages.render([mnist_test.images[i] for i in idx], np.random.default_rng(5))


def test_threshold_decides_what_is_shown(classifier, photo):
    shown = Recognizer(classifier, threshold=0.0).read(photo)
    assert shown.digits == "93" and not shown.unsure
    assert all(0.0 < item.confidence <= 1.0 for item in shown.items)
    hidden = Recognizer(classifier, threshold=1.01).read(photo)
    assert hidden.digits == "" and [i.digit for i in hidden.unsure] == [9, 3]
    assert hidden.to_dict("p.png") == {"path": "p.png", "digits": "", "items": []}


def test_annotation_keeps_the_image_size_and_draws(classifier, photo):
    reading = Recognizer(classifier).read(photo)
    out = annotate(photo, reading, status="123 FPS")
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert np.any(out != photo)
    gray = annotate(photo[..., 0], reading)
    assert gray.shape == photo.shape
