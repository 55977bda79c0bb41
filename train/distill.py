"""Knowledge distillation (Hinton et al., 2015): a small model learns a trained model's softened
probabilities as well as the labels.

The teacher (the shipped article model) is run once, before training, on every training image
and on each scene-like copy of it; its probabilities, softened at temperature T, travel with the
images through the input pipeline as 10 more target columns (train.augment). Augmentation moves
a digit by a few pixels and degrees after that, which leaves what the teacher saw unchanged in
kind. The student trains on its logits: (1 - w) * CE(label, softmax(z)) + w * T^2 * CE(soft,
softmax(z / T)); at inference it is the plain softmax of z, as sure of itself as the labels made
it (the reader's thresholds need confident outputs).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from train.model import LOGITS, NUM_CLASSES

PREDICT_BATCH = 1000
FLOOR = 1e-7  # a teacher probability of 0 has no logarithm


def soften(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log(p) / T): the teacher's probabilities at temperature T (T=1 leaves them)."""
    logits = np.log(np.clip(probs.astype(np.float64), FLOOR, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def load_teacher(path: str | Path):
    import keras

    return keras.saving.load_model(path, compile=False)


def teacher_targets(teacher, images: np.ndarray, temperature: float) -> np.ndarray:
    """The teacher's softened probabilities for uint8 images (N, 28, 28): (N, 10) float32."""
    from runtime.measure.dataset import to_model_input

    probs = teacher.predict(to_model_input(images), batch_size=PREDICT_BATCH, verbose=0)
    return soften(probs, temperature)


def logits_model(model):
    """The student up to its logits (its layers, shared): what distillation trains."""
    import keras

    return keras.Model(model.inputs, model.get_layer(LOGITS).output)


def loss(weight: float, temperature: float):
    """The distillation loss on (label | soft) targets, (N, 20), and the student's logits."""
    from keras import ops

    def distillation(y_true, logits):
        labels, soft = y_true[:, :NUM_CLASSES], y_true[:, NUM_CLASSES:]
        hard = -ops.sum(labels * ops.log_softmax(logits, axis=-1), axis=-1)
        softened = -ops.sum(soft * ops.log_softmax(logits / temperature, axis=-1), axis=-1)
        return (1.0 - weight) * hard + weight * temperature**2 * softened

    return distillation


def accuracy(y_true, y_pred):
    """Top-1 against the label columns (the first 10) of any target layout."""
    from keras import ops

    return ops.cast(ops.equal(ops.argmax(y_true[:, :NUM_CLASSES], axis=-1),
                              ops.argmax(y_pred, axis=-1)), "float32")
