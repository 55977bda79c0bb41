"""runtime.frames.pace: frames per second of wall time, and the reader's own time per frame."""

from __future__ import annotations

import pytest

from runtime.frames.pace import Pace


def test_a_paced_source_shows_its_own_rate_not_the_readers():
    pace = Pace(window=2.0)
    for k in range(50):  # a 10 frames per second video read in 5 ms a frame
        pace.frame(k / 10, 0.005)
    assert pace.fps == pytest.approx(10.0)
    assert pace.read_ms == pytest.approx(5.0) and pace.mean_read_ms == pytest.approx(5.0)


def test_the_rate_follows_the_last_seconds():
    pace = Pace(window=2.0)
    for k in range(100):  # 100 frames a second for a second...
        pace.frame(k / 100, 0.009)
    for k in range(1, 21):  # ...then 5 a second for 4 seconds
        pace.frame(0.99 + k / 5, 0.009)
    assert pace.fps == pytest.approx(5.0)


def test_a_slow_reader_keeps_its_last_two_frames():
    pace = Pace(window=2.0)
    for k in range(4):
        pace.frame(3.0 * k, 2.9)  # one frame every 3 s
    assert pace.fps == pytest.approx(1 / 3)
    assert pace.mean_read_ms == pytest.approx(2900)


def test_the_readers_time_weighs_recent_frames_most():
    pace = Pace()
    pace.frame(0.0, 0.010)
    for k in range(1, 60):
        pace.frame(k / 10, 0.002)
    assert pace.read_ms == pytest.approx(2.0, abs=0.05)
    assert pace.mean_read_ms == pytest.approx((10 + 59 * 2) / 60)


def test_nothing_read_yet():
    pace = Pace()
    assert pace.fps == 0.0 and pace.mean_read_ms == 0.0
    pace.frame(1.0, 0.01)
    assert pace.fps == 0.0  # one frame is no rate
