"""Digits that touch or overlap, read one by one: the splitter and the rejector together."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.reader.recognizer import Recognizer

NUMBERS = 60  # pairs and triples of MNIST test digits, written so close that most touch
MIN_EXACT = 51  # measured 55 of 60 (2026-12-03, AMD EPYC, AVX2 without VNNI; 49 before the
# shape cost); uncut: 37
MIN_GAIN = 8  # numbers more read exactly than with the marks left whole
SEED = 31


@pytest.fixture(scope="module")
def touching(pages, mnist_test):
    rng = np.random.default_rng(SEED)
    out = []
    for _ in range(NUMBERS):
        idx = rng.choice(len(mnist_test.images), int(rng.choice((2, 3))), replace=False)
        photo = pages.render([mnist_test.images[i] for i in idx], rng,
                             step=float(rng.uniform(0.45, 0.6)))
        out.append((photo, "".join(str(mnist_test.labels[i]) for i in idx)))
    return out


def _exact(recognizer: Recognizer, photos) -> tuple[int, list[str]]:
    misread = []
    for photo, truth in photos:
        read = recognizer.read(photo).digits
        if read != truth:
            misread.append(f"{truth}->{read}")
    return len(photos) - len(misread), misread


def test_touching_digits_are_cut_where_the_classifier_reads_digits(touching, int8_model):
    recognizer = Recognizer.open(int8_model)
    assert recognizer.rejector is not None
    exact, misread = _exact(recognizer, touching)
    whole, _ = _exact(Recognizer(recognizer.classifier, rejector=recognizer.rejector, cut=False),
                      touching)
    print(f"touching: {exact}/{len(touching)} exact cut where digits are read, {whole} uncut; "
          f"misread: {misread}")
    assert exact >= MIN_EXACT, misread
    assert exact >= whole + MIN_GAIN



def test_a_row_whose_digits_all_touch_is_read_though_nothing_was_found_whole(int8_model):
    """Six small digits that all touch are one mark the marks stage rejects as wider than any
    digit; with nothing else found it is still cut where the models read digits (it gave "")."""
    from runtime.reader.pipeline import find_digits
    from tests.scenes import make_scene
    from tests.scenes.measure import matched

    scene = make_scene("touching", 28, 0)  # "834702" on a sheet on a desk
    assert not find_digits(scene.image).boxes  # the case this test is about
    read = Recognizer.open(int8_model).read(scene.image).digits
    assert len(read) == len(scene.text) and matched(scene.text, read) >= len(scene.text) - 1, read
