"""runtime.live in-process: every route and security rule; nothing leaks, the reader goes on."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time

import cv2
import numpy as np
import pytest

from runtime import live
from runtime.errors import UserError
from runtime.live import connections
from runtime.live import handler as live_handler
from runtime.live import server as live_server
from runtime.live import slot as live_slot
from runtime.live import stream as live_stream
from runtime.reader.recognizer import Recognizer

FRAME = (480, 640)


@pytest.fixture(scope="module")
def pad(int8_model):
    return Recognizer.open(int8_model)


class Reader:
    """Stands in for runtime.webcam's loop: publishes a changing frame every few milliseconds."""

    def __init__(self, slot: live.FrameSlot):
        self.slot, self.frames, self.stop = slot, 0, threading.Event()
        self.slowest = 0.0  # longest publish() call, seconds
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        # made beforehand: drawing a random frame each time would make this reader slower than
        # the stream's encoder on a loaded machine
        rng = np.random.default_rng(0)
        frames = [rng.integers(0, 255, (*FRAME, 3), dtype=np.uint8) for _ in range(8)]
        while not self.stop.is_set():
            frame = frames[self.frames % len(frames)].copy()
            frame[:8, :8] = self.frames % 256  # every frame differs from the one 8 before
            tick = time.perf_counter()
            self.slot.publish(frame, None, self.frames + 1, self.frames / 100, 100.0, 2.5)
            self.slowest = max(self.slowest, time.perf_counter() - tick)
            self.frames += 1
            time.sleep(0.005)

    def alive(self, wait: float = 0.3) -> bool:
        """Frames keep coming."""
        before = self.frames
        time.sleep(wait)
        return self.thread.is_alive() and self.frames > before


def _serve(pad, host="127.0.0.1", token=None, camera=True):
    slot = live.FrameSlot("test video") if camera else None
    server = live.LiveServer(host, 0, pad=pad, model_name="m.tflite", slot=slot, token=token)
    server.start()
    reader = Reader(slot) if camera else None
    if camera:
        slot.wait(0, 5.0)  # the first frame is out
    return server, reader


@pytest.fixture
def served(pad):
    server, reader = _serve(pad)
    yield server, reader
    reader.stop.set()
    server.stop()


def request(server, method, path, body=None, headers=None, read=True):
    """(status, headers, body) of one request to the server over 127.0.0.1."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read() if read else b""
    finally:
        conn.close()


def raw(server, data: bytes, shutdown: bool = True) -> bytes:
    """Send bytes as they are (no client-side checks), return whatever the server answers."""
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as s:
        s.sendall(data)
        if shutdown:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:  # the server already answered and closed (a 414 comes at once)
                pass
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
        return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def stream_parts(server, count: int, path="/stream.mjpg", headers=None) -> list[bytes]:
    """The first `count` JPEGs of the MJPEG stream."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    assert response.status == 200
    boundary = response.getheader("Content-Type").split("boundary=")[1].encode()
    assert response.readline().strip() == b"--" + boundary
    parts = []
    while len(parts) < count:
        head = {}
        while (line := response.readline().strip()):
            name, value = line.decode().split(":", 1)
            head[name.lower()] = value.strip()
        assert head["content-type"] == "image/jpeg"
        parts.append(response.read(int(head["content-length"])))
        assert response.readline() == b"\r\n" and response.readline().strip() == b"--" + boundary
    conn.close()
    return parts


def decoded(jpeg: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def drawn_seven() -> bytes:
    """A 7 as the pad would post it: black thick strokes on white, PNG."""
    pad = np.full((280, 560, 3), 255, np.uint8)
    cv2.line(pad, (220, 60), (330, 60), (0, 0, 0), 18, cv2.LINE_AA)
    cv2.line(pad, (330, 60), (260, 230), (0, 0, 0), 18, cv2.LINE_AA)
    return cv2.imencode(".png", pad)[1].tobytes()


# ---- routes ----

def test_page_info_reading_and_snapshot(served):
    server, reader = served
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<canvas id="pad"' in body and b"/stream.mjpg" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert b"http://" not in body and b"https://" not in body  # nothing fetched from outside

    status, _, body = request(server, "GET", "/info")
    assert status == 200
    assert json.loads(body) == {"model": "m.tflite", "camera": True, "source": "test video"}

    status, headers, body = request(server, "GET", "/reading")
    line = json.loads(body)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert line["path"] == "test video" and line["digits"] == "" and line["items"] == []
    assert line["frame"] >= 1 and line["time"] >= 0 and line["fps"] == 100.0
    assert line["read_ms"] == 2.5

    status, headers, body = request(server, "GET", "/snapshot.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert decoded(body).shape[:2] == FRAME


def test_reading_carries_the_stable_reading_as_the_json_line(pad, served):
    server, reader = served
    reading = pad.read(cv2.imdecode(np.frombuffer(drawn_seven(), np.uint8), cv2.IMREAD_COLOR))
    reader.stop.set()
    reader.thread.join()
    server.slot.publish(np.zeros((*FRAME, 3), np.uint8), reading, 46, 1.5, 30.0, 4.25)
    line = json.loads(request(server, "GET", "/reading")[2])
    expected = reading.to_dict("test video")  # DESIGN.md's line, whatever keys it grows
    assert {k: line[k] for k in expected} == expected
    assert line["digits"] == "7" and line["time"] == 1.5 and line["frame"] == 46
    assert line["fps"] == 30.0 and line["read_ms"] == 4.25


def test_stream_sends_new_frames(served):
    server, _ = served
    parts = stream_parts(server, 3)
    images = [decoded(p) for p in parts]
    assert all(i.shape[:2] == FRAME for i in images)
    assert not np.array_equal(images[0], images[2])  # the stream moves


def test_each_frame_is_encoded_once_however_many_viewers(served):
    server, reader = served
    results: list[list[bytes]] = []
    viewers = [threading.Thread(target=lambda: results.append(stream_parts(server, 20)))
               for _ in range(5)]
    first_seq, encoded, started = server.slot.seq, server.slot.encoded, time.monotonic()
    for v in viewers:
        v.start()
    for v in viewers:
        v.join(timeout=30)
    elapsed = time.monotonic() - started
    assert len(results) == 5
    assert all(len(set(parts)) == 20 for parts in results)  # every part a new frame
    encodings = server.slot.encoded - encoded
    # 5 viewers x 20 frames delivered: never more encodings than frames published...
    assert encodings <= server.slot.seq - first_seq + 1
    # ...nor more than STREAM_FPS a second, however fast the reader (here ~150 frames a second)
    assert encodings <= live.STREAM_FPS * elapsed + 2
    assert server.slot.seq - first_seq > 2 * encodings


def test_the_stream_quality_rate_and_width_can_be_set(pad):
    sizes = {}
    for quality in (30, 95):
        slot = live.FrameSlot("q", quality=quality, fps=5, width=320)
        server = live.LiveServer("127.0.0.1", 0, pad=pad, model_name="m", slot=slot).start()
        reader = Reader(slot)
        try:
            slot.wait(0, 5.0)
            started, encoded = time.monotonic(), slot.encoded
            parts = stream_parts(server, 6)
            elapsed = time.monotonic() - started
            assert all(decoded(p).shape == (240, 320, 3) for p in parts)  # 640x480 scaled down
            assert slot.encoded - encoded <= 5 * elapsed + 2  # at most 5 a second
            assert elapsed >= 4 / 5  # 6 new frames at 5 a second take at least 0.8 s
            sizes[quality] = np.mean([len(p) for p in parts])
        finally:
            reader.stop.set()
            server.stop()
    assert sizes[30] < 0.7 * sizes[95]


def test_a_stalled_viewer_never_slows_the_reader(served):
    server, reader = served
    with socket.create_connection(("127.0.0.1", server.server_port)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")
        time.sleep(1.5)  # never read: the server's send buffer fills within a few frames
        assert reader.alive()
        assert reader.slowest < 0.05  # publish() only stores a reference


def test_viewers_beyond_the_limit_get_503(pad, monkeypatch):
    monkeypatch.setattr(live_server, "MAX_VIEWERS", 2)
    server, reader = _serve(pad)
    try:
        conns = []
        for _ in range(2):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", "/stream.mjpg")
            response = conn.getresponse()  # holds the socket: keep it
            assert response.status == 200
            conns.append(response)
        assert request(server, "GET", "/stream.mjpg", read=False)[0] == 503
        conns.pop().close()
        time.sleep(1.5)  # the server notices at its next frame
        assert request(server, "GET", "/stream.mjpg", read=False)[0] == 200
        for response in conns:
            response.close()
    finally:
        reader.stop.set()
        server.stop()


def test_a_viewer_that_leaves_is_let_go_when_no_frames_come(pad, monkeypatch):
    monkeypatch.setattr(live_server, "MAX_VIEWERS", 1)
    server, reader = _serve(pad)
    try:
        reader.stop.set()  # the video has ended: no frame will tell the server the viewer left
        reader.thread.join()
        threads = threading.active_count()
        assert len(stream_parts(server, 1)) == 1  # connects, gets the last frame, leaves
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and threading.active_count() > threads:
            time.sleep(0.1)
        assert threading.active_count() == threads
        assert stream_parts(server, 1)  # the one viewer place is free again (no 503)
    finally:
        server.stop()


def parts_within(server, seconds: float, path="/stream.mjpg") -> list[bytes]:
    """Every JPEG of the stream that arrives within `seconds` of connecting."""
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=0.1) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        deadline, data = time.monotonic() + seconds, b""
        while time.monotonic() < deadline:
            try:
                data += s.recv(65536)
            except TimeoutError:
                pass
    head, body = data.split(b"\r\n\r\n", 1)
    boundary = b"--" + head.split(b"boundary=")[1].split(b"\r\n")[0]
    # each part: its headers, a blank line, the JPEG, CRLF; the last one may be cut short
    return [p.split(b"\r\n\r\n", 1)[1][:-2] for p in body.split(boundary)[1:-1]]


def test_after_the_source_ends_the_stream_repeats_its_last_frame(served):
    server, reader = served
    reader.stop.set()
    reader.thread.join()
    server.slot.end()
    parts = parts_within(server, 3.0)
    assert len(parts) >= 2 * 3 - 1  # about 2 a second: players keep a picture
    assert len(set(parts)) == 1  # the same last frame
    assert decoded(parts[0]).shape[:2] == FRAME
    line = json.loads(request(server, "GET", "/reading")[2])
    assert line["state"] == "ended" and line["fps"] == 0.0 and line["frame"] == reader.frames


def test_a_source_that_stalls_is_said_so_and_its_picture_stays(served, monkeypatch):
    server, reader = served
    assert json.loads(request(server, "GET", "/reading")[2])["state"] == "running"
    monkeypatch.setattr(live_slot, "STALLED_AFTER", 0.3)
    reader.stop.set()  # a camera that stops sending frames, no end
    reader.thread.join()
    time.sleep(0.5)
    line = json.loads(request(server, "GET", "/reading")[2])
    assert line["state"] == "stalled" and line["fps"] == 0.0
    assert len(parts_within(server, 1.6)) >= 3


def test_before_the_first_frame_the_state_is_starting(pad):
    slot = live.FrameSlot("camera 0")
    server = live.LiveServer("127.0.0.1", 0, pad=pad, model_name="m", slot=slot).start()
    try:
        line = json.loads(request(server, "GET", "/reading")[2])
        assert line["state"] == "starting" and line["frame"] == 0
        assert request(server, "GET", "/snapshot.jpg")[0] == 503
    finally:
        server.stop()


def test_pad_reads_a_drawn_seven_with_its_box(served):
    server, _ = served
    status, _, body = request(server, "POST", "/read", body=drawn_seven(),
                              headers={"Content-Type": "image/png"})
    result = json.loads(body)
    assert status == 200 and result["digits"] == "7" and result["path"] == "pad"
    assert (result["width"], result["height"]) == (560, 280)
    x, y, w, h = result["items"][0]["box"]
    assert 200 <= x and x + w <= 350 and 40 <= y and y + h <= 250


def test_pad_refuses_a_pixel_bomb_and_other_formats(served, png_bomb):
    server, reader = served
    status, _, body = request(server, "POST", "/read", body=png_bomb,
                              headers={"Content-Type": "image/png"})
    assert status == 413
    assert json.loads(body)["error"] == ("the drawing is 16000x16000 (256.0 million pixels), "
                                         "more than the 4.0 million pixels allowed: scale it down")
    bmp = cv2.imencode(".bmp", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    assert request(server, "POST", "/read", body=bmp)[0] == 415  # a real image, not PNG or JPEG
    assert reader.alive()
    assert request(server, "POST", "/read", body=drawn_seven())[0] == 200


def test_pad_only_server_has_no_camera_routes(pad):
    server, _ = _serve(pad, camera=False)
    try:
        assert json.loads(request(server, "GET", "/info")[2])["camera"] is False
        for path in ("/stream.mjpg", "/snapshot.jpg", "/reading"):
            assert request(server, "GET", path)[0] == 404
        assert json.loads(request(server, "POST", "/read", body=drawn_seven())[2])["digits"] == "7"
    finally:
        server.stop()


# ---- bad requests ----

@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"])
def test_other_methods_get_405(served, method):
    server, reader = served
    status, headers, _ = request(server, method, "/")
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST"
    assert reader.alive()


@pytest.mark.parametrize("path", ["/", "/info", "/reading", "/snapshot.jpg", "/nope"])
def test_head_answers_as_get_without_the_body(served, path):
    server, _ = served
    got = request(server, "GET", path)
    answer = raw(server, f"HEAD {path} HTTP/1.0\r\n\r\n".encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == got[0] and body == b""
    assert f"Content-Type: {got[1]['Content-Type']}".encode() in head
    if path not in ("/snapshot.jpg", "/reading"):  # those change with every frame
        assert f"Content-Length: {len(got[2])}".encode() in head


def test_head_of_the_stream_takes_no_viewer_place(pad, monkeypatch):
    monkeypatch.setattr(live_server, "MAX_VIEWERS", 1)
    server, reader = _serve(pad)
    try:
        for _ in range(3):
            answer = raw(server, b"HEAD /stream.mjpg HTTP/1.0\r\n\r\n")
            assert status_of(answer) == 200 and b"multipart/x-mixed-replace" in answer
            assert answer.endswith(b"\r\n\r\n")  # headers only
        assert stream_parts(server, 1)
    finally:
        reader.stop.set()
        server.stop()


def test_get_on_read_says_to_post(served):
    status, headers, _ = request(served[0], "GET", "/read")
    assert status == 405 and headers["Allow"] == "POST"


def test_post_goes_only_to_read(served):
    server, _ = served
    assert request(server, "POST", "/", body=b"x")[0] == 405
    assert request(server, "POST", "/reading", body=b"x")[0] == 405
    assert request(server, "POST", "/upload", body=b"x")[0] == 404


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/static/live.html", "/static/../live.py", "/%2e%2e/%2e%2e/etc/passwd",
    "//etc/passwd", "/runtime/live.py", "/index.html", "/reading/", "/snapshot.jpg/..",
])
def test_no_path_reaches_the_file_system(served, path):
    server, _ = served
    answer = raw(server, f"GET {path} HTTP/1.0\r\n\r\n".encode())
    assert status_of(answer) == 404, answer[:200]
    assert b"root:" not in answer and b"import" not in answer


@pytest.mark.parametrize("path, status", [("/read", 413), ("/", 405), ("/upload", 404)])
def test_a_huge_body_is_refused_without_being_read(served, path, status):
    server, reader = served
    head = f"POST {path} HTTP/1.0\r\nContent-Length: {10**9}\r\n\r\n".encode()
    answer = raw(server, head + b"\0" * 65536, shutdown=False)
    assert status_of(answer) == status
    assert reader.alive()


@pytest.mark.parametrize("headers, body, status", [
    ("", b"", 411),  # no Content-Length
    ("Content-Length: -5\r\n", b"", 400),
    ("Content-Length: lots\r\n", b"", 400),
    ("Content-Length: 20\r\n", b"short", 400),  # the client gives up before the length
    ("Content-Length: 9\r\n", b"not a png", 415),
    ("Content-Length: 12\r\n", b"\x89PNG\r\n\x1a\nnope", 400),
    ("Transfer-Encoding: chunked\r\n", b"5\r\nhello\r\n0\r\n\r\n", 411),
])
def test_malformed_bodies_are_refused(served, headers, body, status):
    server, reader = served
    answer = raw(server, f"POST /read HTTP/1.0\r\n{headers}\r\n".encode() + body)
    assert status_of(answer) == status, answer[:200]
    assert reader.alive()


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 4,
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200),  # a TLS hello
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET " + b"/a" * 40000 + b" HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\n" + b"X: y\r\n" * 200 + b"\r\n",
    b"",
])
def test_garbage_bytes_never_stop_the_reader(served, data):
    server, reader = served
    answer = raw(server, data)
    assert answer == b"" or status_of(answer) >= 400
    assert reader.alive()
    assert request(server, "GET", "/info")[0] == 200


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _settled() -> tuple[int, int]:
    """(open fds, threads) once they stop changing (earlier tests' threads have ended)."""
    last = None
    while (now := (_open_fds(), threading.active_count())) != last:
        last = now
        time.sleep(live_stream.WAIT_STEP + 0.2)
    return now


def test_200_connections_opened_and_dropped_leak_nothing(served):
    server, reader = served
    assert request(server, "GET", "/info")[0] == 200  # warm up: lazy imports, the first thread
    fds, threads = _settled()
    sockets = []
    for k in range(200):
        s = socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
        if k % 3 == 1:
            s.sendall(b"GET /reading HTTP/1.0\r\nHost: x")  # half a request
        elif k % 3 == 2:
            s.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")  # a viewer that leaves at once
        sockets.append(s)
    for s in sockets:
        s.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (_open_fds(), threading.active_count()) != (fds, threads):
        time.sleep(0.1)
    assert (_open_fds(), threading.active_count()) == (fds, threads)
    assert reader.alive()
    assert request(server, "GET", "/reading")[0] == 200


# ---- idle connections ----

def _idle(server, count: int) -> list[socket.socket]:
    """`count` TCP connections that send nothing."""
    return [socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
            for _ in range(count)]


def test_idle_connections_cannot_lock_out_a_real_request(pad):
    token = "a-token-of-22-letters-"
    server, reader = _serve(pad, token=token)
    idle = []
    try:
        for _ in range(3):  # 64, then 128, then 192 idle connections open at once
            idle += _idle(server, 64)
            started = time.monotonic()
            status, _, body = request(server, "GET", f"/reading?token={token}")
            assert status == 200 and json.loads(body)["path"] == "test video"
            assert time.monotonic() - started < 3
        assert request(server, "GET", "/reading")[0] == 403  # still locked without the token
        assert len(server.connections) <= connections.MAX_PER_CLIENT  # the rest were closed
        assert reader.alive()
    finally:
        for s in idle:
            s.close()
        reader.stop.set()
        server.stop()


def test_a_head_that_trickles_in_is_cut_off(served):
    server, _ = served
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as s:
        s.sendall(b"GET /reading HTTP/1.0\r\n")
        started, answer = time.monotonic(), b""
        try:
            while time.monotonic() - started < 15:
                s.sendall(b"X: y\r\n")  # one header a second: every read gets a byte in time
                time.sleep(1)
        except OSError:  # closed by the server: the write fails
            answer = b"closed"
        elapsed = time.monotonic() - started
    assert answer == b"closed" and elapsed < connections.HEAD_TIMEOUT + 3


def test_when_every_place_is_busy_a_new_connection_gets_503(served):
    server, _ = served
    server.connections = connections.Connections(limit=2, per_client=2)
    viewers = []
    for _ in range(2):  # two viewers: busy being answered, not waiting
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        conn.request("GET", "/stream.mjpg")
        viewers.append(conn.getresponse())
        assert viewers[-1].status == 200
    answer = raw(server, b"GET /info HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 503 and b"Retry-After: 5" in answer
    for response in viewers:
        response.close()


def test_a_client_with_too_many_idle_connections_loses_its_oldest(served):
    server, _ = served
    server.connections = connections.Connections(limit=64, per_client=3)
    first, *others = _idle(server, 4)
    first.settimeout(5)
    assert first.recv(1) == b""  # closed by the server to make room for the fourth
    assert request(server, "GET", "/info")[0] == 200
    for s in (first, *others):
        s.close()


def test_a_body_that_trickles_in_is_cut_off(served, monkeypatch):
    monkeypatch.setattr(live_handler, "BODY_TIMEOUT", 1.5)
    server, reader = served
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as s:
        s.sendall(b"POST /read HTTP/1.0\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        for _ in range(4):
            s.sendall(b"x")
            time.sleep(0.5)
        answer = s.recv(4096)
    assert status_of(answer) == 408 and time.monotonic() - started < 4
    assert reader.alive()


# ---- the token ----

def test_all_interfaces_require_the_printed_token(pad):
    server, reader = _serve(pad, host="0.0.0.0")
    try:
        token = server.token
        assert token and len(token) >= 16
        assert server.url() == f"http://0.0.0.0:{server.server_port}/?token={token}"
        for path in ("/", "/info", "/reading", "/stream.mjpg", "/snapshot.jpg", "/nope"):
            assert request(server, "GET", path)[0] == 403, path
            assert request(server, "GET", f"{path}?token=wrong{token}")[0] == 403, path
        assert request(server, "POST", "/read", body=drawn_seven())[0] == 403
        assert request(server, "GET", "/?token=")[0] == 403
        assert request(server, "GET", "/", headers={"Cookie": "mnist_edge_token=x"})[0] == 403
        assert request(server, "GET", "/", headers={"Cookie": "\x00;;==bad"})[0] == 403

        status, headers, _ = request(server, "GET", f"/?token={token}")
        assert status == 200
        cookie = headers["Set-Cookie"]
        assert cookie.startswith(f"mnist_edge_token={token};") and "HttpOnly" in cookie
        by_cookie = {"Cookie": f"mnist_edge_token={token}"}
        assert request(server, "GET", "/snapshot.jpg", headers=by_cookie)[0] == 200
        assert stream_parts(server, 1, headers=by_cookie)
        status, _, body = request(server, "POST", "/read", body=drawn_seven(), headers=by_cookie)
        assert status == 200 and json.loads(body)["digits"] == "7"
        assert reader.alive()
    finally:
        reader.stop.set()
        server.stop()


def test_tokens_are_random(pad):
    servers = [live.LiveServer("0.0.0.0", 0, pad=pad, model_name="m") for _ in range(2)]
    try:
        assert servers[0].token != servers[1].token
    finally:
        for s in servers:
            s.server_close()


def test_loopback_needs_no_token_unless_one_is_given(pad):
    server = live.LiveServer("127.0.0.1", 0, pad=pad, model_name="m")
    assert server.token is None and "token" not in server.url()
    server.server_close()
    server, reader = _serve(pad, token="s3cret")
    try:
        assert request(server, "GET", "/info")[0] == 403
        assert request(server, "GET", "/info?token=s3cret")[0] == 200
    finally:
        reader.stop.set()
        server.stop()


# ---- the browser is not a trust boundary: Host and Origin ----

def test_a_foreign_host_is_refused_everywhere(served):
    server, reader = served
    for path in ("/", "/info", "/reading", "/stream.mjpg", "/snapshot.jpg", "/nope"):
        status, _, body = request(server, "GET", path, headers={"Host": "evil.example"})
        assert status == 403, path
        assert b"evil.example is not this server's name" in body
    status, _, _ = request(server, "POST", "/read", body=drawn_seven(),
                           headers={"Host": "evil.example:8080"})
    assert status == 403
    port = server.server_port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        assert request(server, "GET", "/reading", headers={"Host": host})[0] == 200, host
    assert reader.alive()


def test_names_given_with_allow_host_are_answered(pad):
    slot = live.FrameSlot("test video")
    server = live.LiveServer("127.0.0.1", 0, pad=pad, model_name="m", slot=slot,
                             allow_hosts=("view.example.lan",)).start()
    try:
        assert request(server, "GET", "/info", headers={"Host": "view.example.lan"})[0] == 200
        assert request(server, "GET", "/info", headers={"Host": "evil.example"})[0] == 403
    finally:
        server.stop()


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Referer": "http://evil.example/cats.html"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
])
def test_a_cross_origin_write_is_refused(served, headers):
    server, reader = served
    # what a form or fetch() on another site sends without asking anyone: text/plain
    status, _, body = request(server, "POST", "/read", body=drawn_seven(),
                              headers={"Content-Type": "text/plain", **headers})
    assert status == 403 and b"another site" in body


def test_writes_from_our_own_page_pass(served):
    server, _ = served
    own = f"http://127.0.0.1:{server.server_port}"
    for headers in ({"Origin": own}, {"Referer": own + "/"}, {"Origin": own,
                                                              "Sec-Fetch-Site": "same-origin"}):
        status, _, body = request(server, "POST", "/read", body=drawn_seven(), headers=headers)
        assert status == 200 and json.loads(body)["digits"] == "7", headers


def test_other_sites_may_not_embed_our_answers(served):
    server, _ = served
    for path in ("/", "/reading", "/snapshot.jpg", "/nope"):
        assert request(server, "GET", path)[1]["Cross-Origin-Resource-Policy"] == "same-origin"
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    conn.request("GET", "/stream.mjpg")
    assert conn.getresponse().getheader("Cross-Origin-Resource-Policy") == "same-origin"
    conn.close()


# ---- where to listen ----

@pytest.mark.parametrize("text, expected", [
    ("8080", ("127.0.0.1", 8080)), ("0.0.0.0:80", ("0.0.0.0", 80)),
    ("localhost:0", ("localhost", 0)), ("[::1]:8080", ("::1", 8080)),
])
def test_parse_bind(text, expected):
    assert live.parse_bind(text) == expected


@pytest.mark.parametrize("text", ["", "http", ":8080", "host:", "1.2.3.4:65536", "8080:", "-1"])
def test_parse_bind_refuses(text):
    with pytest.raises(UserError, match=r"expected \[HOST:\]PORT"):
        live.parse_bind(text)


def test_a_port_in_use_is_one_clear_error(pad):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError, match=f"port {port} is in use"):
            live.LiveServer("127.0.0.1", port, pad=pad, model_name="m")
