"""Recognizer: confidences, the threshold, the JSON shape with its lines, drawing."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.reader.draw import annotate
from runtime.reader.pipeline import Found
from runtime.reader.recognizer import Item, Reading, Recognizer


@pytest.fixture(scope="module")
def photo(pages, mnist_test):
    idx = [int(np.flatnonzero(mnist_test.labels == d)[4]) for d in (9, 3)]
    return pages.render([mnist_test.images[i] for i in idx], np.random.default_rng(5))


def test_threshold_decides_what_is_shown(classifier, photo):
    shown = Recognizer(classifier, threshold=0.0).read(photo)
    assert shown.digits == "93" and not shown.unsure
    assert all(0.0 < item.confidence <= 1.0 for item in shown.items)
    hidden = Recognizer(classifier, threshold=1.01).read(photo)
    assert hidden.digits == "" and [i.digit for i in hidden.unsure] == [9, 3]
    assert hidden.to_dict("p.png") == {"path": "p.png", "digits": "", "lines": [], "items": []}
    line = shown.to_dict("p.png")
    assert line["lines"] == [{"digits": "93", "items": line["items"]}]


def test_reading_lines_and_single_line_consumers():
    a, b, c = (Item(d, 0.9, (10 * d, 0, 5, 5)) for d in (4, 2, 7))
    one = Reading([a, b])  # built as before: one line
    assert one.digits == "42" and [line.digits for line in one.lines] == ["42"]
    two = Reading.from_lines([[a, b], [], [c]])
    assert two.digits == "42\n7" and two.items == [a, b, c]
    assert [line.digits for line in two.lines] == ["42", "7"]
    assert Reading([]).lines == [] and Reading([]).digits == ""


def test_an_unsure_digit_among_sure_ones_of_its_height_is_shown():
    """Half the threshold is enough for a mark standing in a row between sure digits of its size
    (a hard digit: leaving it out makes the number wrong for certain); a lone unsure mark, a much
    smaller one in the row, and one below half the threshold stay out."""
    items = [Item(5, 0.99, (0, 100, 30, 40)), Item(8, 0.40, (40, 102, 30, 38)),
             Item(2, 0.98, (80, 100, 30, 41)), Item(1, 0.40, (120, 120, 8, 12)),
             Item(3, 0.20, (140, 100, 30, 40)), Item(7, 0.97, (180, 101, 30, 40)),
             Item(4, 0.40, (60, 300, 30, 40))]
    found = Found(np.zeros((len(items), 28, 28), np.float32), [i.box for i in items],
                  [[0, 1, 2, 3, 4, 5], [6]])
    reading = Recognizer(None, threshold=0.5).read_found(found, items)
    assert reading.digits == "5827"
    assert sorted(i.digit for i in reading.unsure) == [1, 3, 4]
    strict = Recognizer(None, threshold=0.9).read_found(found, items)
    assert strict.digits == "527"  # the flag still means what it says, scaled


def test_annotation_keeps_the_image_size_and_draws(classifier, photo):
    reading = Recognizer(classifier).read(photo)
    out = annotate(photo, reading, status="123 FPS")
    assert out.shape == photo.shape and out.dtype == np.uint8
    assert np.any(out != photo)
    gray = annotate(photo[..., 0], reading)
    assert gray.shape == photo.shape
    rows = Reading.from_lines([reading.items[:1], reading.items[1:]])
    assert np.any(annotate(photo, rows) != out)  # each row outlined and numbered


def test_a_mark_alone_on_its_line_must_be_surer():
    """A mark with no row around it (a pen's piece or a fingertip beside the writing, read as a
    digit at 0.5-0.7) needs to be 40% of the way from the threshold to certainty; a lone digit the
    model is sure of is shown, and in a row the threshold itself is enough."""
    items = [Item(3, 0.99, (0, 100, 30, 40)), Item(1, 0.62, (40, 100, 10, 40)),
             Item(6, 0.62, (300, 300, 30, 40)), Item(9, 0.75, (300, 500, 30, 40))]
    found = Found(np.zeros((len(items), 28, 28), np.float32), [i.box for i in items],
                  [[0, 1], [2], [3]])
    reading = Recognizer(None, threshold=0.5).read_found(found, items)
    assert reading.digits == "31\n9" and [i.digit for i in reading.unsure] == [6]
    assert Recognizer(None, threshold=0.8).read_found(found, items).digits == "3"  # 0.88 alone
    assert Recognizer(None, threshold=1.0).read_found(found, items).digits == ""


def _row(not_digits: list[float], left: int = 0, gap: int = 10, y: int = 100,
         confidence: float = 0.95) -> list[Item]:
    """Items side by side in one row, 30x40 each, `gap` px apart; digit 4, sure (not so sure
    that the classifier vouches for a word the rejector doubts: recognizer.SURE_WORD)."""
    return [Item(4, confidence, (left + k * (30 + gap), y, 30, 40), nd)
            for k, nd in enumerate(not_digits)]


def _read(items: list[Item], lines: list[list[int]], reject_from: float = 0.5):
    found = Found(np.zeros((len(items), 28, 28), np.float32), [i.box for i in items], lines)
    recognizer = Recognizer(None)
    recognizer.reject_from = reject_from  # the rejector artifact's threshold
    return recognizer.read_found(found, items)


def test_a_word_row_yields_nothing_and_its_digit_like_letters_go_with_it():
    """"Room" above a number: R and m are no digits, the o's look like 0s; the row goes whole."""
    word = _row([0.95, 0.2, 0.3, 0.9], y=20)
    number = _row([0.01, 0.02], y=100)
    reading = _read(word + number, [[0, 1, 2, 3], [4, 5]])
    assert reading.digits == "44"
    assert len(reading.unsure) == 4


def test_a_number_beside_a_word_reads_as_the_number():
    word = _row([0.9, 0.3, 0.95, 0.97])  # "Total"-like: most marks no digits
    number = _row([0.0, 0.05, 0.1], left=word[-1].box[0] + 30 + 40)  # a space after the word
    assert _read(word + number, [list(range(7))]).digits == "444"


def test_a_mark_the_rejector_calls_no_digit_is_left_out_of_a_number():
    reading = _read(_row([0.0, 0.9, 0.1]), [[0, 1, 2]])
    assert reading.digits == "44" and [i.not_digit for i in reading.unsure] == [0.9]


def test_a_mark_alone_goes_from_the_rejectors_threshold_a_word_on_its_mean():
    """A photographed digit can look odd to the rejector: one mark goes only when it is as sure
    as its artifact says; a word's marks together are evidence enough at half."""
    assert _read(_row([0.0, 0.9, 0.1], gap=20), [[0, 1, 2]], reject_from=0.98).digits == "444"
    assert _read(_row([0.0, 0.99, 0.1], gap=20), [[0, 1, 2]], reject_from=0.98).digits == "44"
    word = _row([0.7, 0.6, 0.4], y=20)  # no mark sure alone, the word on average no digits
    assert _read(word + _row([0.0, 0.0], y=100), [[0, 1, 2], [3, 4]], 0.98).digits == "44"
    lone = _row([0.7], y=20)  # a single mark is no word: it needs the threshold
    assert _read(lone + _row([0.0, 0.0], y=100), [[0], [1, 2]], 0.98).digits == "4\n44"


def test_digits_the_classifier_is_sure_of_stay_though_the_rejector_doubts_them():
    """Digits seen at a slant or small can look odd to the rejector, together as well; when the
    classifier is sure of every one of them, they are a number (a word leaves it unsure of some
    letter)."""
    sure = _row([0.6, 0.5, 0.9, 0.6], confidence=1.0)
    assert _read(sure, [[0, 1, 2, 3]], reject_from=0.98).digits == "4444"
    unsure = [*_row([0.6, 0.5], confidence=1.0), *_row([0.9, 0.6], left=80)]
    assert _read(unsure, [[0, 1, 2, 3]], reject_from=0.98).digits == ""


def test_without_a_rejector_nothing_is_rejected():
    assert _read(_row([0.0, 0.0, 0.0]), [[0, 1, 2]]).digits == "444"
