"""Sheets of paper: blank, ruled (blue rules, red margin) or squared, coloured or crumpled; sticky
notes and whiteboards; with ink written on them."""

from __future__ import annotations

import cv2
import numpy as np

RULE_BLUES = (  # BGR ranges of printed rules: pale, and the darker blue of cheap notebooks
    ((215, 170, 120), (235, 195, 150)),
    ((190, 130, 80), (215, 165, 120)),
)
GRID_GREY = ((150, 150, 150), (200, 200, 200))
GRID_BLUE = ((210, 175, 140), (235, 205, 175))
MARGIN_RED = ((120, 110, 215), (160, 150, 240))
PEN_INKS = (  # BGR: black ballpoint, blue ballpoint, black felt-tip, pencil
    ((25, 25, 25), (60, 60, 60)),
    ((110, 40, 20), (160, 80, 50)),
    ((10, 10, 10), (35, 35, 35)),
    ((85, 85, 85), (115, 115, 115)),
)


def blank(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """White-ish paper (float32 BGR) with a faint fibre texture."""
    base = rng.uniform(215, 250)
    tint = base + rng.uniform(-5, 5, 3)
    sheet = np.empty((h, w, 3), np.float32)
    sheet[:] = tint
    grain = rng.uniform(1.5, 3.5) * rng.standard_normal((h, w), dtype=np.float32)
    grain = cv2.GaussianBlur(grain, (0, 0), 0.8)
    sheet += grain[..., None]
    return sheet


def _colour(rng: np.random.Generator, span) -> tuple[float, float, float]:
    lo, hi = np.array(span[0], np.float32), np.array(span[1], np.float32)
    return tuple(float(c) for c in rng.uniform(lo, hi))


def _print(sheet: np.ndarray, lines: list[tuple[float, float, float, float]], width: float,
           colour: tuple[float, float, float]) -> None:
    """Print straight lines `width` px wide (thinner than a pixel prints fainter, as seen)."""
    h, w = sheet.shape[:2]
    mask = np.zeros((h, w), np.float32)
    thick = max(1, round(width))
    for x0, y0, x1, y1 in lines:
        cv2.line(mask, (round(x0 * 16), round(y0 * 16)), (round(x1 * 16), round(y1 * 16)), 1.0,
                 thick, cv2.LINE_AA, 4)
    a = (mask * min(1.0, width))[..., None]
    sheet *= 1 - a
    sheet += a * np.array(colour, np.float32)


def ruled(rng, sheet: np.ndarray, spacing: float, top: float,
          margin_x: float | None) -> list[float]:
    """Blue rules every `spacing` px from `top` (and a red margin at margin_x); the rules' ys."""
    h, w = sheet.shape[:2]
    width = spacing * rng.uniform(0.025, 0.05)
    ys = list(np.arange(top % spacing, h, spacing))
    _print(sheet, [(0, y, w, y) for y in ys], width,
           _colour(rng, RULE_BLUES[int(rng.random() < 0.4)]))
    if margin_x is not None:  # sometimes a double margin line
        xs = [margin_x + k * max(3.0, 4 * width) for k in range(1 + int(rng.random() < 0.3))]
        _print(sheet, [(x, 0, x, h) for x in xs], width * 1.2, _colour(rng, MARGIN_RED))
    return ys


def squared(rng, sheet: np.ndarray, spacing: float) -> None:
    """Graph paper: grey or blue grid lines every `spacing` px."""
    h, w = sheet.shape[:2]
    x0, y0 = rng.uniform(0, spacing, 2)
    lines = [(x, 0, x, h) for x in np.arange(x0, w, spacing)]
    lines += [(0, y, w, y) for y in np.arange(y0, h, spacing)]
    _print(sheet, lines, spacing * rng.uniform(0.02, 0.05),
           _colour(rng, GRID_GREY if rng.random() < 0.5 else GRID_BLUE))


def ink(rng: np.random.Generator, sheet: np.ndarray, alpha: np.ndarray, scale: float,
        colour=None, pencil: float = 0.0) -> None:
    """Write the ink mask on the sheet: a pen colour (`colour`, or a pen of PEN_INKS), soft edges,
    uneven pressure; with `pencil` > 0 the paper's tooth takes that much of the ink away."""
    if colour is None:
        colour = _colour(rng, PEN_INKS[rng.integers(len(PEN_INKS))])
    colour = np.array(colour, np.float32)
    sigma = rng.uniform(0.4, 0.9) * scale
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    pad = int(4 * sigma) + 2  # only around the writing: the rest of the sheet has no ink
    y0, y1 = max(0, rows[0] - pad), min(alpha.shape[0], rows[-1] + pad + 1)
    x0, x1 = max(0, cols[0] - pad), min(alpha.shape[1], cols[-1] + pad + 1)
    soft = cv2.GaussianBlur(alpha[y0:y1, x0:x1], (0, 0), sigma)
    pressure = rng.uniform(0.0, 0.25) * cv2.resize(
        rng.random((4, 4)).astype(np.float32), (x1 - x0, y1 - y0), interpolation=cv2.INTER_CUBIC)
    if pencil:
        soft = grainy(rng, soft, pencil)
    a = np.clip(soft * (rng.uniform(0.85, 1.0) - pressure), 0, 1)[..., None]
    region = sheet[y0:y1, x0:x1]
    region *= 1 - a
    region += a * colour


# The second round's surfaces (BGR): coloured office paper and card, sticky notes, whiteboards.
PAPER_COLOURS = ((150, 232, 248), (200, 182, 250), (238, 214, 172), (172, 232, 192),
                 (128, 192, 250), (118, 158, 192), (228, 192, 214))  # yellow, pink, blue, green,
# orange, kraft, lilac
STICKY_COLOURS = ((95, 228, 250), (182, 138, 250), (245, 205, 120), (140, 235, 160),
                  (84, 176, 250))  # yellow, pink, blue, green, orange
PENCILS = ((60, 60, 200), (180, 95, 40), (70, 140, 50), (40, 120, 230), (140, 60, 120),
           (50, 80, 130), (105, 105, 105))  # red, blue, green, orange, purple, brown, graphite
MARKERS = ((35, 35, 35), (150, 70, 25), (45, 40, 185), (70, 125, 35))  # black, blue, red, green
CRUMPLE_STEP = 4  # a crumpled sheet's tilts are computed at a quarter of its size


def tinted(rng: np.random.Generator, h: int, w: int, colour) -> np.ndarray:
    """Coloured paper (float32 BGR) of about `colour`, with a faint fibre texture."""
    sheet = np.empty((h, w, 3), np.float32)
    sheet[:] = np.asarray(colour, np.float32) * rng.uniform(0.92, 1.02) + rng.uniform(-4, 4, 3)
    grain = rng.uniform(1.5, 3.5) * rng.standard_normal((h, w), dtype=np.float32)
    sheet += cv2.GaussianBlur(grain, (0, 0), 0.8)[..., None]
    return sheet


def crumple(rng: np.random.Generator, sheet: np.ndarray, creases: int) -> None:
    """Crumple a sheet (in place): `creases` short folds, each a thin darker line with the paper on
    its two sides tilted differently to the light (one side a little brighter, fading along it)."""
    h, w = sheet.shape[:2]
    sh, sw = max(2, h // CRUMPLE_STEP), max(2, w // CRUMPLE_STEP)  # the tilts vary slowly
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32) * CRUMPLE_STEP
    tilt = np.zeros((sh, sw), np.float32)
    lines = np.zeros((h, w), np.float32)
    for _ in range(creases):
        cx, cy = rng.uniform([0, 0], [w, h])
        angle = rng.uniform(0, np.pi)
        u = np.array([np.cos(angle), np.sin(angle)])
        across = (xs - cx) * u[1] - (ys - cy) * u[0]
        along = (xs - cx) * u[0] + (ys - cy) * u[1]
        reach = rng.uniform(0.1, 0.4) * max(h, w)
        fade = np.exp(-((along / reach) ** 2))
        width = rng.uniform(0.02, 0.08) * min(h, w)
        tilt += rng.uniform(0.01, 0.04) * rng.choice([-1, 1]) * np.tanh(across / width) * fade
        depth = rng.uniform(0.02, 0.06)
        for share, strength in ((1.0, 0.35), (0.6, 0.65), (0.3, 1.0)):  # fainter at its ends
            a, b = (np.array([cx, cy]) + sign * share * reach * u for sign in (-1, 1))
            cv2.line(lines, (round(a[0] * 16), round(a[1] * 16)), (round(b[0] * 16),
                     round(b[1] * 16)), depth * strength, 1, cv2.LINE_AA, 4)
    light = cv2.resize(1 + tilt, (w, h), interpolation=cv2.INTER_LINEAR)
    light -= cv2.GaussianBlur(lines, (0, 0), 0.7)
    sheet *= light[..., None]


def board(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A whiteboard (float32 BGR): glossy white, a broad sheen, ghosts of erased writing."""
    surface = np.empty((h, w, 3), np.float32)
    surface[:] = rng.uniform(205, 238) + np.array([4, 1, -3], np.float32) + rng.uniform(-3, 3, 3)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    surface *= (1 + rng.uniform(0.02, 0.06) * (np.cos(angle) * xs / w
                                               + np.sin(angle) * ys / h))[..., None]
    ghost = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(2, 7))):  # erased writing leaves faint grey smears
        x, y = rng.uniform([0, 0], [w, h])
        length, angle = rng.uniform(0.05, 0.3) * w, rng.uniform(0, np.pi)
        end = (x + length * np.cos(angle), y + length * np.sin(angle))
        cv2.line(ghost, (int(x), int(y)), (int(end[0]), int(end[1])), 1.0,
                 int(rng.uniform(0.02, 0.06) * h))
    ghost = cv2.GaussianBlur(ghost, (0, 0), 0.01 * w) * rng.uniform(0.03, 0.08)
    surface *= (1 - ghost)[..., None]
    return surface


def board_frame(rng: np.random.Generator, surface: np.ndarray, rim: float) -> None:
    """An aluminium frame `rim` px wide around a whiteboard (in place), lit from above: a rounded
    bright extrusion, a thin dark gap where the board meets it."""
    h, w = surface.shape[:2]
    r = max(3, int(rim))
    metal = rng.uniform(170, 215)
    ys = np.arange(r, dtype=np.float32)
    profile = metal * (0.85 + 0.2 * np.sin(np.pi * (ys + 0.5) / r))  # a rounded extrusion
    profile[-1] *= rng.uniform(0.7, 0.9)  # the gap between the frame and the board
    colour = np.array([1.02, 1.0, 0.97], np.float32)
    surface[:r] = profile[:, None, None] * colour
    surface[h - r :] = 0.9 * profile[::-1, None, None] * colour
    for x, side in ((np.s_[:r], profile), (np.s_[w - r :], profile[::-1])):
        surface[r : h - r, x] = 0.95 * side[None, :, None] * colour


def sticky(rng: np.random.Generator, h: int, w: int, colour) -> np.ndarray:
    """A sticky note (float32 BGR): its colour, the glue strip at the top, its curling bottom."""
    note = tinted(rng, h, w, colour)
    strip = int(h * rng.uniform(0.15, 0.22))
    note[:strip] *= rng.uniform(1.0, 1.04)
    ys = np.arange(h, dtype=np.float32) / h
    curl = np.clip((ys - rng.uniform(0.6, 0.8)) / 0.3, 0, 1) ** 2 * rng.uniform(0.05, 0.2)
    note *= (1 - curl)[:, None, None]
    return note


def grainy(rng: np.random.Generator, alpha: np.ndarray, amount: float) -> np.ndarray:
    """The ink mask as a pencil leaves it: the paper's tooth takes ink in specks (a copy)."""
    tooth = cv2.GaussianBlur(rng.random(alpha.shape, dtype=np.float32), (0, 0), 0.7)
    tooth = (tooth - tooth.mean()) / (tooth.std() + 1e-6)
    return np.clip(alpha * (1 - amount * np.clip(0.5 - 0.4 * tooth, 0, 1)), 0, 1)
