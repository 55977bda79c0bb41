"""Reader: a sheet whose outline is a quadrilateral is flattened by its four corners (rectify.py):
the corners from a coarse outline, moved onto the sheet's real edges, the warp and its way back."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader import rectify
from runtime.reader.pipeline import find_digits

CORNERS = np.float32([[140, 90], [460, 120], [430, 400], [120, 370]])  # a sheet turned ~6 deg


def _sheet_on_desk(corners: np.ndarray = CORNERS) -> np.ndarray:
    image = np.full((480, 640), 45, np.uint8)
    cv2.fillConvexPoly(image, np.round(corners * 16).astype(np.int32), 215, cv2.LINE_AA, 4)
    return cv2.GaussianBlur(image, (0, 0), 1.0)


def test_corners_of_a_quadrilateral_clockwise_from_the_top_left():
    outline = np.concatenate([np.linspace(a, b, 10, endpoint=False)
                              for a, b in zip(CORNERS, np.roll(CORNERS, -1, axis=0),
                                              strict=True)])
    found = rectify.corners(np.roll(outline, 17, axis=0))  # starting anywhere along it
    assert found is not None and np.abs(found - CORNERS).max() <= 1.5


def test_an_outline_that_is_no_quadrilateral_has_no_corners():
    angles = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    disc = np.stack([300 + 100 * np.cos(angles), 240 + 100 * np.sin(angles)], axis=1)
    assert rectify.corners(disc) is None
    cut = np.float32([[0, 0], [300, 0], [300, 150], [200, 300], [0, 300]])  # a corner cut off
    assert rectify.corners(cut) is None


def test_refine_moves_coarse_corners_onto_the_sheets_edges():
    rng = np.random.default_rng(0)
    coarse = CORNERS + rng.uniform(-6, 6, CORNERS.shape).astype(np.float32)
    refined = rectify.refine(coarse, _sheet_on_desk())
    assert refined is not None and np.abs(refined - CORNERS).max() <= 1.5


def test_refine_finds_no_sheet_where_there_is_no_edge():
    assert rectify.refine(CORNERS, np.full((480, 640), 200, np.uint8)) is None


def test_the_warp_flattens_the_sheet_and_maps_boxes_back():
    warp = rectify.warp_for(CORNERS)
    flat = warp.apply(_sheet_on_desk())
    assert flat.shape[::-1] == warp.size
    assert np.percentile(flat, 1) > 150  # all paper: the corners were moved in off the edge
    w, h = warp.size
    x, y, bw, bh = warp.back((0, 0, w, h))  # the flattened sheet is the sheet, moved in a little
    assert 120 <= x <= 130 and 90 <= y <= 100 and 440 <= x + bw <= 460 and 390 <= y + bh <= 400
    seen = warp.back((w // 2 - 10, h // 2 - 10, 20, 20))
    middle = cv2.perspectiveTransform(np.float32([[[w / 2, h / 2]]]),
                                      np.linalg.inv(warp.matrix))[0, 0]
    assert abs(seen[0] + seen[2] / 2 - middle[0]) <= 1 and abs(seen[1] + seen[3] / 2
                                                               - middle[1]) <= 1


def test_a_turned_sticky_note_is_flattened_and_read(int8_model):
    """A yellow note turned on a dark desk, a hand and a pen beside it."""
    from runtime.reader.recognizer import Recognizer
    from tests.scenes import make_scene

    scene = make_scene("sticky", 24, seed=1)  # the reader of 77ba966 read 414 here
    found = find_digits(scene.image)
    assert found.warp is not None
    assert Recognizer.open(int8_model).read_found(found).digits == scene.text
