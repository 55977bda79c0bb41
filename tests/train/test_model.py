"""The article's CNN: layer sequence, parameter count, the same model in Keras 3 and tf_keras."""

from __future__ import annotations

import pytest

from train.model import PARAMETERS, build_model

EXPECTED_LAYERS = [
    "Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D",
    "Conv2D", "BatchNormalization", "ReLU", "Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D",
    "Flatten", "Dense", "BatchNormalization", "ReLU", "Dropout", "Dense",
]


def test_layer_sequence_matches_the_design():
    model = build_model()
    assert [type(layer).__name__ for layer in model.layers] == EXPECTED_LAYERS
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert model.layers[-1].get_config()["activation"] == "softmax"
    assert model.layers[-2].rate == pytest.approx(0.2)
    assert [layer.filters for layer in model.layers if type(layer).__name__ == "Conv2D"] == [
        32, 32, 64, 64]
    assert model.get_layer("flatten").output.shape[-1] == 1024


def test_parameter_count_includes_batch_normalization():
    model = build_model()
    assert model.count_params() == PARAMETERS == 597_738
    moving = sum(w.numpy().size for w in model.non_trainable_weights)
    assert moving == 1_408  # BN moving means and variances


def test_tf_keras_copy_has_the_same_weights_layout():
    tf_keras = pytest.importorskip("tf_keras")
    legacy = build_model(tf_keras)
    model = build_model()
    assert legacy.count_params() == PARAMETERS
    assert [w.shape for w in legacy.get_weights()] == [w.shape for w in model.get_weights()]
