"""Boxes, digits and confidences drawn on a copy of a photo or frame; rows outlined and numbered."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader.frame import to_gray
from runtime.recognizer import Reading

SURE, UNSURE, ROW = (0, 200, 0), (0, 165, 255), (200, 90, 0)  # BGR
INK, TEXT, BACKDROP = (0, 0, 0), (255, 255, 255), (40, 40, 40)  # dark text on the bright boxes
FONT = cv2.FONT_HERSHEY_SIMPLEX
PAD = 4  # pixels of filled box around the status text


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A uint8 BGR copy of any decoded image (gray, BGRA, 16-bit), for drawing and saving."""
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        return image.copy()
    return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)


def _text_on_box(out: np.ndarray, text: str, x: int, bottom: int, scale: float, thick: int,
                 colour: tuple[int, int, int], ink: tuple[int, int, int], pad: int = 0) -> None:
    """Text on a filled box, readable on any background; the box's bottom-left at x, bottom."""
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    top = max(th + base + 2 * pad, bottom)
    cv2.rectangle(out, (x, top - th - base - 2 * pad), (x + tw + 2 * pad, top), colour, cv2.FILLED)
    cv2.putText(out, text, (x + pad, top - base - pad), FONT, scale, ink, thick, cv2.LINE_AA)


def annotate(image: np.ndarray, reading: Reading | None, status: str | None = None) -> np.ndarray:
    """The image with each digit boxed and labelled 'digit confidence%', unsure ones in orange;
    with several rows, each row outlined and labelled 'row n: digits'.

    `reading` None (nothing stable yet on a live camera) draws no boxes.
    """
    out = as_bgr(image)
    scale = max(0.4, min(out.shape[:2]) / 600)
    thick = max(1, int(round(2 * scale)))
    groups = ((reading.items, SURE), (reading.unsure, UNSURE)) if reading is not None else ()
    for items, colour in groups:
        for item in items:
            x, y, w, h = item.box
            cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
            _text_on_box(out, f"{item.digit} {item.confidence:.0%}", x, y, scale, thick, colour,
                         INK)
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
