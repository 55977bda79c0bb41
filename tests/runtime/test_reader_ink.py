"""Reader stage 'ink': uneven light divided out, blank pages empty, ruled lines, margins and grids
taken out, and a digit that a line crosses comes out whole."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from runtime.reader.ink import find_ink
from runtime.reader.rules import remove_lines


def _paper(h: int = 240, w: int = 320) -> np.ndarray:
    # lit from one side
    light = np.linspace(235, 150, w, dtype=np.float32)[None, :].repeat(h, axis=0)
    return light


def _ink_on(paper: np.ndarray, strokes: np.ndarray, darkness: float) -> np.ndarray:
    return np.clip(paper * (1 - darkness * strokes), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def seven(mnist_test):
    """An MNIST test 7 as a 0/1 float mask, 84 px tall."""
    i = int(np.flatnonzero(mnist_test.labels == 7)[0])
    big = cv2.resize(mnist_test.images[i], (84, 84), interpolation=cv2.INTER_CUBIC)
    return (big > 100).astype(np.float32)


def test_blank_and_unevenly_lit_pages_have_no_ink():
    assert not find_ink(_paper().astype(np.uint8)).mask.any()
    noisy = np.random.default_rng(0).normal(200, 4, (240, 320)).clip(0, 255).astype(np.uint8)
    assert not find_ink(noisy).mask.any()


def test_digit_crossed_by_a_rule_comes_out_whole(seven):
    strokes = np.zeros((240, 320), np.float32)
    strokes[80:164, 120:204] = seven
    alone = find_ink(_ink_on(_paper(), strokes, 0.8)).mask
    ruled = strokes.copy()
    for y in range(20, 240, 30):  # rules every 30 px, one through the middle of the digit
        ruled[y : y + 2, :] = np.maximum(ruled[y : y + 2, :], 0.5)
    ink = find_ink(_ink_on(_paper(), ruled, 0.8))
    assert ink.lines.any()
    digit = ink.mask[70:175, 110:215] > 0
    same = alone[70:175, 110:215] > 0
    assert np.count_nonzero(digit & same) >= 0.9 * np.count_nonzero(same)
    outside = ink.mask.copy()
    outside[70:175, 110:215] = 0
    assert np.count_nonzero(outside) < 0.02 * np.count_nonzero(ink.lines)  # the rules are gone
    count, _ = cv2.connectedComponents(ink.mask[70:175, 110:215])
    assert count == 2  # the background and one whole 7


def test_tilted_rules_and_margin_are_removed_but_a_crossing_stroke_stays():
    mask = np.zeros((240, 320), np.uint8)
    rise = int(320 * np.tan(np.radians(4)))
    for y0 in range(10, 260, 25):
        cv2.line(mask, (0, y0), (319, y0 + rise), 255, 2)
    cv2.line(mask, (30, 0), (30, 239), 255, 2)  # the margin
    cv2.line(mask, (150, 60), (158, 140), 255, 3)  # a stroke crossing several rules
    clean, gone = remove_lines(mask)
    assert np.count_nonzero(clean) < 0.1 * np.count_nonzero(mask)
    stroke = np.zeros_like(mask)
    cv2.line(stroke, (150, 60), (158, 140), 255, 3)
    assert np.count_nonzero(clean & stroke) >= 0.9 * np.count_nonzero(stroke)


def test_grid_is_removed():
    mask = np.zeros((240, 320), np.uint8)
    mask[::16, :] = 255
    mask[:, ::16] = 255
    clean, gone = remove_lines(mask)
    assert np.count_nonzero(clean) < 0.05 * np.count_nonzero(mask)


def test_short_strokes_are_not_lines():
    mask = np.zeros((240, 320), np.uint8)
    cv2.line(mask, (100, 100), (160, 100), 255, 3)  # the bar of a 7, not a rule
    clean, gone = remove_lines(mask)
    assert not gone.any() and np.array_equal(clean, mask)


def test_a_stroke_lying_along_a_rule_stays(monkeypatch):
    """The bar of a 4 written on a rule, in a pen hardly darker than the rule (blue on blue):
    across the rule there, the ink adds up to far more than the rule holds on either side, so the
    bar is the digit's, not the rule's."""
    strokes = np.zeros((240, 320), np.float32)
    for y in range(20, 240, 30):  # rules every 30 px, 2 px thick, a little lighter than the pen
        strokes[y : y + 2, :] = 0.85
    four = np.zeros_like(strokes)
    cv2.line(four, (150, 95), (132, 141), 1.0, 5)
    four[139:143, 132:187] = 1.0  # the bar: on the rule (rows 140-141), 4 px wide
    cv2.line(four, (180, 100), (180, 190), 1.0, 5)
    ink = find_ink(_ink_on(_paper(), np.maximum(strokes, four), 0.6))
    bar = ink.mask[138:144, 140:175] > 0
    assert np.count_nonzero(bar.any(axis=0)) >= 0.9 * bar.shape[1]  # the bar is whole
    count, _ = cv2.connectedComponents(ink.mask[85:200, 120:200])
    assert count == 2  # one 4, not a 1 and a 1
    outside = ink.mask.copy()
    outside[85:200, 120:200] = 0
    assert np.count_nonzero(outside) < 0.02 * np.count_nonzero(ink.lines)  # the rules are gone


def test_rules_in_a_dim_noisy_frame_are_removed(seven):
    """A dim webcam frame: the sensor's noise is specks of 'ink' all over the page. The rules must
    still be found and taken out (the noise would merge them into bands too wide to be lines),
    and the noise must not be taken for lines where there are none."""
    strokes = np.zeros((240, 320), np.float32)
    strokes[80:164, 120:204] = seven
    ruled = strokes.copy()
    for y in range(20, 240, 30):
        ruled[y : y + 3, :] = np.maximum(ruled[y : y + 3, :], 0.5)
    rng = np.random.default_rng(1)
    dim = _paper() * 0.45

    def noisy(page: np.ndarray) -> np.ndarray:
        return np.clip(page + rng.normal(0, 9, page.shape), 0, 255).astype(np.uint8)

    ink = find_ink(noisy(_ink_on(dim, ruled, 0.7)))
    outside = ink.mask.copy()
    outside[70:175, 110:215] = 0
    assert np.count_nonzero(ink.lines[:, 230:]) > 0.6 * 8 * 3 * 90  # most of the rules found
    widths = cv2.connectedComponentsWithStats(outside)[2][1:, cv2.CC_STAT_WIDTH]
    assert max(widths, default=0) < 30  # no rule left whole beside the digit
    plain = find_ink(noisy(_ink_on(dim, strokes, 0.7)))
    assert not plain.lines.any()  # noise alone is no line


def test_a_rule_blurred_into_the_tops_of_digits_is_still_a_rule():
    """Small writing hanging from a rule, a little out of focus (a generated scene, as the closer
    look sees it: full resolution, faint-ink threshold): beside the digits the rule's ink spreads
    wider, so across the rule it adds up to more than elsewhere. That is no pen stroke lying on
    the rule (it is no darker than the rule), so it goes with the rule instead of gluing the
    six digits into a few marks along their tops."""
    from tests.scenes.generate import make_scene

    scene = make_scene("small", 11, 13)
    assert scene.paper == "ruled" and len(scene.text) == 6
    gray = cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY)
    boxes = scene.boxes[0]
    x0, y0 = (min(b[k] for b in boxes) for k in (0, 1))
    x1, y1 = (max(b[k] + b[k + 2] for b in boxes) for k in (0, 1))
    margin = 96  # what the closer look takes around small marks
    work = gray[y0 - margin : y1 + margin, x0 - margin : x1 + margin]
    ink = find_ink(work, None, min_line=margin, max_width=6, min_ink=35)
    row = ink.mask[margin - 6 : margin + y1 - y0 + 6, margin - 6 : margin + x1 - x0 + 6]
    count, _ = cv2.connectedComponents(row)
    assert count - 1 == 6


def test_a_strip_of_desk_inside_the_sheets_outline_does_not_set_the_threshold(seven):
    """The sheet's outline, found on a small copy, may take in a strip of dark desk where the
    sheet meets the frame's edge. That strip is far darker than faint writing: were it to set
    the threshold, the writing would fall below it. The threshold is set inside the sheet."""
    strokes = np.zeros((240, 320), np.float32)
    strokes[80:164, 120:204] = seven
    page = _ink_on(np.full((240, 320), 220, np.float32), strokes, 0.35)  # a faint pencil 7
    page[:10, 40:280] = 45  # the desk, along the frame's top edge
    sheet = np.ones(page.shape, bool)
    ink = find_ink(page, sheet)
    digit = ink.mask[70:175, 110:215] > 0
    assert np.count_nonzero(digit) >= 0.9 * np.count_nonzero(seven)


def test_a_row_of_digits_on_one_baseline_is_no_line():
    """Once the page holds one real line (a rule, an edge), lines are looked for everywhere. The
    bottoms of 0s written close together on one baseline, their gaps bridged, run on like a line
    for 40% of the page's width; a rule runs across at least half of it."""
    mask = np.zeros((240, 320), np.uint8)
    cv2.line(mask, (0, 4), (319, 4), 255, 2)
    row = np.zeros_like(mask)
    for k in range(6):
        cv2.ellipse(row, (70 + 22 * k, 120), (9, 13), 0, 0, 360, 255, 2)
    clean, gone = remove_lines(mask | row)
    assert np.count_nonzero(gone[:10]) > 0.9 * np.count_nonzero(mask)  # the line goes
    assert np.array_equal(clean & row, row)  # every 0 stays whole
