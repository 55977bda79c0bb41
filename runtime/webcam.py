"""python -m runtime.webcam [--camera N | --video FILE | --picamera]: read digits live.

Capture runs on its own thread (runtime.sources); this loop reads, draws and shows or saves.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from runtime.draw import annotate
from runtime.errors import UserError, cli
from runtime.files import publish, temp_beside
from runtime.formats import DEFAULT_MODEL
from runtime.image import describe, quiet_opencv
from runtime.recognizer import DEFAULT_THRESHOLD, Reading, Recognizer
from runtime.sources import Grabber, open_source

PROG = "runtime.webcam"
WINDOW = "mnist-edge (q or Esc quits)"
QUIT_KEYS = {ord("q"), ord("Q"), 27}
FOURCC = {".avi": "MJPG", ".mp4": "mp4v", ".mkv": "MJPG"}
DEFAULT_SAVE_FPS = 30.0  # when the source does not say
FPS_SMOOTHING = 0.9  # weight of the past in the displayed frames per second


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


def _open_window() -> None:
    try:
        cv2.namedWindow(WINDOW, cv2.WINDOW_AUTOSIZE)
    except cv2.error as e:
        raise UserError("no window can be opened (no screen, or opencv-python-headless): "
                        "use --headless") from e


def _window_closed() -> bool:
    """The user closed the window with its close button."""
    try:
        return cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1
    except cv2.error:
        return True


def _stop_on_sigterm() -> None:
    """systemd stops services with SIGTERM: finish the video like Ctrl-C does."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=PROG, description="Read handwritten digits from a camera "
                                "or a video, live.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, metavar="N", help="camera index (default 0)")
    src.add_argument("--video", metavar="FILE", help="a video file instead of a camera")
    src.add_argument("--picamera", action="store_true", help="the Raspberry Pi camera (picamera2)")
    p.add_argument("--model", default=str(DEFAULT_MODEL), help="a .tflite or .onnx model")
    p.add_argument("--threads", type=int, default=1, help="inference threads")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help="confidence below which a digit is not shown (default %(default)s)")
    p.add_argument("--headless", action="store_true",
                   help="no window: print each new reading as a line (for SSH, systemd)")
    p.add_argument("--save", metavar="FILE", help="write the annotated video (.avi, .mp4, .mkv)")
    return p.parse_args(argv)


def run(recognizer: Recognizer, grabber: Grabber, headless: bool, sink: VideoSink | None) -> int:
    """The inference loop: returns the number of frames read."""
    last: str | None = None
    fps, count, started = 0.0, 0, time.perf_counter()
    while True:
        frame = grabber.get()
        if frame is None:
            if grabber.finished:
                return count
            if not headless and (cv2.waitKey(1) & 0xFF) in QUIT_KEYS:
                return count
            continue
        tick = time.perf_counter()
        reading = recognizer.read(frame)
        count += 1
        instant = 1.0 / max(time.perf_counter() - tick, 1e-6)
        fps = instant if count == 1 else FPS_SMOOTHING * fps + (1 - FPS_SMOOTHING) * instant
        if reading.digits != last:
            last = reading.digits
            if headless:
                print(_reading_line(count, time.perf_counter() - started, reading), flush=True)
        if sink is not None or not headless:
            shown = annotate(frame, reading, status=f"{fps:.0f} FPS  {reading.digits}")
            if sink is not None:
                sink.write(shown)
            if not headless:
                cv2.imshow(WINDOW, shown)
                if (cv2.waitKey(1) & 0xFF) in QUIT_KEYS or _window_closed():
                    return count


def _reading_line(frame: int, seconds: float, reading: Reading) -> str:
    return describe(f"frame {frame} at {seconds:.1f}s", reading)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_opencv()
    recognizer = Recognizer.open(args.model, threads=args.threads, threshold=args.threshold)
    if not args.headless:
        _open_window()
    source = open_source(args.camera, args.video, args.picamera)
    grabber = Grabber(source)
    sink = VideoSink(args.save, source.fps or DEFAULT_SAVE_FPS) if args.save else None
    _stop_on_sigterm()
    keep = False
    try:
        grabber.start()
        try:
            run(recognizer, grabber, args.headless, sink)
        except KeyboardInterrupt:
            pass  # a normal way to stop a live reader: the video so far is kept
        keep = True
    finally:
        grabber.stop()
        if sink is not None:
            sink.close(keep)
        if not args.headless:
            cv2.destroyAllWindows()
    return 0


if __name__ == "__main__":
    sys.exit(main())
