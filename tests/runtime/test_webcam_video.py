"""runtime.webcam headless on a generated video; bad sources; the capture thread."""

from __future__ import annotations

import re
import time

import cv2
import numpy as np
import pytest

from runtime.frames.capture import Grabber
from runtime.frames.sources import Source

FRAMES_PER_NUMBER = 6


@pytest.fixture(scope="module")
def clip(tmp_path_factory, pages, mnist_test):
    """A short MJPG video showing three numbers in turn."""
    path = tmp_path_factory.mktemp("video") / "clip.avi"
    rng = np.random.default_rng(11)
    numbers = [[0, 1], [5], [8, 6, 3]]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for digits in numbers:
        idx = [int(np.flatnonzero(mnist_test.labels == d)[2]) for d in digits]
        frame = cv2.resize(pages.render([mnist_test.images[i] for i in idx], rng), (640, 480))
        for _ in range(FRAMES_PER_NUMBER):
            writer.write(frame)
    writer.release()
    return path, ["".join(map(str, n)) for n in numbers]


def test_headless_video_prints_each_stable_change_a_summary_and_saves(run_module, clip, tmp_path,
                                                                      int8_model):
    path, numbers = clip
    saved = tmp_path / "out.avi"
    result = run_module("runtime.webcam", "--video", str(path), "--headless", "--save", str(saved),
                        "--model", str(int8_model))  # auto's note: tests/runtime/test_models_auto
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    *changes, summary = result.stdout.splitlines()
    readings = [line.split(": ", 1)[1].split()[0] for line in changes]
    assert readings == numbers
    # 3 of the last 5 frames must agree: each number shows on its third frame
    places = [re.match(r"frame (\d+) at ([\d.]+)s: ", line).groups() for line in changes]
    frames = [int(frame) for frame, _ in places]
    assert frames == [3 + k * FRAMES_PER_NUMBER for k in range(len(numbers))]
    # the time is the frame's position in the 10 frames per second video, not the run's clock
    assert [float(at) for _, at in places] == [(f - 1) / 10 for f in frames]
    match = re.fullmatch(r"done: (\d+) frames in ([\d.]+) s \(([\d.]+) FPS, reader ([\d.]+) "
                         r"ms per frame\), last stable reading: (\d+), saved (.+)", summary)
    assert match, summary
    assert int(match.group(1)) == FRAMES_PER_NUMBER * len(numbers)
    assert match.group(5) == numbers[-1] and match.group(6) == str(saved)
    assert float(match.group(4)) > 0  # the reader's own time per frame
    capture = cv2.VideoCapture(str(saved))
    count = 0
    while capture.read()[0]:
        count += 1
    assert count == FRAMES_PER_NUMBER * len(numbers)
    assert [p.name for p in tmp_path.iterdir()] == ["out.avi"]  # no temporary left


@pytest.mark.parametrize("args, message", [
    (["--camera", "99", "--headless"], "camera 99 cannot be opened"),
    (["--video", "{tmp}/missing.mp4", "--headless"], "video file not found"),
    (["--video", "{tmp}/notes.txt", "--headless"], "is not a video"),
    (["--video", "{clip}"], "use --headless"),  # no window without a screen
    (["--video", "{clip}", "--headless", "--save", "{tmp}/out.gif"], ".avi, .mp4 or .mkv"),
])
def test_bad_sources(run_module, one_line_error, clip, tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("not a video\n" * 100)
    args = [a.format(tmp=tmp_path, clip=clip[0]) for a in args]
    line = one_line_error(run_module("runtime.webcam", *args))
    assert line.startswith("runtime.webcam: error:") and message in line, line


class FlakyCamera(Source):
    """A live source that drops frames, then is lost until reopened twice."""

    name = "flaky camera"

    def __init__(self):
        self.reads = 0
        self.reopens = 0
        self.lost = False

    def read(self):
        self.reads += 1
        if self.lost:
            return None
        if self.reads == 5:
            self.lost = True
        if self.reads % 2:
            return None  # a dropped frame
        return np.full((4, 4, 3), self.reads, np.uint8)

    def reopen(self):
        self.reopens += 1
        if self.reopens >= 2:
            self.lost = False
            self.reads = 0
            return True
        return False


def test_grabber_retries_dropped_frames_and_reopens_a_lost_camera(monkeypatch):
    monkeypatch.setattr("runtime.frames.capture.REOPEN_DELAY", 0.01)
    monkeypatch.setattr("runtime.frames.capture.RETRY_DELAY", 0.0)
    camera = FlakyCamera()
    grabber = Grabber(camera).start()
    try:
        frames = [f for f in (grabber.get(timeout=1.0) for _ in range(20)) if f is not None]
    finally:
        grabber.stop()
    assert camera.reopens >= 2
    assert len(frames) >= 5


class FileOfFrames(Source):
    live = False
    name = "file"

    def __init__(self, n: int):
        self.left = list(range(n))

    def read(self):
        return np.full((2, 2), self.left.pop(0), np.uint8) if self.left else None


def test_grabber_hands_over_every_frame_of_a_file_in_order():
    grabber = Grabber(FileOfFrames(25)).start()
    seen = []
    while (frame := grabber.get(timeout=1.0)) is not None or not grabber.finished:
        if frame is not None:
            seen.append(int(frame[0, 0]))
    grabber.stop()
    assert seen == list(range(25))


def test_stable_one_of_one_prints_every_change(run_module, clip, int8_model):
    result = run_module("runtime.webcam", "--video", str(clip[0]), "--headless", "--stable", "1/1",
                        "--model", str(int8_model))
    changes = result.stdout.splitlines()[:-1]
    assert [int(line.split()[1]) for line in changes][:1] == [1]  # the first frame at once


@pytest.mark.parametrize("args, message", [
    (["--threshold", "2"], "above 0 and at most 1"),
    (["--threshold", "0"], "above 0 and at most 1"),
    (["--threshold", "-0.5"], "above 0 and at most 1"),
    (["--threshold", "high"], "above 0 and at most 1"),
    (["--threads", "0"], "at least 1"),
    (["--threads", "-2"], "at least 1"),
    (["--stable", "2/5"], "K more than half of N"),
    (["--stable", "6/5"], "K more than half of N"),
    (["--stable", "three"], "K more than half of N"),
    (["--serve", "0", "--token", ""], "letters, digits"),
    (["--serve", "0", "--token", "a b;c"], "letters, digits"),
    (["--serve", "0", "--token", "fifteen-letters"], "at least 16"),
    (["--serve", "0", "--stream-quality", "0"], "from 1 to 100"),
    (["--serve", "0", "--stream-fps", "0"], "above 0 and at most 60"),
    (["--serve", "0", "--stream-width", "8"], "at least 16"),
    (["--serve", "0", "--allow-host", "a b"], "host name"),
])
def test_out_of_range_arguments_are_argparse_errors(run_module, clip, args, message):
    result = run_module("runtime.webcam", "--video", str(clip[0]), "--headless", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"runtime.webcam: error: argument {args[-2]}") and message in last


class PacedFile(FileOfFrames):
    @property
    def fps(self):
        return 50.0


def test_a_paced_file_plays_at_its_frame_rate_and_skips_what_the_reader_misses():
    grabber = Grabber(PacedFile(40), paced=True).start()
    seen, started = [], time.monotonic()
    while (frame := grabber.get(timeout=1.0)) is not None or not grabber.finished:
        if frame is not None:
            seen.append(int(frame[0, 0]))
            time.sleep(0.05)  # a reader slower than the file's 50 frames per second
    elapsed = time.monotonic() - started
    grabber.stop()
    assert elapsed >= 39 / 50  # never faster than the file's own rate
    assert seen == sorted(seen) and seen[-1] == 39 and len(seen) < 30  # in order, some skipped


@pytest.mark.parametrize("paper", [255, 0, 128])
def test_status_text_sits_on_a_filled_box_readable_on_any_background(paper):
    from runtime.reader.draw import BACKDROP, TEXT, annotate

    frame = np.full((480, 640, 3), paper, np.uint8)
    out = annotate(frame, None, status="30 FPS  42")
    drawn = np.argwhere((out != paper).any(axis=2))
    (top, left), (bottom, right) = drawn.min(axis=0), drawn.max(axis=0) + 1
    box = out[top:bottom, left:right]
    assert (top, left) == (0, 0) and bottom < 60 and right < 300  # one box, top left
    rim = np.concatenate([box[0], box[-1], box[:, 0], box[:, -1]])
    assert (rim == BACKDROP).all()  # a filled dark box all round the text...
    assert (box.reshape(-1, 3) == TEXT).all(axis=1).sum() > 100  # ...with white text on it


class TimedFile(FileOfFrames):
    """A video file whose frames carry timestamps, at a variable rate."""

    def __init__(self, n: int):
        super().__init__(n)
        self.times = iter([0.0, 0.04, 0.1, 0.5, 0.52, 1.0][:n])

    def position(self):
        return next(self.times)


def _stamps(grabber: Grabber) -> list[tuple[int, float]]:
    stamps = []
    while (frame := grabber.get(timeout=1.0)) is not None or not grabber.finished:
        if frame is not None:
            assert grabber.stamp[0] == int(frame[0, 0]) + 1  # the stamp is this frame's
            stamps.append(grabber.stamp)
    grabber.stop()
    return stamps


def test_frames_carry_their_number_and_position_in_the_video():
    stamps = _stamps(Grabber(TimedFile(6)).start())
    assert stamps == [(1, 0.0), (2, 0.04), (3, 0.1), (4, 0.5), (5, 0.52), (6, 1.0)]


def test_a_paced_video_skips_frames_but_not_their_numbers():
    grabber = Grabber(PacedFile(40), paced=True).start()
    stamps, arrivals = [], []
    while (frame := grabber.get(timeout=1.0)) is not None or not grabber.finished:
        if frame is not None:
            stamps.append(grabber.stamp)
            arrivals.append(grabber.arrived)
            time.sleep(0.01 if len(stamps) % 2 else 0.05)  # at times slower than 50 per second
    grabber.stop()
    numbers = [n for n, _ in stamps]
    assert numbers[-1] == 40 and len(numbers) < 40 and numbers == sorted(numbers)
    # never a burst: frames come at most at the video's rate, whenever the reader takes them
    gaps = np.diff(arrivals)
    assert gaps.min() >= 1 / 50 - 1e-9 and np.allclose(gaps * 50, np.round(gaps * 50))


def test_a_camera_frame_is_timed_from_the_first_frame():
    camera = FlakyCamera()
    grabber = Grabber(camera).start()
    try:
        stamps = []
        while len(stamps) < 3:
            if grabber.get(timeout=1.0) is not None:
                stamps.append(grabber.stamp)
    finally:
        grabber.stop()
    assert stamps[0][0] >= 1 and [n for n, _ in stamps] == sorted(n for n, _ in stamps)
    assert 0.0 <= stamps[0][1] <= stamps[-1][1] < 5


def test_a_grabber_stopped_before_it_started_closes_its_source():
    source = FileOfFrames(3)
    closed = []
    source.close = lambda: closed.append(True)
    Grabber(source).stop()  # Ctrl-C between opening the source and starting the thread
    assert closed == [True]
