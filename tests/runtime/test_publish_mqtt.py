"""runtime.publish.mqtt.Publisher against a real broker: a bounded queue that drops the oldest,
order under load, the last reading announced again to a broker that forgot it, bounded waits,
and no file descriptor left behind by an outage of any length."""

from __future__ import annotations

import io
import os
import socket
import threading
import time

import pytest

from runtime.errors import UserError
from runtime.publish import mqtt as publisher_module
from runtime.publish.mqtt import Publisher
from runtime.publish.options import MqttOptions

TOPIC = "mnist-edge/test/reading"


def options(port: int, **kw) -> MqttOptions:
    return MqttOptions("127.0.0.1", port, tls=False, prefix="mnist-edge/test", device_id="test",
                       **kw)


def start(port: int, notes: io.StringIO | None = None, **kw) -> Publisher:
    return Publisher(options(port, **kw), "model.tflite", "test", notes or io.StringIO()).start()


def test_a_full_queue_drops_the_oldest_and_delivers_the_rest_in_order(mqtt_kit, make_broker):
    broker = make_broker()  # not started yet
    notes = io.StringIO()
    publisher = start(broker.port, notes, queue=3)
    for n in range(1, 6):
        publisher.publish(str(n))
    assert (publisher.outbox.pending, publisher.outbox.dropped) == (3, 2)
    broker.start()
    subscriber = mqtt_kit.Subscriber(broker, topics=(TOPIC,)).connect()
    counts = publisher.close(drain=30)
    assert (counts.published, counts.queued, counts.dropped) == (3, 0, 2)
    assert subscriber.wait_for(lambda s: len(s.payloads(TOPIC)) == 3)
    assert subscriber.payloads(TOPIC) == ["3", "4", "5"]
    warnings = [line for line in notes.getvalue().splitlines() if "warning" in line]
    assert len(warnings) == 1 and "is unreachable" in warnings[0]  # once, not per attempt


def test_many_readings_arrive_in_order(mqtt_kit, make_broker):
    broker = make_broker().start()
    subscriber = mqtt_kit.Subscriber(broker, topics=(TOPIC,)).connect()
    publisher = start(broker.port)
    sent = [f'{{"frame": {n}}}' for n in range(500)]
    for payload in sent:
        publisher.publish(payload)
    counts = publisher.close(drain=60)
    assert (counts.published, counts.queued, counts.dropped) == (500, 0, 0)
    assert subscriber.wait_for(lambda s: len(s.payloads(TOPIC)) == 500)
    assert subscriber.payloads(TOPIC) == sent


def test_the_last_reading_is_published_again_to_a_broker_that_forgot_it(mqtt_kit, make_broker):
    broker = make_broker().start()
    publisher = start(broker.port)
    publisher.publish("42")
    assert publisher.outbox.wait_empty(10)
    broker.kill()  # no persistence: the retained reading is gone
    broker.start()
    subscriber = mqtt_kit.Subscriber(broker).connect()
    assert subscriber.wait_for(lambda s: s.payloads(TOPIC) == ["42"], timeout=20)
    assert subscriber.payloads("mnist-edge/test/availability") == ["online"]
    assert len(subscriber.payloads("homeassistant/sensor/test/reading/config")) == 1
    later = mqtt_kit.Subscriber(broker).connect()  # and retained, for whoever comes later
    assert later.wait_for(lambda s: len(s.messages) == 3, timeout=5)
    assert all(retained for _, _, retained in later.messages)
    counts = publisher.close(drain=5)
    assert (counts.published, counts.queued, counts.dropped) == (1, 0, 0)  # counted once


def test_close_gives_up_after_the_drain_time(mqtt_kit):
    publisher = start(mqtt_kit.free_port())
    publisher.publish("1")
    publisher.publish("2")
    started = time.monotonic()
    counts = publisher.close(drain=1.0)
    assert time.monotonic() - started < 3.0
    assert (counts.published, counts.queued, counts.dropped) == (0, 2, 0)


def test_a_server_that_never_answers_is_an_error_in_bounded_time(monkeypatch):
    monkeypatch.setattr(publisher_module, "ANSWER_TIMEOUT", 0.5)
    with socket.socket() as silent:  # the kernel completes TCP handshakes; nobody speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        with pytest.raises(UserError, match=r"did not answer within 0.5 s"):
            start(silent.getsockname()[1], required=True)
        assert time.monotonic() - started < 3.0


def _hang_up_server() -> tuple[socket.socket, threading.Event]:
    """A TCP server that accepts each connection and closes it at once."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.05)
    done = threading.Event()

    def serve():
        while not done.is_set():
            try:
                connection, _ = server.accept()
                connection.close()
            except OSError:
                continue

    threading.Thread(target=serve, daemon=True).start()
    return server, done


@pytest.mark.parametrize("kind", ["refused", "hang-up"])
def test_an_outage_leaks_no_file_descriptor(mqtt_kit, monkeypatch, kind):
    monkeypatch.setattr(publisher_module, "RETRY_FIRST", 0.005)
    monkeypatch.setattr(publisher_module, "RETRY_MAX", 0.005)
    attempts = []
    real_client = Publisher._client
    monkeypatch.setattr(Publisher, "_client", lambda self: attempts.append(1) or real_client(self))
    server, done = _hang_up_server() if kind == "hang-up" else (None, None)
    port = server.getsockname()[1] if server else mqtt_kit.free_port()
    publisher = start(port)
    time.sleep(0.5)
    before, tried = len(os.listdir("/proc/self/fd")), len(attempts)
    time.sleep(1.5)
    after = len(os.listdir("/proc/self/fd"))
    assert len(attempts) - tried >= 20  # it really kept trying
    assert after <= before + 2, (before, after)
    publisher.close(drain=0)
    if server:
        done.set()
        server.close()
