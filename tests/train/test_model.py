"""The article's CNN: layer sequence, parameter count, the same model in Keras 3 and tf_keras."""

from __future__ import annotations

import numpy as np
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


@pytest.mark.parametrize("name, weights", [("mnist_micro", 21_690), ("mnist_micro_tiny", 8_570)])
def test_microcontroller_models_are_small_and_end_in_their_own_logits(name, weights):
    from train.model import ARCHITECTURES, LOGITS, build

    model = build(name)
    assert name in ARCHITECTURES and model.name == name
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == weights
    assert model.output_shape == (None, 10) and model.input_shape == (None, 28, 28, 1)
    assert type(model.layers[-1]).__name__ == "Softmax"
    assert model.layers[-2].name == LOGITS and model.layers[-2].get_config()["activation"] == \
        "linear"
    # only layers that become TFLM builtins (BatchNormalization folds into the convolutions)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert kinds <= {"Conv2D", "BatchNormalization", "ReLU", "MaxPooling2D", "Flatten", "Dense",
                     "Softmax"}


def test_the_tf_keras_copy_of_a_micro_model_has_the_same_layout():
    tf_keras = pytest.importorskip("tf_keras")
    from train.model import build

    assert [w.shape for w in build("mnist_micro", tf_keras).get_weights()] == \
        [tuple(w.shape) for w in build("mnist_micro").get_weights()]
