"""Pictures of what each stage saw, so a user can see why a number was misread (--debug)."""

from __future__ import annotations

import cv2
import numpy as np

from runtime.reader.frame import to_gray
from runtime.reader.pipeline import Found, Look

KEPT, REJECTED, LINE, SHEET = (0, 200, 0), (0, 0, 255), (255, 128, 0), (0, 200, 255)  # BGR
ROW_COLOURS = ((0, 200, 0), (255, 0, 200), (0, 160, 255), (200, 200, 0), (128, 0, 255))
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        return image.copy()
    return cv2.cvtColor(to_gray(image), cv2.COLOR_GRAY2BGR)


def _label(out: np.ndarray, text: str, at: tuple[int, int], colour: tuple[int, int, int],
           scale: float = 0.4) -> None:
    x, y = at
    y = max(y, 10)
    cv2.putText(out, text, (x, y), FONT, scale, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (x, y), FONT, scale, colour, 1, cv2.LINE_AA)


def sheet_picture(image: np.ndarray, found: Found) -> np.ndarray:
    """The input with the sheet's outline (or why the whole frame is read) and each look's
    region."""
    out = _bgr(image)
    first = found.looks[0]
    s = first.factor / found.scale
    if first.sheet.outline is not None:
        poly = (first.sheet.outline * s).astype(np.int32)
        cv2.polylines(out, [poly], True, SHEET, 2)
    _label(out, f"sheet: {first.sheet.reason}", (8, 20), SHEET, 0.5)
    if found.warp is not None:  # the looks after the first are on the flattened sheet
        poly = (found.warp.corners / found.scale).astype(np.int32)
        cv2.polylines(out, [poly], True, LINE, 2)
        _label(out, "flattened by these four corners", tuple(poly[0] + (4, 14)), LINE)
        return out
    for k, look in enumerate(found.looks[1:], 1):
        h, w = look.work.shape
        x0, y0 = (int(v / found.scale) for v in look.origin)
        x1, y1 = (int((o + n * look.factor) / found.scale)
                  for o, n in zip(look.origin, (w, h), strict=True))
        cv2.rectangle(out, (x0, y0), (x1, y1), LINE, 2)
        _label(out, f"closer look {k}: 1/{look.factor} scale", (x0 + 4, y0 + 14), LINE)
    return out


def ink_picture(look: Look) -> np.ndarray:
    """One look's ink mask in white, the pixels removed as ruled lines in blue."""
    out = cv2.cvtColor(255 - look.ink.ink, cv2.COLOR_GRAY2BGR) // 2
    out[look.ink.mask > 0] = (255, 255, 255)
    out[look.ink.lines > 0] = LINE
    return out


def marks_picture(look: Look) -> np.ndarray:
    """One look's working copy with the marks kept (green) and rejected (red, with the reason)."""
    out = cv2.cvtColor(look.work, cv2.COLOR_GRAY2BGR)
    for mark, why in look.marks.rejected:
        x, y, w, h = mark.box
        cv2.rectangle(out, (x, y), (x + w, y + h), REJECTED, 1)
        _label(out, why, (x, y - 3), REJECTED, 0.35)
    for mark in look.marks.kept:
        x, y, w, h = mark.box
        cv2.rectangle(out, (x, y), (x + w, y + h), KEPT, 1)
    return out


def rows_picture(image: np.ndarray, found: Found, labels: list[str] | None = None) -> np.ndarray:
    """The input with each row outlined and numbered, its marks boxed (with `labels` if given)."""
    out = _bgr(image)
    for n, line in enumerate(found.lines):
        colour = ROW_COLOURS[n % len(ROW_COLOURS)]
        boxes = [found.boxes[i] for i in line]
        for i, (x, y, w, h) in zip(line, boxes, strict=True):
            cv2.rectangle(out, (x, y), (x + w, y + h), colour, 1)
            if labels is not None:
                _label(out, labels[i], (x, y + h + 14), colour, 0.5)
        x0, y0 = min(b[0] for b in boxes) - 4, min(b[1] for b in boxes) - 4
        x1, y1 = max(b[0] + b[2] for b in boxes) + 4, max(b[1] + b[3] for b in boxes) + 4
        cv2.rectangle(out, (x0, y0), (x1, y1), colour, 2)
        _label(out, f"row {n + 1}", (x0, y0 - 4), colour, 0.5)
    return out


def pictures(image: np.ndarray, found: Found,
             labels: list[str] | None = None) -> list[tuple[str, np.ndarray]]:
    """(stage name, picture) for every stage of every look, in pipeline order."""
    out = [("1-sheet", sheet_picture(image, found))]
    for k, look in enumerate(found.looks):
        tag = "" if k == 0 else f"-look{k + 1}"
        out.append((f"2-ink{tag}", ink_picture(look)))
        out.append((f"3-marks{tag}", marks_picture(look)))
    out.append(("4-rows", rows_picture(image, found, labels)))
    return out
