"""Sheets of paper: blank, ruled (blue rules, red margin) or squared, with ink written on them."""

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


def ink(rng: np.random.Generator, sheet: np.ndarray, alpha: np.ndarray, scale: float) -> None:
    """Write the ink mask on the sheet: a pen colour, soft edges, uneven pressure."""
    colour = np.array(_colour(rng, PEN_INKS[rng.integers(len(PEN_INKS))]), np.float32)
    sigma = rng.uniform(0.4, 0.9) * scale
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    pad = int(4 * sigma) + 2  # only around the writing: the rest of the sheet has no ink
    y0, y1 = max(0, rows[0] - pad), min(alpha.shape[0], rows[-1] + pad + 1)
    x0, x1 = max(0, cols[0] - pad), min(alpha.shape[1], cols[-1] + pad + 1)
    soft = cv2.GaussianBlur(alpha[y0:y1, x0:x1], (0, 0), sigma)
    pressure = rng.uniform(0.0, 0.25) * cv2.resize(
        rng.random((4, 4)).astype(np.float32), (x1 - x0, y1 - y0), interpolation=cv2.INTER_CUBIC)
    a = np.clip(soft * (rng.uniform(0.85, 1.0) - pressure), 0, 1)[..., None]
    region = sheet[y0:y1, x0:x1]
    region *= 1 - a
    region += a * colour
