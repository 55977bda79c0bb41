"""Ink: how much darker than its own paper each pixel is, binarized, with ruled lines taken out.

Paper brightness is estimated by a morphological closing on a downscaled copy (it erases strokes
but keeps shadow edges, so uneven light cancels out); ink = how much darker than its own paper a
pixel is; Otsu on that, bounded so a blank page gives nothing (on a sheet, Otsu looks a little
inside its outline, which may take in a strip of desk far darker than any writing). The lines are
found and taken out by rules.py; dark rules that are most of the ink pull Otsu down, so then the
threshold is set again without them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from runtime.reader import background
from runtime.reader.rules import remove_lines, strokes_on_lines

BACKGROUND_SCALE = 4  # paper brightness is estimated at 1/4 resolution: light varies slowly
BACKGROUND_KERNEL = 0.25  # of the smaller side: wider than the stroke of a frame-filling digit
MIN_INK, MAX_INK = 50, 120  # threshold bounds on ink (0..255, fraction darker than the paper)
FAINT = 0.6  # of the threshold: lines are looked for in the ink this faint (a thin rule is whole)
LINES_DOMINATE = 0.5  # of the ink: when lines are more, the threshold is set again without them
DARKER_PEN = 40  # ink levels: a pen this much darker than the rules is told from them by darkness
SHEET_INSIDE = 0.05  # of the shorter side: the threshold is set this far inside the sheet


@dataclass(frozen=True)
class Ink:
    """The ink of the working image and its binary mask, lines removed."""

    ink: np.ndarray  # uint8 0 paper .. 255 black ink, working size (0 off the sheet)
    paper: np.ndarray  # uint8 paper brightness, same size, ink made dark
    dark: bool  # whether the ink was darker than the paper (else the gray image was inverted)
    mask: np.ndarray  # uint8 255 = ink, lines removed
    lines: np.ndarray  # uint8 255 = pixels removed as ruled, margin or grid lines


def paper_and_ink(gray: np.ndarray,
                  dark: bool | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Ink and paper maps of a gray image of either polarity (`dark` None: decided here)."""
    small = cv2.resize(gray, (max(1, gray.shape[1] // BACKGROUND_SCALE),
                              max(1, gray.shape[0] // BACKGROUND_SCALE)),
                       interpolation=cv2.INTER_AREA)
    k = max(3, int(min(small.shape) * BACKGROUND_KERNEL) | 1)
    if dark is None:
        dark = dark_ink(small, k)
    if not dark:  # chalk on a board, or MNIST itself: make the ink dark
        gray, small = 255 - gray, 255 - small
    paper = cv2.resize(background.paper(small, k), (gray.shape[1], gray.shape[0]),
                       interpolation=cv2.INTER_LINEAR)
    return ink_of(gray, paper), paper, dark


def ink_of(gray: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """How much darker than `paper` each pixel of `gray` is (0..255)."""
    return 255 - cv2.divide(gray, np.maximum(paper, 1), scale=255)


def dark_ink(small: np.ndarray, k: int) -> bool:
    """Whether the ink is darker than the paper.

    Global brightness cannot tell (a shadow makes half the paper darker than the median), but ink
    is a few sharp outliers from the local mean, all on one side: the third moment has their sign.
    """
    deviation = small.astype(np.float32) - cv2.blur(small, (k, k)).astype(np.float32)
    return float(np.sum(deviation**3)) <= 0.0


def threshold(ink: np.ndarray, min_ink: float = MIN_INK) -> float:
    """Otsu on the ink map, kept within [min_ink, MAX_INK] so a blank page gives nothing."""
    otsu, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return float(np.clip(otsu, min_ink, MAX_INK))


def binarize(ink: np.ndarray, level: float | None = None) -> np.ndarray:
    """255 where the ink is above `level` (default: threshold(ink))."""
    _, mask = cv2.threshold(ink, threshold(ink) if level is None else level, 255,
                            cv2.THRESH_BINARY)
    return mask


def find_ink(gray: np.ndarray, sheet: np.ndarray | None = None, min_line: int = 0,
             max_width: int = 0, min_ink: float = MIN_INK) -> Ink:
    """The ink on a gray working image; off the sheet (bool mask) there is none; lines are at
    least `min_line` px long and at most `max_width` px wide (0: from the image's size); the
    threshold is at least `min_ink`."""
    ink, paper, dark = paper_and_ink(gray, dark=True if sheet is not None else None)
    if sheet is not None:
        ink[~sheet] = 0
        # the sheet's outline may take in a strip of desk along the frame's edge: far darker than
        # any ink, it would set the threshold above faint writing, so the threshold is set inside
        side = 2 * max(1, int(SHEET_INSIDE * min(ink.shape))) + 1
        inner = cv2.erode(sheet.view(np.uint8), np.ones((side, side), np.uint8),
                          borderType=cv2.BORDER_CONSTANT, borderValue=0)
        level = threshold(cv2.bitwise_and(ink, ink, mask=inner), min_ink)
    else:
        level = threshold(ink, min_ink)
    mask = binarize(ink, level)
    faint = binarize(ink, FAINT * level)
    clean, lines = remove_lines(mask, sheet, min_line, max_width, faint)
    if not cv2.countNonZero(lines):  # the common case: a page without rules
        return Ink(ink, paper, dark, clean, lines)
    if cv2.countNonZero(lines) > LINES_DOMINATE * cv2.countNonZero(mask):
        # dark rules or a grid pull Otsu down to them: threshold the rest again
        rest = np.where(cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0, 0, ink).astype(np.uint8)
        again = threshold(rest, min_ink)
        if again > level:
            mask = cv2.bitwise_or(binarize(ink, again), cv2.bitwise_and(mask, lines))
            clean, lines = remove_lines(mask, sheet, min_line, max_width, faint)
    if lines.any() and clean.any():  # a stroke along a rule: darker than the rule, it stays
        rule, pen = float(np.median(ink[lines > 0])), float(np.median(ink[clean > 0]))
        if pen - rule >= DARKER_PEN:
            back = cv2.bitwise_and(lines, binarize(ink, (rule + pen) / 2))
            clean, lines = cv2.bitwise_or(clean, back), cv2.bitwise_xor(lines, back)
        back = strokes_on_lines(ink, clean, lines)
        if back.any():
            clean, lines = cv2.bitwise_or(clean, back), cv2.bitwise_xor(lines, back)
    return Ink(ink, paper, dark, clean, lines)
