"""The article's CNN, with its BatchNormalization really in the model (DESIGN.md).

`build_model` takes the Keras module so the same layer list builds a Keras 3 model for training and
a tf_keras (legacy Keras 2) copy for quantization-aware training with tfmot.
"""

from __future__ import annotations

from types import ModuleType

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
PARAMETERS = 597_738


def build_model(keras: ModuleType | None = None):
    """Conv(32)x2 -> pool -> Conv(64)x2 -> pool -> Dense(512) -> Dense(10), BN after each."""
    if keras is None:
        import keras
    L = keras.layers

    def conv(filters: int, name: str) -> list:
        return [
            L.Conv2D(filters, 3, padding="valid", name=name),
            L.BatchNormalization(name=f"{name}_bn"),
            L.ReLU(name=f"{name}_relu"),
        ]

    layers = [
        L.Input(shape=INPUT_SHAPE, name="input"),
        *conv(32, "conv1"),
        *conv(32, "conv2"),
        L.MaxPooling2D(2, name="pool1"),
        *conv(64, "conv3"),
        *conv(64, "conv4"),
        L.MaxPooling2D(2, name="pool2"),
        L.Flatten(name="flatten"),
        L.Dense(512, name="dense1"),
        L.BatchNormalization(name="dense1_bn"),
        L.ReLU(name="dense1_relu"),
        L.Dropout(0.2, name="dropout"),
        L.Dense(NUM_CLASSES, activation="softmax", name="probs"),
    ]
    return keras.Sequential(layers, name="mnist_cnn")
