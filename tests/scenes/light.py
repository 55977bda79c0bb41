"""Light that varies over a scene before the camera sees it: cast shadows, glare, colour casts.

A hand or a phone held over the page casts a soft shadow (a silhouette blurred by the size of the
lamp); a glossy surface reflects the lamp as a glare spot; indoor light tints the whole frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from tests.scenes import desk

SHADOW_STEP = 4  # shadows are computed at a quarter of the frame's size: they are soft
SHADOW_TINT = np.array([0.92, 1.0, 1.04], np.float32)  # BGR: the shade is lit by bluer skylight
CASTS = (  # BGR gains of indoor light the camera's white balance did not fully correct
    (0.78, 0.95, 1.12),  # tungsten: orange
    (0.9, 1.06, 0.92),  # fluorescent: green
    (1.12, 1.0, 0.86),  # shade or a screen: blue
    (0.85, 0.92, 1.1),  # warm LED
)


def hand_silhouette(rng: np.random.Generator, h: int, w: int, through) -> np.ndarray:
    """A hand's outline (float32, 1 inside) reaching in from an edge over the point `through`."""
    side = int(rng.integers(4))
    anchor = [(rng.uniform(0, w), h), (rng.uniform(0, w), 0), (0, rng.uniform(0, h)),
              (w, rng.uniform(0, h))][side]
    towards = np.arctan2(through[1] - anchor[1], through[0] - anchor[0]) + rng.uniform(-0.3, 0.3)
    reach = float(np.hypot(through[0] - anchor[0], through[1] - anchor[1])) \
        * rng.uniform(0.8, 1.2) + rng.uniform(0.05, 0.2) * min(h, w)
    return desk.hand_outline((h, w), anchor, reach, towards, list(rng.uniform(0.6, 0.85, 4)))


def phone_silhouette(rng: np.random.Generator, h: int, w: int, through) -> np.ndarray:
    """A phone's outline (float32): a rounded slab reaching in from an edge over `through`."""
    out = np.zeros((h, w), np.float32)
    short = rng.uniform(0.35, 0.55) * min(h, w)
    size = (short, short * rng.uniform(1.9, 2.1))
    angle = rng.uniform(0, 180)
    # its centre lies beyond the point, away from the frame's centre: the phone comes from outside
    away = np.subtract(through, (w / 2, h / 2))
    away = away / (np.hypot(*away) + 1e-6)
    centre = np.asarray(through) + away * size[1] * rng.uniform(0.1, 0.35)
    box = cv2.boxPoints(((float(centre[0]), float(centre[1])), size, angle))
    cv2.fillConvexPoly(out, np.round(box).astype(np.int32), 1.0, cv2.LINE_AA)
    return cv2.GaussianBlur(out, (0, 0), short * 0.06)  # rounded corners


def cast_shadow(rng: np.random.Generator, scene: np.ndarray, silhouette: np.ndarray,
                softness: float, depth: float) -> None:
    """Darken the scene (in place) under a silhouette blurred `softness` px, by `depth` at most."""
    h, w = silhouette.shape
    small = cv2.resize(silhouette, (w // SHADOW_STEP, h // SHADOW_STEP),
                       interpolation=cv2.INTER_AREA)
    shift = rng.uniform(-0.03, 0.03, 2) * (w // SHADOW_STEP)  # a lamp off to the side
    small = cv2.warpAffine(small, np.float32([[1, 0, shift[0]], [0, 1, shift[1]]]),
                           small.shape[::-1])
    soft = cv2.GaussianBlur(small, (0, 0), max(0.5, softness / SHADOW_STEP))
    soft = cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)
    scene *= 1 - depth * soft[..., None] * SHADOW_TINT


def glare(rng: np.random.Generator, scene: np.ndarray, centre, radius: float,
          strength: float) -> None:
    """A lamp's reflection (in place): an elongated bright spot, `strength` levels at its core."""
    h, w = scene.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    u = (xs - centre[0]) * np.cos(angle) + (ys - centre[1]) * np.sin(angle)
    v = -(xs - centre[0]) * np.sin(angle) + (ys - centre[1]) * np.cos(angle)
    stretch = rng.uniform(1.2, 2.5)
    r2 = (u / (radius * stretch)) ** 2 + (v / radius) ** 2
    spot = np.exp(-r2) + 0.5 * np.exp(-r2 * 6)  # a broad halo and a hot core
    scene += (strength * spot)[..., None]


def colour_cast(rng: np.random.Generator, scene: np.ndarray) -> None:
    """Tint the scene (in place) with one of CASTS, a little stronger or weaker."""
    gains = np.array(CASTS[int(rng.integers(len(CASTS)))], np.float32)
    scene *= 1 + (gains - 1) * rng.uniform(0.6, 1.2)
