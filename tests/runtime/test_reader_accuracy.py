"""The reader on photos nobody hand-drew: MNIST test digits rendered as ink on uneven paper."""

from __future__ import annotations

import pytest

from runtime.recognizer import Recognizer
from tests.scenes.measure import matched

PAGES = 150  # about 500 digits: single digits and numbers of 2 to 6 digits
SEED = 2024
MIN_ACCURACY = 0.98


@pytest.fixture(scope="module")
def photos(pages, mnist_test):
    return pages.make_set(mnist_test.images, mnist_test.labels, PAGES, SEED)


def test_reader_gets_98_percent_of_digits_right(photos, pages, classifier):
    recognizer = Recognizer(classifier, threshold=0.0)
    right = total = 0
    misread = []
    for photo, truth, _ in photos:
        read = recognizer.read(photo).digits
        right += matched(truth, read)
        total += max(len(truth), len(read))
        if read != truth:
            misread.append(f"{truth}->{read}")
    accuracy = right / total
    print(f"reader accuracy {accuracy:.2%} on {total} digits; misread: {misread}")
    assert total >= 400
    assert accuracy >= MIN_ACCURACY, misread


def test_matched_counts_common_digits():
    assert matched("1234", "1234") == 4
    assert matched("1234", "124") == 3
    assert matched("12", "") == 0
