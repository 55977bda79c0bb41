"""Boxes, digits and confidences drawn on a copy of a photo or frame; rows outlined and numbered."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader.frame import to_gray
from runtime.recognizer import Reading

SURE, UNSURE, ROW, TEXT = (0, 200, 0), (0, 165, 255), (200, 90, 0), (255, 255, 255)  # BGR
FONT = cv2.FONT_HERSHEY_SIMPLEX


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A uint8 BGR copy of any decoded image (gray, BGRA, 16-bit), for drawing and saving."""
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        return image.copy()
    return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)


def annotate(image: np.ndarray, reading: Reading, status: str | None = None) -> np.ndarray:
    """The image with each digit boxed and labelled 'digit confidence%', unsure ones in orange;
    with several rows, each row outlined and labelled 'row n: digits'."""
    out = as_bgr(image)
    scale = max(0.4, min(out.shape[:2]) / 600)
    thick = max(1, int(round(2 * scale)))
    for items, colour in ((reading.items, SURE), (reading.unsure, UNSURE)):
        for item in items:
            x, y, w, h = item.box
            cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
            label = f"{item.digit} {item.confidence:.0%}"
            (tw, th), base = cv2.getTextSize(label, FONT, scale, thick)
            top = max(th + base, y)
            cv2.rectangle(out, (x, top - th - base), (x + tw, top), colour, cv2.FILLED)
            cv2.putText(out, label, (x, top - base), FONT, scale, TEXT, thick, cv2.LINE_AA)
    lines = reading.lines
    if len(lines) > 1:  # several rows: each outlined and numbered
        for n, line in enumerate(lines, 1):
            x0 = min(i.box[0] for i in line.items) - 2 * thick
            y0 = min(i.box[1] for i in line.items) - 2 * thick
            x1 = max(i.box[0] + i.box[2] for i in line.items) + 2 * thick
            y1 = max(i.box[1] + i.box[3] for i in line.items) + 2 * thick
            cv2.rectangle(out, (x0, y0), (x1, y1), ROW, thick)
            label = f"row {n}: {line.digits}"
            (tw, th), base = cv2.getTextSize(label, FONT, scale, thick)
            cv2.rectangle(out, (x1 - tw, y1), (x1, y1 + th + base), ROW, cv2.FILLED)
            cv2.putText(out, label, (x1 - tw, y1 + th), FONT, scale, TEXT, thick, cv2.LINE_AA)
    if status:
        cv2.putText(out, status, (8, int(30 * scale) + 4), FONT, scale, (0, 0, 0), thick + 2,
                    cv2.LINE_AA)
        cv2.putText(out, status, (8, int(30 * scale) + 4), FONT, scale, TEXT, thick, cv2.LINE_AA)
    return out
