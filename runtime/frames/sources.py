"""Frame sources: a camera index, a video file, the Raspberry Pi camera (read by
runtime.frames.capture's thread). A video file knows each frame's position; a camera does not."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import cv2
import numpy as np

from runtime.errors import UserError

CAMERA_SIZE = (640, 480)
TEXT_SNIFF = 4096  # bytes read to tell a text file from a video


# FFmpeg's own log lines ("[mjpeg @ 0x...] No JPEG data") would break one-line errors
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


class Source:
    """Where frames come from: `read` gives None for a dropped frame; `live` is False for files."""

    live = True
    name = "source"

    def read(self) -> np.ndarray | None:
        raise NotImplementedError

    def reopen(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def position(self) -> float | None:
        """Seconds into the source of the frame last read, when the source keeps time itself
        (a video file); None for a camera, which the grabber times as frames arrive."""
        return None

    @property
    def fps(self) -> float | None:
        return None


class OpenCVSource(Source):
    """A camera index or a video file through cv2.VideoCapture."""

    def __init__(self, target: int | str):
        self.target = target
        self.first: np.ndarray | None = None  # decoded while checking the file
        self.read_count = 0  # frames read so far (a file's position when it has no timestamps)
        self.live = isinstance(target, int)
        self.name = f"camera {target}" if self.live else str(target)
        if not self.live and not Path(target).is_file():
            raise UserError(f"video file not found: {target}")
        if not self.live and _is_text(Path(target)):  # FFmpeg would "play" text as ANSI art
            raise UserError(f"{target} is not a video OpenCV can read (it is a text file)")
        self.capture = self._open()
        if self.capture is None:
            if self.live:
                raise UserError(f"camera {target} cannot be opened (not connected, no permission, "
                                "or in use by another program)")
            raise UserError(f"{target} is not a video OpenCV can read")

    def _open(self) -> cv2.VideoCapture | None:
        capture = cv2.VideoCapture(self.target)
        if capture.isOpened() and self.live:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, CAMERA_SIZE[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, CAMERA_SIZE[1])
        if not capture.isOpened():
            capture.release()
            return None
        if not self.live:  # FFmpeg opens many non-videos: one frame must decode
            ok, frame = capture.read()
            if not ok or frame is None:
                capture.release()
                return None
            self.first = frame
        return capture

    def read(self) -> np.ndarray | None:
        self.read_count += 1
        if self.first is not None:
            frame, self.first = self.first, None
            return frame
        ok, frame = self.capture.read()
        return frame if ok and frame is not None and frame.size else None

    def position(self) -> float | None:
        if self.live:
            return None
        # the frame just decoded: its own timestamp (right for variable frame rates too)
        seconds = self.capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
        if seconds > 0 or self.read_count <= 1:
            return seconds
        return (self.read_count - 1) / self.fps if self.fps else None  # a stream without times

    def reopen(self) -> bool:
        self.capture.release()
        capture = self._open()
        if capture is None:
            return False
        self.capture = capture
        return True

    def close(self) -> None:
        self.capture.release()

    @property
    def fps(self) -> float | None:
        value = self.capture.get(cv2.CAP_PROP_FPS)
        return float(value) if value and 1 <= value <= 240 else None


def _is_text(path: Path) -> bool:
    """Whether a file starts like text: no NUL byte and valid UTF-8 (containers are binary)."""
    with path.open("rb") as f:
        head = f.read(TEXT_SNIFF)
    if not head or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(head) - 3  # cut inside a multi-byte character at the end
    return True


class PiCameraSource(Source):
    """The Raspberry Pi camera through picamera2 (installed with apt, not pip)."""

    name = "picamera"

    def __init__(self):
        try:
            picamera2 = importlib.import_module("picamera2")
        except ImportError as e:
            raise UserError("picamera2 is not installed: see docs/raspberry-pi.md (apt install "
                            "python3-picamera2, a venv with --system-site-packages)") from e
        try:
            self.camera = picamera2.Picamera2()
            config = {"size": CAMERA_SIZE, "format": "RGB888"}  # RGB888 is BGR byte order
            self.camera.configure(self.camera.create_video_configuration(main=config))
            self.camera.start()
        except Exception as e:  # libcamera raises RuntimeError, IndexError (no camera), ...
            raise UserError(f"the Raspberry Pi camera cannot be opened ({e})") from e

    def read(self) -> np.ndarray | None:
        try:
            return self.camera.capture_array()
        except Exception:  # a dropped frame; the grabber retries
            return None

    def close(self) -> None:
        self.camera.stop()
        self.camera.close()


def open_source(camera: int | None = None, video: str | None = None,
                picamera: bool = False) -> Source:
    if picamera:
        return PiCameraSource()
    if video is not None:
        return OpenCVSource(video)
    return OpenCVSource(0 if camera is None else camera)
