"""Reader stage 'sheet': a sheet on a desk is found; a page filling the frame (even half in
shadow) is read whole."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader.sheet import find_sheet


def _desk(paper: int = 225, desk: int = 70) -> np.ndarray:
    """A 480x640 dark textured desk with a slightly rotated sheet of paper on it."""
    rng = np.random.default_rng(1)
    image = (desk + rng.normal(0, 8, (480, 640))).clip(0, 255).astype(np.uint8)
    corners = np.array([[180, 90], [520, 120], [500, 420], [160, 400]], np.int32)
    cv2.fillPoly(image, [corners], paper)
    cv2.line(image, (40, 40), (150, 460), 20, 12)  # a pen beside it
    return image


def test_sheet_on_a_desk_is_found():
    sheet = find_sheet(_desk())
    assert not sheet.whole and sheet.reason == "sheet"
    assert sheet.mask[250, 340]  # the middle of the sheet
    assert not sheet.mask[250, 80]  # the desk, where the pen lies
    assert not sheet.mask[95, 185]  # the sheet's own corner: its edge is left out
    assert 0.25 < sheet.mask.mean() < 0.4


def test_page_filling_the_frame_is_read_whole():
    assert find_sheet(np.full((480, 640), 220, np.uint8)).whole


def test_page_half_in_shadow_is_read_whole():
    page = np.full((480, 640), 220, np.float32)
    xs = np.arange(640, dtype=np.float32)
    page *= 1.0 - 0.3 / (1 + np.exp(-(xs - 320) / 15))[None, :]  # a soft shadow on the right
    assert find_sheet(page.astype(np.uint8)).whole


def test_sheet_beside_a_light_keyboard_is_found_apart_from_it():
    """A white keyboard a few pixels below the sheet (the desk shows between them): closing the
    ink away must not close that gap too, or sheet and keyboard make one shape that is no sheet,
    and the keys' letters are read as digits."""
    image = _desk()
    cv2.rectangle(image, (0, 440), (639, 479), 215, cv2.FILLED)  # the keys, 20 px below the sheet
    for x in range(20, 640, 60):
        cv2.rectangle(image, (x - 4, 440), (x, 479), 150, cv2.FILLED)  # gaps between keys
    sheet = find_sheet(image)
    assert sheet.reason == "sheet"
    assert sheet.mask[250, 340] and not sheet.mask[460, 300]


def test_a_sticky_note_a_thirtieth_of_the_frame_is_a_sheet():
    """A note about 3% of the frame (a sticky note seen from arm's length) on a grey desk."""
    rng = np.random.default_rng(2)
    image = (110 + rng.normal(0, 6, (480, 640))).clip(0, 255).astype(np.uint8)
    note = cv2.boxPoints(((300.0, 220.0), (95.0, 95.0), 15.0)).astype(np.int32)
    cv2.fillPoly(image, [note], 215)
    sheet = find_sheet(image)
    assert not sheet.whole and sheet.reason == "sheet"
    assert sheet.mask[220, 300] and not sheet.mask[220, 150]
    assert 0.015 < sheet.mask.mean() < 0.035
