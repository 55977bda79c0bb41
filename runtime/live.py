"""The live view: the annotated stream, the stable reading and a drawing pad over HTTP.

Standard library only (http.server in its own thread), so a Raspberry Pi needs nothing more.
The reader only stores references in a `FrameSlot`; the first viewer that wants a frame
JPEG-encodes it once for every viewer, and a slow viewer skips frames, so viewers never slow the
reader. Off loopback a token is required (as `?token=` or the cookie the page sets).
"""

from __future__ import annotations

import errno
import hmac
import http.cookies
import json
import secrets
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import cv2
import numpy as np

from runtime.connections import HEAD_TIMEOUT, Connections, turn_away
from runtime.decode import JPEG_MAGIC, PNG_MAGIC, TooLarge, decode
from runtime.errors import UserError
from runtime.hosts import HostCheck, cross_origin, shown

DEFAULT_HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}  # the only hosts served without a token
COOKIE = "mnist_edge_token"
MAX_BODY = 2 * 1024 * 1024  # bytes: a drawing pad PNG is tens of kB
# pixels of a drawing: the pad is 560x280; a few bytes of PNG could otherwise ask for gigabytes
MAX_PAD_PIXELS = 4_000_000
MAX_VIEWERS = 8  # concurrent /stream.mjpg viewers; more get 503
SOCKET_TIMEOUT = 10.0  # seconds a client may stall once its request is in (a viewer not reading)
BODY_TIMEOUT = 30.0  # seconds for a whole body: 2 MB at 70 kB/s; a pad drawing is tens of kB
DRAIN_LIMIT = 256 * 1024  # bytes of a refused body read away so the client sees the 413
JPEG_QUALITY = 80  # the stream's default (--stream-quality)
# the default (--stream-fps) most JPEGs per second, shared by all viewers: a fast reader (hundreds
# of frames per second on a PC) would otherwise spend as much CPU encoding as reading
STREAM_FPS = 25.0
WAIT_STEP = 1.0  # seconds a viewer waits for a frame before checking for shutdown
# with no new frame (the video ended, the camera stalled) the last one is sent again this often:
# players show nothing until a part arrives, and some (ffmpeg, VLC) wait for several
REPEAT_EVERY = 0.5
STALLED_AFTER = 2.0  # seconds without a new frame (or 3 frame periods if longer): "stalled"
BOUNDARY = b"frame"
# the page is self-contained: nothing from other origins, no framing (the token is in its URL)
PAGE_POLICY = ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
               "script-src 'self' 'unsafe-inline'; img-src 'self' blob: data:")
PAD_PATH = "pad"  # the "path" of a pad drawing in its JSON reading

Picture = np.ndarray | Callable[[], np.ndarray]  # an annotated frame, or how to draw it


def parse_bind(text: str) -> tuple[str, int]:
    """'[HOST:]PORT' (IPv6 as [::1]:8080) -> (host, port), or a UserError saying what is wanted."""
    host, sep, port = text.rpartition(":")
    host = host if sep else DEFAULT_HOST
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UserError(f"--serve {text}: expected [HOST:]PORT with PORT from 0 to 65535, "
                        "e.g. 8080 or 0.0.0.0:8080")
    return host, int(port)


class FrameSlot:
    """The newest annotated frame and stable reading, shared by the reader and every viewer.

    A frame is encoded at most once, and frames are encoded at most `fps` times a second, at JPEG
    `quality`, scaled down to `width` pixels when given.
    """

    def __init__(self, source: str, quality: int = JPEG_QUALITY, fps: float = STREAM_FPS,
                 width: int | None = None):
        self.source = source
        self.quality, self.fps, self.width = quality, fps, width
        self.changed = threading.Condition()
        self.seq = 0  # frames published
        self.encoded = 0  # JPEG encodings made (at most one per published frame)
        self._picture: Picture | None = None
        self._state: tuple[object | None, int, float, float, float] = (None, 0, 0.0, 0.0, 0.0)
        self._encoding = threading.Lock()
        self._jpeg: tuple[int, bytes] | None = None
        self._encoded_at = 0.0
        self._published_at = 0.0
        self.ended = False  # the source has no frame left (a video file)

    def publish(self, picture: Picture, reading: object | None, frame: int, seconds: float,
                fps: float, read_ms: float) -> None:
        """The reader's side: store references and wake the viewers (no encoding here).
        `frame` and `seconds` say where the frame is in the source (runtime.capture); `fps` is
        frames read per second, `read_ms` the reader's own time per frame (runtime.pace)."""
        with self.changed:
            self.seq += 1
            self._picture, self._state = picture, (reading, frame, seconds, fps, read_ms)
            self._published_at = time.monotonic()
            self.changed.notify_all()

    def end(self) -> None:
        """The source has ended: its last frame and reading stay up."""
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def state(self) -> str:
        """'starting' (no frame yet), 'running', 'stalled' (no new frame for a while), 'ended'."""
        with self.changed:
            if self.ended:
                return "ended"
            if self.seq == 0:
                return "starting"
            fps = self._state[3]
            quiet = time.monotonic() - self._published_at
            return "stalled" if quiet > max(STALLED_AFTER, 3 / fps if fps > 0 else 0) else "running"

    def wait(self, after: int, timeout: float) -> int:
        """The newest frame number, once it is past `after` or `timeout` has passed."""
        with self.changed:
            if self.seq <= after:
                self.changed.wait(timeout)
            return self.seq

    def jpeg(self) -> tuple[int, bytes] | None:
        """(frame number, JPEG) of the newest frame, encoded by the first viewer that asks."""
        with self._encoding:
            with self.changed:
                seq, picture = self.seq, self._picture
            if picture is None:
                return None
            due = time.monotonic() >= self.due
            if self._jpeg is None or (self._jpeg[0] != seq and due):
                image = picture() if callable(picture) else picture
                if self.width is not None and image.shape[1] > self.width:
                    height = max(1, round(image.shape[0] * self.width / image.shape[1]))
                    image = cv2.resize(image, (self.width, height), interpolation=cv2.INTER_AREA)
                ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
                if not ok:
                    return None
                self._jpeg = (seq, data.tobytes())
                self._encoded_at = time.monotonic()
                self.encoded += 1
            return self._jpeg

    @property
    def due(self) -> float:
        """When (time.monotonic) the next frame may be encoded."""
        return self._encoded_at + 1.0 / self.fps

    def reading(self) -> dict:
        """The JSON line of DESIGN.md for the stable reading, plus the frame's number and time in
        the source, frames read per second (0 unless running), the reader's time per frame and
        the state."""
        state = self.state()
        with self.changed:
            reading, frame, seconds, fps, read_ms = self._state
        if reading is None:  # nothing stable yet
            line = {"path": self.source, "digits": "", "lines": [], "items": []}
        else:
            line = reading.to_dict(self.source)
        return {**line, "frame": frame, "time": round(seconds, 3),
                "fps": round(fps, 1) if state == "running" else 0.0,
                "read_ms": round(read_ms, 2), "state": state}


class Handler(BaseHTTPRequestHandler):
    """Routes: GET / /info /reading /stream.mjpg /snapshot.jpg, POST /read. Nothing else."""

    server: LiveServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing idles between requests
    default_request_version = "HTTP/1.0"  # garbage gets a status line too, not a bare HTTP/0.9 body
    timeout = HEAD_TIMEOUT  # for the request's head; then SOCKET_TIMEOUT
    server_version = "mnist-edge"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:
        pass  # the reader's own lines stay readable

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False  # malformed: http.server already answered 400/414/431
        if not self.server.connections.started(self.connection):
            return False  # closed to make room while its head came in
        self.connection.settimeout(SOCKET_TIMEOUT)
        if self.command not in ("GET", "HEAD", "POST"):
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"only GET, HEAD and POST\n",
                       headers={"Allow": "GET, HEAD, POST"})
            return False
        host = self.headers.get("Host")
        if not self.server.hosts.allows(host):  # DNS rebinding: another site's name for us
            name = shown(host)
            self._send(HTTPStatus.FORBIDDEN, f"forbidden: {name} is not this server's name "
                       f"(to allow it, start the server with --allow-host {name})\n".encode())
            if self.command == "POST":
                self._drain()
            return False
        return True

    def _send(self, status: HTTPStatus, body: bytes, ctype: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self._common_headers()
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":  # HEAD: the same answer without its body
            self.wfile.write(body)

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # other sites' pages may not even show our pictures or embed our answers
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")

    def _json(self, payload: dict, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _given_token(self, url) -> tuple[str | None, bool]:
        """(token, came in the query) from `?token=` or the cookie."""
        query = parse_qs(url.query).get("token")
        if query:
            return query[0], True
        try:
            cookie = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return None, False
        return (cookie[COOKIE].value if COOKIE in cookie else None), False

    def _allowed(self, url) -> bool:
        token, _ = self._given_token(url)
        want = self.server.token
        return want is None or (token is not None and
                                hmac.compare_digest(token.encode(), want.encode()))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not self._allowed(url):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden: open the URL with ?token= printed at "
                       b"start\n")
            return
        routes = {"/": self._page, "/info": self._info}
        if self.server.slot is not None:
            routes.update({"/reading": self._reading, "/stream.mjpg": self._stream,
                           "/snapshot.jpg": self._snapshot})
        route = routes.get(url.path)
        if url.path == "/read":
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"POST a drawing to /read\n",
                       headers={"Allow": "POST"})
            return
        if route is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n")
            return
        route(url)

    do_HEAD = do_GET  # uptime monitors and `curl -I`: _send leaves the body out

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/read":
            status = HTTPStatus.METHOD_NOT_ALLOWED if url.path in {"/", "/info", "/reading",
                     "/stream.mjpg", "/snapshot.jpg"} else HTTPStatus.NOT_FOUND
            self._send(status, b"POST goes to /read\n", headers={"Allow": "GET, HEAD"})
            self._drain()
            return
        if not self._allowed(url):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden\n")
            self._drain()
            return
        if cross_origin(self.headers, self.server.hosts):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden: a write from another site's page\n")
            self._drain()
            return
        body = self._body()
        if body is not None:
            self._read_drawing(body)

    def _body(self) -> bytes | None:
        """The request body within MAX_BODY, or None after answering 411/400/413."""
        length = self.headers.get("Content-Length")
        if length is None or self.headers.get("Transfer-Encoding"):
            self._send(HTTPStatus.LENGTH_REQUIRED, b"a Content-Length is required\n")
            return None
        if not length.strip().isdigit():
            self._send(HTTPStatus.BAD_REQUEST, b"bad Content-Length\n")
            return None
        size = int(length)
        if size > MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                       f"at most {MAX_BODY} bytes\n".encode())
            self._drain()
            return None
        body = self._read_within(size, time.monotonic() + BODY_TIMEOUT)
        if body is None:
            self._send(HTTPStatus.REQUEST_TIMEOUT, b"the body came too slowly\n")
            return None
        if len(body) != size:
            self._send(HTTPStatus.BAD_REQUEST, b"body shorter than its Content-Length\n")
            return None
        return body

    def _read_within(self, size: int, deadline: float) -> bytes | None:
        """Up to `size` bytes (fewer if the client closes), or None past `deadline`: a trickle of
        bytes would otherwise hold this thread for hours."""
        chunks, left = [], size
        try:
            while left > 0:
                self.connection.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
                if left and time.monotonic() > deadline:
                    return None
        except TimeoutError:
            return None
        finally:
            self.connection.settimeout(SOCKET_TIMEOUT)
        return b"".join(chunks)

    def _drain(self) -> None:
        """Read away some of a refused body: closing on unread data would reset the connection
        before the client read the answer."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.5)
            left = DRAIN_LIMIT
            while left > 0 and (chunk := self.connection.recv(min(left, 65536))):
                left -= len(chunk)
        except OSError:
            pass
        self.close_connection = True

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

    def _page(self, url) -> None:
        token, in_query = self._given_token(url)
        # same-origin, not no-referrer: with no-referrer the pad's POST would say "Origin: null"
        headers = {"Content-Security-Policy": PAGE_POLICY, "Referrer-Policy": "same-origin",
                   "X-Frame-Options": "DENY"}
        if in_query and self.server.token is not None:
            headers["Set-Cookie"] = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
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
            pass  # the viewer left or stalled past SOCKET_TIMEOUT
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


class LiveServer(ThreadingHTTPServer):
    """The HTTP server for one reader (slot) or for the drawing pad alone (slot None)."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # socketserver's 5 makes a burst of browsers wait seconds

    def __init__(self, host: str, port: int, pad, model_name: str,
                 slot: FrameSlot | None = None, token: str | None = None,
                 allow_hosts: tuple[str, ...] = ()):
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.pad, self.pad_lock = pad, threading.Lock()
        self.model_name, self.slot = model_name, slot
        # a token is required off loopback, and whenever the user gave one
        self.token = token or (None if host in LOOPBACK else secrets.token_urlsafe(16))
        self.page = resources.files("runtime").joinpath("static/live.html").read_bytes()
        self.viewers = threading.BoundedSemaphore(MAX_VIEWERS)
        self.connections = Connections()
        self.closing = threading.Event()
        self.thread: threading.Thread | None = None
        try:
            super().__init__((host, port), Handler)
        except socket.gaierror as e:
            raise UserError(f"--serve {host}:{port}: unknown host {host!r}") from e
        except OSError as e:
            raise UserError(f"--serve {host}:{port}: cannot listen there "
                            f"({_bind_reason(e, port)})") from e
        self.hosts = HostCheck(host, self.server_address[0], allow_hosts)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host up in DNS (slow or hanging offline)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def url(self) -> str:
        """The address to open, with the token when one is required."""
        host = self.server_address[0]
        host = f"[{host}]" if ":" in host else host
        query = f"?token={self.token}" if self.token else ""
        return f"http://{host}:{self.server_port}/{query}"

    def process_request(self, request, client_address) -> None:
        if not self.connections.admit(request, client_address[0]):
            turn_away(request)  # every place busy answering: 503, keep serving the others
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connections.finished(request)
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.finished(request)

    def service_actions(self) -> None:
        self.connections.expire()  # every poll_interval, from serve_forever

    def handle_error(self, request, client_address) -> None:
        pass  # a broken request ends its own thread; the reader and other clients go on

    def start(self) -> LiveServer:
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="live-view", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.closing.set()
        if self.slot is not None:  # wake the viewers now rather than at their next WAIT_STEP
            with self.slot.changed:
                self.slot.changed.notify_all()
        if self.thread is not None:
            self.shutdown()
        self.server_close()


def _bind_reason(error: OSError, port: int) -> str:
    reasons = {errno.EADDRINUSE: f"port {port} is in use by another program",
               errno.EADDRNOTAVAIL: "that address is not one of this machine's",
               errno.EACCES: f"no permission for port {port} (ports below 1024 need root)"}
    return reasons.get(error.errno, error.strerror or str(error))


def announce(server: LiveServer) -> list[str]:
    """The lines printed at start: the URL to open (with its token), and from another device."""
    lines = [f"live view: {server.url()}"]
    if server.server_address[0] in {"0.0.0.0", "::"}:
        other = server.url().replace(f"//{server.server_address[0]}", f"//{socket.gethostname()}")
        other = other.replace("//[::]", f"//{socket.gethostname()}")
        lines.append(f"  from another device on this network: {other} "
                     "(or this machine's IP address instead of its name)")
    return lines
