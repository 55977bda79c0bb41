"""Where a sheet lies in the frame: a homography from the sheet's pixels to the frame's.

A frame-filling sheet is slightly turned; a sheet on a desk is turned and tilted; a page
photographed at an angle is seen through a pinhole camera pitched and rolled against it.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h
Area = tuple[float, float, float, float]  # x0, y0, x1, y1 in sheet pixels
OVERSCAN = 0.08  # a frame-filling sheet reaches this far (per side) beyond the frame


def _corners(w: float, h: float) -> np.ndarray:
    return np.float32([[0, 0], [w, 0], [w, h], [0, h]])


def _turn(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def frame_filling(rng, fw: int, fh: int) -> tuple[int, int, np.ndarray, Area]:
    """A sheet a little bigger than the frame, slightly turned: its size, homography, area."""
    sw, sh = round(fw * (1 + 2 * OVERSCAN)), round(fh * (1 + 2 * OVERSCAN))
    src = _corners(sw, sh)
    turn = np.radians(rng.uniform(-3, 3))
    dst = (src - [sw / 2, sh / 2]) @ _turn(turn).T + [fw / 2, fh / 2]
    dst += rng.uniform(-0.01, 0.01, dst.shape) * fw
    homography = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    inset = 0.07
    area = (sw * OVERSCAN + fw * inset, sh * OVERSCAN + fh * inset,
            sw * OVERSCAN + fw * (1 - inset), sh * OVERSCAN + fh * (1 - inset))
    return sw, sh, homography, area


def in_view(area: Area, homography: np.ndarray, fw: int, fh: int, margin: float = 0.03) -> bool:
    """Whether the writing area, seen through `homography`, lies inside the frame's margins."""
    x0, y0, x1, y1 = area
    corners = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    seen = cv2.perspectiveTransform(corners[None], homography)[0]
    return bool((seen.min(0) > [margin * fw, margin * fh]).all()
                and (seen.max(0) < [(1 - margin) * fw, (1 - margin) * fh]).all())


def on_desk(rng, fw: int, fh: int, max_turn: float) -> tuple[int, int, np.ndarray, Area]:
    """A sheet covering part of the frame, turned and tilted; its writing area stays in view."""
    while True:
        sw = round(fw * rng.uniform(0.4, 0.7))
        sh = round(min(sw * rng.uniform(0.7, 1.4), fh * 0.9))
        src = _corners(sw, sh)
        turn = np.radians(rng.uniform(-max_turn, max_turn))
        centre = [fw * rng.uniform(0.3, 0.7), fh * rng.uniform(0.35, 0.65)]
        dst = (src - [sw / 2, sh / 2]) @ _turn(turn).T + centre
        dst += rng.uniform(-0.04, 0.04, dst.shape) * [sw, sh]
        homography = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        area = (sw * 0.1, sh * 0.12, sw * 0.9, sh * 0.88)
        if in_view(area, homography, fw, fh):
            return sw, sh, homography, area


def seen_from(sw: int, sh: int, pitch: float, yaw: float, roll: float,
              distance: float) -> np.ndarray:
    """The homography of a pinhole camera (unit focal length, looking down its z axis) seeing a
    sw x sh sheet centred `distance` sheet heights away, the sheet pitched, yawed and the camera
    rolled by the given angles (degrees). The image is in units of the focal length."""
    p, y, r = np.radians([pitch, yaw, roll])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    rot = rz @ rx @ ry
    centre = np.array([[1, 0, -sw / 2], [0, 1, -sh / 2], [0, 0, 1]])  # sheet px about its centre
    plane = np.column_stack([rot[:, 0], rot[:, 1], [0, 0, distance * sh]])
    return plane @ centre


def fitted(homography: np.ndarray, area: Area, fw: int, fh: int, share: float,
           shift: tuple[float, float] = (0.0, 0.0), at=None) -> np.ndarray:
    """`homography` scaled and moved in the image so that `area` spans `share` of the frame (the
    tighter of width and height) at the frame's centre, moved by `shift` (of the room left), or
    centred at the point `at`."""
    x0, y0, x1, y1 = area
    corners = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    seen = cv2.perspectiveTransform(corners[None], homography.astype(np.float64))[0]
    lo, hi = seen.min(0), seen.max(0)
    scale = share * min(fw / (hi[0] - lo[0]), fh / (hi[1] - lo[1]))
    room = np.array([fw, fh]) - scale * (hi - lo)
    target = np.array([fw, fh]) / 2 + np.array(shift) * room / 2 if at is None else np.array(at)
    offset = target - scale * (lo + hi) / 2
    move = np.array([[scale, 0, offset[0]], [0, scale, offset[1]], [0, 0, 1]])
    return move @ homography


def visible(homography: np.ndarray, fw: int, fh: int, area: Area, margin: float = 0.05) -> Area:
    """The part of `area` (sheet pixels) seen inside the frame's margins: the frame's inner
    rectangle seen on the sheet is a quadrilateral; the box between its two middle xs and ys lies
    (nearly) inside it."""
    inner = np.float32([[margin * fw, margin * fh], [(1 - margin) * fw, margin * fh],
                        [(1 - margin) * fw, (1 - margin) * fh], [margin * fw, (1 - margin) * fh]])
    seen = cv2.perspectiveTransform(inner[None], np.linalg.inv(homography))[0]
    xs, ys = np.sort(seen[:, 0]), np.sort(seen[:, 1])
    return (max(area[0], xs[1]), max(area[1], ys[1]), min(area[2], xs[2]), min(area[3], ys[2]))


def local_scale(homography: np.ndarray, point) -> float:
    """How many frame pixels one sheet pixel at `point` spans (the root of the area ratio)."""
    x, y = point
    d = 0.5
    pts = np.float32([[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d]])
    seen = cv2.perspectiveTransform(pts[None], homography)[0]
    return float(np.sqrt(abs(cv2.contourArea(seen))))


def project(boxes: list[Box], homography: np.ndarray) -> list[Box]:
    """Boxes in sheet pixels -> their bounding boxes in the frame."""
    out = []
    for x, y, w, h in boxes:
        pts = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])
        seen = cv2.perspectiveTransform(pts[None], homography)[0]
        (ax, ay), (bx, by) = np.floor(seen.min(0)), np.ceil(seen.max(0))
        out.append((int(ax), int(ay), int(bx - ax), int(by - ay)))
    return out
