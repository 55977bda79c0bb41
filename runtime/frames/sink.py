"""--save FILE: the annotated video, written to a temporary file and renamed into place when
complete (a run stopped halfway leaves no half-written video)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from runtime.errors import UserError
from runtime.files import publish, temp_beside

FOURCC = {".avi": "MJPG", ".mp4": "mp4v", ".mkv": "MJPG"}


class VideoSink:
    """An annotated video written to a temporary file and renamed into place when complete."""

    def __init__(self, path: str, fps: float):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in FOURCC:
            raise UserError(f"--save {path}: use a .avi, .mp4 or .mkv file name")
        if not self.path.parent.is_dir():
            raise UserError(f"--save {path}: folder {self.path.parent} does not exist")
        self.tmp = temp_beside(self.path)  # same suffix: VideoWriter picks the container by it
        self.fps = fps
        self.writer: cv2.VideoWriter | None = None

    def write(self, frame: np.ndarray) -> None:
        if self.writer is None:
            fourcc = cv2.VideoWriter_fourcc(*FOURCC[self.path.suffix.lower()])
            size = (frame.shape[1], frame.shape[0])
            self.writer = cv2.VideoWriter(str(self.tmp), fourcc, self.fps, size)
            if not self.writer.isOpened():
                raise UserError(f"cannot write video {self.path} (codec not available)")
        self.writer.write(frame)

    def close(self, keep: bool) -> None:
        if self.writer is not None:
            self.writer.release()
        if keep and self.writer is not None:
            publish(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
