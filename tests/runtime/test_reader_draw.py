"""runtime.reader.draw: labels beside their boxes, never over one another."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from runtime.reader import draw
from runtime.reader.recognizer import Item, Reading


def _disjoint(rects) -> bool:
    return all(draw._overlap(a, b) == 0 for a, b in itertools.combinations(rects, 2))


@pytest.mark.parametrize("gap", [0, 2, 10])
def test_labels_of_close_digits_do_not_cover_each_other(gap):
    boxes = [(100 + k * (30 + gap), 200, 30, 45) for k in range(6)]  # digits narrower than labels
    sizes = [(62, 22)] * len(boxes)
    spots = draw.place_labels(boxes, sizes, (480, 640))
    assert _disjoint(spots)
    assert all(0 <= x and x + w <= 640 and 0 <= y and y + h <= 480 for x, y, w, h in spots)
    assert spots[0][:2] == (100, 200 - 22)  # the first takes its place above its box


def test_a_lone_label_sits_above_its_box_and_inside_the_frame():
    assert draw.place_labels([(50, 100, 30, 40)], [(60, 20)], (480, 640)) == [(50, 80, 60, 20)]
    assert draw.place_labels([(0, 0, 30, 40)], [(60, 20)], (480, 640)) == [(0, 0, 60, 20)]
    assert draw.place_labels([(620, 300, 20, 40)], [(60, 20)], (480, 640))[0][0] == 580


def test_annotate_draws_each_label_whole():
    """Green (sure) and orange (unsure) labels in turn: one drawn over another would show."""
    image = np.full((240, 320, 3), 255, np.uint8)
    items = [Item(d, 0.97, (60 + k * 26, 100, 24, 40)) for k, d in enumerate((4, 2, 7, 1))]
    sure, unsure = items[::2], items[1::2]
    out = draw.annotate(image, Reading(sure, unsure))
    scale = max(0.4, 240 / 600)
    thick = max(1, int(round(2 * scale)))
    drawn = sure + unsure  # annotate's order
    sizes = [draw._label_size(f"{i.digit} 97%", scale, thick) for i in drawn]
    spots = draw.place_labels([i.box for i in drawn], sizes, image.shape[:2])
    assert _disjoint(spots)
    colours = [draw.SURE] * len(sure) + [draw.UNSURE] * len(unsure)
    for (x, y, w, h), colour in zip(spots, colours, strict=True):
        rim = np.concatenate([out[y, x : x + w], out[y + h - 1, x : x + w],
                              out[y : y + h, x], out[y : y + h, x + w - 1]])
        assert (rim == colour).all(axis=1).mean() > 0.9  # its own colour all round (the text
        # touches it in places)
