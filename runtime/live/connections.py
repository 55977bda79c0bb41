"""The live view's open connections: ones that send nothing cannot lock anyone out.

Each connection has a thread; a connection that has not yet sent its request's head (request
line and headers) is waiting. A waiting connection gets HEAD_TIMEOUT seconds in all, and when
the server is full, or one client holds its share, the longest-waiting one is closed to make room
(that client's own first). Only when every place is busy with a request being answered is a new
connection turned away, with a 503. So 64 idle sockets, or a slow trickle of header bytes, cost
their sender its own sockets, never a real request its answer.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

MAX_CONNECTIONS = 64  # open at once, all clients
MAX_PER_CLIENT = 16  # from one address (a browser opens about 6 per server)
HEAD_TIMEOUT = 5.0  # seconds from connecting to the end of the request's head
BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Retry-After: 5\r\nConnection: close\r\n\r\nbusy: too many requests at once, "
        b"try again in a few seconds\n")


@dataclass
class Connection:
    sock: socket.socket
    client: str
    opened: float = field(default_factory=time.monotonic)
    waiting: bool = True  # its request's head has not arrived yet


class Connections:
    """Admits connections, closes waiting ones to make room or when their time is up."""

    def __init__(self, limit: int = MAX_CONNECTIONS, per_client: int = MAX_PER_CLIENT,
                 head_timeout: float = HEAD_TIMEOUT):
        self.limit, self.per_client, self.head_timeout = limit, per_client, head_timeout
        self._open: dict[int, Connection] = {}  # by id(sock)
        self._lock = threading.Lock()
        self.closed_waiting = 0  # waiting connections closed to make room or timed out

    def __len__(self) -> int:
        return len(self._open)

    def admit(self, sock: socket.socket, client: str) -> bool:
        """Take a new connection, closing waiting ones to make room; False when all are busy."""
        with self._lock:
            self._expire(time.monotonic())
            mine = [c for c in self._open.values() if c.client == client]
            if len(mine) >= self.per_client and not self._close_oldest_waiting(mine):
                return False
            if len(self._open) >= self.limit and not self._close_oldest_waiting(
                    list(self._open.values())):
                return False
            self._open[id(sock)] = Connection(sock, client)
            return True

    def started(self, sock: socket.socket) -> bool:
        """Its request's head has arrived: no longer closed to make room. False if already
        closed."""
        with self._lock:
            connection = self._open.get(id(sock))
            if connection is None:
                return False
            connection.waiting = False
            return True

    def finished(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(id(sock), None)

    def expire(self) -> None:
        """Close waiting connections past HEAD_TIMEOUT (a trickle of bytes resets no clock)."""
        with self._lock:
            self._expire(time.monotonic())

    def _expire(self, now: float) -> None:
        late = [c for c in self._open.values() if c.waiting and now - c.opened > self.head_timeout]
        for connection in late:
            self._close(connection)

    def _close_oldest_waiting(self, among: list[Connection]) -> bool:
        waiting = [c for c in among if c.waiting]
        if not waiting:
            return False
        self._close(min(waiting, key=lambda c: c.opened))
        return True

    def _close(self, connection: Connection) -> None:
        """Wake its thread (blocked reading) with end-of-file; the thread closes the socket."""
        self._open.pop(id(connection.sock), None)
        self.closed_waiting += 1
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone


def turn_away(sock: socket.socket) -> None:
    """Answer 503 without waiting on the client (its receive buffer takes this), and close."""
    try:
        sock.setblocking(False)
        sock.send(BUSY)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    sock.close()
