"""What the rejector's examples write: letters, symbols and words in fonts the test scenes never
use, training digits side by side (touching or overlapping), and strokes and blobs; each as ink
(float32 in [0, 1], tight) at RENDER scale."""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

Box = tuple[int, int, int, int]

TRAIN_FONTS = (
    ("/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf", "fonts-femkeklaver"),
    ("/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf", "fonts-dancingscript"),
    ("/usr/share/fonts/opentype/dancingscript/DancingScript-Bold.otf", "fonts-dancingscript"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "fonts-dejavu-core"),
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf", "fonts-liberation2"),
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf", "fonts-liberation2"),
    ("/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf", "fonts-liberation2"),
)
HELD_OUT_FONTS = (
    ("/usr/share/fonts/opentype/kaushanscript/KaushanScript-Regular.otf", "fonts-kaushanscript"),
    ("/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf", "fonts-comic-neue"),
    ("/usr/share/fonts/opentype/comic-neue/ComicNeue-BoldItalic.otf", "fonts-comic-neue"),
)
HERSHEY = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
           cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
           cv2.FONT_HERSHEY_SCRIPT_COMPLEX)
# Letters a digit could be written as (O, l, I, S, Z, B, b, g, q...) are left out: the rejector
# cannot know an o from a 0, and must not learn to reject 0s.
LETTERS = "ACEFHKLMNPRTUVWXYacdefhkmnprtuvwxy"
SYMBOLS = "+-=/:%#*()<>?!&@$"
WORDS = ("Page", "Total", "Room", "Date", "Tel", "Name", "Price", "Sum", "Nr", "No", "Box",
         "kg", "cm", "km", "Tax", "Week", "Part", "Item", "Code", "Ref", "Year", "Max", "Min",
         "PAGE", "TOTAL", "ROOM", "DATE", "NAME", "PRICE", "CODE", "Apt", "Exit", "Hall")
RENDER = 96  # px: fonts are drawn this big, then scaled to the written height


def font_paths(held_out: bool = False) -> list[str]:
    """The fonts to write with; raises naming the Debian packages missing."""
    table = HELD_OUT_FONTS if held_out else TRAIN_FONTS
    missing = sorted({package for path, package in table if not Path(path).is_file()})
    if missing:
        from runtime.errors import UserError

        raise UserError("fonts missing for the rejector's examples: apt-get install "
                        + " ".join(missing))
    return [path for path, _ in table]


def _tight(alpha: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(alpha > 0.1)
    if not len(ys):
        return alpha[:1, :1] * 0
    return alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


@functools.lru_cache(maxsize=256)
def _font_text(path: str, text: str, weight: int) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(path, RENDER)
    canvas = Image.new("L", (RENDER * (len(text) + 2), RENDER * 2), 0)
    ImageDraw.Draw(canvas).text((RENDER // 2, RENDER // 3), text, font=font, fill=255,
                                stroke_width=weight, stroke_fill=255)
    return np.asarray(canvas, np.float32) / 255


def _hershey_text(face: int, text: str, thickness: int, rng: np.random.Generator) -> np.ndarray:
    """Text in one of OpenCV's stroke fonts, each letter nudged so it looks drawn."""
    canvas = np.zeros((RENDER * 2, RENDER * (len(text) + 2)), np.uint8)
    scale = RENDER / 30
    x = RENDER // 2
    for ch in text:
        (w, _), _ = cv2.getTextSize(ch, face, scale, thickness)
        y = int(RENDER * 1.3 + rng.uniform(-0.05, 0.05) * RENDER)
        cv2.putText(canvas, ch, (x, y), face, scale * rng.uniform(0.9, 1.1), 255, thickness,
                    cv2.LINE_AA)
        x += int(w * rng.uniform(0.85, 1.05))
    return canvas.astype(np.float32) / 255


def _warp(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A writer's slant and a little turn."""
    h, w = alpha.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-6, 6), 1.0)
    shear = rng.uniform(-0.2, 0.35)
    turn[0, 1] -= shear
    turn[0, 2] += shear * h / 2
    return cv2.warpAffine(alpha, turn, (w, h), flags=cv2.INTER_LINEAR)


def text(rng: np.random.Generator, fonts: list[str]) -> np.ndarray:
    """Letters, symbols or a word, in a font or a Hershey face: tight ink at RENDER scale."""
    pick = rng.random()
    if pick < 0.35:
        chars = str(rng.choice(WORDS))
    else:
        pool = LETTERS if pick < 0.8 else SYMBOLS + LETTERS
        chars = "".join(rng.choice(list(pool), int(rng.integers(1, 4))))
    if rng.random() < 0.3:
        alpha = _hershey_text(int(rng.choice(HERSHEY)), chars, int(rng.integers(2, 9)), rng)
    else:
        alpha = _font_text(str(rng.choice(fonts)), chars, int(rng.integers(0, 4)))
    return _tight(_warp(alpha, rng))


def _mnist_ink(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A training digit's ink, tight, at RENDER scale, with its pen a little thicker or thinner."""
    big = cv2.resize(_tight(image.astype(np.float32) / 255), None, fx=RENDER / 20, fy=RENDER / 20,
                     interpolation=cv2.INTER_LINEAR)
    change = int(rng.choice((-1, 0, 0, 1, 2)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(change) * 3 + 1,) * 2)
    if change > 0:
        big = cv2.dilate(big, disc)
    elif change < 0:
        big = cv2.erode(big, disc)
    return _tight(big)


def _font_digit(rng: np.random.Generator, fonts: list[str], digit: int) -> np.ndarray:
    return _tight(_warp(_font_text(str(rng.choice(fonts)), str(digit), int(rng.integers(0, 4))),
                        rng))


def digits_row(rng: np.random.Generator, images: np.ndarray, labels: np.ndarray,
               fonts: list[str], count: int) -> tuple[np.ndarray, list[tuple[Box, int]]]:
    """`count` digits side by side, touching or overlapping (or, for one, alone): the ink and
    each digit's box and label."""
    font = rng.random() < 0.25
    glyphs, truth = [], []
    for _ in range(count):
        if font:
            label = int(rng.integers(10))
            ink = _font_digit(rng, fonts, label)
        else:
            k = int(rng.integers(len(images)))
            label, ink = int(labels[k]), _mnist_ink(images[k], rng)
        scale = RENDER / ink.shape[0] * rng.uniform(0.85, 1.1)
        glyphs.append(cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR))
        truth.append(label)
    height = max(g.shape[0] for g in glyphs) + RENDER // 8
    width = sum(g.shape[1] for g in glyphs) + RENDER
    canvas = np.zeros((height, width), np.float32)
    boxes, x = [], 0
    for g in glyphs:
        h, w = g.shape
        y = int(rng.integers(0, height - h + 1))
        x = max(0, x)
        region = canvas[y : y + h, x : x + w]
        np.maximum(region, g[:, : region.shape[1]], out=region)
        boxes.append((x, y, w, h))
        x += w - int(rng.uniform(-0.05, 0.35) * w)  # the next one touches or overlaps this one
    ys, xs = np.nonzero(canvas > 0.1)
    x0, y0 = xs.min(), ys.min()
    out = canvas[y0 : ys.max() + 1, x0 : xs.max() + 1]
    return out, [((bx - x0, by - y0, bw, bh), lab)
                 for (bx, by, bw, bh), lab in zip(boxes, truth, strict=True)]


def stroke(rng: np.random.Generator) -> np.ndarray:
    """An arc, a dash, a scribble or a blob (a fingertip, a pen's cap), at RENDER scale."""
    canvas = np.zeros((RENDER * 2, RENDER * 2), np.uint8)
    c = (RENDER, RENDER)
    thick = int(rng.integers(4, 16))
    pick = rng.random()
    if pick < 0.3:  # a strongly bent arc: "(", "C", a hook; never straight (a 1)
        axes = (int(RENDER * rng.uniform(0.2, 0.6)), int(RENDER * rng.uniform(0.3, 0.7)))
        start = rng.uniform(0, 360)
        cv2.ellipse(canvas, c, axes, rng.uniform(0, 180), start, start + rng.uniform(120, 220),
                    255, thick, cv2.LINE_AA)
    elif pick < 0.5:  # a dash or a line lying down
        angle = np.radians(rng.uniform(-40, 40))
        half = RENDER * rng.uniform(0.3, 0.8)
        d = np.array([np.cos(angle), np.sin(angle)]) * half
        cv2.line(canvas, tuple((np.array(c) - d).astype(int)), tuple((np.array(c) + d).astype(int)),
                 255, thick, cv2.LINE_AA)
    elif pick < 0.8:  # a scribble
        points = (np.array(c) + rng.uniform(-0.7, 0.7, (int(rng.integers(4, 8)), 2)) * RENDER)
        cv2.polylines(canvas, [points.astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    else:  # a solid blob, darker inside
        axes = (int(RENDER * rng.uniform(0.2, 0.5)), int(RENDER * rng.uniform(0.3, 0.9)))
        cv2.ellipse(canvas, c, axes, rng.uniform(0, 180), 0, 360, 255, -1, cv2.LINE_AA)
        canvas = cv2.GaussianBlur(canvas, (0, 0), RENDER * 0.08)
    return _tight(canvas.astype(np.float32) / 255)
