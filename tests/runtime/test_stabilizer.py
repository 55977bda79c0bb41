"""runtime.reader.stabilizer: a reading is shown once it holds K of the last N frames."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from runtime.reader.stabilizer import Stabilizer


@dataclass(frozen=True)
class Frame:
    """A stand-in reading: the stabilizer only looks at `.digits`."""

    digits: str
    n: int = 0


def feed(stabilizer: Stabilizer, strings: list[str]) -> list[str | None]:
    """Push each string; the stable string after each frame (None before the first)."""
    out = []
    for n, s in enumerate(strings):
        stabilizer.push(Frame(s, n))
        out.append(None if stabilizer.stable is None else stabilizer.stable.digits)
    return out


def test_nothing_is_stable_before_agree_frames():
    s = Stabilizer(window=5, agree=3)
    assert s.stable is None
    assert [s.push(Frame("42")) for _ in range(3)] == [False, False, True]
    assert s.stable.digits == "42"


def test_flicker_is_suppressed():
    s = Stabilizer(window=5, agree=3)
    # a hand moving over "42": single frames drop a digit or add a 1 from the pen
    stable = feed(s, ["42", "42", "42", "4", "421", "42", "2", "42", "4", "42"])
    assert stable[2:] == ["42"] * 8


def test_a_new_number_is_accepted_after_agree_of_window():
    s = Stabilizer(window=5, agree=3)
    feed(s, ["42"] * 5)
    changes = [s.push(Frame(d)) for d in ["17", "17"]]
    assert changes == [False, False] and s.stable.digits == "42"  # 2 of 5: not yet
    assert s.push(Frame("17")) is True and s.stable.digits == "17"  # 3 of 5


def test_scattered_agreement_counts_within_the_window():
    s = Stabilizer(window=5, agree=3)
    feed(s, ["42"] * 5)
    assert feed(s, ["17", "8", "17", "9", "17"])[-1] == "17"


def test_agreement_outside_the_window_does_not_count():
    s = Stabilizer(window=5, agree=3)
    feed(s, ["42"] * 5)
    # "17" three times, but never three within the last five frames
    assert set(feed(s, ["17", "a", "b", "c", "17", "d", "e", "f", "17"])) == {"42"}


def test_a_blank_page_becomes_the_stable_reading():
    s = Stabilizer(window=5, agree=3)
    feed(s, ["42"] * 4)
    assert feed(s, ["", ""])[-1] == "42"
    assert s.push(Frame("")) is True
    assert s.stable.digits == ""


def test_stable_keeps_the_newest_frame_of_the_same_number():
    s = Stabilizer(window=5, agree=3)
    for n in range(4):
        changed = s.push(Frame("42", n))
    assert changed is False  # the number did not change...
    assert s.stable.n == 3  # ...but its boxes are the newest frame's


def test_one_of_one_shows_every_frame():
    s = Stabilizer(window=1, agree=1)
    assert feed(s, ["1", "2", "2", "3"]) == ["1", "2", "2", "3"]


@pytest.mark.parametrize("window, agree", [(5, 2), (4, 2), (5, 6), (5, 0), (0, 0)])
def test_agree_must_be_a_majority_of_the_window(window, agree):
    with pytest.raises(ValueError, match="more than half"):
        Stabilizer(window=window, agree=agree)
