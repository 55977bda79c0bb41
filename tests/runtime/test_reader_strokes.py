"""Reader helper 'strokes': what goes on past a short stroke's ends (a pen's body past its tip)."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader.strokes import runs_on

CENTRE, UP, LENGTH = (200.0, 200.0), (0.0, -1.0), 30.0  # a stroke 30 px long, standing up


def _paper() -> np.ndarray:
    return np.full((400, 400, 3), 225, np.uint8)


def test_a_pens_body_past_the_tip_is_seen():
    image = _paper()
    cv2.line(image, (200, 183), (200, 60), (205, 205, 205), 9)  # a white pen, 20 levels darker
    assert runs_on(image, CENTRE, UP, LENGTH)
    assert runs_on(image, CENTRE, (0.0, 1.0), LENGTH)  # either end


def test_paper_past_both_ends_is_not_a_pen():
    image = _paper()
    image[:, 300:] = 170  # a shadow, well away
    assert not runs_on(image, CENTRE, UP, LENGTH)


def test_a_shadows_edge_past_the_end_is_not_a_pen():
    """Past the end the strip crosses into a shadow, but so does the paper on one side of it:
    with no paper to compare with, nothing is said (a lone digit by a shadow stays a digit)."""
    image = _paper()
    for y in range(400):
        image[y, : max(0, 200 + (170 - y))] = 185  # shadow above-left of a diagonal edge
    assert not runs_on(image, CENTRE, UP, LENGTH)


def test_past_the_frames_edge_nothing_is_told():
    """A stroke near the top of the frame: most of the strip past its end lies outside the image,
    where the nearest row (here something dark at the edge) must not stand in for it."""
    image = _paper()
    image[:5, 195:206] = 60
    assert not runs_on(image, (200.0, 30.0), UP, LENGTH)


def test_a_pens_body_along_the_sheets_edge_is_seen():
    """A pencil's tip on the sheet, its yellow body lying along the sheet's edge: paper on one
    side of the body, the dark desk on the other. The body is like neither, nor anything between
    them (as a half-shadow would be), so it is a pen's body."""
    image = _paper()
    image[:, :196] = (40, 45, 50)  # the desk, left of the sheet's edge, which runs up the axis
    cv2.line(image, (200, 183), (200, 60), (40, 200, 215), 9)  # a yellow body (BGR)
    assert runs_on(image, CENTRE, UP, LENGTH)
    half = _paper()
    half[:, :196] = (40, 45, 50)
    half[:, 196:205] = (130, 135, 137)  # a blurred edge along the axis: between the two
    assert not runs_on(half, CENTRE, UP, LENGTH)
