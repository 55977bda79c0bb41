"""The second round's scene kinds: what a phone or a webcam meets after the first round's pages.

A whiteboard in its frame with a glare spot; a 320x240 webcam frame; coloured paper and coloured
pencil; a page seen at a steep angle; a hand's or a phone's shadow across the page; a sticky note
on a desk or a monitor; digits written so close that they touch; a word above or beside the number.
Every kind is a 640x480 frame except "320x240". make(kind, rng) returns the camera's frame and the
truth; generate.make_scene wraps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from tests.scenes import camera, desk, glyphs, light, paper, placing
from tests.scenes.writing import Row, Sheet, number_length, row_width, write_row

SECOND = ("whiteboard", "320x240", "coloured", "angle", "shadow", "sticky", "touching", "words")
FRAME, SMALL_FRAME = (640, 480), (320, 240)  # (width, height)
CAST_SHARE = 0.3  # scenes under light of a colour the camera did not correct
FONT_SHARE = 0.2  # numbers written in a handwriting font (else MNIST test digits)
PENCIL_CONTRAST = 75  # grey levels: a pencil at least this much darker than its paper is used
SMALL_HEIGHT = (17.5, 21.0)  # px in a 320x240 frame: with each digit's +-15%, 15-24 px
WORDS_ABOVE = ("Total", "Room", "Page", "Date", "No.", "Tel", "Name", "Price", "Code", "Qty",
               "Box", "Floor", "Item", "Order", "Seat", "Gate", "Bus", "Shelf", "Amount",
               "Score", "Level", "Phone", "Ref", "Lot", "Sum", "Table", "Week", "Class")
WORDS_BEFORE = ("No.", "Tel", "Room", "Page", "Nr.", "ID", "Box", "Gate", "Seat", "Bus", "Rm")
WORDS_AFTER = ("kg", "cm", "min", "pcs", "km", "ml", "EUR", "g", "m")

Box = tuple[int, int, int, int]
Truth = tuple[np.ndarray, list[str], list[list[Box]], list[list[str]], str]


def _hand(rng: np.random.Generator, pen: tuple[float, float] | None = None,
          weight: tuple[int, int] = (0, 4), breaks: float = 0.0,
          font_share: float = FONT_SHARE) -> glyphs.Hand:
    """A writer: MNIST test digits with a pen `pen` wide (of the digit's height), or a font."""
    if rng.random() < font_share:
        fonts = glyphs.font_paths()
        return glyphs.Hand(fonts[rng.integers(len(fonts))], float(rng.uniform(-0.15, 0.3)),
                           int(rng.integers(*weight)), 0.0, breaks)
    width = rng.uniform(*(pen or glyphs.PEN_WIDTH))
    return glyphs.Hand(None, 0.0, 0, float(width), breaks)


def _lined(rng: np.random.Generator, sheet: Sheet, height: float, plain: float) -> str:
    """Blank paper with probability `plain`, else ruled or squared for digits `height` px tall."""
    style = "blank" if rng.random() < plain else "ruled" if rng.random() < 0.5 else "squared"
    sheet.lined(style, height)
    return style


def _grey(colour) -> float:
    """The grey level of a BGR colour."""
    b, g, r = colour
    return 0.114 * b + 0.587 * g + 0.299 * r


def _wall(rng: np.random.Generator, fh: int, fw: int) -> np.ndarray:
    """A painted wall (float32 BGR), lit unevenly."""
    wall = np.empty((fh, fw, 3), np.float32)
    wall[:] = rng.uniform(110, 200) * (1 + rng.uniform(-0.06, 0.06, 3))
    ramp = np.linspace(1 - rng.uniform(0, 0.15), 1, fw, dtype=np.float32)
    return wall * (ramp if rng.random() < 0.5 else ramp[::-1])[None, :, None]


def _compose(rng: np.random.Generator, sheet: Sheet, rows: list[Row], homography: np.ndarray,
             size: tuple[int, int], around: np.ndarray | None = None, things: bool = False,
             colour=None, pencil: float = 0.0) -> tuple[np.ndarray, list[list[Box]]]:
    """The written sheet in the frame (float32 BGR, before the camera) and the digits' boxes: on
    `around` (with a pen and a hand beside if `things`), or filling the frame when None."""
    fw, fh = size
    centre = [(sheet.area[0] + sheet.area[2]) / 2, (sheet.area[1] + sheet.area[3]) / 2]
    sharpness = placing.local_scale(homography, centre)
    paper.ink(rng, sheet.pixels, sheet.alpha, fw / 640 / sharpness, colour, pencil)
    boxes = [placing.project(row.boxes, homography) for row in rows]
    if around is None:
        scene = cv2.warpPerspective(sheet.pixels, homography, (fw, fh), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REPLICATE)
    else:
        scene = desk.place(rng, fw, fh, sheet.pixels, homography, sum(boxes, []), around, things)
    return scene, boxes


@dataclass
class Page:
    """A sheet to write on and where it lies: filling the frame, or on a desk."""

    sheet: Sheet
    homography: np.ndarray
    size: tuple[int, int]  # the frame's (width, height)
    on_desk: bool
    tint: tuple | None  # the paper's colour (BGR), None for white


def _page(rng: np.random.Generator, size: tuple[int, int], desk_share: float, turn: float,
          tints: tuple | None = None) -> Page:
    """A page filling the frame, or (with probability `desk_share`) on a desk turned up to `turn`
    degrees; white, or paper of one of the colours `tints`."""
    fw, fh = size
    on_desk = rng.random() < desk_share
    if on_desk:
        sw, sh, homography, area = placing.on_desk(rng, fw, fh, turn)
    else:
        sw, sh, homography, area = placing.frame_filling(rng, fw, fh)
    tint = None if tints is None else tints[rng.integers(len(tints))]
    pixels = None if tint is None else paper.tinted(rng, sh, sw, tint)
    return Page(Sheet(rng, sw, sh, area, pixels), homography, size, on_desk, tint)


def _shoot_page(rng: np.random.Generator, page: Page, rows: list[Row], colour=None,
                pencil: float = 0.0) -> tuple[np.ndarray, list[list[Box]]]:
    """_compose for a page: on a desk with a pen and a hand beside, or filling the frame."""
    fw, fh = page.size
    around = desk.surface(rng, fh, fw) if page.on_desk else None
    return _compose(rng, page.sheet, rows, page.homography, page.size, around, page.on_desk,
                    colour, pencil)


def _whiteboard(rng: np.random.Generator) -> tuple:
    """A whiteboard in its aluminium frame on a wall, written with a thick marker, a glare spot."""
    fw, fh = FRAME
    sw = 800
    sh = round(sw * rng.uniform(0.6, 0.75))
    surface = paper.board(rng, sh, sw)
    rim = rng.uniform(0.015, 0.03) * sw
    paper.board_frame(rng, surface, rim)
    view = placing.seen_from(sw, sh, rng.uniform(-15, 15), rng.uniform(-20, 20),
                             rng.uniform(-4, 4), rng.uniform(1.2, 2.0))
    homography = placing.fitted(view, (0, 0, sw, sh), fw, fh, rng.uniform(0.85, 1.3),
                                tuple(rng.uniform(-1, 1, 2)))
    inside = (rim * 2, rim * 2, sw - rim * 2, sh - rim * 2)
    area = placing.visible(homography, fw, fh, inside)
    sheet = Sheet(rng, sw, sh, area, surface)
    centre = ((area[0] + area[2]) / 2, (area[1] + area[3]) / 2)
    height = fh * rng.uniform(0.12, 0.26) / placing.local_scale(homography, centre)
    marker = _hand(rng, pen=(0.13, 0.2), weight=(5, 10))
    rows = sheet.write(1 + int(rng.random() < 0.3), height, 0.0, hand=marker)
    colour = paper.MARKERS[rng.integers(len(paper.MARKERS))]
    scene, boxes = _compose(rng, sheet, rows, homography, FRAME, _wall(rng, fh, fw),
                            colour=colour)
    light.glare(rng, scene, rng.uniform([0.15 * fw, 0.15 * fh], [0.85 * fw, 0.85 * fh]),
                rng.uniform(0.05, 0.14) * fw, rng.uniform(40, 110))
    return scene, rows, boxes, "whiteboard"


def _small_frame(rng: np.random.Generator) -> tuple:
    """A 320x240 webcam frame: a page filling it or on a desk, digits 15-24 px tall."""
    fw, fh = SMALL_FRAME
    page = _page(rng, SMALL_FRAME, 0.3, 10)
    sheet = page.sheet
    height = rng.uniform(*SMALL_HEIGHT)
    style = _lined(rng, sheet, height, 0.6)
    rows = sheet.write(1 + int(rng.random() < 0.3), height, 0.0, hand=_hand(rng))
    scene, boxes = _shoot_page(rng, page, rows)
    return scene, rows, boxes, style


def _coloured(rng: np.random.Generator) -> tuple:
    """Coloured (sometimes crumpled) paper written in coloured pencil: low contrast; sometimes a
    thin pen that skips instead."""
    fw, fh = FRAME
    page = _page(rng, FRAME, 0.3, 12, paper.PAPER_COLOURS)
    sheet = page.sheet
    if rng.random() < 0.3:
        paper.crumple(rng, sheet.pixels, int(rng.integers(8, 25)))
    height = fh * rng.uniform(0.1, 0.24)
    style = _lined(rng, sheet, height, 0.85)
    thin = rng.random() < 0.15
    if thin:  # a thin ballpoint running dry: strokes broken
        hand = _hand(rng, pen=(0.045, 0.07), breaks=rng.uniform(0.2, 0.5), font_share=0.0)
        colour, grain, strength = None, 0.0, 1.0
    else:  # coloured pencil: light pressure, grainy
        hand = _hand(rng, pen=(0.05, 0.1))
        dark = [c for c in paper.PENCILS if _grey(c) < _grey(page.tint) - PENCIL_CONTRAST]
        colour = dark[rng.integers(len(dark))]
        grain, strength = rng.uniform(0.2, 0.45), rng.uniform(0.75, 0.95)
    rows = sheet.write(1 + int(rng.random() < 0.25), height, 0.0, hand=hand)
    sheet.alpha *= strength
    scene, boxes = _shoot_page(rng, page, rows, colour, grain)
    if rng.random() < 0.2:
        light.glare(rng, scene, rng.uniform([0, 0], [fw, fh]), rng.uniform(0.05, 0.12) * fw,
                    rng.uniform(30, 80))
    return scene, rows, boxes, style


def _angle(rng: np.random.Generator) -> tuple:
    """A page photographed at a steep angle: strong perspective, the camera rolled up to 20
    degrees, on a desk or filling the frame."""
    fw, fh = FRAME
    sw, sh = 560, 792  # A4's proportions
    if rng.random() < 0.3:
        sw, sh = sh, sw
    pixels = paper.blank(rng, sh, sw)
    if rng.random() < 0.15:
        paper.crumple(rng, pixels, int(rng.integers(8, 25)))
    sheet = Sheet(rng, sw, sh, (0.08 * sw, 0.08 * sh, 0.92 * sw, 0.92 * sh), pixels)
    height = sh * rng.uniform(0.05, 0.1)
    style = _lined(rng, sheet, height, 0.5)
    count = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
    rows = sheet.write(count, height, 0.0, low=2, hand=_hand(rng))
    pitch = rng.uniform(30, 55) * (1 if rng.random() < 0.8 else -1)
    view = placing.seen_from(sw, sh, pitch, rng.uniform(-12, 12), rng.uniform(-20, 20),
                             rng.uniform(1.4, 2.2))
    written = [b for row in rows for b in row.boxes]
    pad = 0.3 * height
    ink = (min(b[0] for b in written) - pad, min(b[1] for b in written) - pad,
           max(b[0] + b[2] for b in written) + pad, max(b[1] + b[3] for b in written) + pad)
    # as big in the frame as a number at arm's length: the writing's middle about 25-60 px tall
    shift = tuple(rng.uniform(-0.8, 0.8, 2))
    middle = ((ink[0] + ink[2]) / 2, (ink[1] + ink[3]) / 2)
    unit = placing.local_scale(placing.fitted(view, ink, fw, fh, 1.0), middle) * height
    share = min(0.9, rng.uniform(25, 60) / unit)
    homography = placing.fitted(view, ink, fw, fh, share, shift)
    scene, boxes = _compose(rng, sheet, rows, homography, FRAME, desk.surface(rng, fh, fw),
                            rng.random() < 0.5)
    if rng.random() < 0.25:
        light.glare(rng, scene, rng.uniform([0, 0], [fw, fh]), rng.uniform(0.05, 0.12) * fw,
                    rng.uniform(30, 90))
    return scene, rows, boxes, style


def _shadow(rng: np.random.Generator) -> tuple:
    """A page with the soft shadow of a hand or a phone across its writing."""
    fw, fh = FRAME
    page = _page(rng, FRAME, 0.3, 12)
    sheet = page.sheet
    height = fh * rng.uniform(0.08, 0.2) * (0.7 if page.on_desk else 1.0)
    style = _lined(rng, sheet, height, 0.6)
    rows = sheet.write(1 + int(rng.random() < 0.3), height, 0.0, hand=_hand(rng))
    scene, boxes = _shoot_page(rng, page, rows)
    x, y, w, h = [b for line in boxes for b in line][rng.integers(sum(map(len, boxes)))]
    through = (x + w * rng.uniform(-0.5, 1.5), y + h * rng.uniform(-0.3, 1.3))
    shape = (light.hand_silhouette if rng.random() < 0.6 else light.phone_silhouette)(
        rng, fh, fw, through)
    light.cast_shadow(rng, scene, shape, rng.uniform(0.01, 0.04) * fw, rng.uniform(0.25, 0.55))
    return scene, rows, boxes, style


def _sticky(rng: np.random.Generator) -> tuple:
    """A sticky note (a quarter of the frame or less) on a grey or dark desk or on a monitor's
    bezel; one to four rows, the more rows the smaller."""
    fw, fh = FRAME
    side = 400
    sw, sh = (side, side) if rng.random() < 0.85 else (round(side * 1.5), side)
    tint = paper.STICKY_COLOURS[rng.integers(len(paper.STICKY_COLOURS))]
    sheet = Sheet(rng, sw, sh, (0.08 * sw, 0.2 * sh, 0.92 * sw, 0.93 * sh),
                  paper.sticky(rng, sh, sw, tint))
    count = int(rng.choice([1, 2, 3, 4], p=[0.45, 0.25, 0.15, 0.15]))
    height = sh * (rng.uniform(0.22, 0.36) if count == 1 else rng.uniform(0.13, 0.2))
    marker = rng.random() < 0.35
    hand = _hand(rng, pen=(0.12, 0.18) if marker else None, weight=(3, 7) if marker else (0, 4),
                 breaks=rng.uniform(0.2, 0.6) if count >= 3 and rng.random() < 0.3 else 0.0)
    rows = sheet.write(count, height, 0.0, hand=hand)
    colour = paper.MARKERS[rng.integers(len(paper.MARKERS))] if marker else None
    where = rng.random()
    if where < 0.3:
        around, corner = desk.monitor(rng, fh, fw)
        at = np.asarray(corner) + rng.uniform(-0.08, 0.08, 2) * fw
    else:
        around, at = desk.surface(rng, fh, fw, 2 if where < 0.65 else 1), None
    area = rng.uniform(0.04, 0.2) * fw * fh
    share = np.sqrt(area) * max(sw, sh) / np.sqrt(sw * sh) / min(fw, fh)
    turn = 25 if count == 1 else 12  # turned much, rows could swap places in the frame
    view = placing.seen_from(sw, sh, rng.uniform(-20, 20), rng.uniform(-20, 20),
                             rng.uniform(-turn, turn), 3.0)
    homography = placing.fitted(view, (0, 0, sw, sh), fw, fh, share,
                                tuple(rng.uniform(-0.9, 0.9, 2)), at)
    scene, boxes = _compose(rng, sheet, rows, homography, FRAME, around,
                            at is None and rng.random() < 0.5, colour)
    return scene, rows, boxes, "sticky"


def _toucher(rng: np.random.Generator) -> Callable[[np.ndarray, glyphs.Glyph, int, int], int]:
    """Where a digit goes when it is written against the one before (whose right edge is at
    `right`): moved left until its ink meets the ink already there, a little further now and then
    (overlapping), its box over the one before by at most a third of its width; 15% not touching.
    """
    def place(alpha: np.ndarray, glyph: glyphs.Glyph, right: int, y: int) -> int:
        h, w = glyph.mask.shape
        if rng.random() < 0.15:
            return right + max(2, round(rng.uniform(0.03, 0.1) * h))
        ink = glyph.mask > 0.3
        stop = max(0, right - int(w / 3))
        x = right + 2
        while x > stop:
            there = alpha[y : y + h, x : x + w] > 0.3
            if (there & ink[: there.shape[0], : there.shape[1]]).any():
                break
            x -= 1
        return max(stop, x - round(rng.uniform(0, 0.06) * h))
    return place


def _touching(rng: np.random.Generator) -> tuple:
    """Numbers whose digits are written so close that neighbours touch or overlap."""
    fw, fh = FRAME
    page = _page(rng, FRAME, 0.2, 10)
    sheet = page.sheet
    height = fh * rng.uniform(0.1, 0.22) * (0.7 if page.on_desk else 1.0)
    style = _lined(rng, sheet, height, 0.5)
    rows = sheet.write(1 + int(rng.random() < 0.2), height, 0.0, low=2, place=_toucher(rng),
                       hand=_hand(rng))
    scene, boxes = _shoot_page(rng, page, rows)
    return scene, rows, boxes, style


def _cased(rng: np.random.Generator, word: str) -> str:
    pick = rng.random()
    return word.upper() if pick < 0.35 else word.lower() if pick < 0.5 else word


def _put(alpha: np.ndarray, mask: np.ndarray, x: float, y: float) -> tuple[int, int]:
    """Write a mask on the ink with its top-left corner at (x, y); its right edge and bottom."""
    x, y = max(0, round(x)), max(0, round(y))
    region = alpha[y : y + mask.shape[0], x : x + mask.shape[1]]
    np.maximum(region, mask[: region.shape[0], : region.shape[1]], out=region)
    return x + mask.shape[1], y + mask.shape[0]


def _underline(rng: np.random.Generator, alpha: np.ndarray, x0: float, x1: float, y: float,
               width: float) -> None:
    """A hand-drawn line under a number: slightly bowed and tilted, one pen's width."""
    xs = np.linspace(x0, x1, 12)
    bow = rng.uniform(-0.02, 0.02) * (x1 - x0)
    ys = y + np.sin(np.linspace(0, np.pi, 12)) * bow + np.linspace(0, 1, 12) * rng.uniform(
        -0.03, 0.03) * (x1 - x0)
    pts = np.round(np.stack([xs, ys], 1) * 16).astype(np.int32)
    cv2.polylines(alpha, [pts], False, 1.0, max(1, round(width)), cv2.LINE_AA, 4)


def _words(rng: np.random.Generator) -> tuple:
    """A handwritten word on a line above the number, sometimes a word (or a unit) beside it on
    its line and a line under it; the truth is the number only."""
    fw, fh = FRAME
    page = _page(rng, FRAME, 0.3, 10)
    sheet = page.sheet
    height = fh * rng.uniform(0.08, 0.16) * (0.8 if page.on_desk else 1.0)
    style = _lined(rng, sheet, height, 0.5)
    hand = _hand(rng, font_share=0.3)
    if hand.font is None:  # the words in a font, as alike the digits' pen as a font can be
        fonts = glyphs.font_paths()
        words = glyphs.Hand(fonts[rng.integers(len(fonts))], float(rng.uniform(-0.1, 0.25)),
                            int(rng.integers(0, 4)), 0.0)
    else:
        words = hand
    (above, base), height = sheet.bases(2, height)
    x0, _, x1, _ = sheet.area
    gap = height * rng.uniform(0.3, 0.6)
    count = number_length(rng, 1)
    beside = rng.random() < 0.4
    before = after = None
    if beside:
        after_it = rng.random() < 0.3
        pool = WORDS_AFTER if after_it else WORDS_BEFORE
        word = glyphs.write_word(words, _cased(rng, pool[rng.integers(len(pool))]),
                                 height * rng.uniform(0.7, 1.0), rng)
        before, after = (None, word) if after_it else (word, None)
    side = (before[0].shape[1] + gap) if before else 0.0
    tail = (after[0].shape[1] + gap) if after else 0.0
    if side + tail > 0.5 * (x1 - x0):  # no room for it on the line
        before = after = None
        side = tail = 0.0
    width = min(row_width(count, height), x1 - x0 - side - tail)
    left = x0 + rng.uniform(0, max(0.0, x1 - x0 - width - side - tail))
    if before:
        _put(sheet.alpha, before[0], left, base - before[1])
    row = write_row(rng, sheet.alpha, hand, count, height, left + side, base,
                    max(height, x1 - left - side - tail))
    right = max(b[0] + b[2] for b in row.boxes)
    if after:
        _put(sheet.alpha, after[0], right + gap, base - after[1])
    label = _cased(rng, WORDS_ABOVE[rng.integers(len(WORDS_ABOVE))])
    mask, line = glyphs.write_word(words, label, height * rng.uniform(0.55, 0.95), rng)
    start = left + rng.uniform(-0.3, 0.6) * height
    _put(sheet.alpha, mask, min(start, x1 - mask.shape[1]), above - line)
    if rng.random() < 0.3:
        pen = max(1.0, (hand.pen or 0.1) * height)
        _underline(rng, sheet.alpha, row.boxes[0][0] - rng.uniform(0, 0.3) * height,
                   right + rng.uniform(0, 0.3) * height,
                   base + rng.uniform(0.15, 0.3) * height, pen)
    scene, boxes = _shoot_page(rng, page, [row])
    return scene, [row], boxes, style


KINDS = {"whiteboard": _whiteboard, "320x240": _small_frame, "coloured": _coloured,
         "angle": _angle, "shadow": _shadow, "sticky": _sticky, "touching": _touching,
         "words": _words}


def make(kind: str, rng: np.random.Generator) -> Truth:
    """One scene of a second-round kind: the camera's frame, the lines, the digits' boxes in the
    frame, their sources, and the paper."""
    scene, rows, boxes, style = KINDS[kind](rng)
    if rng.random() < CAST_SHARE:
        light.colour_cast(rng, scene)
    image = camera.shoot(rng, scene)
    return (image, [row.text for row in rows], boxes, [row.sources for row in rows], style)
