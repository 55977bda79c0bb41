"""Reader stage 'marks': candidates cut out, non-digits rejected by shape and context, and digits
never dropped because something big that is not a digit is in view."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from runtime.reader.marks import find_marks


@pytest.fixture(scope="module")
def digits(mnist_test):
    """MNIST test digits 3, 5, 8 as 0/255 masks 40 px tall."""
    out = []
    for d in (3, 5, 8):
        i = int(np.flatnonzero(mnist_test.labels == d)[0])
        big = cv2.resize(mnist_test.images[i], (56, 56), interpolation=cv2.INTER_CUBIC)
        out.append(np.where(big > 100, 255, 0).astype(np.uint8))
    return out


def _page(digits: list[np.ndarray], x0: int = 60, y0: int = 100) -> np.ndarray:
    mask = np.zeros((240, 320), np.uint8)
    for k, d in enumerate(digits):
        mask[y0 : y0 + 56, x0 + 62 * k : x0 + 62 * k + 56] |= d
    return mask


def _reasons(marks) -> list[str]:
    return [why for _, why in marks.rejected]


def test_digits_are_kept(digits):
    marks = find_marks(_page(digits))
    assert len(marks.kept) == 3


def test_a_pen_beside_the_digits_is_rejected_and_digits_kept(digits):
    mask = _page(digits)
    cv2.line(mask, (20, 20), (300, 60), 255, 7)  # a pen lying across the top of the sheet
    cv2.line(mask, (290, 90), (300, 230), 255, 5)  # a long straight stroke, nearly upright
    marks = find_marks(mask)
    assert len(marks.kept) == 3
    assert sorted(m.box[0] for m in marks.kept) == sorted(m.box[0] for m in find_marks(
        _page(digits)).kept)
    assert any("straight stroke" in why for why in _reasons(marks))


def test_a_pen_touching_a_digit_is_taken_out(digits):
    mask = _page(digits)
    # a pen (a pen is far thicker than the strokes of writing) whose tip touches the 3
    cv2.line(mask, (110, 60), (310, 10), 255, 22)
    cv2.line(mask, (110, 60), (95, 104), 255, 6)
    marks = find_marks(mask)
    assert len(marks.kept) == 3
    assert "thick object (pen, hand)" in _reasons(marks)


def test_sheet_edges_and_frame_edges_are_rejected(digits):
    mask = _page(digits)
    sheet = np.zeros((240, 320), bool)
    sheet[10:230, 20:300] = True
    edge = np.zeros((240, 320), np.uint8)
    edge[10:230, 20:24] = 255  # the shadowed left edge of the sheet
    edge[200:230, 150:190] = 255  # a smudge at the bottom edge
    mask |= edge
    mask[0:40, 300:320] = 255  # something cut by the frame's edge
    marks = find_marks(mask, sheet)
    assert len(marks.kept) == 3
    assert "cut by the frame's edge" in _reasons(marks)
    inside = [m for m in marks.kept if m.box[0] < 30 or m.box[1] + m.box[3] > 195]
    assert not inside  # neither the sheet's edge nor the smudge on it


def test_specks_are_rejected(digits):
    mask = _page(digits)
    for x, y in ((20, 20), (250, 200), (200, 30)):
        mask[y : y + 3, x : x + 3] = 255
    marks = find_marks(mask)
    assert len(marks.kept) == 3 and len(marks.rejected) >= 3


def test_two_rows_are_not_merged(digits):
    mask = np.zeros((240, 320), np.uint8)
    mask[40:96, 100:156] |= digits[0]
    mask[110:166, 104:160] |= digits[2]  # right under it, a row lower
    assert len(find_marks(mask).kept) == 2


def test_a_pen_cap_is_rejected_but_a_thick_one_is_kept(digits):
    mask = _page(digits)
    cv2.rectangle(mask, (20, 20), (80, 44), 255, cv2.FILLED)  # a solid cap, far thicker strokes
    cv2.rectangle(mask, (260, 100), (274, 156), 255, cv2.FILLED)  # a 1 written with a marker
    marks = find_marks(mask)
    assert sorted(m.box[0] for m in marks.kept) == sorted(
        [m.box[0] for m in find_marks(_page(digits)).kept] + [260])
    assert any("solid blob" in why for why in _reasons(marks))


def test_a_faint_digit_broken_across_is_one_mark(digits):
    """A 5 too faint to pass the threshold: its bar and bowl top, then a gap, then the tail of its
    bowl, low and to the left (as in a photo of small writing): one mark, as together they are no
    taller than a digit. Two digits of two rows are never that close."""
    _, _, eight = digits
    mask = _page([eight, eight, np.zeros_like(eight), eight, eight], x0=4)
    x, y = 4 + 2 * 62 + 14, 111
    top = np.array([[x + 26, y], [x + 6, y], [x + 4, y + 12], [x + 20, y + 12], [x + 26, y + 18]])
    cv2.polylines(mask, [top], False, 255, 3)
    cv2.line(mask, (x + 8, y + 30), (x - 6, y + 33), 255, 3)  # the tail, 10 px lower, to the left
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask[100:160, x - 5 : x + 35])
    assert count == 3  # two pieces: the test is about joining them
    marks = find_marks(mask)
    assert len(marks.kept) == 5
    assert sorted((m.box[0] - 4) // 62 for m in marks.kept) == [0, 1, 2, 3, 4]


def test_a_straight_stroke_half_again_as_long_as_the_digits_is_no_one(digits):
    mask = _page(digits)
    cv2.line(mask, (270, 95), (281, 157), 255, 6)  # a pen's cap, 1.6 times a digit's height
    marks = find_marks(mask)
    assert len(marks.kept) == 3
    assert "straight stroke longer than the digits" in _reasons(marks)
    one = _page(digits)
    cv2.line(one, (250, 100), (256, 152), 255, 5)  # a 1 as tall as the digits stays
    assert len(find_marks(one).kept) == 4


def test_specks_do_not_make_a_1_look_long(digits):
    """Seen from afar, the reader keeps marks down to 4 px (they may be small writing): dots of
    dust among them must not set the digits' size, or every 1 is 'longer than the digits'."""
    mask = _page(digits)
    cv2.line(mask, (250, 104), (254, 150), 255, 5)  # a 1, as tall as the digits
    for x in (20, 40, 60, 80, 100):
        mask[200:205, x : x + 5] = 255  # specks of dust below the row
    marks = find_marks(mask, min_size=4)
    assert sum(m.box[1] < 180 for m in marks.kept) == 4  # 3, 5, 8 and the 1


def test_bits_along_the_sheets_edge_do_not_make_a_1_look_long(digits):
    """A sheet on a desk: the stub of a pen and a corner's sliver lie on the sheet's edge. They are
    no digits, so they must not set the digits' size and make a real 1 'longer than the digits'."""
    _, _, eight = digits
    mask = np.zeros((240, 320), np.uint8)
    mask[100:156, 100:156] |= eight
    cv2.line(mask, (190, 94), (196, 160), 255, 5)  # a 1 a little taller than the 8
    sheet = np.zeros(mask.shape, bool)
    sheet[20:230, 20:300] = True
    for x in (40, 70, 230):
        mask[18:30, x : x + 12] = 255  # bits of the desk at the sheet's top edge
    marks = find_marks(mask, sheet, min_size=4)
    assert sorted(m.box[0] // 50 for m in marks.kept) == [2, 3]  # the 8 and the 1


def test_one_digit_is_no_sure_measure_of_a_1(digits):
    """Beside a single digit a 1 may be 1.7 times as tall (MNIST's writers vary that much); a
    pen's part beside it is still far longer."""
    three = digits[0][8:48, 8:48]  # a 3 cut 40 px tall, its border trimmed
    mask = np.zeros((240, 320), np.uint8)
    mask[110:150, 100:140] |= three
    cv2.line(mask, (180, 96), (186, 164), 255, 5)  # a 1, 1.7 times as tall
    assert len(find_marks(mask).kept) == 2
    cv2.line(mask, (250, 40), (262, 200), 255, 6)  # a pen's part, 4 times as tall
    marks = find_marks(mask)
    assert len(marks.kept) == 2
    assert "straight stroke longer than the digits" in _reasons(marks)


def test_a_rules_remnants_and_specks_do_not_make_digits_thick_objects(digits):
    """A dim ruled page: what is left of the rules (flat dashes) and the noise (specks) are many
    small marks. They are no measure of the writing, or every digit looks 'much bigger than the
    writing' and a bold 1 is taken out as a pen."""
    mask = _page(digits)
    cv2.line(mask, (270, 110), (273, 145), 255, 9)  # a 1 written with a marker
    rng = np.random.default_rng(2)
    for x, y in rng.integers((0, 170), (300, 230), (40, 2)):
        mask[y : y + 5, x : x + 4] = 255  # specks of noise, 5 px
    for k in range(16):
        x, y = 18 * k, 20 + 30 * (k % 2)
        mask[y : y + 3, x : x + 14] = 255  # bits of two rules, 14 px wide
    marks = find_marks(mask, min_size=4)
    assert sorted(m.box[0] // 62 for m in marks.kept if 100 <= m.box[1] <= 120) == [1, 2, 3, 4]


def test_a_big_light_object_is_no_digit_but_a_pencil_digit_is(digits):
    """Fingers on the sheet: a little darker than the paper all over, bigger than the digits;
    the ink's core is far darker. A digit in pencil among inked ones is as light, not bigger."""
    mask = _page(digits)
    ink = np.where(mask > 0, 160, 0).astype(np.uint8)
    cv2.ellipse(mask, (284, 122), (26, 34), 0, 0, 360, 255, 12)  # a fingertip's outline, lighter
    ink[mask > 0] = np.maximum(ink[mask > 0], 70)
    marks = find_marks(mask, ink=ink)
    assert len(marks.kept) == 3
    assert any("lighter than the writing" in why for why in _reasons(marks))
    pencil = _page(digits)
    ink = np.where(pencil > 0, 160, 0).astype(np.uint8)
    pencil[100:156, 250:306] |= digits[0]  # a fourth digit, in pencil
    ink[100:156, 250:306][digits[0] > 0] = 70
    assert len(find_marks(pencil, ink=ink).kept) == 4


def test_a_4_written_in_two_strokes_is_one_mark(digits):
    """Many 4s are two strokes that do not touch: an arm hanging from the top, left of a tall
    stem, ending well above its foot. One mark, not a 1 beside a 1; digits standing side by side
    on one line (a short one beside a 1) stay two."""
    _, _, eight = digits
    mask = _page([eight, np.zeros_like(eight), eight], x0=40)
    cv2.line(mask, (120, 110), (108, 132), 255, 4)  # the arm, down to the bar (the 8s: 39 px)
    cv2.line(mask, (108, 132), (131, 132), 255, 4)  # the bar, stopping short of the stem
    cv2.line(mask, (141, 109), (141, 147), 255, 4)  # the stem
    marks = find_marks(mask)
    assert len(marks.kept) == 3
    low = _page([eight, np.zeros_like(eight), eight], x0=40)
    cv2.circle(low, (122, 134), 12, 255, 4)  # a small 0 standing on the line, beside a 1
    cv2.line(low, (144, 109), (144, 147), 255, 4)
    assert len(find_marks(low).kept) == 4


def test_a_0_broken_into_two_arcs_is_one_mark(digits):
    """A thin 0 whose top and bottom the threshold lost: "(" and ")" side by side, as tall as each
    other, is one mark, even written at a slant. Two 1s, upright or leaning alike, stay two, and
    so do a 6 and a 7."""
    _, _, eight = digits
    mask = _page([eight, np.zeros_like(eight), eight], x0=40)
    cv2.ellipse(mask, (124, 128), (11, 19), 12, 110, 250, 255, 3)  # the left arc, leaning right
    cv2.ellipse(mask, (128, 128), (11, 19), 12, -70, 70, 255, 3)  # the right arc
    assert len(find_marks(mask).kept) == 3
    ones = _page([eight, np.zeros_like(eight), eight], x0=40)
    for x in (118, 134):
        cv2.line(ones, (x + 5, 109), (x - 3, 147), 255, 3)  # two 1s leaning alike
    assert len(find_marks(ones).kept) == 4
    # a 6 beside a 7 (a generated ruled page): the 6's back bends like "(", its stem like ")";
    # the 6's loop crosses its rows twice, which no arc does
    from runtime.reader.pipeline import find_digits
    from tests.scenes.generate import make_scene

    scene = make_scene("ruled", 1, 41)
    assert scene.text == "28167"
    assert len(find_digits(scene.image).boxes) == 5


def test_a_row_of_digits_is_not_dropped_beside_one_far_bigger_mark(digits):
    """Something big that passes for writing (a pen's outline with a finger on it, here a big
    ring) beside a number written small: the row of digits alike in height is the writing, and
    the one mark five times their size is the object. Marks much smaller than a digit that do not
    line up (specks, dots) still go."""
    small = [cv2.resize(d, (20, 20), interpolation=cv2.INTER_AREA) for d in digits]
    mask = np.zeros((240, 320), np.uint8)
    for k, d in enumerate(small):
        mask[150:170, 40 + 24 * k : 60 + 24 * k] |= d
    cv2.ellipse(mask, (220, 90), (50, 70), 20, 0, 360, 255, 3)
    marks = find_marks(mask)
    assert len(marks.kept) == 3 and all(m.box[1] >= 140 for m in marks.kept)
    assert "far bigger than a row of digits beside it (an object)" in _reasons(marks)
    alone = _page([digits[2]], x0=130)
    cv2.circle(alone, (30, 30), 3, 255, 2)  # two dots, not in a row
    cv2.circle(alone, (280, 210), 3, 255, 2)
    marks = find_marks(alone)
    assert len(marks.kept) == 1 and marks.kept[0].size >= 40


def test_an_underline_touching_the_digits_is_taken_out(digits):
    """A line drawn under the number, touching the digits' feet, would make them one mark too
    wide for a digit: it is taken out with the rules, and each digit is a mark of its own."""
    from runtime.reader.ink import Ink
    from runtime.reader.marks import find_marks_on

    mask = _page(digits)
    ys = np.flatnonzero(mask.any(axis=1))
    cv2.line(mask, (50, int(ys.max())), (250, int(ys.max()) + 3), 255, 3)
    assert len(find_marks(mask).kept) < 3  # the line joins them
    blank = np.zeros_like(mask)
    ink, marks = find_marks_on(Ink(mask, blank, True, mask, blank), None, 8)
    assert len(marks.kept) == 3 and all(m.box[2] < 60 for m in marks.kept)
    assert cv2.countNonZero(ink.lines) > 150  # the line's pixels are the removed ones


def test_without_an_underline_nothing_is_taken_out(digits):
    from runtime.reader.ink import Ink
    from runtime.reader.marks import find_marks_on

    mask = _page(digits)
    blank = np.zeros_like(mask)
    ink, marks = find_marks_on(Ink(mask, blank, True, mask, blank), None, 8)
    assert not ink.lines.any() and len(marks.kept) == 3
