"""Split: the best path of segments across a mark wider than a digit, and what it scores."""

from __future__ import annotations

import numpy as np

from runtime.reader import split
from runtime.reader.segments import Segment
from runtime.reader.shapes import Mark


def test_the_best_path_is_the_one_the_scores_say():
    mark = Mark((0, 0, 4, 4), np.ones((4, 4), bool))
    found = [Segment(0, 3, mark), Segment(0, 1, mark), Segment(1, 3, mark),
             Segment(0, 2, mark), Segment(2, 3, mark)]
    # the whole is a sure digit: kept whole, whatever its pieces say
    assert split.best_path(found, np.log([0.99, 0.99, 0.99, 0.5, 0.5])) == [0]
    # the whole is no digit (the rejector says two digits in one crop): the two sure pieces
    assert split.best_path(found, np.log([0.05, 0.99, 0.98, 0.5, 0.5])) == [1, 2]
    assert split.best_path(found, np.log([0.05, 0.2, 0.2, 0.97, 0.96])) == [3, 4]


def test_a_mark_no_run_of_segments_crosses_gives_nothing_and_the_search_ends():
    mark = Mark((0, 0, 4, 4), np.ones((4, 4), bool))
    # a mark the marks stage rejected (its whole scores -inf) whose pieces leave a gap: 2 to 3
    found = [Segment(0, 3, mark), Segment(0, 1, mark), Segment(1, 2, mark)]
    assert split.best_path(found, np.array([-np.inf, -0.1, -0.1])) == []


def test_the_rejector_weighs_in_the_score():
    probs = np.array([[0.99] + [0.001] * 9, [0.99] + [0.001] * 9], np.float32)
    plain = split.score(probs, None)
    weighed = split.score(probs, np.array([0.0, 0.9], np.float32))
    assert np.allclose(plain, np.log(0.99)) and weighed[0] > weighed[1] + 2


def test_a_narrow_mark_is_not_wide():
    assert not split.is_wide((0, 0, 20, 40), 40)
    assert split.is_wide((0, 0, 60, 40), 40)
    assert not split.is_wide((0, 0, 60, 80), 40)  # as wide as its own height allows


def test_a_crop_wider_than_its_digit_is_written_costs():
    """The models see crops fitted into 20x20: a "64" read as one wide 4 scores less than the
    same probability on a 4 as narrow as MNIST's; a wide 0 or 2 (MNIST has those) costs little."""
    probs = np.full((4, 10), 0.001, np.float32)
    probs[[0, 1], 4] = 0.99
    probs[2, 0] = probs[3, 2] = 0.99
    boxes = [(0, 0, 30, 40), (0, 0, 57, 42), (0, 0, 52, 40), (0, 0, 60, 40)]
    sure = np.zeros(4, np.float32)  # the rejector's: all four are digits
    narrow, wide, zero, two = split.score(probs, sure, boxes)
    assert narrow == split.score(probs[:1], sure[:1])[0]  # a usual shape costs nothing
    assert wide < narrow - 0.2
    assert zero > wide and two > wide and two > narrow - 0.05
    assert (split.score(probs, None, boxes) == split.score(probs, None)).all()  # no rejector
