"""What lies around the sheet on a desk: the desk itself, a pen, a keyboard's edge, a hand."""

from __future__ import annotations

import cv2
import numpy as np

SKIN = ((90, 120, 170), (150, 180, 230))  # BGR
PEN_BODIES = ((30, 30, 30), (140, 60, 20), (40, 40, 190), (60, 140, 40), (170, 170, 175),
              (40, 200, 230), (200, 200, 200))
SHADOW_STEP = 4  # shadows are soft: blurred at a quarter of the frame's size
KEY_LETTERS = "QWERTYUIOPASDFGHJKLZXCVBNM"


def surface(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A wooden, dark or mid-grey desk (float32 BGR)."""
    kind = rng.integers(3)
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
