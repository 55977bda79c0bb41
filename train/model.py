"""The models: the article's CNN (DESIGN.md) and small CNNs designed for microcontrollers.

Each builder takes the Keras module so the same layer list builds a Keras 3 model for training and
a tf_keras (legacy Keras 2) copy for tfmot (quantization-aware training, pruning, clustering).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import ModuleType

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
PARAMETERS = 597_738
ARTICLE = "mnist_cnn"
LOGITS = "logits"  # the small models' last Dense, before their Softmax layer (distillation)
# Conv widths of the small models: conv conv pool conv conv pool, then Flatten -> Dense(10).
# Chosen to fit a flash budget as int8 .tflite: weights are one byte each, and the file adds
# about 4 KiB (per-channel scales and zero points, int32 biases, tensor names, the graph).
MICRO_WIDTHS = (16, 16, 32, 32)  # 21,578 weights: <= 32 KiB
TINY_WIDTHS = (8, 16, 16, 16)  # 8,458 weights: <= 16 KiB


def _conv(L, filters: int, name: str) -> list:
    return [
        L.Conv2D(filters, 3, padding="valid", name=name),
        L.BatchNormalization(name=f"{name}_bn"),
        L.ReLU(name=f"{name}_relu"),
    ]


def _keras(keras: ModuleType | None) -> ModuleType:
    if keras is None:
        import keras
    return keras


def build_model(keras: ModuleType | None = None):
    """Conv(32)x2 -> pool -> Conv(64)x2 -> pool -> Dense(512) -> Dense(10), BN after each."""
    keras = _keras(keras)
    L = keras.layers
    layers = [
        L.Input(shape=INPUT_SHAPE, name="input"),
        *_conv(L, 32, "conv1"),
        *_conv(L, 32, "conv2"),
        L.MaxPooling2D(2, name="pool1"),
        *_conv(L, 64, "conv3"),
        *_conv(L, 64, "conv4"),
        L.MaxPooling2D(2, name="pool2"),
        L.Flatten(name="flatten"),
        L.Dense(512, name="dense1"),
        L.BatchNormalization(name="dense1_bn"),
        L.ReLU(name="dense1_relu"),
        L.Dropout(0.2, name="dropout"),
        L.Dense(NUM_CLASSES, activation="softmax", name="probs"),
    ]
    return keras.Sequential(layers, name=ARTICLE)


def build_small(widths: tuple[int, int, int, int], name: str, keras: ModuleType | None = None):
    """The article's shape at microcontroller size, without its Dense(512): only ops TensorFlow
    Lite Micro runs (Conv2D, MaxPool, Reshape, FullyConnected, Softmax; BN folds into the convs).
    The logits are their own layer so that distillation can soften them."""
    keras = _keras(keras)
    L = keras.layers
    a, b, c, d = widths
    layers = [
        L.Input(shape=INPUT_SHAPE, name="input"),
        *_conv(L, a, "conv1"),
        *_conv(L, b, "conv2"),
        L.MaxPooling2D(2, name="pool1"),
        *_conv(L, c, "conv3"),
        *_conv(L, d, "conv4"),
        L.MaxPooling2D(2, name="pool2"),
        L.Flatten(name="flatten"),
        L.Dense(NUM_CLASSES, name=LOGITS),
        L.Softmax(name="probs"),
    ]
    return keras.Sequential(layers, name=name)


ARCHITECTURES: dict[str, Callable] = {
    ARTICLE: build_model,
    "mnist_micro": partial(build_small, MICRO_WIDTHS, "mnist_micro"),
    "mnist_micro_tiny": partial(build_small, TINY_WIDTHS, "mnist_micro_tiny"),
}


DESCRIPTIONS = {
    ARTICLE: "mnist_cnn (article CNN with BatchNormalization)",
    "mnist_micro": f"mnist_micro (CNN for microcontrollers, widths {MICRO_WIDTHS}, <= 32 KiB int8)",
    "mnist_micro_tiny": f"mnist_micro_tiny (CNN for microcontrollers, widths {TINY_WIDTHS}, "
                        "<= 16 KiB int8)",
}


def run_files_prefix(name: str) -> str:
    """Run-folder names of a model's card and plots: none for the article model (models/ holds
    its card as model_card.json), '<name>.' for the others, so that they can share models/."""
    return "" if name == ARTICLE else f"{name}."


def build(name: str = ARTICLE, keras: ModuleType | None = None):
    """A fresh model of one of ARCHITECTURES."""
    return ARCHITECTURES[name](keras=keras)
