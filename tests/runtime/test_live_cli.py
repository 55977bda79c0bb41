"""runtime.webcam --serve and runtime.serve as a user runs them: routes, token, errors, summary."""

from __future__ import annotations

import importlib.util
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NUMBER = [7, 0, 3, 1]


def _helper(name: str):
    spec = importlib.util.spec_from_file_location(f"runtime_test_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def clip(tmp_path_factory, pages, mnist_test):
    """(path, number): 3 seconds of a page showing a 4-digit number."""
    path = tmp_path_factory.mktemp("live") / "number.avi"
    return path, _helper("live_clip").write_clip(path, pages, mnist_test, NUMBER, seconds=3)


class Running:
    """A CLI started in the background; its stdout lines arrive in a queue."""

    def __init__(self, module: str, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r}; got {self.seen}; "
                             f"stderr: {self.stop()[1] if self.proc.poll() is not None else ''}")

    def url(self) -> str:
        return self.wait_line(r"live view: (http://\S+)").group(1)

    def stop(self) -> tuple[int, str]:
        """SIGTERM (as systemd does); (exit code, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        time.sleep(0.1)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code, self.proc.stderr.read()


@pytest.fixture
def running():
    started: list[Running] = []

    def start(module: str, *args: str) -> Running:
        started.append(Running(module, *args))
        return started[-1]

    yield start
    for r in started:
        if r.proc.poll() is None:
            r.proc.kill()
            r.proc.wait()


def get(url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, body) of a request, without raising on HTTP errors."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def base(url: str) -> str:
    return url.split("?")[0].rstrip("/")


def stream_parts_within(url: str, seconds: float) -> list[bytes]:
    """The whole JPEGs an MJPEG stream sends within `seconds`, as a player would count them."""
    deadline, data = time.monotonic() + seconds, b""
    with urllib.request.urlopen(url, timeout=seconds) as response:
        boundary = response.headers["Content-Type"].split("boundary=")[1].encode()
        try:
            while time.monotonic() < deadline and (chunk := response.read1(65536)):
                data += chunk
        except TimeoutError:
            pass
    parts = data.split(b"--" + boundary)[1:-1]
    return [p.split(b"\r\n\r\n", 1)[1] for p in parts if b"\r\n\r\n" in p]


def drawn_one() -> bytes:
    pad = np.full((280, 560, 3), 255, np.uint8)
    cv2.line(pad, (280, 40), (270, 240), (0, 0, 0), 18, cv2.LINE_AA)
    return cv2.imencode(".png", pad)[1].tobytes()


def wait_for_reading(url: str, digits: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = json.loads(get(f"{url}/reading")[1])
        if line["digits"] == digits:
            return line
        time.sleep(0.2)
    raise AssertionError(f"/reading never showed {digits}: {line}")


def test_webcam_serves_the_video_and_its_number(running, clip):
    path, number = clip
    r = running("runtime.webcam", "--video", str(path), "--headless", "--serve", "127.0.0.1:0")
    url = base(r.url())
    line = wait_for_reading(url, number)
    assert 0 < line["fps"] <= 10.5 and line["read_ms"] > 0  # the video's rate, the reader's time
    assert line["path"] == str(path) and line["frame"] >= 3
    assert line["time"] == round((line["frame"] - 1) / 10, 3)  # its place in the 10 FPS video
    assert [i["digit"] for i in line["items"]] == NUMBER
    status, page = get(url + "/")
    assert status == 200 and b'id="stream"' in page
    status, jpeg = get(url + "/snapshot.jpg")
    assert status == 200
    assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (480, 640, 3)
    status, body = get(url + "/read", data=drawn_one(), headers={"Content-Type": "image/png"})
    assert status == 200 and json.loads(body)["digits"] == "1"
    change = r.wait_line(rf"frame (\d+) at ([\d.]+)s: {number}  \(7 \d+%, 0 \d+%, 3 \d+%, 1 \d+%\)")
    assert f"{(int(change.group(1)) - 1) / 10:.1f}" == change.group(2)
    # the file plays at its own 10 frames per second (someone watches it): about 3 s
    summary = r.wait_line(r"done: (\d+) frames in ([\d.]+) s \(([\d.]+) FPS, reader ([\d.]+) "
                          rf"ms per frame\), last stable reading: {number}$")
    assert float(summary.group(2)) >= 2.5
    # frames went through at most at the video's rate, however fast the reader is
    assert 0 < float(summary.group(3)) <= 10.5 and float(summary.group(4)) > 0
    r.wait_line("end of video: the live view stays up")
    line = wait_for_reading(url, number)  # still served after the end...
    assert line["state"] == "ended" and line["fps"] == 0.0
    assert len(stream_parts_within(url + "/stream.mjpg", 3.0)) >= 2  # ...with a picture
    code, stderr = r.stop()
    assert code == 0 and stderr == ""


def test_all_interfaces_need_the_printed_token(running, clip):
    r = running("runtime.webcam", "--video", str(clip[0]), "--headless",
                "--serve", "0.0.0.0:0")
    url = r.url()
    token = re.search(r"\?token=([\w-]+)$", url).group(1)
    assert len(token) >= 16
    port = re.search(r":(\d+)/", url).group(1)
    local = f"http://127.0.0.1:{port}"
    for path in ("/", "/reading", "/snapshot.jpg", "/stream.mjpg"):
        assert get(local + path)[0] == 403
        assert get(f"{local}{path}?token=not-{token}")[0] == 403
    assert get(f"{local}/?token={token}")[0] == 200
    assert json.loads(get(f"{local}/reading?token={token}")[1])["path"] == str(clip[0])
    assert get(f"{local}/reading", headers={"Cookie": f"mnist_edge_token={token}"})[0] == 200
    assert r.stop() == (0, "")  # SIGTERM, as systemd stops it: a clean exit


GIVEN = "let-me-in-0123456789"  # at least 16 characters


def test_a_given_token(running, clip):
    r = running("runtime.webcam", "--video", str(clip[0]), "--headless",
                "--serve", "0.0.0.0:0", "--token", GIVEN)
    url = r.url()
    assert url.endswith(f"/?token={GIVEN}")
    local = base(url).replace("0.0.0.0", "127.0.0.1")
    assert get(local + "/info")[0] == 403
    assert get(f"{local}/info?token={GIVEN}")[0] == 200
    assert r.stop() == (0, "")  # SIGTERM, as systemd stops it: a clean exit


@pytest.mark.parametrize("module", ["runtime.webcam", "runtime.serve"])
def test_a_token_from_the_environment_stays_out_of_ps(clip, int8_model, module, monkeypatch):
    monkeypatch.setenv("MNIST_EDGE_TOKEN", GIVEN)
    args = ["--video", str(clip[0]), "--headless", "--serve"] if module == "runtime.webcam" else []
    r = Running(module, *args, "127.0.0.1:0")
    try:
        url = r.url()  # required on loopback too, since one was given
        assert url.endswith(f"/?token={GIVEN}")
        assert GIVEN.encode() not in Path(f"/proc/{r.proc.pid}/cmdline").read_bytes()
        assert get(base(url) + "/info")[0] == 403
        assert get(f"{base(url)}/info?token={GIVEN}")[0] == 200
        assert r.stop() == (0, "")
    finally:
        if r.proc.poll() is None:
            r.proc.kill()


@pytest.mark.parametrize("module", ["runtime.webcam", "runtime.serve"])
def test_a_short_token_is_refused(run_module, clip, module):
    args = ["--video", str(clip[0]), "--headless", "--serve"] if module == "runtime.webcam" else []
    result = run_module(module, *args, "127.0.0.1:0", "--token", "let-me-in", timeout=60)
    assert result.returncode == 2
    assert "argument --token: a token is at least 16 letters" in result.stderr
    result = run_module(module, *args, "127.0.0.1:0", env={"MNIST_EDGE_TOKEN": "short"},
                        timeout=60)
    assert result.returncode == 2 and "MNIST_EDGE_TOKEN: a token is at least 16" in result.stderr


def test_serve_is_the_pad_alone(running, int8_model):
    r = running("runtime.serve", "--model", str(int8_model), "127.0.0.1:0")
    url = base(r.url())
    status, page = get(url + "/")
    assert status == 200 and b'<canvas id="pad"' in page
    assert json.loads(get(url + "/info")[1]) == {"model": int8_model.name, "camera": False,
                                                  "source": None}
    assert get(url + "/stream.mjpg")[0] == 404
    status, body = get(url + "/read", data=drawn_one())
    assert status == 200 and json.loads(body)["digits"] == "1"
    code, stderr = r.stop()
    assert code == 0 and stderr == ""


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def test_the_pad_refuses_a_pixel_bomb_with_its_memory_bounded(running, int8_model, png_bomb):
    r = running("runtime.serve", "--model", str(int8_model), "127.0.0.1:0")
    url = base(r.url())
    assert json.loads(get(url + "/read", data=drawn_one())[1])["digits"] == "1"  # warmed up
    before = peak_rss_mib(r.proc.pid)
    status, body = get(url + "/read", data=png_bomb, headers={"Content-Type": "image/png"})
    assert status == 413 and "16000x16000" in json.loads(body)["error"]
    # the target is under 300 MiB; refused from its header, it costs only its 250 KiB
    assert peak_rss_mib(r.proc.pid) - before < 50
    broken = bytearray(drawn_one())
    broken[29] ^= 0xFF  # a bad CRC: libpng would print "libpng error: IHDR: CRC error"
    assert get(url + "/read", data=bytes(broken))[0] == 400
    assert get(url + "/info")[0] == 200
    assert r.stop() == (0, "")  # nothing on the console


@pytest.fixture
def busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


@pytest.mark.parametrize("module", ["runtime.webcam", "runtime.serve"])
def test_a_port_in_use_is_one_line_and_exit_2(run_module, one_line_error, clip, busy_port,
                                              module):
    args = ["--video", str(clip[0]), "--headless", "--serve"] if module == "runtime.webcam" else []
    result = run_module(module, *args, f"127.0.0.1:{busy_port}", timeout=60)
    line = one_line_error(result)
    assert result.returncode == 2 and result.stdout == ""
    assert line == (f"{module}: error: --serve 127.0.0.1:{busy_port}: cannot listen there "
                    f"(port {busy_port} is in use by another program)")


@pytest.mark.parametrize("bind, message", [
    ("eighty", "expected [HOST:]PORT"),
    ("127.0.0.1:70000", "expected [HOST:]PORT"),
    ("127.0.0.1:", "expected [HOST:]PORT"),
    ("no-such-host.invalid:8080", "unknown host"),
    ("192.0.2.1:8080", "not one of this machine's"),  # TEST-NET: never a local address
])
def test_a_bad_host_port_is_one_line_and_exit_2(run_module, one_line_error, clip, bind, message):
    result = run_module("runtime.webcam", "--video", str(clip[0]), "--headless", "--serve", bind,
                        timeout=60)
    line = one_line_error(result)
    assert result.returncode == 2 and result.stdout == ""
    assert line.startswith("runtime.webcam: error: --serve") and message in line, line


@pytest.mark.parametrize("flag, value", [("--token", GIVEN), ("--allow-host", "pi.lan"),
                                         ("--stream-fps", "5"), ("--stream-width", "320")])
def test_live_view_options_go_with_serve(run_module, clip, flag, value):
    result = run_module("runtime.webcam", "--video", str(clip[0]), "--headless", flag, value)
    assert result.returncode == 2 and f"{flag} goes with --serve" in result.stderr


@pytest.mark.parametrize("module", ["runtime.webcam", "runtime.serve"])
def test_sigterm_right_at_start_is_a_clean_exit(running, clip, module):
    args = ["--video", str(clip[0]), "--headless", "--serve"] if module == "runtime.webcam" else []
    for _ in range(3):
        r = running(module, *args, "127.0.0.1:0")
        r.url()
        assert r.stop() == (0, "")
