"""The outbox: oldest first, bounded (the oldest waiting dropped and counted), nothing taken off
before the broker confirmed it, a lost connection's unconfirmed readings sent again in order."""

from __future__ import annotations

import threading
import time

import pytest

from runtime.publish.outbox import Outbox


def test_oldest_first_within_a_window():
    box = Outbox(10)
    for n in range(5):
        box.put(str(n))
    assert box.take(3) == ["0", "1", "2"]
    assert box.take(3) == []  # three unconfirmed already
    box.settle(2)
    assert (box.delivered, box.last, box.pending) == (2, "1", 3)
    assert box.take(3) == ["3", "4"]


def test_a_lost_connection_sends_the_unconfirmed_again_in_order():
    box = Outbox(10)
    for n in range(4):
        box.put(str(n))
    box.take(3)
    box.settle(1)
    box.rewind()
    assert box.take(10) == ["1", "2", "3"]


def test_full_drops_the_oldest_waiting_and_counts_it():
    box = Outbox(3)
    for n in range(5):
        box.put(str(n))
    assert (box.dropped, box.pending) == (2, 3)
    assert box.take(2) == ["2", "3"]
    box.put("5")
    box.put("6")  # 2 unconfirmed + 3 waiting: the window is not counted against the queue
    assert box.dropped == 2
    box.rewind()  # 5 waiting now, 3 kept: the oldest go
    assert (box.dropped, box.take(10)) == (4, ["4", "5", "6"])


def test_memory_stays_bounded_through_a_long_outage():
    box = Outbox(100)
    for n in range(100_000):
        box.put(f"{n:06d}")
    assert (len(box.waiting), box.dropped) == (100, 99_900)
    assert box.take(1) == ["099900"]


def test_wait_empty_returns_when_confirmed_or_at_the_timeout():
    box = Outbox(5)
    box.put("a")
    started = time.monotonic()
    assert not box.wait_empty(0.2)
    assert 0.2 <= time.monotonic() - started < 1.0
    box.take(1)
    threading.Timer(0.1, box.settle, args=(1,)).start()
    assert box.wait_empty(5.0) and box.idle()


def test_capacity_is_at_least_one():
    with pytest.raises(ValueError):
        Outbox(0)
