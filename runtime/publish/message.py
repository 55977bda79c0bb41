"""One stable reading as JSON: DESIGN.md's JSON line plus where and when it was read.

`--headless --json` prints it and `--mqtt` publishes it on PREFIX/reading, the same text.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from runtime.reader.recognizer import Reading


def utc_timestamp(now: datetime | None = None) -> str:
    """ISO 8601 in UTC to the millisecond: '2026-12-04T13:07:48.123Z'."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def reading_message(reading: Reading, source: str, frame: int, seconds: float,
                    now: datetime | None = None) -> dict:
    """{"path", "digits", "lines", "items"} of the source, plus "frame", "time" (seconds into the
    source) and "timestamp"."""
    return {**reading.to_dict(source), "frame": frame, "time": round(seconds, 3),
            "timestamp": utc_timestamp(now)}


def encode(message: dict) -> str:
    """One line of JSON, as runtime.image --json writes it."""
    return json.dumps(message)
