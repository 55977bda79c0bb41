"""The newest frame and reading, handed from the reader to every viewer.

The reader only stores references here (`publish`); the first viewer that wants a frame
JPEG-encodes it once for every viewer, at most `fps` times a second, so viewers never slow the
reader. It also knows whether the source still sends frames: running, stalled or ended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import cv2
import numpy as np

JPEG_QUALITY = 80  # the stream's default (--stream-quality)
# the default (--stream-fps) most JPEGs per second, shared by all viewers: a fast reader (hundreds
# of frames per second on a PC) would otherwise spend as much CPU encoding as reading
STREAM_FPS = 25.0
STALLED_AFTER = 2.0  # seconds without a new frame (or 3 frame periods if longer): "stalled"

Picture = np.ndarray | Callable[[], np.ndarray]  # an annotated frame, or how to draw it


class FrameSlot:
    """The newest annotated frame and stable reading, shared by the reader and every viewer.

    A frame is encoded at most once, and frames are encoded at most `fps` times a second, at JPEG
    `quality`, scaled down to `width` pixels when given.
    """

    def __init__(self, source: str, quality: int = JPEG_QUALITY, fps: float = STREAM_FPS,
                 width: int | None = None):
        self.source = source
        self.quality, self.fps, self.width = quality, fps, width
        self.changed = threading.Condition()
        self.seq = 0  # frames published
        self.encoded = 0  # JPEG encodings made (at most one per published frame)
        self._picture: Picture | None = None
        self._state: tuple[object | None, int, float, float, float] = (None, 0, 0.0, 0.0, 0.0)
        self._encoding = threading.Lock()
        self._jpeg: tuple[int, bytes] | None = None
        self._encoded_at = 0.0
        self._published_at = 0.0
        self.ended = False  # the source has no frame left (a video file)

    def publish(self, picture: Picture, reading: object | None, frame: int, seconds: float,
                fps: float, read_ms: float) -> None:
        """The reader's side: store references and wake the viewers (no encoding here).
        `frame` and `seconds` say where the frame is in the source (runtime.frames.capture);
        `fps` is frames read per second, `read_ms` the reader's own time per frame
        (runtime.frames.pace)."""
        with self.changed:
            self.seq += 1
            self._picture, self._state = picture, (reading, frame, seconds, fps, read_ms)
            self._published_at = time.monotonic()
            self.changed.notify_all()

    def end(self) -> None:
        """The source has ended: its last frame and reading stay up."""
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def state(self) -> str:
        """'starting' (no frame yet), 'running', 'stalled' (no new frame for a while), 'ended'."""
        with self.changed:
            if self.ended:
                return "ended"
            if self.seq == 0:
                return "starting"
            fps = self._state[3]
            quiet = time.monotonic() - self._published_at
            return "stalled" if quiet > max(STALLED_AFTER, 3 / fps if fps > 0 else 0) else "running"

    def wait(self, after: int, timeout: float) -> int:
        """The newest frame number, once it is past `after` or `timeout` has passed."""
        with self.changed:
            if self.seq <= after:
                self.changed.wait(timeout)
            return self.seq

    def jpeg(self) -> tuple[int, bytes] | None:
        """(frame number, JPEG) of the newest frame, encoded by the first viewer that asks."""
        with self._encoding:
            with self.changed:
                seq, picture = self.seq, self._picture
            if picture is None:
                return None
            due = time.monotonic() >= self.due
            if self._jpeg is None or (self._jpeg[0] != seq and due):
                image = picture() if callable(picture) else picture
                if self.width is not None and image.shape[1] > self.width:
                    height = max(1, round(image.shape[0] * self.width / image.shape[1]))
                    image = cv2.resize(image, (self.width, height), interpolation=cv2.INTER_AREA)
                ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
                if not ok:
                    return None
                self._jpeg = (seq, data.tobytes())
                self._encoded_at = time.monotonic()
                self.encoded += 1
            return self._jpeg

    @property
    def due(self) -> float:
        """When (time.monotonic) the next frame may be encoded."""
        return self._encoded_at + 1.0 / self.fps

    def reading(self) -> dict:
        """The JSON line of DESIGN.md for the stable reading, plus the frame's number and time in
        the source, frames read per second (0 unless running), the reader's time per frame and
        the state."""
        state = self.state()
        with self.changed:
            reading, frame, seconds, fps, read_ms = self._state
        if reading is None:  # nothing stable yet
            line = {"path": self.source, "digits": "", "lines": [], "items": []}
        else:
            line = reading.to_dict(self.source)
        return {**line, "frame": frame, "time": round(seconds, 3),
                "fps": round(fps, 1) if state == "running" else 0.0,
                "read_ms": round(read_ms, 2), "state": state}
