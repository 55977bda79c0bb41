"""Readings waiting for the broker: oldest first, bounded, none taken off before it is confirmed.

The reader `put`s; the connection `take`s a few to send, and `settle`s them once the broker
confirmed them (MQTT QoS 1's PUBACK), oldest first. A lost connection `rewind`s: what was sent and
not confirmed goes back in front, to be sent again, in order. At most `capacity` readings wait;
beyond that the oldest waiting one is dropped and counted, so memory stays bounded through an
outage of any length and what arrives afterwards is the most recent.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class Outbox:
    """A thread-safe FIFO of payloads with a sending window; counts delivered and dropped."""

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError(f"an outbox holds at least 1 reading, not {capacity}")
        self.capacity = capacity
        self.waiting: deque[str] = deque()  # not sent on the current connection
        self.sending: deque[str] = deque()  # sent, not yet confirmed, in order
        self.delivered = 0
        self.dropped = 0
        self.last: str | None = None  # the newest confirmed payload
        self.changed = threading.Condition()

    def put(self, payload: str) -> None:
        with self.changed:
            self.waiting.append(payload)
            self._trim()
            self.changed.notify_all()

    def _trim(self) -> None:
        while len(self.waiting) > self.capacity:
            self.waiting.popleft()
            self.dropped += 1

    def take(self, window: int) -> list[str]:
        """The next payloads to send, oldest first, so that at most `window` are unconfirmed."""
        with self.changed:
            count = min(max(window - len(self.sending), 0), len(self.waiting))
            taken = [self.waiting.popleft() for _ in range(count)]
            self.sending.extend(taken)
            return taken

    def settle(self, count: int) -> None:
        """The oldest `count` payloads sent were confirmed."""
        with self.changed:
            for _ in range(count):
                self.last = self.sending.popleft()
                self.delivered += 1
            self.changed.notify_all()

    def rewind(self) -> None:
        """The connection is gone: what it did not confirm waits again, in front, in order."""
        with self.changed:
            self.waiting.extendleft(reversed(self.sending))
            self.sending.clear()
            self._trim()

    @property
    def pending(self) -> int:
        """Readings not confirmed yet (waiting or sent)."""
        with self.changed:
            return len(self.waiting) + len(self.sending)

    def idle(self) -> bool:
        """Nothing waiting and nothing unconfirmed: the broker holds the newest reading."""
        return self.pending == 0

    def wait_empty(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every reading to be confirmed; True if they were."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.waiting or self.sending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
            return True
