"""Where each stable change of a live reading goes besides the text line: one JSON line on stdout
(`--json`) and the MQTT broker (`--mqtt`), the same JSON to both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runtime.publish.message import encode, reading_message
from runtime.reader.recognizer import Reading

if TYPE_CHECKING:  # runtime.publish.mqtt needs paho-mqtt, imported only with --mqtt
    from runtime.publish.mqtt import Counts, Publisher


class Feed:
    """`changed` for every stable change; `close` at the end (idempotent)."""

    def __init__(self, source: str, json_lines: bool, publisher: Publisher | None = None):
        self.source = source
        self.json_lines = json_lines
        self.publisher = publisher
        self.counts: Counts | None = None

    def changed(self, frame: int, seconds: float, reading: Reading) -> None:
        """A new stable reading at `frame`, `seconds` into the source."""
        line = encode(reading_message(reading, self.source, frame, seconds))
        if self.json_lines:
            print(line, flush=True)
        if self.publisher is not None:
            self.publisher.publish(line)

    def close(self, drain: float = 0.0) -> Counts | None:
        """Let the broker take what waits (up to `drain` s); what became of the readings."""
        if self.publisher is not None and self.counts is None:
            self.counts = self.publisher.close(drain)
        return self.counts

    @property
    def lost(self) -> bool:
        """Some reading never reached the broker (still queued, or dropped)."""
        return self.counts is not None and self.counts.lost
