"""The live view's HTTP server: where it listens, its token, its connections and its viewers.

Standard library only (http.server, one thread per connection), so a Raspberry Pi needs nothing
more. One server serves one reader's FrameSlot, or the drawing pad alone (no slot).
"""

from __future__ import annotations

import errno
import secrets
import socket
import socketserver
import threading
from http.server import ThreadingHTTPServer
from importlib import resources

from runtime.errors import UserError
from runtime.live.connections import Connections, turn_away
from runtime.live.handler import Handler
from runtime.live.hosts import HostCheck
from runtime.live.slot import FrameSlot

DEFAULT_HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}  # the only hosts served without a token
MAX_VIEWERS = 8  # concurrent /stream.mjpg viewers; more get 503


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
        self.page = resources.files("runtime.live").joinpath("static/live.html").read_bytes()
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
        if self.slot is not None:  # wake the viewers now rather than at their next wait step
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
