"""Does watching slow the reader? Reader FPS on a video with 0 and with N live-view viewers.

    python benchmarks/live_viewers.py [--video FILE] [--viewers 5] [--rounds 3] [--nice-viewers]

Runs runtime.webcam's own loop (headless, --serve's frame slot and HTTP server) over the whole
video as fast as it reads (unpaced, so the reader's speed is what is measured), with N viewer
processes reading /stream.mjpg over HTTP, alternating 0 and N viewers for --rounds rounds.
The viewer processes share this machine's cores with the reader (a real viewer's browser runs
on another device); --nice-viewers runs them at the lowest priority to model that.
Without --video it writes a 640x480 video of MNIST test digits (MNIST_DIR) to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime.formats import DEFAULT_MODEL  # noqa: E402
from runtime.live import FrameSlot, LiveServer  # noqa: E402
from runtime.reader.stabilizer import Stabilizer  # noqa: E402
from runtime.recognizer import Recognizer  # noqa: E402
from runtime.sources import Grabber, open_source  # noqa: E402
from runtime.webcam import Outputs, Summary, run  # noqa: E402

FRAMES = 600  # of the generated video
# a viewer: read the MJPEG stream until killed, then say how many bytes it got
VIEWER = """
import signal, sys, urllib.request
got = 0
def done(*_):
    print(got); sys.exit(0)
signal.signal(signal.SIGTERM, done)
with urllib.request.urlopen(sys.argv[1], timeout=30) as r:
    while chunk := r.read(65536):
        got += len(chunk)
done()
"""


def make_video(path: Path, frames: int = FRAMES) -> None:
    """`frames` frames of a 4-digit number on grey paper, moving a little (every frame differs)."""
    from runtime import dataset

    test = dataset.load("test")
    page = np.full((480 + 20, 640 + 20), 200, np.uint8)
    for k, d in enumerate([4, 0, 9, 6]):
        digit = 255 - cv2.resize(test.images[np.flatnonzero(test.labels == d)[0]], (100, 100))
        page[150:250, 120 + 110 * k : 220 + 110 * k] = np.minimum(
            page[150:250, 120 + 110 * k : 220 + 110 * k], digit)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for k in range(frames):
        dx, dy = int(10 + 8 * np.sin(k / 7)), int(10 + 8 * np.cos(k / 5))
        writer.write(cv2.cvtColor(page[dy : dy + 480, dx : dx + 640], cv2.COLOR_GRAY2BGR))
    writer.release()


def one_run(video: str, recognizer: Recognizer, pad: Recognizer, viewers: int,
            nice: bool = False) -> tuple[float, float, int]:
    """(reader FPS over the whole video, reader CPU ms per frame, bytes the viewers received).

    CPU time of the reader's thread is the steadier number on a busy machine: the wall clock
    also counts time other processes held the cores.
    """
    source = open_source(video=video)
    slot = FrameSlot(source.name)
    server = LiveServer("127.0.0.1", 0, pad=pad, model_name="bench", slot=slot).start()
    clients = [subprocess.Popen([sys.executable, "-c", VIEWER, server.url() + "stream.mjpg"],
                                stdout=subprocess.PIPE, text=True,
                                preexec_fn=(lambda: os.nice(19)) if nice else None)
               for _ in range(viewers)]
    time.sleep(1.0 if viewers else 0.0)  # viewers connected (Python start-up) before we time
    grabber = Grabber(source).start()
    summary = Summary()
    cpu = time.thread_time()
    try:
        run(recognizer, grabber, Stabilizer(), Outputs(headless=True, slot=slot), summary)
        cpu = time.thread_time() - cpu
    finally:
        grabber.stop()
        received = 0
        for c in clients:
            c.terminate()
            received += int(c.communicate(timeout=30)[0] or 0)
        server.stop()
    return summary.frames / summary.seconds, 1000 * cpu / summary.frames, received


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video")
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--viewers", type=int, default=5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--frames", type=int, default=FRAMES, help="length of the generated video")
    p.add_argument("--nice-viewers", action="store_true", help="viewers at the lowest priority")
    args = p.parse_args()
    recognizer, pad = Recognizer.open(args.model), Recognizer.open(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        video = args.video or str(Path(tmp) / "bench.avi")
        if not args.video:
            make_video(Path(video), args.frames)
        rates: dict[int, list[float]] = {0: [], args.viewers: []}
        cpus: dict[int, list[float]] = {0: [], args.viewers: []}
        for _ in range(args.rounds):
            for n in rates:
                fps, cpu, received = one_run(video, recognizer, pad, n, args.nice_viewers)
                rates[n].append(fps)
                cpus[n].append(cpu)
                print(f"{n} viewers: {fps:6.1f} FPS, reader CPU {cpu:.2f} ms per frame "
                      f"(viewers received {received / 1e6:.1f} MB)", flush=True)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    flags = Path("/proc/cpuinfo").read_text()
    features = [f for f in ("avx512_vnni", "avx2", "asimddp") if f in flags]
    base, watched = statistics.median(rates[0]), statistics.median(rates[args.viewers])
    print(f"CPU: {cpu}, {os.cpu_count()} cores, int8 features: {' '.join(features) or 'none'}")
    print(f"median reader FPS: {base:.1f} with 0 viewers, {watched:.1f} with {args.viewers} "
          f"({100 * (watched - base) / base:+.1f}%)")
    base, watched = statistics.median(cpus[0]), statistics.median(cpus[args.viewers])
    print(f"median reader CPU per frame: {base:.2f} ms with 0 viewers, {watched:.2f} ms with "
          f"{args.viewers} ({100 * (watched - base) / base:+.1f}%)")


if __name__ == "__main__":
    main()
