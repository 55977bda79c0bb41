"""python -m runtime.webcam [--camera N | --video FILE | --picamera] [--serve PORT]: read live.

Capture runs on its own thread (runtime.frames.capture); this loop reads, keeps the reading steady
(runtime.reader.stabilizer), draws, and shows, saves or serves it (runtime.live).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import cv2

from runtime.cliargs import THRESHOLD_HELP, positive_int, probability, stable_fraction
from runtime.command import cli, program
from runtime.errors import UserError
from runtime.frames.capture import Grabber
from runtime.frames.pace import Pace
from runtime.frames.sink import VideoSink
from runtime.frames.sources import open_source
from runtime.image import confidences, quiet_opencv
from runtime.live import FrameSlot, LiveServer, announce, parse_bind
from runtime.live.options import add_live_options, check_live_options
from runtime.models.auto import AUTO, MODEL_HELP, resolve
from runtime.publish import flags as publishing
from runtime.reader.draw import annotate
from runtime.reader.recognizer import DEFAULT_THRESHOLD, Reading, Recognizer
from runtime.reader.stabilizer import DEFAULT_AGREE, DEFAULT_WINDOW, Stabilizer

PROG = "runtime.webcam"
WINDOW = "mnist-edge (q or Esc quits)"
QUIT_KEYS = {ord("q"), ord("Q"), 27}
DEFAULT_SAVE_FPS = 30.0  # when the source does not say
IDLE_WAIT = 0.05  # seconds between checks while serving a video that has ended


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


def _quit_asked(wait_ms: int = 1) -> bool:
    """q, Esc or the window's close button."""
    return (cv2.waitKey(wait_ms) & 0xFF) in QUIT_KEYS or _window_closed()


def stop_on_sigterm() -> None:
    """systemd stops services with SIGTERM: finish like Ctrl-C does."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog=program(PROG), description="Read handwritten digits from a camera or a video, live.",
        epilog="--headless prints one line each time the stable reading changes: "
               "'frame N at T.Ts: DIGITS  (D CONFIDENCE%, ...)' or 'frame N at T.Ts: no digits "
               "found' (rows of a multi-row number are separated by ' / '); N is the frame's "
               "number in the source and T its time there (the position in a video, the time "
               "since the first frame for a camera). At the end one summary line 'done: F frames "
               "in S s (R FPS, reader M ms per frame), last stable reading: DIGITS': R frames "
               "went through per second (a watched video's own rate), reading one took M ms.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, metavar="N", help="camera index (default 0)")
    src.add_argument("--video", metavar="FILE", help="a video file instead of a camera")
    src.add_argument("--picamera", action="store_true", help="the Raspberry Pi camera (picamera2)")
    p.add_argument("--model", default=AUTO, help=MODEL_HELP)
    p.add_argument("--threads", type=positive_int, default=1, help="inference threads (default 1)")
    p.add_argument("--threshold", type=probability, default=DEFAULT_THRESHOLD,
                   help=THRESHOLD_HELP)
    p.add_argument("--stable", type=stable_fraction, default=(DEFAULT_AGREE, DEFAULT_WINDOW),
                   metavar="K/N", help="show a reading once K of the last N frames agree "
                   f"(default {DEFAULT_AGREE}/{DEFAULT_WINDOW}; 1/1: every frame)")
    p.add_argument("--headless", action="store_true",
                   help="no window: print a line each time the stable reading changes "
                   "(for SSH, systemd)")
    p.add_argument("--save", metavar="FILE", help="write the annotated video (.avi, .mp4, .mkv)")
    p.add_argument("--serve", metavar="[HOST:]PORT",
                   help="live view in a browser on this port (host 127.0.0.1 unless given; any "
                   "other host needs a token, printed with the URL)")
    add_live_options(p, stream=True)
    publishing.add_arguments(p)
    args = p.parse_args(argv)
    check_live_options(p, args, serving=args.serve is not None)
    publishing.check(p, args)
    return args


@dataclass
class Outputs:
    """Where each frame goes besides the reading lines."""

    headless: bool
    sink: VideoSink | None = None
    slot: FrameSlot | None = None
    feed: publishing.Feed | None = None  # --json, --mqtt

    def changed(self, frame: int, seconds: float, reading: Reading) -> None:
        """A new stable reading: its line (text, or JSON with --json), and to the broker."""
        if self.headless and (self.feed is None or not self.feed.json_lines):
            print(_reading_line(frame, seconds, reading), flush=True)
        if self.feed is not None:
            self.feed.changed(frame, seconds, reading)


@dataclass
class Summary:
    """What the run did, for its last line."""

    frames: int = 0
    seconds: float = 0.0
    read_ms: float = 0.0  # the reader's own time per frame
    stable: Reading | None = None
    saved: Path | None = None
    published: object | None = None  # what became of the readings sent over MQTT

    def line(self) -> str:
        """'done: F frames in S s (R FPS, reader M ms per frame), ...': R frames went through per
        second of the run; reading one took M ms (runtime.frames.pace)."""
        rate = self.frames / self.seconds if self.seconds > 0 else 0.0
        if self.stable is None:
            last = "no stable reading"
        else:
            last = f"last stable reading: {_one_line(self.stable.digits) or 'no digits'}"
        saved = f", saved {self.saved}" if self.saved is not None else ""
        saved += f", {self.published}" if self.published is not None else ""
        return (f"done: {self.frames} frames in {self.seconds:.1f} s ({rate:.1f} FPS, reader "
                f"{self.read_ms:.1f} ms per frame), {last}{saved}")


def run(recognizer: Recognizer, grabber: Grabber, stabilizer: Stabilizer, out: Outputs,
        summary: Summary) -> bool:
    """The inference loop, until the source ends (False) or the user quits the window (True)."""
    pace, started = Pace(), time.perf_counter()
    try:
        while True:
            frame = grabber.get()
            if frame is None:
                if grabber.finished:
                    return False
                if not out.headless and _quit_asked():
                    return True
                continue
            tick = time.perf_counter()
            reading = recognizer.read(frame)
            summary.frames += 1
            pace.frame(grabber.arrived, time.perf_counter() - tick)
            number, seconds = grabber.stamp  # where this frame is in the source
            if stabilizer.push(reading):
                out.changed(number, seconds, stabilizer.stable)
            stable = stabilizer.stable
            status = f"{pace.fps:.0f} FPS  {_one_line(stable.digits) if stable is not None else ''}"
            shown = None
            if out.sink is not None or not out.headless:
                shown = annotate(frame, stable, status)
                if out.sink is not None:
                    out.sink.write(shown)
            if out.slot is not None:  # drawn and encoded only if a viewer asks for this frame
                picture = shown if shown is not None else partial(annotate, frame, stable, status)
                out.slot.publish(picture, stable, number, seconds, pace.fps, pace.read_ms)
            if not out.headless:
                cv2.imshow(WINDOW, shown)
                if _quit_asked():
                    return True
    finally:
        summary.seconds = time.perf_counter() - started
        summary.read_ms = pace.mean_read_ms
        summary.stable = stabilizer.stable


def _one_line(digits: str) -> str:
    """Rows of a multi-row reading on one line."""
    return digits.replace("\n", " / ")


def _reading_line(frame: int, seconds: float, reading: Reading) -> str:
    """'frame 12 at 0.4s: 42  (4 99%, 2 87%)', the line --headless prints per stable change:
    the frame's number and time in the source (runtime.frames.capture)."""
    where = f"frame {frame} at {seconds:.1f}s"
    if not reading.items:
        return f"{where}: no digits found"
    return f"{where}: {_one_line(reading.digits)}  ({confidences(reading.items)})"


def _serve_until_stopped(headless: bool, notes=sys.stdout) -> None:
    """A video watched in the browser has ended: keep its last frame up until Ctrl-C or q."""
    keys = "Ctrl-C stops" if headless else "q, Esc or Ctrl-C stops"
    print(f"end of video: the live view stays up ({keys})", file=notes, flush=True)
    while True:
        if headless:
            time.sleep(IDLE_WAIT)
        elif _quit_asked(int(IDLE_WAIT * 1000)):
            return


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mqtt = publishing.options(args)  # a bad URL, CA file or missing paho-mqtt: one line, now
    notes = sys.stderr if args.json else sys.stdout  # --json keeps stdout for JSON lines only
    quiet_opencv()
    bind = parse_bind(args.serve) if args.serve is not None else None
    model, chosen = resolve(args.model)
    recognizer = Recognizer.open(model, threads=args.threads, threshold=args.threshold)
    if not args.headless:
        _open_window()
    source = open_source(args.camera, args.video, args.picamera)
    # a file that someone watches plays at its own rate; otherwise as fast as it reads
    grabber = Grabber(source, paced=not source.live and (bind is not None or not args.headless))
    sink = VideoSink(args.save, source.fps or DEFAULT_SAVE_FPS) if args.save else None
    out = Outputs(args.headless, sink)
    server = None
    if bind is not None:
        out.slot = FrameSlot(source.name, args.stream_quality, args.stream_fps, args.stream_width)
        pad = Recognizer.open(model, threads=args.threads, threshold=args.threshold)
        server = LiveServer(*bind, pad=pad, model_name=model.name, slot=out.slot,
                            token=args.token, allow_hosts=tuple(args.allow_host))
    out.feed = publishing.open_feed(args, mqtt, source.name, recognizer.classifier.path.name, PROG)
    stabilizer = Stabilizer(window=args.stable[1], agree=args.stable[0])
    summary = Summary()
    stop_on_sigterm()
    keep, quit_asked = False, True
    try:
        try:
            grabber.start()
            if server is not None:
                server.start()
                print("\n".join(announce(server)), file=notes, flush=True)
            if chosen:  # said once the source and the server are up (an error says nothing else)
                print(chosen, file=notes, flush=True)
            quit_asked = run(recognizer, grabber, stabilizer, out, summary)
        except KeyboardInterrupt:
            pass  # a normal way to stop a live reader: the video so far is kept
        keep = True
        if out.slot is not None and not quit_asked:
            out.slot.end()  # the page says "video ended"; the stream repeats the last frame
        if sink is not None:
            sink.close(keep=True)
            summary.saved = sink.path if sink.writer is not None else None
            sink = None
        if out.feed is not None:
            summary.published = out.feed.close(publishing.drain_seconds(args))
        print(summary.line(), file=notes, flush=True)
        if server is not None and not quit_asked:
            try:
                _serve_until_stopped(args.headless, notes)
            except KeyboardInterrupt:
                pass
    finally:
        grabber.stop()
        if sink is not None:
            sink.close(keep)
        if server is not None:
            server.stop()
        if not args.headless:
            cv2.destroyAllWindows()
    return 1 if out.feed is not None and out.feed.lost else 0


if __name__ == "__main__":
    sys.exit(main())
