"""Reader: the paper's brightness under the writing (background.py): a hand's soft shadow is
followed, so it is no ink; strokes, thin or thick, faint or dark, are bridged, so they are."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader import background
from runtime.reader.ink import MIN_INK, find_ink, paper_and_ink

H, W = 240, 320


def _shadow(depth: float = 0.45, softness: float = 6.0) -> np.ndarray:
    """The light on a page with a hand's shadow: a palm and two fingers, their edges soft. (A
    shadow narrower than background.NARROW on the small copy, 20 px here, is taken for a stroke:
    a finger 30 px wide is one seen from a hand's width away on a page filling the frame.)"""
    shade = np.zeros((H, W), np.float32)
    cv2.ellipse(shade, (250, 200), (70, 50), 0, 0, 360, 1.0, -1)
    cv2.line(shade, (230, 170), (150, 90), 1.0, 30)  # a finger's shadow
    cv2.line(shade, (270, 160), (230, 60), 1.0, 30)
    shade = cv2.GaussianBlur(shade, (0, 0), softness)
    return 1 - depth * shade


def _strokes() -> np.ndarray:
    """A row of digit-like strokes (1 on ink) crossing the shadow's edge."""
    ink = np.zeros((H, W), np.float32)
    for x in range(60, 260, 40):
        cv2.line(ink, (x, 100), (x + 12, 150), 1.0, 4)
        cv2.ellipse(ink, (x + 16, 125), (8, 20), 0, 0, 360, 1.0, 3)
    return ink


def _photo(light: np.ndarray, strokes: np.ndarray, darkness: float = 0.75) -> np.ndarray:
    return np.clip(215 * light * (1 - darkness * strokes), 0, 255).astype(np.uint8)


def test_a_soft_shadow_is_no_ink_and_the_strokes_in_it_are():
    strokes = _strokes()
    ink, _, dark = paper_and_ink(_photo(_shadow(), strokes))
    assert dark
    near = cv2.dilate(strokes, np.ones((9, 9), np.uint8)) > 0
    assert np.percentile(ink[~near], 99.5) < MIN_INK  # the shadow, fingers and palm, is paper
    assert np.median(ink[strokes > 0.5]) > 2 * MIN_INK  # strokes in and out of it are ink
    mask = find_ink(_photo(_shadow(), strokes)).mask
    assert np.count_nonzero(mask[~near]) < 0.01 * np.count_nonzero(mask)


def test_a_flat_closing_alone_takes_the_fingers_shadows_for_ink():
    """Why the cone is there: the wide window bridges a finger's shadow like a stroke."""
    small = cv2.resize(_photo(_shadow(), np.zeros((H, W), np.float32)), (W // 4, H // 4),
                       interpolation=cv2.INTER_AREA)
    kernel = max(3, int(min(small.shape) * 0.25) | 1)
    flat = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel)))
    both = background.paper(small, kernel)
    finger = (slice(27, 33), slice(43, 48))  # on the first finger's shadow, at a quarter size
    no_ink = 1 / (1 - MIN_INK / 255)  # paper up to this much brighter leaves less than MIN_INK
    assert flat[finger].mean() > 1.25 * no_ink * small[finger].mean()  # lit paper under it
    assert both[finger].mean() < no_ink * small[finger].mean()  # the shadow's own paper


def test_thick_faint_and_blurred_strokes_stay_ink():
    light = np.ones((H, W), np.float32)
    marker = np.zeros((H, W), np.float32)
    cv2.line(marker, (60, 60), (60, 180), 1.0, 12)  # a whiteboard marker's stroke
    pencil = np.zeros((H, W), np.float32)
    cv2.line(pencil, (200, 60), (210, 180), 1.0, 3)  # a light pencil stroke
    page = np.minimum(_photo(light, marker, 0.8), _photo(light, pencil, 0.3))
    page = cv2.GaussianBlur(page, (0, 0), 1.2)
    ink, _, _ = paper_and_ink(page)
    assert np.median(ink[marker > 0.5]) > 2 * MIN_INK
    assert np.median(ink[pencil > 0.5]) > 0.25 * 255 * 0.8  # most of its own contrast


def test_a_page_of_strokes_only_takes_the_plain_closing():
    small = cv2.resize(_photo(np.ones((H, W), np.float32), _strokes()), (W // 4, H // 4),
                       interpolation=cv2.INTER_AREA)
    kernel = max(3, int(min(small.shape) * 0.25) | 1)
    flat = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel)))
    assert np.array_equal(background.paper(small, kernel), flat)


def test_cone_closing_fills_steep_dips_and_follows_gentle_ones():
    ramp = np.full((40, 120), 200, np.uint8)
    ramp[:, 40:44] = 60  # a stroke: a steep dip four pixels wide
    ramp[:, 80:] = np.clip(200 - 3 * np.arange(40), 0, 255).astype(np.uint8)  # a gentle slope
    closed = background.cone_close(ramp, 30)
    assert (closed[:, 40:44] >= 140).all()  # bridged (the cone rises 30 a pixel)
    assert np.array_equal(closed[:, 80:], ramp[:, 80:])  # followed down
