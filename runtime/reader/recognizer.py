"""Photo or frame in, the number on it out: the reader's stages plus one batched classifier call."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from runtime.models.classifier import Classifier, ClassifierOptions
from runtime.models.formats import DEFAULT_MODEL
from runtime.models.rejector import THRESHOLD, Rejector
from runtime.reader import split
from runtime.reader.pipeline import Found, find_digits

DEFAULT_THRESHOLD = 0.5  # a digit the model gives less than this is not shown...
ROW_SURE, ROW_THRESHOLD, ROW_HEIGHT = 2, 0.5, 0.3  # ...unless it stands among this many sure
# digits of its height (within this share) in a row: then half that is enough
LONE_SURER = 0.4  # of the way from the threshold to certainty: a mark alone on its line needs that
# much (no row vouches for it; what the stages leave alone is most often a pen's piece or a finger)
WORD_REJECT = 0.5  # a word of two or more marks goes when they are on average this likely no
# digits (a mark alone goes from the rejector's own threshold, in its metadata)
WORD_GAP = 0.3  # of the row's height: marks closer than this are one word (a space is wider)
SURE_WORD = 0.99  # ... unless the classifier is this sure of every one of its marks: digits seen
# at a slant or small, that the rejector doubts (a word's letters leave it unsure of one or more)


@dataclass(frozen=True)
class Item:
    digit: int
    confidence: float
    box: tuple[int, int, int, int]  # x, y, w, h in the image's pixels
    not_digit: float = 0.0  # the rejector's probability that this is no digit (0: no rejector)

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
    """Reads the digits on photos and frames with one classifier (and the rejector, if any)."""

    def __init__(self, classifier: Classifier, threshold: float = DEFAULT_THRESHOLD,
                 rejector: Rejector | None = None, cut: bool = True):
        self.classifier = classifier
        self.threshold = threshold
        self.rejector = rejector
        # the rejector's probability of "not a digit" from which a mark alone is left out
        self.reject_from = THRESHOLD if rejector is None else rejector.threshold
        self.cut = cut  # whether marks wider than a digit are cut where it reads digits

    @classmethod
    def open(cls, model: str | Path = DEFAULT_MODEL, threads: int = 1,
             threshold: float = DEFAULT_THRESHOLD, reject: bool = True) -> Recognizer:
        """The classifier in `model`, and the rejector beside it when there is one (and
        `reject`)."""
        options = ClassifierOptions(threads=threads)
        rejector = Rejector.beside(model, options) if reject else None
        return cls(Classifier(model, options), threshold, rejector)

    def read(self, image: np.ndarray) -> Reading:
        return self.read_found(*self.recognize(find_digits(image)))

    def _predict(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Digit probabilities and not-a-digit probabilities (None without a rejector)."""
        probs = self.classifier.predict(images)
        return probs, None if self.rejector is None else self.rejector.not_digit(images)

    def classify(self, found: Found) -> list[Item]:
        """One item per digit found, in the order found (one batched classifier call)."""
        if not found.boxes:
            return []
        return _items(found, *self._predict(found.images))

    def recognize(self, found: Found) -> tuple[Found, list[Item]]:
        """The digits found, marks wider than a digit cut where the models read digits
        (runtime.reader.split), one item each: one batched call for the marks, one for the
        segments of those the classifier is not sure are one digit, and one for the segments
        kept. With a rejector the segments are weighed by it alone (its own ten digits and "not
        a digit", at a tenth of the classifier's cost) and only the kept ones are classified."""
        if not self.cut:
            return found, self.classify(found)
        # nothing found whole may still be digits that all touch (marks rejected as too wide)
        probs, not_digit = self._predict(found.images) if found.boxes else (
            np.zeros((0, 10), np.float32), None if self.rejector is None else np.zeros(0))
        plan = split.plan(found, split.score(probs, not_digit, found.boxes))
        if not len(plan.images):
            return found, _items(found, probs, not_digit)
        if self.rejector is None:
            more, more_not = self.classifier.predict(plan.images), None
        else:
            more, more_not = self.rejector.weigh(plan.images)
        probs = np.concatenate([probs, more])
        not_digit = None if not_digit is None else np.concatenate([not_digit, more_not])
        cut, cut_probs, cut_not, segments = split.resolve(plan, probs, not_digit)
        if self.rejector is not None and segments.any():  # the kept segments, classified
            cut_probs[segments] = self.classifier.predict(cut.images[segments])
        return cut, _items(cut, cut_probs, cut_not)

    def read_found(self, found: Found, items: list[Item] | None = None) -> Reading:
        """The reading of digits the reader's stages found (runtime.image --debug keeps them)."""
        items = self.classify(found) if items is None else items
        if not items:
            return Reading([])
        shown = [self._shown(_digits_only([items[i] for i in line], self.reject_from))
                 for line in found.lines]
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


def _items(found: Found, probs: np.ndarray, not_digit: np.ndarray | None) -> list[Item]:
    digits, confidences = probs.argmax(axis=1), probs.max(axis=1)
    rejected = np.zeros(len(probs)) if not_digit is None else not_digit
    return [Item(int(d), float(c), box, float(r))
            for d, c, box, r in zip(digits, confidences, found.boxes, rejected, strict=True)]


def _digits_only(line: list[Item], reject_from: float) -> list[Item]:
    """A row without what the rejector says is no digit: a word (two or more marks close
    together, on average no digits, and not all sure digits to the classifier) goes whole,
    letters like digits (an o, an l) with it; a mark goes alone from `reject_from`; a number
    beside a word stays."""
    if not line or all(item.not_digit < min(WORD_REJECT, reject_from) for item in line):
        return line
    height = float(statistics.median(item.box[3] for item in line))
    words, word = [], [line[0]]
    for before, item in zip(line, line[1:], strict=False):
        if item.box[0] - (before.box[0] + before.box[2]) > WORD_GAP * height:
            words.append(word)
            word = []
        word.append(item)
    words.append(word)
    return [item for word in words
            if len(word) == 1 or statistics.mean(i.not_digit for i in word) < WORD_REJECT
            or min(i.confidence for i in word) >= SURE_WORD
            for item in word if item.not_digit < reject_from]
