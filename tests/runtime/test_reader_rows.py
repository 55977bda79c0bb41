"""Reader stage 'rows': lines top to bottom, each left to right, slanted rows kept together."""

from __future__ import annotations

from runtime.reader.rows import group_rows


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
