"""Reader stage 'rows': lines top to bottom, each left to right, slanted rows kept together."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.reader.rows import group_rows, row_slope


def test_two_rows_grouped_and_ordered():
    boxes = [(200, 300, 40, 60), (50, 100, 40, 60), (100, 105, 40, 60), (50, 290, 40, 60),
             (150, 98, 40, 60)]
    assert group_rows(boxes) == [[1, 2, 4], [3, 0]]


def test_a_slanted_row_stays_one_line():
    boxes = [(50 + 60 * k, 100 + 25 * k, 40, 60) for k in range(6)]  # 25 px lower at each digit
    assert group_rows(boxes) == [[0, 1, 2, 3, 4, 5]]


def test_nothing_and_one():
    assert group_rows([]) == []
    assert group_rows([(1, 2, 3, 4)]) == [[0]]


def test_a_digit_broken_in_pieces_does_not_split_its_row():
    """A faint 5 read as a flat top piece and a low stray piece: the piece that sits below the row
    does not lead the line, so the next digits stay with the first ones."""
    boxes = [(173, 422, 21, 29), (210, 418, 23, 35), (250, 446, 12, 6), (257, 423, 21, 14),
             (285, 425, 30, 26), (318, 422, 26, 31)]
    assert group_rows(boxes) == [[0, 1, 2, 3, 4, 5]]


def test_rows_that_slope_are_followed_along_their_slope():
    """A page turned 20 degrees: a short row on the right above a row on the left. Compared
    level, the first row's marks sit as low as the second's and join it; along the slope they are
    two rows, and the right-hand one is the first."""
    slope = np.tan(np.radians(20))

    def box(x: float, row: int) -> tuple[int, int, int, int]:
        return (round(x), round(100 + slope * x + 95 * row), 40, 60)

    first = [box(350, 0), box(410, 0)]
    second = [box(50, 1), box(110, 1), box(170, 1)]
    boxes = second + first
    assert row_slope(boxes) == pytest.approx(slope, abs=0.01)
    assert group_rows(boxes) == [[3, 4], [0, 1, 2]]


def test_a_level_page_is_not_turned_by_a_few_uneven_digits():
    rng = np.random.default_rng(0)
    boxes = [(50 + 50 * k, 100 + int(rng.integers(-6, 7)), 40, 60) for k in range(6)]
    boxes += [(50 + 50 * k, 200 + int(rng.integers(-6, 7)), 40, 60) for k in range(4)]
    assert abs(row_slope(boxes)) < 0.1
    assert group_rows(boxes) == [list(range(6)), list(range(6, 10))]
