"""The live view's routes other than the stream: the page, /info, /reading, /snapshot.jpg and
the pad's POST /read (a drawing checked for its format and pixel count before it is decoded)."""

from __future__ import annotations

from http import HTTPStatus

import cv2

from runtime.frames.decode import JPEG_MAGIC, PNG_MAGIC, TooLarge, decode

# pixels of a drawing: the pad is 560x280; a few bytes of PNG could otherwise ask for gigabytes
MAX_PAD_PIXELS = 4_000_000
PAD_PATH = "pad"  # the "path" of a pad drawing in its JSON reading
# the page is self-contained: nothing from other origins, no framing (the token is in its URL)
PAGE_POLICY = ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
               "script-src 'self' 'unsafe-inline'; img-src 'self' blob: data:")


class Routes:
    """The routes of the live view's request handler (runtime.live.handler) but the stream."""

    def _page(self, url) -> None:
        # same-origin, not no-referrer: with no-referrer the pad's POST would say "Origin: null"
        headers = {"Content-Security-Policy": PAGE_POLICY, "Referrer-Policy": "same-origin",
                   "X-Frame-Options": "DENY", **self._token_cookie(url)}
        self._send(HTTPStatus.OK, self.server.page, "text/html; charset=utf-8", headers)

    def _info(self, url) -> None:
        slot = self.server.slot
        self._json({"model": self.server.model_name, "camera": slot is not None,
                    "source": slot.source if slot is not None else None})

    def _reading(self, url) -> None:
        self._json(self.server.slot.reading())

    def _snapshot(self, url) -> None:
        got = self.server.slot.jpeg()
        if got is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"no frame yet\n",
                       headers={"Retry-After": "1"})
            return
        self._send(HTTPStatus.OK, got[1], "image/jpeg")

    def _read_drawing(self, body: bytes) -> None:
        if not body.startswith((PNG_MAGIC, JPEG_MAGIC)):
            self._json({"error": "send the drawing as PNG or JPEG"},
                       HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            return
        try:
            image = decode(body, cv2.IMREAD_COLOR, "the drawing", MAX_PAD_PIXELS)
        except TooLarge as e:
            self._json({"error": str(e)}, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        if image is None:
            self._json({"error": "the body is not an image (send the pad as PNG)"},
                       HTTPStatus.BAD_REQUEST)
            return
        with self.server.pad_lock:  # one interpreter, one drawing at a time
            reading = self.server.pad.read(image)
        height, width = image.shape[:2]
        self._json({**reading.to_dict(PAD_PATH), "width": width, "height": height})
