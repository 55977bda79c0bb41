"""Photo or frame in, the number on it out: preprocessing plus one batched classifier call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from runtime.classifier import Classifier, ClassifierOptions
from runtime.formats import DEFAULT_MODEL
from runtime.preprocess import find_digits

DEFAULT_THRESHOLD = 0.5  # a digit the model gives less than this is not shown


@dataclass(frozen=True)
class Item:
    digit: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in the image's pixels

    def to_dict(self) -> dict:
        return {"digit": self.digit, "confidence": round(self.confidence, 4), "box": list(self.box)}


@dataclass(frozen=True)
class Reading:
    """The digits shown (confidence >= threshold), left to right, and those left out."""

    items: list[Item]
    unsure: list[Item] = field(default_factory=list)

    @property
    def digits(self) -> str:
        return "".join(str(item.digit) for item in self.items)

    def to_dict(self, path: str) -> dict:
        """The JSON line of DESIGN.md."""
        return {"path": path, "digits": self.digits, "items": [i.to_dict() for i in self.items]}


class Recognizer:
    """Reads the digits on photos and frames with one classifier."""

    def __init__(self, classifier: Classifier, threshold: float = DEFAULT_THRESHOLD):
        self.classifier = classifier
        self.threshold = threshold

    @classmethod
    def open(cls, model: str | Path = DEFAULT_MODEL, threads: int = 1,
             threshold: float = DEFAULT_THRESHOLD) -> Recognizer:
        return cls(Classifier(model, ClassifierOptions(threads=threads)), threshold)

    def read(self, image: np.ndarray) -> Reading:
        found = find_digits(image)
        if not found.boxes:
            return Reading([])
        probs = self.classifier.predict(found.images)
        digits, confidences = probs.argmax(axis=1), probs.max(axis=1)
        items = [Item(int(d), float(c), box)
                 for d, c, box in zip(digits, confidences, found.boxes, strict=True)]
        return Reading([i for i in items if i.confidence >= self.threshold],
                       [i for i in items if i.confidence < self.threshold])
