"""Frame sources (camera index, video file, Raspberry Pi camera) and the thread that reads them.

A live camera keeps only its newest frame, so a slow reader never falls behind the scene; a video
file hands over every frame in order, as fast as the reader takes them, unless it is paced: then
it plays at its own frame rate like a camera (someone watches it), and frames the reader is too
slow for are skipped. Dropped frames are retried and a lost camera reopened.
"""

from __future__ import annotations

import importlib
import os
import queue
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from runtime.errors import UserError

CAMERA_SIZE = (640, 480)
MAX_DROPPED = 30  # failed reads in a row before a camera counts as lost
REOPEN_DELAY = 1.0  # seconds between attempts to reopen a lost camera
RETRY_DELAY = 0.01  # seconds after one dropped frame
FILE_QUEUE = 4  # frames of a video file read ahead
TEXT_SNIFF = 4096  # bytes read to tell a text file from a video
PACED_FPS = 25.0  # a paced video file that does not say its frame rate


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

    @property
    def fps(self) -> float | None:
        return None


class OpenCVSource(Source):
    """A camera index or a video file through cv2.VideoCapture."""

    def __init__(self, target: int | str):
        self.target = target
        self.first: np.ndarray | None = None  # decoded while checking the file
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
        if self.first is not None:
            frame, self.first = self.first, None
            return frame
        ok, frame = self.capture.read()
        return frame if ok and frame is not None and frame.size else None

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


class Grabber:
    """Reads a source on its own thread; `get` hands frames to the inference loop.

    `paced`: a video file is delivered at its frame rate, newest frame only, like a camera.
    """

    def __init__(self, source: Source, paced: bool = False):
        self.source = source
        self.newest_only = source.live or paced  # else every frame, in order
        self.ended = False  # a paced file has no frame left
        self.stopped = threading.Event()
        self.frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=FILE_QUEUE)
        self.latest: np.ndarray | None = None
        self.fresh = threading.Condition()
        self.finished = False  # the file has ended (or the grabber stopped)
        self.thread = threading.Thread(target=self._run, name="capture", daemon=True)

    def start(self) -> Grabber:
        self.thread.start()
        return self

    def _run(self) -> None:
        if self.source.live:
            self._run_live()
        elif self.newest_only:
            self._run_paced()
        else:
            self._run_file()
            self._put(None)  # end of file marker

    def _put(self, frame: np.ndarray | None) -> None:
        """Queue a file's frame, waiting for room: every frame of a file is read."""
        while not self.stopped.is_set():
            try:
                self.frames.put(frame, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run_file(self) -> None:
        while not self.stopped.is_set():
            frame = self.source.read()
            if frame is None:
                return
            self._put(frame)

    def _offer(self, frame: np.ndarray) -> None:
        """Replace the newest frame (the reader takes it or it is skipped)."""
        with self.fresh:
            self.latest = frame
            self.fresh.notify_all()

    def _run_paced(self) -> None:
        period = 1.0 / (self.source.fps or PACED_FPS)
        start = time.monotonic()
        shown = 0
        while not self.stopped.is_set():
            frame = self.source.read()
            if frame is None:
                break
            self.stopped.wait(max(0.0, start + shown * period - time.monotonic()))
            self._offer(frame)
            shown += 1
        with self.fresh:
            self.ended = True
            self.fresh.notify_all()

    def _run_live(self) -> None:
        dropped = 0
        while not self.stopped.is_set():
            frame = self.source.read()
            if frame is not None:
                dropped = 0
                self._offer(frame)
                continue
            dropped += 1
            if dropped < MAX_DROPPED:
                time.sleep(RETRY_DELAY)
                continue
            print(f"{self.source.name} lost: reopening", file=sys.stderr, flush=True)
            while not self.stopped.is_set() and not self.source.reopen():
                self.stopped.wait(REOPEN_DELAY)
            dropped = 0

    def get(self, timeout: float = 0.5) -> np.ndarray | None:
        """The next frame, or None when none came within `timeout` or the file has ended."""
        if self.finished or self.stopped.is_set():
            self.finished = True
            return None
        if not self.newest_only:
            try:
                frame = self.frames.get(timeout=timeout)
            except queue.Empty:
                return None
            self.finished = frame is None
            return frame
        with self.fresh:
            if self.latest is None and not self.ended:
                self.fresh.wait(timeout)
            frame, self.latest = self.latest, None
            self.finished = frame is None and self.ended
            return frame

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.ident is not None:  # stopped (Ctrl-C, SIGTERM) before it started
            self.thread.join(timeout=2.0)
        self.source.close()
