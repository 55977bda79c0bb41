"""How fast frames go through the reader, in two numbers that mean what they say.

- frames per second: frames read per second of wall time, over the last few seconds, timed by
  when each came from the source (so a slow first frame does not make the next ones look like a
  burst). When the source sets the pace (a camera, a video someone watches), it is the source's
  own rate, or less when the reader is slower.
- the reader's time per frame: how long reading one frame takes, whatever the source's rate
  (1000 / it is how many frames a second the reader could take).
The window, the live view and the summary line all show these, labelled.
"""

from __future__ import annotations

from collections import deque

WINDOW = 2.0  # seconds of recent frames the rate is measured over
SMOOTHING = 0.9  # weight of the past in the reader's time per frame


class Pace:
    """Fed once per frame read; gives the frame rate and the reader's time per frame."""

    def __init__(self, window: float = WINDOW):
        self.window = window
        self.frames = 0
        self.reading = 0.0  # seconds spent reading, all frames
        self.read_ms = 0.0  # the reader's time per frame, recent frames weighed most
        self._times: deque[float] = deque()  # when each recent frame was read

    def frame(self, now: float, read_seconds: float) -> None:
        """A frame that came from the source at `now` (seconds, any clock) was read in
        `read_seconds`."""
        self.frames += 1
        self.reading += read_seconds
        ms = 1000 * read_seconds
        self.read_ms = ms if self.frames == 1 else SMOOTHING * self.read_ms + (1 - SMOOTHING) * ms
        self._times.append(now)
        while len(self._times) > 2 and now - self._times[0] > self.window:
            self._times.popleft()

    @property
    def fps(self) -> float:
        """Frames read per second over the last `window` seconds (at least the last two frames)."""
        if len(self._times) < 2 or self._times[-1] <= self._times[0]:
            return 0.0
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])

    @property
    def mean_read_ms(self) -> float:
        """The reader's time per frame over the whole run."""
        return 1000 * self.reading / self.frames if self.frames else 0.0
