"""Photo or frame in, the number on it out: the reader's stages plus one batched classifier call."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from runtime.classifier import Classifier, ClassifierOptions
from runtime.formats import DEFAULT_MODEL
from runtime.reader.pipeline import Found, find_digits

DEFAULT_THRESHOLD = 0.5  # a digit the model gives less than this is not shown...
ROW_SURE, ROW_THRESHOLD, ROW_HEIGHT = 2, 0.5, 0.3  # ...unless it stands among this many sure
# digits of its height (within this share) in a row: then half that is enough
LONE_SURER = 0.4  # of the way from the threshold to certainty: a mark alone on its line needs that
# much (no row vouches for it; what the stages leave alone is most often a pen's piece or a finger)


@dataclass(frozen=True)
class Item:
    digit: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in the image's pixels

    def to_dict(self) -> dict:
        return {"digit": self.digit, "confidence": round(self.confidence, 4), "box": list(self.box)}


@dataclass(frozen=True)
class Line:
    """One row of writing, left to right."""

    items: list[Item]

    @property
    def digits(self) -> str:
        return "".join(str(item.digit) for item in self.items)

    def to_dict(self) -> dict:
        return {"digits": self.digits, "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class Reading:
    """The digits shown (confidence >= threshold) in reading order, and those left out.

    `breaks` are the indices of `items` where a new line starts; without them all is one line.
    """

    items: list[Item]
    unsure: list[Item] = field(default_factory=list)
    breaks: tuple[int, ...] = ()

    @classmethod
    def from_lines(cls, lines: list[list[Item]], unsure: list[Item] | None = None) -> Reading:
        lines = [line for line in lines if line]
        starts = np.cumsum([len(line) for line in lines])[:-1] if lines else []
        return cls([i for line in lines for i in line], unsure or [],
                   tuple(int(s) for s in starts))

    @property
    def lines(self) -> list[Line]:
        edges = [0, *self.breaks, len(self.items)]
        return [Line(self.items[a:b]) for a, b in zip(edges, edges[1:], strict=False) if b > a]

    @property
    def digits(self) -> str:
        return "\n".join(line.digits for line in self.lines)

    def to_dict(self, path: str) -> dict:
        """The JSON line of DESIGN.md."""
        return {"path": path, "digits": self.digits,
                "lines": [line.to_dict() for line in self.lines],
                "items": [i.to_dict() for i in self.items]}


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
        return self.read_found(find_digits(image))

    def classify(self, found: Found) -> list[Item]:
        """One item per digit found, in the order found (one batched classifier call)."""
        if not found.boxes:
            return []
        probs = self.classifier.predict(found.images)
        digits, confidences = probs.argmax(axis=1), probs.max(axis=1)
        return [Item(int(d), float(c), box)
                for d, c, box in zip(digits, confidences, found.boxes, strict=True)]

    def read_found(self, found: Found, items: list[Item] | None = None) -> Reading:
        """The reading of digits the reader's stages found (runtime.image --debug keeps them)."""
        items = self.classify(found) if items is None else items
        if not items:
            return Reading([])
        shown = [self._shown([items[i] for i in line]) for line in found.lines]
        kept = {id(item) for line in shown for item in line}
        unsure = [items[i] for i in found.in_reading_order() if id(items[i]) not in kept]
        return Reading.from_lines(shown, unsure)

    def _shown(self, line: list[Item]) -> list[Item]:
        """The items of one row that are shown: those at least `threshold` sure, and those half
        as sure standing among at least two sure digits of their height. There a mark is a digit,
        only a hard one, and leaving it out would make the number wrong for certain. A mark alone
        on its line must be surer than the threshold."""
        if len(line) == 1:
            lone = self.threshold + LONE_SURER * (1.0 - self.threshold)
            return [item for item in line if item.confidence >= lone]
        sure = [item for item in line if item.confidence >= self.threshold]
        if len(sure) < ROW_SURE:
            return sure
        height = float(statistics.median(item.box[3] for item in sure))
        return [item for item in line if item.confidence >= self.threshold
                or (item.confidence >= ROW_THRESHOLD * self.threshold
                    and abs(item.box[3] - height) <= ROW_HEIGHT * height)]
