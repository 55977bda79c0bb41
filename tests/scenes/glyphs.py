"""Digit glyphs as ink masks: MNIST *test* digits, or digits in real people's handwriting fonts.

A glyph is a tight float32 mask in [0, 1] (1 = ink) at the height it will be written. MNIST
training images are never used: scenes measure the reader on material the model never saw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from runtime.errors import UserError

# Handwriting fonts from Debian packages (scripts/test.sh installs them).
# Each file: (path, package).
FONTS = (
    ("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf", "fonts-dkg-handwriting"),
    ("/usr/share/fonts/truetype/fifthhorseman/dkgBd.ttf", "fonts-dkg-handwriting"),
    ("/usr/share/fonts/truetype/fifthhorseman/dkgIt.ttf", "fonts-dkg-handwriting"),
    ("/usr/share/fonts/truetype/fifthhorseman/dkgBI.ttf", "fonts-dkg-handwriting"),
    ("/usr/share/fonts/truetype/breip/Breip.ttf", "fonts-breip"),
    ("/usr/share/fonts/truetype/rufscript/Rufscript010.ttf", "fonts-rufscript"),
    ("/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf", "fonts-humor-sans"),
    ("/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf", "fonts-bwht"),
    ("/usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf", "fonts-bwht"),
    ("/usr/share/fonts/opentype/bwht/BecauseWeCreate-Regular.otf", "fonts-bwht"),
    ("/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf", "fonts-bwht"),
    ("/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf", "fonts-bwht"),
    ("/usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf", "fonts-bwht"),
    ("/usr/share/fonts/truetype/sjfonts/SteveHand.ttf", "fonts-sjfonts"),
    ("/usr/share/fonts/truetype/sjfonts/Delphine.ttf", "fonts-sjfonts"),
)
FONT_PACKAGES = tuple(sorted({package for _, package in FONTS}))
RENDER_SIZE = 128  # font size (px) glyphs are drawn at before scaling to their height
PEN_WIDTH = (0.06, 0.14)  # an MNIST writer's stroke width, as a share of the digit's height
INK_LEVELS = np.linspace(0.1, 0.8, 8)  # grey levels tried as the edge of MNIST's strokes
WIDE = 0.85  # an MNIST digit's width counts this much towards its size


class MissingFonts(UserError):
    """A handwriting font is not installed: the scenes would silently lose a writer."""


@dataclass(frozen=True)
class Glyph:
    mask: np.ndarray  # float32 (h, w) in [0, 1], tight around the ink
    label: int
    source: str  # "mnist-test:<index>" or "font:<file name>"


@dataclass(frozen=True)
class Hand:
    """One writer: where the digits come from and how they are drawn."""

    font: str | None  # a font path, or None for MNIST test digits
    slant: float  # horizontal shear (font writers)
    weight: int  # extra stroke width at RENDER_SIZE (font writers)
    pen: float  # stroke width / digit height (MNIST writers: one pen for the whole number)
    breaks: float = 0.0  # how often a thin pen skips: gaps in a digit's strokes (mean count)


def font_paths() -> list[str]:
    """Every handwriting font; raises MissingFonts naming the packages to install."""
    missing = sorted({package for path, package in FONTS if not Path(path).is_file()})
    if missing:
        raise MissingFonts("handwriting fonts missing: apt-get install " + " ".join(missing))
    return [path for path, _ in FONTS]


@functools.lru_cache(maxsize=1)
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """MNIST's test images and labels (never the training split)."""
    from runtime.measure import dataset

    split = dataset.load("test")
    return split.images, split.labels


def pick_hand(rng: np.random.Generator, font_share: float) -> Hand:
    """A writer: a handwriting font with probability font_share, else MNIST test digits."""
    if rng.random() < font_share:
        fonts = font_paths()
        return Hand(fonts[rng.integers(len(fonts))], float(rng.uniform(-0.15, 0.3)),
                    int(rng.integers(0, 4)), 0.0)
    return Hand(None, 0.0, 0, float(rng.uniform(*PEN_WIDTH)))


def _tight(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask > 0.1)
    return mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _to_height(mask: np.ndarray, height: int) -> np.ndarray:
    h, w = mask.shape
    width = max(1, round(w * height / h))
    interp = cv2.INTER_AREA if height < h else cv2.INTER_CUBIC
    return np.clip(cv2.resize(mask, (width, height), interpolation=interp), 0, 1)


@functools.lru_cache(maxsize=64)
def _font_mask(path: str, digit: int, weight: int) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(path, RENDER_SIZE)
    canvas = Image.new("L", (RENDER_SIZE * 2, RENDER_SIZE * 2), 0)
    ImageDraw.Draw(canvas).text((RENDER_SIZE // 2, RENDER_SIZE // 3), str(digit), font=font,
                                fill=255, stroke_width=weight, stroke_fill=255)
    return np.asarray(canvas, np.float32) / 255


def _font_glyph(hand: Hand, digit: int, height: int, rng: np.random.Generator) -> Glyph:
    mask = _font_mask(hand.font, digit, hand.weight)
    h, w = mask.shape
    shear = hand.slant + rng.uniform(-0.05, 0.05)
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-4, 4), 1.0)
    turn[0, 1] -= shear  # lean the top of the digit right for a positive slant
    turn[0, 2] += shear * h / 2
    mask = cv2.warpAffine(mask, turn, (w, h), flags=cv2.INTER_LINEAR)
    return Glyph(_to_height(_tight(mask), height), digit, f"font:{Path(hand.font).name}")


def _mnist_glyph(hand: Hand, height: int, rng: np.random.Generator) -> Glyph:
    images, labels = mnist_test()
    index = int(rng.integers(len(images)))
    crop = _tight(images[index].astype(np.float32) / 255)
    # MNIST fits every digit into 20x20: a wide digit came out short. Scale by the larger of its
    # height and most of its width, so that a flat "2" is not written twice as big as the rest.
    h, w = crop.shape
    grey = _to_height(crop, max(8, round(height * h / max(h, WIDE * w))))
    grey = cv2.GaussianBlur(grey, (0, 0), 0.25 * grey.shape[0] / h)  # round off the pixel steps
    pen = hand.pen * grey.shape[0] * rng.uniform(0.9, 1.1)
    t = np.clip((grey - _ink_level(grey, pen)) / 0.2 + 0.5, 0, 1)
    mask = t * t * (3 - 2 * t)  # smoothstep: solid strokes with soft edges, not a blurry zoom
    return Glyph(mask.astype(np.float32), int(labels[index]), f"mnist-test:{index}")


def _stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width of a binary mask: twice its area over its outline's length."""
    area = int(ink.sum())
    edge = area - int(cv2.erode(ink, np.ones((3, 3), np.uint8)).sum())
    return 2 * area / max(edge, 1)


def _ink_level(grey: np.ndarray, pen: float) -> float:
    """The grey level whose outline gives strokes closest to `pen` px wide (one writer's pen)."""
    widths = [_stroke_width((grey >= level).astype(np.uint8)) for level in INK_LEVELS]
    return float(INK_LEVELS[int(np.argmin([abs(w - pen) for w in widths]))])


def write(hand: Hand, height: int, rng: np.random.Generator) -> Glyph:
    """One digit, about `height` pixels tall, in this hand (a random digit)."""
    if hand.font is None:
        glyph = _mnist_glyph(hand, height, rng)
    else:
        glyph = _font_glyph(hand, int(rng.integers(10)), height, rng)
    if hand.breaks:
        glyph = Glyph(_skips(glyph.mask, int(rng.poisson(hand.breaks)), rng), glyph.label,
                      glyph.source)
    return glyph


def _skips(mask: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """The mask with `count` gaps across its strokes, where a thin pen skipped (a copy)."""
    out = mask.copy()
    ys, xs = np.nonzero(mask > 0.5)
    if not len(ys):
        return out
    width = _stroke_width((mask > 0.5).astype(np.uint8))
    for k in rng.integers(len(ys), size=count):
        radius = max(1, round(width * rng.uniform(0.7, 1.1)))
        cv2.circle(out, (int(xs[k]), int(ys[k])), radius, 0.0, -1)
    return out


@functools.lru_cache(maxsize=256)
def _text_mask(path: str, text: str, weight: int) -> tuple[np.ndarray, int, int]:
    """`text` drawn in a font at RENDER_SIZE (float32 mask), its baseline row and cap height."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(path, RENDER_SIZE)
    ascent, descent = font.getmetrics()
    width = int(font.getlength(text)) + RENDER_SIZE
    canvas = Image.new("L", (width, ascent + descent + RENDER_SIZE // 2), 0)
    top = RENDER_SIZE // 4
    ImageDraw.Draw(canvas).text((RENDER_SIZE // 2, top), text, font=font, fill=255,
                                stroke_width=weight, stroke_fill=255)
    cap = font.getbbox("H")
    return np.asarray(canvas, np.float32) / 255, top + ascent, cap[3] - cap[1]


def write_word(hand: Hand, text: str, height: float,
               rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A word in this hand's font (tight float32 mask) with capitals `height` px tall, and its
    baseline's row in the mask (descenders hang below it)."""
    mask, baseline, cap = _text_mask(hand.font, text, hand.weight)
    h, w = mask.shape
    shear = hand.slant + rng.uniform(-0.05, 0.05)
    turn = cv2.getRotationMatrix2D((w / 2, baseline), rng.uniform(-3, 3), 1.0)
    turn[0, 1] -= shear
    turn[0, 2] += shear * baseline
    mask = cv2.warpAffine(mask, turn, (w, h), flags=cv2.INTER_LINEAR)
    ys, xs = np.nonzero(mask > 0.1)
    mask = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = height / max(cap, 1)
    size = (max(1, round(mask.shape[1] * scale)), max(1, round(mask.shape[0] * scale)))
    small = np.clip(cv2.resize(mask, size, interpolation=cv2.INTER_AREA), 0, 1)
    return small, round((baseline - ys.min()) * scale)
