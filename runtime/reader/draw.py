"""Boxes, digits and confidences drawn on a copy of a photo or frame; rows outlined and numbered."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader.frame import to_gray
from runtime.reader.recognizer import Reading

SURE, UNSURE, ROW = (0, 200, 0), (0, 165, 255), (200, 90, 0)  # BGR
INK, TEXT, BACKDROP = (0, 0, 0), (255, 255, 255), (40, 40, 40)  # dark text on the bright boxes
FONT = cv2.FONT_HERSHEY_SIMPLEX
PAD = 4  # pixels of filled box around the status text


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A uint8 BGR copy of any decoded image (gray, BGRA, 16-bit), for drawing and saving."""
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        return image.copy()
    return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)


Rect = tuple[int, int, int, int]  # x, y, w, h


def _label_size(text: str, scale: float, thick: int, pad: int = 0) -> tuple[int, int]:
    """(width, height) of the filled box a label is drawn on."""
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    return tw + 2 * pad, th + base + 2 * pad


def _text_on_box(out: np.ndarray, text: str, x: int, bottom: int, scale: float, thick: int,
                 colour: tuple[int, int, int], ink: tuple[int, int, int], pad: int = 0) -> None:
    """Text on a filled box, readable on any background; the box's bottom-left at x, bottom."""
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    top = max(th + base + 2 * pad, bottom)
    cv2.rectangle(out, (x, top - th - base - 2 * pad), (x + tw + 2 * pad, top), colour, cv2.FILLED)
    cv2.putText(out, text, (x + pad, top - base - pad), FONT, scale, ink, thick, cv2.LINE_AA)


def _overlap(a: Rect, b: Rect) -> int:
    """The area two rectangles share."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def place_labels(boxes: list[Rect], sizes: list[tuple[int, int]],
                 frame: tuple[int, int]) -> list[Rect]:
    """Where each box's label goes (x, y, w, h) so that no two labels cover each other: above
    the box, else right-aligned above it, below it, or higher up; kept inside the frame (h, w).
    Where every place is taken (digits packed closer than their labels are wide), the one that
    covers the others least."""
    height, width = frame
    placed: list[Rect] = []
    for (x, y, w, h), (lw, lh) in zip(boxes, sizes, strict=True):
        spots = [(x, y - lh), (x + w - lw, y - lh), (x, y + h), (x + w - lw, y + h)]
        spots += [(x, y - lh * k) for k in range(2, 5)]
        spots = [(min(max(0, sx), max(0, width - lw)), min(max(0, sy), max(0, height - lh)))
                 for sx, sy in spots]
        best = min(spots, key=lambda s: sum(_overlap((*s, lw, lh), p) for p in placed))
        placed.append((*best, lw, lh))
    return placed


def annotate(image: np.ndarray, reading: Reading | None, status: str | None = None) -> np.ndarray:
    """The image with each digit boxed and labelled 'digit confidence%', unsure ones in orange,
    no label over another; with several rows, each row outlined and labelled 'row n: digits'.

    `reading` None (nothing stable yet on a live camera) draws no boxes.
    """
    out = as_bgr(image)
    scale = max(0.4, min(out.shape[:2]) / 600)
    thick = max(1, int(round(2 * scale)))
    groups = ((reading.items, SURE), (reading.unsure, UNSURE)) if reading is not None else ()
    items = [(item, colour) for group, colour in groups for item in group]
    texts = [f"{item.digit} {item.confidence:.0%}" for item, _ in items]
    sizes = [_label_size(text, scale, thick) for text in texts]
    spots = place_labels([item.box for item, _ in items], sizes, out.shape[:2])
    for item, colour in items:
        x, y, w, h = item.box
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
    for (_, colour), text, (lx, ly, _, lh) in zip(items, texts, spots, strict=True):
        _text_on_box(out, text, lx, ly + lh, scale, thick, colour, INK)  # over every box
    lines = reading.lines if reading is not None else []
    if len(lines) > 1:  # several rows: each outlined and numbered
        for n, line in enumerate(lines, 1):
            x0 = min(i.box[0] for i in line.items) - 2 * thick
            y0 = min(i.box[1] for i in line.items) - 2 * thick
            x1 = max(i.box[0] + i.box[2] for i in line.items) + 2 * thick
            y1 = max(i.box[1] + i.box[3] for i in line.items) + 2 * thick
            cv2.rectangle(out, (x0, y0), (x1, y1), ROW, thick)
            label = f"row {n}: {line.digits}"
            (tw, th), base = cv2.getTextSize(label, FONT, scale, thick)
            _text_on_box(out, label, max(0, x1 - tw), y1 + th + base, scale, thick, ROW, TEXT)
    if status:
        _text_on_box(out, status, 0, 0, scale, thick, BACKDROP, TEXT, PAD)
    return out
