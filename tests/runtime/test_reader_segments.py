"""Segments: candidate cuts of a mark wider than a digit, and the runs of pieces between them."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader import segments
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
    xs = [x for x, _ in segments.cuts(mask)]
    assert any(abs(x - 24) <= 2 for x in xs), xs


def test_a_wide_stretch_without_a_valley_still_gets_cuts():
    """Digits that overlap leave no thin column: the candidates still cover the mark."""
    mask = np.ones((30, 90), bool)  # a solid bar: no valley anywhere
    edges = [0, *[x for x, _ in segments.cuts(mask)], 90]
    widest = max(b - a for a, b in zip(edges, edges[1:], strict=False))
    assert widest <= segments.MAX_STRETCH * 30 + 1


def test_segments_start_with_the_whole_mark_and_fit_a_digit():
    mask = _two_touching()
    found = segments.segments(Mark((100, 50, mask.shape[1], 40), mask))
    assert found[0].mark.box == (100, 50, mask.shape[1], 40)
    assert (found[0].start, found[0].end) == (0, max(s.end for s in found))
    for seg in found[1:]:
        x, y, w, h = seg.mark.box
        assert segments.MIN_PIECE * 40 <= w <= segments.MAX_SEGMENT * 40
        assert h >= segments.MIN_HEIGHT * 40
        assert 100 <= x and x + w <= 100 + mask.shape[1]
    # the left 0 alone is one of the segments
    assert any(s.mark.box[0] <= 102 and abs(s.mark.box[2] - 24) <= 3 for s in found[1:])


def test_flat_and_tiny_marks_end():
    """A dash 2 px tall and 40 wide, and a 3 px blob: no endless search for cuts."""
    for mask in (np.ones((2, 40), bool), np.ones((3, 9), bool), np.ones((9, 60), bool)):
        found = segments.segments(Mark((0, 0, mask.shape[1], mask.shape[0]), mask))
        assert found[0].mark.mask is mask
    edges = [0, *[x for x, _ in segments.cuts(np.ones((4, 50), bool))], 50]
    assert max(b - a for a, b in zip(edges, edges[1:], strict=False)) <= 3
