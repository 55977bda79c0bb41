"""A real MQTT broker for the tests: Debian's mosquitto on a free loopback port, a TLS certificate
made on the spot, a subscriber that records what arrives, and a camera the test controls."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

INSTALL = "apt-get install mosquitto (scripts/test.sh installs it)"
START_TIMEOUT = 10.0  # seconds for mosquitto to listen


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is None:
        pytest.fail(f"{name} is not installed: {INSTALL}")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Broker:
    """mosquitto on 127.0.0.1:port, no persistence (a restart forgets retained messages)."""

    def __init__(self, folder: Path, users: dict[str, str] | None = None,
                 tls: dict[str, Path] | None = None):
        self.folder, self.port, self.tls = folder, free_port(), tls
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = [f"listener {self.port} 127.0.0.1", "persistence false",
                 "user root",  # as root it would drop to user mosquitto, who cannot read here
                 f"log_dest file {folder / 'mosquitto.log'}", "log_type all"]
        if users:
            passwords = folder / "passwords"
            for n, (user, password) in enumerate(users.items()):
                create = ["-c"] if n == 0 else []
                subprocess.run([_tool("mosquitto_passwd"), *create, "-b", str(passwords), user,
                                password], check=True, capture_output=True)
            lines += ["allow_anonymous false", f"password_file {passwords}"]
        else:
            lines.append("allow_anonymous true")
        if tls:
            lines += [f"cafile {tls['ca']}", f"certfile {tls['cert']}", f"keyfile {tls['key']}"]
        self.config = folder / "mosquitto.conf"
        self.config.write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen | None = None

    def start(self) -> Broker:
        self.process = subprocess.Popen([_tool("mosquitto"), "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mosquitto did not start: {self.process.stderr.read()!r}\n"
                            f"{self.log()}")
            time.sleep(0.01)
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye to anyone, retained messages gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def url(self, path: str = "", user: str = "") -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{user + '@' if user else ''}127.0.0.1:{self.port}{path}"


def make_certificates(folder: Path) -> dict[str, Path]:
    """A private CA and a certificate for 127.0.0.1 and localhost signed by it (openssl)."""
    openssl = _tool("openssl")
    folder.mkdir(parents=True, exist_ok=True)
    p = {name: folder / name for name in ("ca", "ca.key", "cert", "key", "csr", "ext")}
    p["ext"].write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                        "keyUsage=critical,digitalSignature,keyEncipherment\n"
                        "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\n"
                        "authorityKeyIdentifier=keyid,issuer\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (
        ["req", "-x509", *ec, "-keyout", p["ca.key"], "-out", p["ca"], "-days", "2",
         "-subj", "/CN=mnist-edge test CA"],
        ["req", *ec, "-keyout", p["key"], "-out", p["csr"], "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", p["csr"], "-CA", p["ca"], "-CAkey", p["ca.key"],
         "-CAcreateserial", "-out", p["cert"], "-days", "2", "-extfile", p["ext"]],
    ):
        subprocess.run([openssl, *map(str, command)], check=True, capture_output=True)
    return {"ca": p["ca"], "cert": p["cert"], "key": p["key"]}


class Subscriber:
    """Records (topic, payload, retained) of everything under `topics`; `connect` again after a
    broker restart (it retries until the broker listens: it must be back before the reader)."""

    def __init__(self, broker: Broker, topics: tuple[str, ...] = ("#",), **login):
        self.broker, self.topics, self.login = broker, topics, login
        self.messages: list[tuple[str, str, bool]] = []
        self.arrived = threading.Condition()
        self.client: mqtt.Client | None = None

    def connect(self, timeout: float = 10.0) -> Subscriber:
        self.close()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        if self.login:
            client.username_pw_set(self.login["user"], self.login["password"])
        if self.broker.tls:
            client.tls_set(ca_certs=str(self.broker.tls["ca"]))
        client.on_message = self._record
        subscribed = threading.Event()
        client.on_subscribe = lambda *_: subscribed.set()
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.connect("127.0.0.1", self.broker.port)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
        client.subscribe([(topic, 1) for topic in self.topics])
        client.loop_start()
        assert subscribed.wait(timeout), "the broker did not confirm the subscription"
        self.client = client
        return self

    def _record(self, _client, _data, message) -> None:
        with self.arrived:
            self.messages.append((message.topic, message.payload.decode(), bool(message.retain)))
            self.arrived.notify_all()

    def payloads(self, topic: str) -> list[str]:
        with self.arrived:
            return [payload for t, payload, _ in self.messages if t == topic]

    def wait_for(self, test, timeout: float = 20.0) -> bool:
        """Wait until test(self) holds; False after `timeout` seconds."""
        with self.arrived:
            return self.arrived.wait_for(lambda: test(self), timeout)

    def close(self) -> None:
        if self.client is not None:
            self.client.loop_stop()
            self.client.disconnect()
            self.client = None


FAKE_PICAMERA = '''
"""A Raspberry Pi camera the test controls: it shows FAKE_CAMERA_FRAMES/<name>.png, the name
being what the file FAKE_CAMERA_SHOWS holds, at about 30 frames per second."""
import os, time
import cv2

class Picamera2:
    def __init__(self):
        self.pictures = {}

    def create_video_configuration(self, main):
        return {"main": main}

    def configure(self, config):
        pass

    def start(self):
        pass

    def capture_array(self):
        time.sleep(1 / 30)
        with open(os.environ["FAKE_CAMERA_SHOWS"]) as f:
            name = f.read().strip()
        if name not in self.pictures:
            folder = os.environ["FAKE_CAMERA_FRAMES"]
            self.pictures[name] = cv2.imread(os.path.join(folder, name + ".png"))
        return self.pictures[name].copy()

    def stop(self):
        pass

    def close(self):
        pass
'''


class FakeCamera:
    """picamera2 faked on PYTHONPATH (`env`): it shows the picture the test names with `show`."""

    def __init__(self, folder: Path, pictures: dict[str, object]):
        import cv2

        (folder / "picamera2").mkdir(parents=True)
        (folder / "picamera2" / "__init__.py").write_text(FAKE_PICAMERA)
        for name, picture in pictures.items():
            cv2.imwrite(str(folder / f"{name}.png"), picture)
        self.shows = folder / "shows"
        self.show(next(iter(pictures)))
        self.env = {"PYTHONPATH": str(folder), "FAKE_CAMERA_FRAMES": str(folder),
                    "FAKE_CAMERA_SHOWS": str(self.shows)}

    def show(self, name: str) -> None:
        tmp = self.shows.with_suffix(".tmp")
        tmp.write_text(name)
        tmp.replace(self.shows)  # the camera never reads half a name


class Reader:
    """`python -m runtime.webcam ARGS` in the background; its stdout and stderr lines collected
    as they come."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "runtime.webcam", *args], cwd=root,
            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.changed = threading.Condition()
        self.readers = [threading.Thread(target=self._collect, args=(stream, into), daemon=True)
                        for stream, into in ((self.process.stdout, self.lines),
                                             (self.process.stderr, self.errors))]
        for thread in self.readers:
            thread.start()

    def _collect(self, stream, into: list[str]) -> None:
        for line in stream:
            with self.changed:
                into.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_lines(self, count: int, timeout: float = 30.0) -> list[str]:
        """The first `count` lines on stdout (fails with stderr when they do not come)."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.lines) >= count, timeout):
                pytest.fail(f"the reader printed {self.lines} only; stderr: {self.errors}")
            return list(self.lines[:count])

    def wait_error(self, text: str, timeout: float = 30.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: any(text in e for e in self.errors), timeout):
                pytest.fail(f"no {text!r} on stderr: {self.errors}")

    def stop(self, sig: int | None = signal.SIGTERM, timeout: float = 90.0) -> int:
        """Send `sig` (None: let it end by itself); its exit code once all it printed is read."""
        if sig is not None and self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        for thread in self.readers:
            thread.join(timeout=5)
        return code
