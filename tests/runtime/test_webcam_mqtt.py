"""runtime.webcam --mqtt against a real broker (Debian's mosquitto, started here): every stable
reading arrives, in order, whether the broker is down at start or killed mid-stream; availability,
the last will, Home Assistant discovery, passwords, TLS; and --headless --json."""

from __future__ import annotations

import json
import re
import signal

import cv2
import numpy as np
import pytest

from runtime.publish.options import PASSWORD_ENV

VIDEO = "docs/sample-video.mp4"  # 2024, then 31415
VIDEO_NUMBERS = ["2024", "31415"]
CAMERA_NUMBERS = {"42": [4, 2], "7": [7], "195": [1, 9, 5], "38": [3, 8]}
BLANK = "blank"  # a page with nothing on it: "no digits" is a stable change too


def topics(device: str) -> dict[str, str]:
    prefix = f"mnist-edge/{device}"
    return {"reading": f"{prefix}/reading", "availability": f"{prefix}/availability",
            "config": f"homeassistant/sensor/{device}/reading/config"}


def in_order_once(subscriber, topic: str) -> list[dict]:
    """The readings as first received, checking that a repeat (QoS 1 is at least once: a reading
    sent again after a lost confirmation) is the very same message."""
    first: dict[int, dict] = {}
    for payload in subscriber.payloads(topic):
        message = json.loads(payload)
        assert first.setdefault(message["frame"], message) == message
    return list(first.values())


def summary_counts(errors: list[str]) -> tuple[int, int, int]:
    line = next(e for e in errors if e.startswith("done: "))
    match = re.search(r"mqtt: (\d+) published, (\d+) queued, (\d+) dropped$", line)
    assert match, line
    return tuple(int(n) for n in match.groups())


@pytest.fixture(scope="module")
def camera_pictures(pages, mnist_test) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20)
    pictures = {}
    for name, digits in CAMERA_NUMBERS.items():
        idx = [int(np.flatnonzero(mnist_test.labels == d)[2]) for d in digits]
        pictures[name] = cv2.resize(pages.render([mnist_test.images[i] for i in idx], rng),
                                    (640, 480))
    pictures[BLANK] = np.full((480, 640, 3), 225, np.uint8)
    return pictures


def test_the_broker_down_at_start_loses_no_reading(mqtt_kit, make_broker, start_reader,
                                                   int8_model):
    """The maintainers' scenario: the reader starts first, the broker a few seconds later."""
    broker = make_broker()
    names = topics("kitchen")
    reader = start_reader("--video", VIDEO, "--headless", "--json", "--model",
                             str(int8_model), "--mqtt", broker.url(), "--device-id", "kitchen")
    printed = [json.loads(line) for line in reader.wait_lines(2)]  # read, and waiting
    reader.wait_error("is unreachable (Connection refused): readings wait")
    subscriber = mqtt_kit.Subscriber(broker)
    broker.start()
    subscriber.connect()
    assert reader.stop(sig=None) == 0, reader.errors
    assert subscriber.wait_for(lambda s: len(s.payloads(names["reading"])) >= 2)
    assert [m["digits"] for m in printed] == VIDEO_NUMBERS
    assert in_order_once(subscriber, names["reading"]) == printed
    assert len(reader.lines) == 2  # stdout: the JSON lines and nothing else
    assert summary_counts(reader.errors) == (2, 0, 0)
    assert subscriber.payloads(names["availability"]) == ["online", "offline"]
    config = json.loads(subscriber.payloads(names["config"])[0])
    assert config["state_topic"] == config["json_attributes_topic"] == names["reading"]
    assert config["availability_topic"] == names["availability"]
    assert config["device"]["model"] == int8_model.name
    # what a dashboard that connects later gets: all three retained
    later = mqtt_kit.Subscriber(broker).connect()
    assert later.wait_for(lambda s: len(s.messages) >= 3, timeout=5)
    assert all(retained for _, _, retained in later.messages)
    assert json.loads(later.payloads(names["reading"])[0]) == printed[-1]
    assert later.payloads(names["availability"]) == ["offline"]
    assert len(later.payloads(names["config"])) == 1


def test_a_broker_killed_mid_stream_loses_no_reading(mqtt_kit, make_broker, start_reader,
                                                      tmp_path, camera_pictures, int8_model):
    broker = make_broker().start()
    subscriber = mqtt_kit.Subscriber(broker).connect()
    camera = mqtt_kit.FakeCamera(tmp_path / "camera", camera_pictures)
    names = topics("desk")
    reader = start_reader("--picamera", "--headless", "--json", "--model",
                             str(int8_model), "--mqtt", broker.url(), "--device-id", "desk",
                             env=camera.env)
    reader.wait_lines(1)
    assert subscriber.wait_for(lambda s: len(s.payloads(names["reading"])) == 1)
    broker.kill()  # SIGKILL: its retained messages are gone with it
    reader.wait_error("closed the connection")
    for count, name in enumerate(["7", BLANK, "195"], start=2):
        camera.show(name)
        reader.wait_lines(count)
    broker.start()
    subscriber.connect()
    camera.show("38")
    printed = [json.loads(line) for line in reader.wait_lines(5)]
    assert subscriber.wait_for(lambda s: len(in_order_once(s, names["reading"])) >= 5)
    # the broker forgot everything: the reader announced itself again after reconnecting
    later = mqtt_kit.Subscriber(broker).connect()
    assert later.wait_for(lambda s: len(s.messages) >= 3, timeout=5)
    assert later.payloads(names["availability"]) == ["online"]
    assert json.loads(later.payloads(names["config"])[0])["state_topic"] == names["reading"]
    assert json.loads(later.payloads(names["reading"])[0]) == printed[-1]
    assert reader.stop(signal.SIGTERM) == 0, reader.errors
    assert [m["digits"] for m in printed] == ["42", "7", "", "195", "38"]
    assert in_order_once(subscriber, names["reading"]) == printed
    assert summary_counts(reader.errors) == (5, 0, 0)
    assert sum("mqtt: connected to" in e for e in reader.errors) == 2
    assert subscriber.payloads(names["availability"])[-1] == "offline"  # a clean stop says so


def test_the_last_will_says_offline_when_the_reader_is_killed(mqtt_kit, make_broker, start_reader,
                                                              tmp_path, camera_pictures,
                                                              int8_model):
    broker = make_broker().start()
    names = topics("garage")
    subscriber = mqtt_kit.Subscriber(broker, topics=(names["availability"],)).connect()
    camera = mqtt_kit.FakeCamera(tmp_path / "camera", camera_pictures)
    reader = start_reader("--picamera", "--headless", "--model", str(int8_model),
                             "--mqtt", broker.url(), "--device-id", "garage", env=camera.env)
    assert subscriber.wait_for(lambda s: s.payloads(names["availability"]) == ["online"])
    assert reader.stop(signal.SIGKILL) == -signal.SIGKILL
    assert subscriber.wait_for(lambda s: s.payloads(names["availability"]) == ["online",
                                                                              "offline"])
    later = mqtt_kit.Subscriber(broker, topics=(names["availability"],)).connect()
    assert later.wait_for(lambda s: s.messages == [(names["availability"], "offline", True)])


def test_a_password_from_the_environment_and_no_discovery(mqtt_kit, make_broker, run_module):
    broker = make_broker(users={"reader": "s3cret:#"}).start()
    subscriber = mqtt_kit.Subscriber(broker, user="reader", password="s3cret:#").connect()
    names = topics("porch")
    result = run_module("runtime.webcam", "--video", VIDEO, "--headless", "--mqtt",
                        broker.url(user="reader"), "--device-id", "porch", "--no-discovery",
                        env={PASSWORD_ENV: "s3cret:#"})
    assert result.returncode == 0, result.stderr
    assert "mqtt: 2 published, 0 queued, 0 dropped" in result.stdout.splitlines()[-1]
    assert subscriber.wait_for(lambda s: s.payloads(names["availability"])[-1:] == ["offline"])
    assert [json.loads(p)["digits"] for p in subscriber.payloads(names["reading"])] == \
        VIDEO_NUMBERS
    assert not subscriber.payloads(names["config"])
    assert "s3cret" not in result.stdout + result.stderr


def test_a_wrong_password_is_one_clear_line(make_broker, run_module, one_line_error):
    broker = make_broker(users={"reader": "right"}).start()
    url = broker.url(user="reader:wrong")
    line = one_line_error(run_module("runtime.webcam", "--video", VIDEO, "--headless",
                                     "--mqtt", url, "--mqtt-required"))
    assert line == (f"runtime.webcam: error: MQTT broker 127.0.0.1:{broker.port} refused the "
                    "connection: not authorized (check the user name and password)")
    # without --mqtt-required: one warning (not one per retry), the video read, nothing lost
    # silently: the summary counts what waits and the exit code is 1
    result = run_module("runtime.webcam", "--video", VIDEO, "--headless", "--mqtt", url,
                        "--mqtt-drain", "2")
    assert result.returncode == 1, result.stderr
    warnings = [e for e in result.stderr.splitlines() if "refused" in e]
    assert len(warnings) == 1 and warnings[0].startswith("runtime.webcam: warning: "), warnings
    assert result.stdout.splitlines()[-1].endswith("mqtt: 0 published, 2 queued, 0 dropped")


def test_tls_with_a_private_ca(mqtt_kit, make_broker, tmp_path, run_module, one_line_error):
    certificates = mqtt_kit.make_certificates(tmp_path / "certs")
    broker = make_broker(tls=certificates).start()
    subscriber = mqtt_kit.Subscriber(broker).connect()  # over TLS too
    names = topics("attic")
    result = run_module("runtime.webcam", "--video", VIDEO, "--headless", "--mqtt",
                        broker.url(), "--mqtt-ca", str(certificates["ca"]), "--device-id",
                        "attic", "--mqtt-required")
    assert result.returncode == 0, result.stderr
    assert subscriber.wait_for(lambda s: len(s.payloads(names["reading"])) == 2)
    assert [json.loads(p)["digits"] for p in subscriber.payloads(names["reading"])] == \
        VIDEO_NUMBERS
    # the system's CAs do not know ours; plain MQTT to the TLS port
    untrusted = one_line_error(run_module("runtime.webcam", "--video", VIDEO, "--headless",
                                          "--mqtt", broker.url(), "--mqtt-required"))
    assert "has a TLS certificate we do not trust" in untrusted and "--mqtt-ca" in untrusted
    plain = one_line_error(run_module("runtime.webcam", "--video", VIDEO, "--headless", "--mqtt",
                                      broker.url().replace("mqtts:", "mqtt:"),
                                      "--mqtt-required"))
    assert "closed the connection without answering (a TLS port? then mqtts://)" in plain


def test_an_unreachable_broker_with_mqtt_required(mqtt_kit, run_module, one_line_error):
    port = mqtt_kit.free_port()
    line = one_line_error(run_module("runtime.webcam", "--video", VIDEO, "--headless", "--mqtt",
                                     f"mqtt://127.0.0.1:{port}", "--mqtt-required"))
    assert line == (f"runtime.webcam: error: MQTT broker 127.0.0.1:{port} is unreachable "
                    "(Connection refused)")


def test_headless_json_prints_only_json_on_stdout(run_module):
    result = run_module("runtime.webcam", "--video", VIDEO, "--headless", "--json")
    assert result.returncode == 0, result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    assert [m["digits"] for m in messages] == VIDEO_NUMBERS
    for m in messages:
        assert set(m) == {"path", "digits", "lines", "items", "frame", "time", "timestamp"}
        assert m["path"] == VIDEO and m["lines"][0]["digits"] == m["digits"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", m["timestamp"])
    assert messages[0]["frame"] < messages[1]["frame"] and messages[0]["time"] < \
        messages[1]["time"]
    notes = result.stderr.splitlines()  # --model auto's choice, then the summary
    assert notes[-1].startswith("done: ") and "31415" in notes[-1]
    assert all(line.startswith("model ") for line in notes[:-1]) and len(notes) <= 2


@pytest.mark.parametrize("args, message", [
    (["--mqtt", "http://broker"], "is not an MQTT URL"),
    (["--mqtt", "mqtt://broker:99999"], "port must be a number from 1 to 65535"),
    (["--mqtt", "mqtt://broker:0"], "port must be a number from 1 to 65535"),
    (["--mqtt", "mqtt://"], "names no host"),
    (["--mqtt", "mqtt://broker/home/+/meter"], "wildcard"),
    (["--mqtt", "mqtt://broker/home//meter"], "empty level"),
    (["--mqtt", "mqtt://me:pa#ss@broker"], "as %23"),
    (["--mqtt", "mqtt://broker", "--device-id", "my pi"], "a device id is 1 to 64 letters"),
    (["--mqtt", "mqtt://broker", "--mqtt-drain", "-1"], "seconds, 0 or more"),
    (["--mqtt", "mqtt://broker", "--mqtt-queue", "0"], "at least 1"),
    (["--mqtt-ca", "ca.pem"], "--mqtt-ca goes with --mqtt"),
    (["--no-discovery"], "--no-discovery goes with --mqtt"),
    (["--mqtt-required"], "--mqtt-required goes with --mqtt"),
])
def test_bad_publishing_arguments_are_usage_errors(run_module, args, message):
    result = run_module("runtime.webcam", "--video", VIDEO, "--headless", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]  # after argparse's usage
    assert last.startswith("runtime.webcam: error: ") and message in last, last


def test_json_needs_headless(run_module):
    result = run_module("runtime.webcam", "--video", VIDEO, "--json")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("error: --json goes with --headless")


@pytest.mark.parametrize("args, message", [
    (["--mqtt", "mqtts://broker", "--mqtt-ca", "{tmp}/missing.pem"], "file not found"),
    (["--mqtt", "mqtts://broker", "--mqtt-ca", "{tmp}/notes.txt"], "not a PEM certificate"),
    (["--mqtt", "mqtt://broker", "--mqtt-ca", "{tmp}/notes.txt"], "goes with an mqtts:// URL"),
    (["--mqtt", "mqtt://broker"], f"{PASSWORD_ENV} is set but --mqtt names no user"),
])
def test_bad_broker_settings_are_one_line_before_anything_starts(run_module, one_line_error,
                                                                 tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    args = [a.format(tmp=tmp_path) for a in args]
    env = {PASSWORD_ENV: "secret"} if "names no user" in message else {PASSWORD_ENV: ""}
    result = run_module("runtime.webcam", "--video", VIDEO, "--headless", *args, env=env)
    line = one_line_error(result)
    assert line.startswith("runtime.webcam: error: ") and message in line, line
    assert result.returncode == 2 and result.stdout == ""


def test_the_help_names_the_publishing_flags(run_module):
    result = run_module("runtime.webcam", "--help")
    for flag in ("--json", "--mqtt URL", "--mqtt-ca", "--device-id", "--no-discovery",
                 "--mqtt-required", "--mqtt-queue", "--mqtt-drain", PASSWORD_ENV):
        assert flag in result.stdout, flag
