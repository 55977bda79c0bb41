"""The live view's request handler: which requests are answered, and by which route.

Before any route: the request's head within the connection's time (runtime.live.connections), a
method we answer, a Host that names this server (runtime.live.hosts), then the token (off
loopback, or whenever one was given) and, for a write, a request from our own page. Bodies are
bounded in size and in time.
"""

from __future__ import annotations

import hmac
import http.cookies
import json
import socket
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from runtime.live.connections import HEAD_TIMEOUT
from runtime.live.hosts import cross_origin, shown
from runtime.live.routes import Routes
from runtime.live.stream import Streaming

COOKIE = "mnist_edge_token"
MAX_BODY = 2 * 1024 * 1024  # bytes: a drawing pad PNG is tens of kB
SOCKET_TIMEOUT = 10.0  # seconds a client may stall once its request is in (a viewer not reading)
BODY_TIMEOUT = 30.0  # seconds for a whole body: 2 MB at 70 kB/s; a pad drawing is tens of kB
DRAIN_LIMIT = 256 * 1024  # bytes of a refused body read away so the client sees the 413
CAMERA_ROUTES = {"/reading", "/stream.mjpg", "/snapshot.jpg"}


class Handler(Routes, Streaming, BaseHTTPRequestHandler):
    """Routes: GET (and HEAD) / /info /reading /stream.mjpg /snapshot.jpg, POST /read. Nothing
    else. `self.server` is the LiveServer (runtime.live.server)."""

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

    def _token_cookie(self, url) -> dict[str, str]:
        """The page opened with ?token=: keep it in a cookie, so the address bar can drop it."""
        token, in_query = self._given_token(url)
        if not in_query or self.server.token is None:
            return {}
        return {"Set-Cookie": f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"}

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
        routes = {"/": self._page, "/info": self._info, "/reading": self._reading,
                  "/stream.mjpg": self._stream, "/snapshot.jpg": self._snapshot}
        if self.server.slot is None:  # the pad alone
            routes = {path: route for path, route in routes.items() if path not in CAMERA_ROUTES}
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
            status = HTTPStatus.METHOD_NOT_ALLOWED if url.path in {"/", "/info",
                     *CAMERA_ROUTES} else HTTPStatus.NOT_FOUND
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
