"""Does watching slow the reader? Reader FPS with 0 and with N live-view viewers, side by side.

    python benchmarks/live_viewers.py [--video FILE] [--viewers 5] [--slices 20] [--slice 3]

runtime.webcam's own loop (headless, with --serve's frame slot and HTTP server) reads the video's
frames over and over from memory, as fast as it can (so the reader's speed is what is measured,
not the file's frame rate or its decoding). A helper process connects N viewers to
/stream.mjpg in every other time slice and disconnects them in the others; each slice with
viewers is compared with the slices on either side, so a busy machine's slow minutes cancel out.
The viewers run on this machine's cores (a real viewer's browser runs on another device), so the
result is, if anything, pessimistic.
Without --video it writes a 640x480 video of MNIST test digits (MNIST_DIR) to a temporary folder.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime.command import cli  # noqa: E402
from runtime.frames.capture import Grabber  # noqa: E402
from runtime.frames.sources import Source, open_source  # noqa: E402
from runtime.live import FrameSlot, LiveServer  # noqa: E402
from runtime.measure import cpu  # noqa: E402
from runtime.models.formats import DEFAULT_MODEL  # noqa: E402
from runtime.reader.recognizer import Recognizer  # noqa: E402
from runtime.reader.stabilizer import Stabilizer  # noqa: E402
from runtime.webcam import Outputs, Summary, run  # noqa: E402

FRAMES = 300  # of the generated video
SETTLE = 0.5  # seconds at the start of a slice left out (viewers connecting or leaving)
# the viewers: on "on N" open N /stream.mjpg connections and read them, on "off" close them
VIEWERS = r"""
import socket, sys, threading
host, port = sys.argv[1], int(sys.argv[2])
got, conns = [0], []
def read(s):
    try:
        while chunk := s.recv(65536):
            got[0] += len(chunk)
    except OSError:
        pass
for line in sys.stdin:
    words = line.split()
    if words[0] == "on":
        for _ in range(int(words[1])):
            s = socket.create_connection((host, port))
            s.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")
            threading.Thread(target=read, args=(s,), daemon=True).start()
            conns.append(s)
    else:
        for s in conns:
            s.close()
        conns.clear()
    print(got[0], flush=True)
"""


class Replay(Source):
    """A video's frames from memory, over and over, until stopped."""

    live = False
    name = "replay"

    def __init__(self, frames: list[np.ndarray]):
        self.frames = itertools.cycle(frames)
        self.stopped = False

    def read(self) -> np.ndarray | None:
        return None if self.stopped else next(self.frames)


def make_video(path: Path, frames: int = FRAMES) -> None:
    """`frames` frames of a 4-digit number on grey paper, moving a little (every frame differs)."""
    from runtime.measure import dataset

    test = dataset.load("test")
    page = np.full((480 + 20, 640 + 20), 200, np.uint8)
    for k, d in enumerate([4, 0, 9, 6]):
        digit = 255 - cv2.resize(test.images[np.flatnonzero(test.labels == d)[0]], (100, 100))
        region = page[150:250, 120 + 110 * k : 220 + 110 * k]
        np.minimum(region, digit, out=region)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for k in range(frames):
        dx, dy = int(10 + 8 * np.sin(k / 7)), int(10 + 8 * np.cos(k / 5))
        writer.write(cv2.cvtColor(page[dy : dy + 480, dx : dx + 640], cv2.COLOR_GRAY2BGR))
    writer.release()


def load_frames(video: str) -> list[np.ndarray]:
    source = open_source(video=video)
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    source.close()
    return frames


def measure(frames: list[np.ndarray], model: str, viewers: int, slices: int,
            length: float) -> list[tuple[int, float, float, float]]:
    """Per slice: (viewers connected, reader FPS, reader CPU ms per frame, CPU ms per second of
    this process's other threads: OpenCV's workers, capture, HTTP server, JPEG encoding)."""
    recognizer, pad = Recognizer.open(model), Recognizer.open(model)
    slot = FrameSlot("replay")
    server = LiveServer("127.0.0.1", 0, pad=pad, model_name="bench", slot=slot).start()
    helper = subprocess.Popen([sys.executable, "-c", VIEWERS, "127.0.0.1", str(server.server_port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    source = Replay(frames)
    grabber = Grabber(source).start()
    summary = Summary()
    reader = threading.Thread(target=run, args=(recognizer, grabber, Stabilizer(),
                                                Outputs(headless=True, slot=slot), summary))
    reader.start()
    clock = time.pthread_getcpuclockid(reader.ident)
    results = []
    try:
        for k in range(slices):
            watched = k % 2 == 1
            helper.stdin.write(f"on {viewers}\n" if watched else "off\n")
            helper.stdin.flush()
            helper.stdout.readline()
            time.sleep(SETTLE)
            f0, c0, p0, t0 = (summary.frames, time.clock_gettime(clock), time.process_time(),
                              time.perf_counter())
            time.sleep(length - SETTLE)
            f1, c1, p1, t1 = (summary.frames, time.clock_gettime(clock), time.process_time(),
                              time.perf_counter())
            results.append((viewers if watched else 0, (f1 - f0) / (t1 - t0),
                            1000 * (c1 - c0) / max(f1 - f0, 1),
                            1000 * ((p1 - p0) - (c1 - c0)) / (t1 - t0)))
            print(f"slice {k:2d}: {results[-1][0]} viewers, {results[-1][1]:6.1f} FPS, "
                  f"reader CPU {results[-1][2]:.2f} ms per frame, other threads "
                  f"{results[-1][3]:.0f} ms CPU per s", flush=True)
    finally:
        source.stopped = True
        reader.join(timeout=30)
        grabber.stop()
        helper.stdin.close()
        helper.wait(timeout=30)
        server.stop()
    return results


@cli
def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", help="default: a generated video of MNIST test digits")
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--viewers", type=int, default=5)
    p.add_argument("--slices", type=int, default=20, help="time slices, alternately 0 and N")
    p.add_argument("--slice", type=float, default=3.0, help="seconds per slice")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        video = args.video or str(Path(tmp) / "bench.avi")
        if not args.video:
            make_video(Path(video))
        frames = load_frames(video)
    results = measure(frames, args.model, args.viewers, args.slices, args.slice)
    fps = [r[1] for r in results]
    # each watched slice against the mean of the unwatched slices just before and after it
    ratios = [fps[k] / statistics.mean(fps[k - 1 : k + 2 : 2])
              for k in range(1, len(fps) - 1, 2)]
    quiet = statistics.median(r[1] for r in results if r[0] == 0)
    watched = statistics.median(r[1] for r in results if r[0] > 0)
    cpu_quiet = statistics.median(r[2] for r in results if r[0] == 0)
    cpu_watched = statistics.median(r[2] for r in results if r[0] > 0)
    print(f"{cpu.describe()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print(f"reader FPS, median of slices: {quiet:.1f} with 0 viewers, {watched:.1f} with "
          f"{args.viewers}; watched/unwatched neighbours, median of {len(ratios)} pairs: "
          f"{statistics.median(ratios):.3f} ({100 * (statistics.median(ratios) - 1):+.1f}%)")
    print(f"reader CPU per frame, median: {cpu_quiet:.2f} ms with 0 viewers, {cpu_watched:.2f} ms "
          f"with {args.viewers}")
    other_quiet = statistics.median(r[3] for r in results if r[0] == 0)
    other_watched = statistics.median(r[3] for r in results if r[0] > 0)
    print(f"other threads (OpenCV workers, capture, server, JPEG), median: {other_quiet:.0f} ms "
          f"CPU per s with 0 viewers, {other_watched:.0f} ms with {args.viewers}")


if __name__ == "__main__":
    sys.exit(main())
