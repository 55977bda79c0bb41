"""Split: candidate cuts of a mark wider than a digit, and the best path of segments across it."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader import split
from runtime.reader.shapes import Mark


def _ring(h: int, w: int, thick: int = 3) -> np.ndarray:
    canvas = np.zeros((h, w), np.uint8)
    cv2.ellipse(canvas, (w // 2, h // 2), (w // 2 - thick, h // 2 - thick), 0, 0, 360, 255, thick)
    return canvas > 0


def _two_touching(overlap: int = 2) -> np.ndarray:
    """Two 0s side by side, their strokes touching over `overlap` columns."""
    a, b = _ring(40, 26), _ring(40, 26)
    mask = np.zeros((40, 52 - overlap), bool)
    mask[:, :26] |= a
    mask[:, 26 - overlap :] |= b
    return mask


def test_a_cut_falls_where_two_digits_touch():
    mask = _two_touching()
    xs = [x for x, _ in split.cuts(mask)]
    assert any(abs(x - 24) <= 2 for x in xs), xs


def test_a_wide_stretch_without_a_valley_still_gets_cuts():
    """Digits that overlap leave no thin column: the candidates still cover the mark."""
    mask = np.ones((30, 90), bool)  # a solid bar: no valley anywhere
    edges = [0, *[x for x, _ in split.cuts(mask)], 90]
    assert max(b - a for a, b in zip(edges, edges[1:], strict=False)) <= split.MAX_STRETCH * 30 + 1


def test_segments_start_with_the_whole_mark_and_fit_a_digit():
    mask = _two_touching()
    found = split.segments(Mark((100, 50, mask.shape[1], 40), mask))
    assert found[0].mark.box == (100, 50, mask.shape[1], 40)
    assert (found[0].start, found[0].end) == (0, max(s.end for s in found))
    for seg in found[1:]:
        x, y, w, h = seg.mark.box
        assert split.MIN_PIECE * 40 <= w <= split.MAX_SEGMENT * 40 and h >= split.MIN_HEIGHT * 40
        assert 100 <= x and x + w <= 100 + mask.shape[1]
    # the left 0 alone is one of the segments
    assert any(s.mark.box[0] <= 102 and abs(s.mark.box[2] - 24) <= 3 for s in found[1:])


def test_the_best_path_is_the_one_the_scores_say():
    mark = Mark((0, 0, 4, 4), np.ones((4, 4), bool))
    found = [split.Segment(0, 3, mark), split.Segment(0, 1, mark), split.Segment(1, 3, mark),
             split.Segment(0, 2, mark), split.Segment(2, 3, mark)]
    # the whole is a sure digit: kept whole, whatever its pieces say
    assert split.best_path(found, np.log([0.99, 0.99, 0.99, 0.5, 0.5])) == [0]
    # the whole is no digit (the rejector says two digits in one crop): the two sure pieces
    assert split.best_path(found, np.log([0.05, 0.99, 0.98, 0.5, 0.5])) == [1, 2]
    assert split.best_path(found, np.log([0.05, 0.2, 0.2, 0.97, 0.96])) == [3, 4]


def test_a_mark_no_run_of_segments_crosses_gives_nothing_and_the_search_ends():
    mark = Mark((0, 0, 4, 4), np.ones((4, 4), bool))
    # a mark the marks stage rejected (its whole scores -inf) whose pieces leave a gap: 2 to 3
    found = [split.Segment(0, 3, mark), split.Segment(0, 1, mark), split.Segment(1, 2, mark)]
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


def test_flat_and_tiny_marks_end():
    """A dash 2 px tall and 40 wide, and a 3 px blob: no endless search for cuts."""
    for mask in (np.ones((2, 40), bool), np.ones((3, 9), bool), np.ones((9, 60), bool)):
        found = split.segments(Mark((0, 0, mask.shape[1], mask.shape[0]), mask))
        assert found[0].mark.mask is mask
    edges = [0, *[x for x, _ in split.cuts(np.ones((4, 50), bool))], 50]
    assert max(b - a for a, b in zip(edges, edges[1:], strict=False)) <= 3


def test_a_crop_wider_than_its_digit_is_written_costs():
    """The models see crops fitted into 20x20: a "64" read as one wide 4 scores less than the
    same probability on a 4 as narrow as MNIST's; a wide 0 or 2 (MNIST has those) costs little."""
    probs = np.full((4, 10), 0.001, np.float32)
    probs[[0, 1], 4] = 0.99
    probs[2, 0] = probs[3, 2] = 0.99
    boxes = [(0, 0, 30, 40), (0, 0, 57, 42), (0, 0, 52, 40), (0, 0, 60, 40)]
    narrow, wide, zero, two = split.score(probs, None, boxes)
    assert narrow == split.score(probs[:1], None)[0]  # a usual shape costs nothing
    assert wide < narrow - 0.2
    assert zero > wide and two > wide and two > narrow - 0.05
