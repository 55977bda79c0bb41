"""docs/sample-video.mp4, the README's webcam example, reads the numbers its script wrote."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2

from runtime.reader.recognizer import Recognizer

ROOT = Path(__file__).resolve().parents[2]
VIDEO = ROOT / "docs" / "sample-video.mp4"
MAX_VIDEO_BYTES = 1 << 20


def _script():
    path = ROOT / "scripts" / "make_sample_video.py"
    spec = importlib.util.spec_from_file_location("make_sample_video", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_frame_reads_the_number_written_on_it(int8_model):
    script = _script()
    frames_per_number = script.FPS * script.SECONDS_PER_NUMBER
    recognizer = Recognizer.open(int8_model)
    capture = cv2.VideoCapture(str(VIDEO))
    readings = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        readings.append(recognizer.read(frame).digits)
    assert VIDEO.stat().st_size < MAX_VIDEO_BYTES
    expected = [n for n in script.NUMBERS for _ in range(frames_per_number)]
    assert len(readings) == len(expected)
    wrong = [(i, read, want) for i, (read, want) in enumerate(zip(readings, expected, strict=True))
             if read != want]
    assert not wrong, wrong


def test_the_script_regenerates_a_video_of_the_same_frames(tmp_path):
    """Same seed and digits: the committed video is what the script makes (up to the codec)."""
    script = _script()
    out = tmp_path / "video.mp4"
    assert script.main(["--out", str(out)]) == 0
    ours, shipped = cv2.VideoCapture(str(out)), cv2.VideoCapture(str(VIDEO))
    count = 0
    while True:
        ok_a, a = ours.read()
        ok_b, b = shipped.read()
        assert ok_a == ok_b
        if not ok_a:
            break
        assert cv2.absdiff(a, b).mean() < 2.0  # same encoder settings; decoders may round
        count += 1
    assert count == len(script.NUMBERS) * script.FPS * script.SECONDS_PER_NUMBER
