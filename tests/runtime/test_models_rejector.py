"""The rejector artifact: its contract on every kernel path, its metadata, how it is loaded."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from runtime.measure import dataset
from runtime.models.classifier import KERNEL_PATHS, ClassifierOptions, ModelError
from runtime.models.formats import REJECTOR_NAME
from runtime.models.rejector import MAX_DIGITS_REJECTED, MIN_CAUGHT, THRESHOLD, Rejector
from runtime.reader.recognizer import Recognizer

HELD_OUT_PHOTOS = 200  # a third of the export's held-out set: the test's time, the same kinds


@pytest.fixture(scope="module")
def rejector_model(int8_model):
    path = int8_model.parent / REJECTOR_NAME
    if not path.is_file():
        pytest.fail(f"{path} is missing: python -m train.reject && python -m export.reject")
    return path


@pytest.fixture(scope="module")
def held_out():
    from train import rejects

    return rejects.held_out(photos=HELD_OUT_PHOTOS).astype(np.float32) / 255.0


@pytest.mark.parametrize("kernels", KERNEL_PATHS)
def test_the_rejector_meets_its_contract(rejector_model, mnist_test, held_out, kernels):
    """At most MAX_DIGITS_REJECTED% of the 10,000 MNIST test digits called no digit, at least
    MIN_CAUGHT% of held-out non-digits (fonts and digits it never trained on) caught."""
    rejector = Rejector(rejector_model, ClassifierOptions(kernels=kernels))
    digits = dataset.to_model_input(mnist_test.images)
    rejected = 100 * float(np.mean(rejector.not_digit(digits) >= THRESHOLD))
    caught = 100 * float(np.mean(rejector.not_digit(held_out) >= THRESHOLD))
    print(f"{kernels}: {rejected:.2f}% of test digits rejected, {caught:.1f}% of "
          f"{len(held_out)} held-out non-digits caught")
    assert rejected <= MAX_DIGITS_REJECTED
    assert caught >= MIN_CAUGHT
    assert len(held_out) >= 500


def test_the_rejector_says_what_it_is(rejector_model):
    meta = Rejector(rejector_model).metadata
    assert meta["labels"][-1] == "not a digit" and len(meta["labels"]) == 11
    assert set(meta["kernel_paths"]) == set(KERNEL_PATHS)
    for measured in meta["kernel_paths"].values():
        assert measured["test_digits_rejected_percent"] <= MAX_DIGITS_REJECTED
        assert measured["held_out_caught_percent"] >= MIN_CAUGHT
    assert meta["command"].startswith("python -m export.reject")
    assert 0.0 < meta["threshold"] < 1.0


def test_the_recognizer_loads_the_rejector_beside_its_model(int8_model, rejector_model, tmp_path):
    assert Recognizer.open(int8_model).rejector is not None
    assert Recognizer.open(int8_model, reject=False).rejector is None
    alone = tmp_path / int8_model.name
    shutil.copy(int8_model, alone)
    assert Recognizer.open(alone).rejector is None  # none beside it: read as before


def test_a_digit_model_is_no_rejector(int8_model, tmp_path):
    shutil.copy(int8_model, tmp_path / REJECTOR_NAME)
    with pytest.raises(ModelError, match=r"\(N, 11\): not an MNIST rejector model"):
        Rejector(tmp_path / REJECTOR_NAME)


def test_the_recognizer_leaves_a_mark_out_from_the_rejectors_threshold(rejector_model):
    """The artifact's metadata says from which probability a mark alone is no digit; the
    recognizer takes it from there (a word of marks still goes on their mean)."""
    rejector = Rejector(rejector_model)
    assert rejector.threshold == rejector.metadata["threshold"]
    recognizer = Recognizer(None, rejector=rejector)
    assert recognizer.reject_from == rejector.threshold
    assert Recognizer(None).reject_from == THRESHOLD  # no rejector: nothing is ever that sure
