"""The /stream.mjpg route: multipart JPEG to browsers, ffmpeg, VLC and Home Assistant.

Each part ends with the next boundary so a browser shows it at once. A viewer gets the newest
frame when one is due (the slot encodes it once for all), skips what it was too slow for, and
when no new frame comes (the video ended, the camera stalled) gets the last one again every
REPEAT_EVERY seconds: players show nothing until a part arrives, and some wait for several.
"""

from __future__ import annotations

import select
import socket
import time
from http import HTTPStatus

WAIT_STEP = 1.0  # seconds a viewer waits for a frame before checking for shutdown
REPEAT_EVERY = 0.5  # seconds between repeats of the last frame when no new one comes
BOUNDARY = b"frame"


class Streaming:
    """The stream route of the live view's request handler (runtime.live.handler)."""

    def _stream(self, url) -> None:
        if self.command == "HEAD":  # the stream's headers, and no viewer place taken
            self._stream_head()
            return
        if not self.server.viewers.acquire(blocking=False):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"too many viewers\n",
                       headers={"Retry-After": "5"})
            return
        try:
            self._stream_head()
            self.wfile.write(b"--" + BOUNDARY + b"\r\n")
            self._send_frames()
        except OSError:
            pass  # the viewer left, or stalled past the handler's socket timeout
        finally:
            self.server.viewers.release()

    def _stream_head(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}")
        self._common_headers()
        self.end_headers()

    def _send_frames(self) -> None:
        slot, seen, sent_at = self.server.slot, 0, 0.0
        while not self.server.closing.is_set():
            repeat_in = sent_at + REPEAT_EVERY - time.monotonic() if seen else WAIT_STEP
            if slot.wait(seen, min(WAIT_STEP, max(0.01, repeat_in))) == seen:
                if self._client_gone():  # writing nothing, we would not notice otherwise
                    return
                if seen and time.monotonic() >= sent_at + REPEAT_EVERY:
                    got = slot.jpeg()  # no new frame: the last one again, a picture stays up
                    if got is not None:
                        seen, sent_at = got[0], self._send_part(got[1])
                continue
            got = slot.jpeg()
            if got is None or got[0] == seen:  # the shared JPEG is not due yet: sleep till it is
                time.sleep(max(0.002, slot.due - time.monotonic()))
                continue
            seen, sent_at = got[0], self._send_part(got[1])

    def _send_part(self, jpeg: bytes) -> float:
        """Write one part of the stream; when it was sent (time.monotonic)."""
        # each part ends with the next boundary, so browsers show it at once
        self.wfile.write(b"Content-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n--%s"
                         b"\r\n" % (len(jpeg), jpeg, BOUNDARY))
        return time.monotonic()

    def _client_gone(self) -> bool:
        """The viewer closed its end (readable with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True
