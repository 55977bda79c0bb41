"""The thread that reads a frame source, and hands its frames to the inference loop.

A live camera keeps only its newest frame, so a slow reader never falls behind the scene; a video
file hands over every frame in order, as fast as the reader takes them, unless it is paced: then
it plays at its own frame rate like a camera (someone watches it), and frames the reader is too
slow for are skipped. Dropped frames are retried and a lost camera reopened.

Every frame handed over carries its place in the source (`Grabber.stamp`): its number (1 for the
first frame read; frames skipped by pacing count too) and its time in seconds: the position in
the video for a file (its own timestamps), the time since the first frame for a camera.
"""

from __future__ import annotations

import queue
import sys
import threading
import time

import numpy as np

from runtime.frames.sources import Source

MAX_DROPPED = 30  # failed reads in a row before a camera counts as lost
REOPEN_DELAY = 1.0  # seconds between attempts to reopen a lost camera
RETRY_DELAY = 0.01  # seconds after one dropped frame
FILE_QUEUE = 4  # frames of a video file read ahead
PACED_FPS = 25.0  # a paced video file that does not say its frame rate

Stamped = tuple[np.ndarray, int, float, float]  # a frame, its number and time, when it came


class Grabber:
    """Reads a source on its own thread; `get` hands frames to the inference loop, `stamp` says
    where the frame it last handed over is in the source, (number, seconds), and `arrived` when
    it was offered (time.monotonic; paced frames come at most at the video's rate).

    `paced`: a video file is delivered at its frame rate, newest frame only, like a camera.
    """

    def __init__(self, source: Source, paced: bool = False):
        self.source = source
        self.newest_only = source.live or paced  # else every frame, in order
        self.ended = False  # a paced file has no frame left
        self.stopped = threading.Event()
        self.frames: queue.Queue[Stamped | None] = queue.Queue(maxsize=FILE_QUEUE)
        self.latest: Stamped | None = None
        self.fresh = threading.Condition()
        self.finished = False  # the file has ended (or the grabber stopped)
        self.stamp: tuple[int, float] = (0, 0.0)
        self.arrived = 0.0
        self._count = 0  # frames read from the source
        self._first_at: float | None = None  # when the first frame came (a camera's time 0)
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

    def _read(self) -> Stamped | None:
        """The source's next frame with its number and time, or None (dropped, or the end)."""
        frame = self.source.read()
        if frame is None:
            return None
        now = time.monotonic()
        self._count += 1
        if self._first_at is None:
            self._first_at = now
        seconds = self.source.position()
        return frame, self._count, now - self._first_at if seconds is None else seconds, now

    def _put(self, item: Stamped | None) -> None:
        """Queue a file's frame, waiting for room: every frame of a file is read."""
        while not self.stopped.is_set():
            try:
                self.frames.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run_file(self) -> None:
        while not self.stopped.is_set():
            item = self._read()
            if item is None:
                return
            self._put(item)

    def _offer(self, item: Stamped, due: float | None = None) -> None:
        """Replace the newest frame (the reader takes it or it is skipped); a paced frame
        counts as come at its `due` time, so the rate measured is the video's own."""
        with self.fresh:
            self.latest = item if due is None else (*item[:3], due)
            self.fresh.notify_all()

    def _run_paced(self) -> None:
        """Frame k at start + k periods, one frame read ahead. A frame whose time is half a
        period past is dropped for the next one (as a camera drops it), never sent late in a
        burst: frames never come faster than the video's own rate."""
        period = 1.0 / (self.source.fps or PACED_FPS)
        start = time.monotonic()
        k, item = 0, self._read()
        while item is not None and not self.stopped.is_set():
            following = self._read()
            due = start + k * period
            if following is None or time.monotonic() <= due + period / 2:
                self.stopped.wait(max(0.0, due - time.monotonic()))
                self._offer(item, due)
            item, k = following, k + 1
        with self.fresh:
            self.ended = True
            self.fresh.notify_all()

    def _run_live(self) -> None:
        dropped = 0
        while not self.stopped.is_set():
            item = self._read()
            if item is not None:
                dropped = 0
                self._offer(item)
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
                item = self.frames.get(timeout=timeout)
            except queue.Empty:
                return None
            self.finished = item is None
        else:
            with self.fresh:
                if self.latest is None and not self.ended:
                    self.fresh.wait(timeout)
                item, self.latest = self.latest, None
                self.finished = item is None and self.ended
        if item is None:
            return None
        frame, number, seconds, self.arrived = item
        self.stamp = (number, seconds)
        return frame

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.ident is not None:  # stopped (Ctrl-C, SIGTERM) before it started
            self.thread.join(timeout=2.0)
        self.source.close()
