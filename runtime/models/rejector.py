"""The rejector: a small second model that says whether what the reader cut out is a digit at all.

The article's model (DESIGN.md: (N, 10) softmax) must call everything some digit, and it is often
sure of it: the word "PAGE" reads as 8465 at high confidence. The rejector takes the same 28x28
input and gives 11 probabilities, the ten digits and "not a digit" (letters, symbols, pieces of
digits, two digits in one crop, strokes and blobs), trained on MNIST training digits, the reader's
own crops of them and generated negatives (`python -m train.reject`, `python -m export.reject`).
It is about a tenth of the classifier's cost and runs on the same batch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from runtime.models.classifier import Classifier, ClassifierOptions
from runtime.models.formats import REJECTOR_NAME

OUTPUTS = 11  # the ten digits, then "not a digit"
NOT_DIGIT = 10
THRESHOLD = 0.5  # "not a digit" this probable: a mark is left out (the artifact's metadata says
# its own: photographed digits look less like MNIST's than MNIST's own, so it asks for more)
# The rejector's contract, on every kernel path (export.reject refuses an artifact that breaks it):
MAX_DIGITS_REJECTED = 0.5  # percent of the 10,000 MNIST test digits called no digit, at most
MIN_CAUGHT = 90.0  # percent of the held-out non-digits (train.rejects.held_out) caught, at least


class Rejector:
    """The rejector model from a .tflite or .onnx file."""

    def __init__(self, path: str | Path, options: ClassifierOptions | None = None):
        self.model = Classifier(path, options, outputs=OUTPUTS)
        self.path = self.model.path
        self.metadata = self.model.metadata
        self.threshold = float(self.metadata.get("threshold", THRESHOLD))

    @classmethod
    def beside(cls, model: str | Path, options: ClassifierOptions | None = None
               ) -> Rejector | None:
        """The rejector in the classifier's folder, or None when there is none."""
        path = Path(model).parent / REJECTOR_NAME
        return cls(path, options) if path.is_file() else None

    def not_digit(self, images: np.ndarray) -> np.ndarray:
        """(N,) probability that each (N, 28, 28[, 1]) crop is no digit."""
        return self.model.predict(images)[:, NOT_DIGIT]

    def weigh(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Its own reading of each crop: (N, 10) digit probabilities given that it is a digit,
        and (N,) the probability that it is none."""
        p = self.model.predict(images)
        digits = p[:, :NOT_DIGIT]
        return digits / np.maximum(digits.sum(axis=1, keepdims=True), 1e-6), p[:, NOT_DIGIT]

    def __repr__(self) -> str:
        return f"Rejector({str(self.path)!r})"


def rescale(p: np.ndarray, threshold: float) -> np.ndarray:
    """Probabilities mapped so that `threshold` becomes 0.5, order kept: piecewise linear,
    [0, t] -> [0, 0.5] and [t, 1] -> [0.5, 1]."""
    if threshold == THRESHOLD:
        return p
    t = threshold
    return np.where(p < t, 0.5 * p / t, 0.5 + 0.5 * (p - t) / (1.0 - t)).astype(np.float32)
