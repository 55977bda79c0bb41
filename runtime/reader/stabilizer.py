"""A steady number on a live camera: a reading is shown once it was seen in K of the last N frames.

While a hand moves or the focus hunts, single frames misread (a digit dropped, a 1 from a pen);
the stable reading changes only when one string has a majority of the recent frames.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, Protocol, TypeVar

DEFAULT_WINDOW = 5  # frames remembered
DEFAULT_AGREE = 3  # of them that must read the same string


class _HasDigits(Protocol):
    @property
    def digits(self) -> str: ...


R = TypeVar("R", bound=_HasDigits)


class Stabilizer(Generic[R]):
    """`push` each frame's reading; `stable` is the last reading that held `agree` of `window`."""

    def __init__(self, window: int = DEFAULT_WINDOW, agree: int = DEFAULT_AGREE):
        # a majority: two different strings can never both hold `agree` of the window
        if not (0 < agree <= window and 2 * agree > window):
            raise ValueError(f"agree ({agree}) must be more than half of window ({window}) "
                             "and at most window")
        self.window, self.agree = window, agree
        self.recent: deque[str] = deque(maxlen=window)
        self.stable: R | None = None

    def push(self, reading: R) -> bool:
        """Add a frame's reading; True when the stable reading changed to another string."""
        key = reading.digits
        self.recent.append(key)
        if self.stable is not None and key == self.stable.digits:
            self.stable = reading  # same number: keep the freshest boxes
            return False
        # only the newest string can have just reached `agree` (a majority is unique)
        if self.recent.count(key) >= self.agree:
            self.stable = reading
            return True
        return False
