"""Webcam-like scenes of handwritten numbers, with the truth: what the reader should read.

make_scene(kind, index, seed) is deterministic. Every scene is a sheet of paper (blank, ruled or
squared) with one or more numbers written on it, filling the frame or lying on a desk among other
things, shot by a webcam (uneven light, blur, noise, JPEG). The digits are MNIST *test* digits or
digits in handwriting fonts (glyphs.py), never MNIST training data.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tests.scenes import camera, desk, glyphs, paper

SCENES = ("blank", "handwriting", "squared", "ruled", "rows", "desk", "small", "dim")
FRAMES = ((640, 480), (1280, 720))  # (width, height)
HD = (1280, 720)
OVERSCAN = 0.08  # a frame-filling sheet reaches this far (per side) beyond the frame
FONT_SHARE = 0.2  # share of numbers written in a handwriting font where MNIST is the default
DESK_TURN, ROWS_TURN = 15, 5  # degrees a sheet on the desk may be turned (with several rows)
SMALL_HEIGHT = (31, 34.5)  # px: with each digit's +-15% the digits are 26-40 px tall in HD

Box = tuple[int, int, int, int]  # x, y, w, h in the frame's pixels


@dataclass(frozen=True)
class Scene:
    kind: str
    index: int
    seed: int
    image: np.ndarray  # BGR uint8, a decoded JPEG
    lines: list[str]  # the numbers, top to bottom
    boxes: list[list[Box]]  # each digit's box, per line
    sources: list[list[str]]  # each digit's origin ("mnist-test:<i>" or "font:<file>"), per line
    paper: str  # "blank", "ruled" or "squared"

    @property
    def text(self) -> str:
        """The reading the reader should give: the lines joined with newlines."""
        return "\n".join(self.lines)


@dataclass
class Row:
    text: str
    boxes: list[Box]  # in sheet pixels
    sources: list[str]


def _gap(rng: np.random.Generator, height: float) -> int:
    """Space between two digits: usually clear, sometimes nearly touching."""
    share = rng.uniform(0.03, 0.1) if rng.random() < 0.3 else rng.uniform(0.12, 0.45)
    return max(2, round(share * height))


def _write_row(rng, alpha: np.ndarray, hand: glyphs.Hand, count: int, height: float,
               left: float, base: float, max_width: float) -> Row:
    """Write a `count`-digit number on the ink mask, its bottom near `base`, from `left`."""
    marks = [glyphs.write(hand, max(8, round(height * rng.uniform(0.85, 1.15))), rng)
             for _ in range(count)]
    gaps = [_gap(rng, height) for _ in range(count - 1)] + [0]
    width = sum(g.mask.shape[1] for g in marks) + sum(gaps)
    if width > max_width:  # too long for the line: the writer writes smaller
        shrink = max_width / width
        marks = [glyphs.Glyph(cv2.resize(g.mask, None, fx=shrink, fy=shrink,
                                         interpolation=cv2.INTER_AREA), g.label, g.source)
                 for g in marks]
        gaps = [max(2, int(g * shrink)) for g in gaps]
    boxes, x = [], round(left)
    for mark, gap in zip(marks, gaps, strict=True):
        h, w = mark.mask.shape
        y = round(base - h + rng.uniform(-0.06, 0.06) * height)
        region = alpha[y : y + h, x : x + w]
        np.maximum(region, mark.mask, out=region)
        boxes.append((x, y, w, h))
        x += w + gap
    return Row("".join(str(g.label) for g in marks), boxes,
               [g.source for g in marks])


def _row_width(count: int, height: float) -> float:
    """About how wide a `count`-digit number `height` px tall is written."""
    return count * height * 0.75


def _number_length(rng: np.random.Generator, low: int = 2) -> int:
    return int(rng.integers(low, 7))


class Sheet:
    """A sheet of paper in its own pixels, the area to write in, and the ink written on it."""

    def __init__(self, rng, w: int, h: int, area: tuple[float, float, float, float]):
        self.rng = rng
        self.pixels = paper.blank(rng, h, w)
        self.alpha = np.zeros((h, w), np.float32)
        self.area = area  # x0, y0, x1, y1: where writing goes
        self.rules: list[float] = []
        self.spacing = 0.0

    def lined(self, style: str, height: float) -> None:
        """Print rules ("ruled") or a grid ("squared") sized for digits `height` px tall."""
        rng = self.rng
        x0, y0, x1, _ = self.area
        if style == "ruled":
            self.spacing = height * rng.uniform(0.6, 1.1)  # digits cross the rule above
            margin = x0 + rng.uniform(0.0, 0.05) * (x1 - x0)
            self.rules = paper.ruled(rng, self.pixels, self.spacing, rng.uniform(0, self.spacing),
                                     margin if rng.random() < 0.8 else None)
            # Writing starts right of the margin (its double line included), sometimes close to it.
            left = margin + max(0.03 * (x1 - x0), 0.15 * height) + rng.uniform(0, 0.05) * (x1 - x0)
            self.area = (left, *self.area[1:])
        elif style == "squared":
            paper.squared(rng, self.pixels, height * rng.uniform(0.4, 0.65))

    def write(self, rows: int, height: float, hand_share: float) -> list[Row]:
        """`rows` numbers, one under the other, each fitted into the writing area."""
        rng = self.rng
        x0, y0, x1, y1 = self.area
        pitch = height * rng.uniform(1.5, 2.2)
        block = pitch * (rows - 1) + height * 1.2
        if block > y1 - y0:  # the rows must fit: write smaller
            height *= (y1 - y0) / block
            pitch *= (y1 - y0) / block
            block = y1 - y0
        top = rng.uniform(y0, y1 - block) + height * 1.1
        bases = [top + r * pitch for r in range(rows)]
        if self.rules:  # write on the rules: every row's bottom sits on (or just across) one
            step = int(np.ceil(pitch / self.spacing))
            usable = [y for y in self.rules if y0 + 1.3 * height <= y <= y1 - 0.2 * height]
            need = (rows - 1) * step + 1
            if len(usable) >= need:
                first = int(rng.integers(len(usable) - need + 1))
                bases = [y + rng.uniform(-0.05, 0.12) * height
                         for y in usable[first : first + need : step]]
        out = []
        hand = glyphs.pick_hand(rng, hand_share)  # one writer per sheet
        for base in bases:
            count = _number_length(rng, 1 if rows > 1 else 2)
            width = min(_row_width(count, height), x1 - x0)
            left = x0 + rng.uniform(0, max(0.0, x1 - x0 - width))
            out.append(_write_row(rng, self.alpha, hand, count, height, left, base, x1 - left))
        return out


def _frame_filling(rng, fw: int, fh: int) -> tuple[int, int, np.ndarray, tuple]:
    """A sheet a little bigger than the frame, slightly turned: its size, homography, area."""
    sw, sh = round(fw * (1 + 2 * OVERSCAN)), round(fh * (1 + 2 * OVERSCAN))
    src = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]])
    turn = np.radians(rng.uniform(-3, 3))
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    dst = (src - [sw / 2, sh / 2]) @ rot.T + [fw / 2, fh / 2]
    dst += rng.uniform(-0.01, 0.01, dst.shape) * fw
    homography = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    inset = 0.07
    area = (sw * OVERSCAN + fw * inset, sh * OVERSCAN + fh * inset,
            sw * OVERSCAN + fw * (1 - inset), sh * OVERSCAN + fh * (1 - inset))
    return sw, sh, homography, area


def _on_desk(rng, fw: int, fh: int, max_turn: float) -> tuple[int, int, np.ndarray, tuple]:
    """A sheet covering part of the frame, turned and tilted; its writing area stays in view."""
    while True:
        sw = round(fw * rng.uniform(0.4, 0.7))
        sh = round(min(sw * rng.uniform(0.7, 1.4), fh * 0.9))
        src = np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]])
        turn = np.radians(rng.uniform(-max_turn, max_turn))
        rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        centre = [fw * rng.uniform(0.3, 0.7), fh * rng.uniform(0.35, 0.65)]
        dst = (src - [sw / 2, sh / 2]) @ rot.T + centre
        dst += rng.uniform(-0.04, 0.04, dst.shape) * [sw, sh]
        homography = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        area = (sw * 0.1, sh * 0.12, sw * 0.9, sh * 0.88)
        corners = np.float32([[area[0], area[1]], [area[2], area[1]],
                              [area[2], area[3]], [area[0], area[3]]])
        seen = cv2.perspectiveTransform(corners[None], homography)[0]
        if (seen.min(0) > [0.03 * fw, 0.03 * fh]).all() and \
                (seen.max(0) < [0.97 * fw, 0.97 * fh]).all():
            return sw, sh, homography, area


def _project(boxes: list[Box], homography: np.ndarray) -> list[Box]:
    out = []
    for x, y, w, h in boxes:
        pts = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
        seen = cv2.perspectiveTransform(pts[None], homography)[0]
        (ax, ay), (bx, by) = np.floor(seen.min(0)), np.ceil(seen.max(0))
        out.append((int(ax), int(ay), int(bx - ax), int(by - ay)))
    return out


def _style(rng, plain: float) -> str:
    """blank with probability `plain`, else ruled or squared."""
    if rng.random() < plain:
        return "blank"
    return "ruled" if rng.random() < 0.5 else "squared"


def _desk_frame(rng, fw: int, fh: int, sheet: np.ndarray, homography: np.ndarray,
                digit_boxes: list[Box]) -> np.ndarray:
    """The sheet on a desk, with a keyboard, a pen and a hand around (never over the digits)."""
    frame = desk.surface(rng, fh, fw)
    if rng.random() < 0.35:
        side = ("bottom", "top", "left", "right")[rng.integers(4)]
        depth = rng.uniform(0.1, 0.22) * (fh if side in ("bottom", "top") else fw)
        desk.keyboard(rng, frame, side, depth)
    sh, sw = sheet.shape[:2]
    on = cv2.warpPerspective(np.ones((sh, sw), np.float32), homography, (fw, fh))
    desk.shadow(frame, on, rng)
    seen = cv2.warpPerspective(sheet, homography, (fw, fh), flags=cv2.INTER_LINEAR)
    frame = frame * (1 - on[..., None]) + seen * on[..., None]
    keep_out = np.zeros((fh, fw), bool)
    pad = int(max(max(b[3] for b in digit_boxes) * 0.3, 4))
    for x, y, w, h in digit_boxes:
        keep_out[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad] = True
    for _ in range(50):  # a pen somewhere, clear of the digits
        centre = rng.uniform([0.05 * fw, 0.05 * fh], [0.95 * fw, 0.95 * fh])
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.3, 0.55) * fw
        thick = rng.uniform(0.018, 0.032) * fh
        if not np.any(desk.pen_outline((fh, fw), centre, angle, length, thick) & keep_out):
            desk.pen(rng, frame, centre, angle, length, thick)
            break
    if rng.random() < 0.3:
        for _ in range(20):  # a hand coming in from an edge, clear of the digits
            anchor = [(rng.uniform(0, fw), fh), (rng.uniform(0, fw), 0),
                      (0, rng.uniform(0, fh)), (fw, rng.uniform(0, fh))][rng.integers(4)]
            reach = rng.uniform(0.25, 0.4) * fh
            towards = np.arctan2(fh / 2 - anchor[1], fw / 2 - anchor[0]) + rng.uniform(-0.4, 0.4)
            outline = desk.hand_outline((fh, fw), anchor, reach, towards,
                                        list(rng.uniform(0.55, 0.75, 4)))
            if not np.any((outline > 0.05) & keep_out):
                desk.hand(rng, frame, outline, reach)
                break
    return frame


def make_scene(kind: str, index: int, seed: int = 0) -> Scene:
    """Scene number `index` of this kind; the same (kind, index, seed) gives the same scene."""
    if kind not in SCENES:
        raise ValueError(f"unknown scene {kind!r}: one of {', '.join(SCENES)}")
    rng = np.random.default_rng([seed, SCENES.index(kind), index])
    fw, fh = HD if kind == "small" else FRAMES[int(rng.random() < (0.3 if kind == "dim" else 0.5))]
    on_desk = kind == "desk"
    rows, share = 1, FONT_SHARE
    if on_desk:
        rows = 2 if rng.random() < 0.15 else 1
        # Turned much, two rows could swap places in the frame: which is on top would be a guess.
        sw, sh, homography, area = _on_desk(rng, fw, fh, DESK_TURN if rows == 1 else ROWS_TURN)
    else:
        sw, sh, homography, area = _frame_filling(rng, fw, fh)
    sheet = Sheet(rng, sw, sh, area)
    style = "blank"
    if kind == "blank":
        share, height = 0.0, fh * rng.uniform(0.12, 0.3)
    elif kind == "handwriting":
        share, height = 1.0, fh * rng.uniform(0.12, 0.3)
    elif kind in ("squared", "ruled"):
        style, height = kind, fh * rng.uniform(0.1, 0.25)
    elif kind == "rows":
        rows, style = int(rng.integers(2, 4)), _style(rng, 0.6)
        height = fh * rng.uniform(0.08, 0.16)
    elif kind == "desk":
        style, height = _style(rng, 0.75), fh * rng.uniform(0.06, 0.13)
    elif kind == "small":
        style, height = _style(rng, 0.7), rng.uniform(*SMALL_HEIGHT)
    else:  # dim
        style, height = _style(rng, 0.8), fh * rng.uniform(0.12, 0.28)
    sheet.lined(style, height)
    written = sheet.write(rows, height, share)
    paper.ink(rng, sheet.pixels, sheet.alpha, fw / 640)
    boxes = [_project(row.boxes, homography) for row in written]
    if on_desk:
        scene = _desk_frame(rng, fw, fh, sheet.pixels, homography, sum(boxes, []))
    else:
        scene = cv2.warpPerspective(sheet.pixels, homography, (fw, fh), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REPLICATE)
    image = camera.shoot(rng, scene, dim=kind == "dim")
    return Scene(kind, index, seed, image, [row.text for row in written], boxes,
                 [row.sources for row in written], style)

