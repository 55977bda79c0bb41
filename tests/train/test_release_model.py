"""The release float model: at least 99.55% on all 10,000 test images, measured here."""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np
import pytest

from runtime.measure.dataset import to_model_input
from runtime.models.formats import FLOAT_MIN_ACCURACY, FLOAT_MODEL_NAME, MODELS_DIR
from train.model import PARAMETERS

MODEL = MODELS_DIR / FLOAT_MODEL_NAME
CARD = MODELS_DIR / "model_card.json"


@pytest.fixture(scope="module")
def release_model():
    import keras

    if not MODEL.is_file():
        pytest.fail(f"{MODEL} is missing: train it with `python -m train --recipe scenes` "
                    "and copy the run folder into models/")
    return keras.saving.load_model(MODEL, compile=False)


def test_release_model_reaches_the_article_accuracy(release_model, mnist_test):
    probs = release_model.predict(to_model_input(mnist_test.images), batch_size=500, verbose=0)
    accuracy = 100 * float(np.mean(probs.argmax(axis=1) == mnist_test.labels))
    assert len(mnist_test.labels) == 10_000
    assert accuracy >= FLOAT_MIN_ACCURACY, f"{accuracy:.2f}% < {FLOAT_MIN_ACCURACY}%"
    # The card publishes what the model really scores.
    card = json.loads(CARD.read_text())
    assert card["test_accuracy"] == pytest.approx(accuracy, abs=0.011)


def test_release_model_is_the_article_cnn_without_optimizer_state(release_model):
    assert release_model.count_params() == PARAMETERS
    with zipfile.ZipFile(MODEL) as archive:
        config = json.loads(archive.read("config.json"))
        with h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as weights:
            groups = set(weights.keys())
    assert "optimizer" not in groups and groups == {"layers", "vars"}
    assert not config.get("compile_config")  # saved uncompiled: no optimizer, no loss
