"""Webcam-like scenes of handwritten numbers, with the truth: what the reader should read.

make_scene(kind, index, seed) is deterministic. Every scene of the first round (FIRST) is a sheet
of paper (blank, ruled or squared) with one or more numbers written on it, filling the frame or
lying on a desk among other things, shot by a webcam (uneven light, blur, noise, JPEG); the second
round's kinds (SECOND, second.py) add whiteboards, sticky notes, coloured paper, steep angles,
shadows, touching digits and words. The digits are MNIST *test* digits or digits in handwriting
fonts (glyphs.py), never MNIST training data.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tests.scenes import camera, desk, paper, placing
from tests.scenes.placing import frame_filling, project
from tests.scenes.second import SECOND, make
from tests.scenes.writing import Sheet

FIRST = ("blank", "handwriting", "squared", "ruled", "rows", "desk", "small", "dim")
SCENES = FIRST + SECOND
SETS = {"one": FIRST, "two": SECOND}  # the first round's kinds and the second's
FRAMES = ((640, 480), (1280, 720))  # (width, height)
HD = (1280, 720)
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
    paper: str  # "blank", "ruled" or "squared"; "whiteboard" or "sticky"

    @property
    def text(self) -> str:
        """The reading the reader should give: the lines joined with newlines."""
        return "\n".join(self.lines)


def _style(rng, plain: float) -> str:
    """blank with probability `plain`, else ruled or squared."""
    if rng.random() < plain:
        return "blank"
    return "ruled" if rng.random() < 0.5 else "squared"


def make_scene(kind: str, index: int, seed: int = 0) -> Scene:
    """Scene number `index` of this kind; the same (kind, index, seed) gives the same scene."""
    if kind not in SCENES:
        raise ValueError(f"unknown scene {kind!r}: one of {', '.join(SCENES)}")
    rng = np.random.default_rng([seed, SCENES.index(kind), index])
    if kind in SECOND:
        image, lines, boxes, sources, style = make(kind, rng)
        return Scene(kind, index, seed, image, lines, boxes, sources, style)
    fw, fh = HD if kind == "small" else FRAMES[int(rng.random() < (0.3 if kind == "dim" else 0.5))]
    on_desk = kind == "desk"
    rows, share = 1, FONT_SHARE
    if on_desk:
        rows = 2 if rng.random() < 0.15 else 1
        # Turned much, two rows could swap places in the frame: which is on top would be a guess.
        turn = DESK_TURN if rows == 1 else ROWS_TURN
        sw, sh, homography, area = placing.on_desk(rng, fw, fh, turn)
    else:
        sw, sh, homography, area = frame_filling(rng, fw, fh)
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
    boxes = [project(row.boxes, homography) for row in written]
    if on_desk:
        scene = desk.place(rng, fw, fh, sheet.pixels, homography, sum(boxes, []))
    else:
        scene = cv2.warpPerspective(sheet.pixels, homography, (fw, fh), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REPLICATE)
    image = camera.shoot(rng, scene, dim=kind == "dim")
    return Scene(kind, index, seed, image, [row.text for row in written], boxes,
                 [row.sources for row in written], style)

