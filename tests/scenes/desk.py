"""What lies around the sheet on a desk: the desk itself, a pen, a keyboard's edge, a hand."""

from __future__ import annotations

import cv2
import numpy as np

SKIN = ((90, 120, 170), (150, 180, 230))  # BGR
PEN_BODIES = ((30, 30, 30), (140, 60, 20), (40, 40, 190), (60, 140, 40), (170, 170, 175),
              (40, 200, 230), (200, 200, 200))
SHADOW_STEP = 4  # shadows are soft: blurred at a quarter of the frame's size
KEY_LETTERS = "QWERTYUIOPASDFGHJKLZXCVBNM"
SCREEN_LETTERS = "abcdefghijklmnopqrstuvwxyz"  # a screen's text: words, no numbers (no truth)
Box = tuple[int, int, int, int]  # x, y, w, h


def surface(rng: np.random.Generator, h: int, w: int, kind: int | None = None) -> np.ndarray:
    """A wooden, dark or mid-grey desk (float32 BGR; `kind` 0, 1 or 2, else chosen here)."""
    kind = rng.integers(3) if kind is None else kind
    if kind == 0:  # wood: long grain streaks
        streaks = rng.normal(0, 1, (h // 8 + 2, 3)).astype(np.float32)
        grain = cv2.resize(streaks, (w, h), interpolation=cv2.INTER_CUBIC)[:, :1]
        fine = cv2.resize(rng.normal(0, 1, (h // 2, w // 24)).astype(np.float32), (w, h))
        tone = 0.12 * grain + 0.05 * fine
        base = np.array([rng.uniform(40, 80), rng.uniform(80, 120), rng.uniform(120, 170)])
        desk = base.astype(np.float32) * (1 + tone[..., None])
        angle = rng.uniform(-20, 20)
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.3)
        return cv2.warpAffine(desk, turn, (w, h), borderMode=cv2.BORDER_REFLECT)
    level = rng.uniform(25, 60) if kind == 1 else rng.uniform(90, 140)
    desk = np.full((h, w, 3), level, np.float32) + rng.uniform(-6, 6, 3).astype(np.float32)
    blotch = cv2.resize(rng.normal(0, 1, (6, 8)).astype(np.float32), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    desk *= (1 + 0.08 * blotch)[..., None]
    desk += 3 * rng.standard_normal((h, w, 1), dtype=np.float32)
    return desk


def shadow(desk: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> None:
    """Darken the desk under and beside an object (mask: float32, 1 on the object)."""
    h, w = mask.shape
    dx, dy = rng.uniform(-1, 1, 2) * 0.01 * w / SHADOW_STEP
    small = cv2.resize(mask, (w // SHADOW_STEP, h // SHADOW_STEP), interpolation=cv2.INTER_AREA)
    moved = cv2.warpAffine(small, np.float32([[1, 0, dx], [0, 1, dy]]), small.shape[::-1])
    soft = cv2.resize(cv2.GaussianBlur(moved, (0, 0), 0.012 * w / SHADOW_STEP), (w, h))
    desk *= (1 - rng.uniform(0.25, 0.5) * soft)[..., None]


def _paint(frame: np.ndarray, layer: np.ndarray, mask: np.ndarray, rng) -> None:
    shadow(frame, mask, rng)
    soft = cv2.GaussianBlur(mask, (0, 0), 0.8)[..., None]
    frame *= 1 - soft
    frame += soft * layer


def pen_outline(shape: tuple[int, int], centre, angle: float, length: float,
                thick: float) -> np.ndarray:
    """Where a pen would lie (bool mask, cap included): cheap, to check before painting."""
    out = np.zeros(shape, np.uint8)
    u = np.array([np.cos(angle), np.sin(angle)]) * length / 2
    a, b = (tuple(int(v) for v in np.round(np.asarray(centre) + s * u)) for s in (-1, 1))
    cv2.line(out, a, b, 1, int(thick * 1.2) + 2)
    return out.astype(bool)


def pen(rng: np.random.Generator, frame: np.ndarray, centre, angle: float, length: float,
        thick: float) -> np.ndarray:
    """A capped pen lying at `centre`; returns its mask (float32)."""
    h, w = frame.shape[:2]
    body = np.array(PEN_BODIES[rng.integers(len(PEN_BODIES))], np.float32)
    cap = np.array(PEN_BODIES[rng.integers(len(PEN_BODIES))], np.float32) * rng.uniform(0.6, 1.0)
    u = np.array([np.cos(angle), np.sin(angle)])
    n = np.array([-u[1], u[0]])
    c = np.asarray(centre, float)
    layer = np.zeros_like(frame)
    mask = np.zeros((h, w), np.float32)

    def bar(a: float, b: float, half: float, colour) -> None:
        pts = np.array([c + a * u + half * n, c + b * u + half * n,
                        c + b * u - half * n, c + a * u - half * n])
        poly = np.round(pts * 16).astype(np.int32)
        cv2.fillConvexPoly(layer, poly, tuple(float(v) for v in colour), cv2.LINE_AA, 4)
        cv2.fillConvexPoly(mask, poly, 1.0, cv2.LINE_AA, 4)

    half = length / 2
    tip = length * 0.08
    bar(-half, half - tip, thick / 2, body)
    bar(half - tip, half - tip / 3, thick / 4, (150, 150, 150))  # the cone and the nib
    bar(-half, -half + length * rng.uniform(0.15, 0.3), thick * 0.55, cap)
    # Light along the barrel: a cylinder shows a bright stripe off its axis.
    stripe = np.zeros((h, w), np.float32)
    p, q = c - (half - tip) * u + 0.2 * thick * n, c + (half - tip) * u + 0.2 * thick * n
    cv2.line(stripe, tuple(np.round(p).astype(int)), tuple(np.round(q).astype(int)), 1.0,
             max(1, int(thick / 5)), cv2.LINE_AA)
    stripe = cv2.GaussianBlur(stripe, (0, 0), max(1.0, thick / 8)) * mask
    layer += stripe[..., None] * rng.uniform(50, 90)
    _paint(frame, layer, mask, rng)


def keyboard(rng: np.random.Generator, frame: np.ndarray, side: str, depth: float) -> np.ndarray:
    """The edge of a keyboard along one side of the frame, `depth` px deep; returns its mask."""
    h, w = frame.shape[:2]
    key = rng.uniform(0.055, 0.075) * max(h, w)
    big = int(max(h, w) * 1.5)
    case = int(rng.uniform(20, 60) if rng.random() < 0.7 else rng.uniform(170, 210))
    layer = np.full((big, big, 3), case, np.uint8)  # uint8: OpenCV draws text on 8 bits only
    keycap = int(np.clip(case + rng.choice([-1, 1]) * rng.uniform(15, 35), 0, 255))
    letter = 230 if keycap < 120 else 30
    gap = key * 0.15
    for row, y in enumerate(np.arange(gap, big, key + gap)):
        for x in np.arange(gap + (row % 3) * key / 3, big, key + gap):
            cv2.rectangle(layer, (int(x), int(y)), (int(x + key), int(y + key)), (keycap,) * 3, -1)
            char = KEY_LETTERS[int(rng.integers(len(KEY_LETTERS)))]
            cv2.putText(layer, char, (int(x + key * 0.2), int(y + key * 0.45)),
                        cv2.FONT_HERSHEY_SIMPLEX, key / 90, (letter,) * 3, max(1, int(key / 30)),
                        cv2.LINE_AA)
    turn = cv2.getRotationMatrix2D((big / 2, big / 2), rng.uniform(-6, 6), 1.0)
    layer = cv2.warpAffine(layer, turn, (big, big), borderMode=cv2.BORDER_REPLICATE)
    layer = layer[:h, :w].astype(np.float32)
    mask = np.zeros((h, w), np.float32)
    d = int(depth)
    region = {"bottom": np.s_[h - d :, :], "top": np.s_[:d, :],
              "left": np.s_[:, :d], "right": np.s_[:, w - d :]}[side]
    mask[region] = 1.0
    _paint(frame, layer, mask, rng)


def hand_outline(shape: tuple[int, int], anchor, reach: float, towards: float,
                 fingers: list[float]) -> np.ndarray:
    """A hand (palm and fingers) coming in from `anchor` on the frame's edge (float32 mask)."""
    mask = np.zeros(shape, np.float32)
    u = np.array([np.cos(towards), np.sin(towards)])
    palm = np.asarray(anchor, float) + u * reach * 0.3
    cv2.ellipse(mask, tuple(int(v) for v in palm), (int(reach * 0.45), int(reach * 0.3)),
                np.degrees(towards), 0, 360, 1.0, -1, cv2.LINE_AA)
    for k, finger in enumerate(fingers):
        spread = (k - 1.5) * 0.22
        d = np.array([np.cos(towards + spread), np.sin(towards + spread)])
        tip = palm + d * reach * finger
        cv2.line(mask, tuple(int(v) for v in palm), tuple(int(v) for v in tip), 1.0,
                 int(reach * 0.12), cv2.LINE_AA)
    return mask


def hand(rng: np.random.Generator, frame: np.ndarray, mask: np.ndarray, reach: float) -> None:
    """Paint a hand's outline in skin colour, shaded, with its shadow."""
    skin = np.array(SKIN[0], np.float32) + rng.random() * (np.subtract(SKIN[1], SKIN[0]))
    shade = cv2.GaussianBlur(mask, (0, 0), reach * 0.08)
    layer = np.ones_like(frame) * skin * (0.75 + 0.25 * shade)[..., None]
    _paint(frame, layer, mask, rng)


def place(rng, fw: int, fh: int, sheet: np.ndarray, homography: np.ndarray,
          digit_boxes: list[Box], frame: np.ndarray | None = None,
          things: bool = True) -> np.ndarray:
    """The sheet on a desk (`frame`, or a new surface()), with a keyboard, a pen and a hand around
    (never over the digits) unless not `things`; float32 BGR."""
    frame = surface(rng, fh, fw) if frame is None else frame
    if things and rng.random() < 0.35:
        side = ("bottom", "top", "left", "right")[rng.integers(4)]
        depth = rng.uniform(0.1, 0.22) * (fh if side in ("bottom", "top") else fw)
        keyboard(rng, frame, side, depth)
    sh, sw = sheet.shape[:2]
    on = cv2.warpPerspective(np.ones((sh, sw), np.float32), homography, (fw, fh))
    shadow(frame, on, rng)
    seen = cv2.warpPerspective(sheet, homography, (fw, fh), flags=cv2.INTER_LINEAR)
    frame = frame * (1 - on[..., None]) + seen * on[..., None]
    if not things:
        return frame
    keep_out = np.zeros((fh, fw), bool)
    pad = int(max(max(b[3] for b in digit_boxes) * 0.3, 4))
    for x, y, w, h in digit_boxes:
        keep_out[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad] = True
    for _ in range(50):  # a pen somewhere, clear of the digits
        centre = rng.uniform([0.05 * fw, 0.05 * fh], [0.95 * fw, 0.95 * fh])
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.3, 0.55) * fw
        thick = rng.uniform(0.018, 0.032) * fh
        if not np.any(pen_outline((fh, fw), centre, angle, length, thick) & keep_out):
            pen(rng, frame, centre, angle, length, thick)
            break
    if rng.random() < 0.3:
        for _ in range(20):  # a hand coming in from an edge, clear of the digits
            anchor = [(rng.uniform(0, fw), fh), (rng.uniform(0, fw), 0),
                      (0, rng.uniform(0, fh)), (fw, rng.uniform(0, fh))][rng.integers(4)]
            reach = rng.uniform(0.25, 0.4) * fh
            towards = np.arctan2(fh / 2 - anchor[1], fw / 2 - anchor[0]) + rng.uniform(-0.4, 0.4)
            outline = hand_outline((fh, fw), anchor, reach, towards,
                                   list(rng.uniform(0.55, 0.75, 4)))
            if not np.any((outline > 0.05) & keep_out):
                hand(rng, frame, outline, reach)
                break
    return frame


def monitor(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, tuple[int, int]]:
    """A monitor's top corner in view (float32 BGR): a wall, the dark bezel, the screen showing a
    light or a dark window with lines of small print; and where the screen's corner is (in the
    middle third of the frame: a note is stuck on the bezel there)."""
    frame = np.empty((h, w, 3), np.float32)
    frame[:] = rng.uniform(150, 215) * np.array([0.95, 1.0, 1.03]) + rng.uniform(-5, 5, 3)
    rim = rng.uniform(0.04, 0.09) * w
    sx, sy = int(rng.uniform(0.3, 0.6) * w), int(rng.uniform(0.3, 0.6) * h)
    left = rng.random() < 0.5  # the screen's top-left corner in view, else its top-right
    x0, x1 = (sx, w) if left else (0, w - sx)
    frame[max(0, int(sy - rim)) :, max(0, int(x0 - rim)) : min(w, int(x1 + rim))] = \
        rng.uniform(12, 40)
    light = rng.random() < 0.5
    back = rng.uniform(200, 240) if light else rng.uniform(25, 50)
    frame[sy:, x0:x1] = back
    bar = int(rng.uniform(0.03, 0.05) * h)
    frame[sy : sy + bar, x0:x1] = back * (0.85 if light else 1.5)  # a title bar
    text = np.zeros((h, w), np.uint8)  # uint8: OpenCV draws text on 8 bits only
    size = rng.uniform(0.012, 0.02) * h  # small print, far smaller than handwriting
    y = sy + bar + 2 * size
    while y < h:
        line = " ".join("".join(SCREEN_LETTERS[rng.integers(len(SCREEN_LETTERS))]
                                for _ in range(int(rng.integers(2, 9))))
                        for _ in range(int(rng.integers(2, 12))))
        cv2.putText(text, line, (int(x0 + size * rng.uniform(1, 3)), int(y + size)),
                    cv2.FONT_HERSHEY_SIMPLEX, size / 22, 255, 1, cv2.LINE_AA)
        y += size * rng.uniform(1.8, 2.6)
    text[:, :x0] = 0
    text[:, x1:] = 0
    text = cv2.GaussianBlur(text.astype(np.float32) / 255, (0, 0), 0.5)
    ink = np.array((40, 40, 40) if light else (200, 210, 160), np.float32)
    frame += text[..., None] * (ink - frame) * 0.8
    frame += 2 * rng.standard_normal((h, w, 1), dtype=np.float32)
    return frame, (x0 if left else x1, sy)
