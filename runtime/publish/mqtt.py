"""The MQTT publisher: every stable reading reaches the broker, in order, while it comes and goes.

One thread owns the connection, a paho-mqtt client it drives with `loop`. It connects (a new
client each time, so nothing of a dead connection lingers), announces itself (`online`, the Home
Assistant config, the last reading: a broker restarted without persistence has forgotten them
all), then sends the outbox oldest first, at most WINDOW readings unconfirmed, and takes a reading
off only when the broker confirmed it (QoS 1's PUBACK). A lost connection puts what was not
confirmed back in front; the thread tries again after a pause that doubles up to RETRY_MAX. QoS 1
is "at least once": a reading the broker got but whose confirmation was lost with the connection
is sent again, so a subscriber may see it twice (same frame), never out of order.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TextIO

import paho.mqtt.client as mqtt

from runtime.errors import UserError
from runtime.publish.discovery import OFFLINE, ONLINE, config, config_topic
from runtime.publish.options import TOPIC_ROOT, MqttOptions
from runtime.publish.outbox import Outbox

QOS = 1
WINDOW = 10  # readings sent and not yet confirmed, at most
KEEPALIVE = 30  # seconds: a broker gone silent (Wi-Fi lost) is noticed within 1.5 times this
ANSWER_TIMEOUT = 10.0  # seconds for the broker to answer CONNECT
POLL = 0.1  # seconds the thread waits on the network before it looks at the outbox again
RETRY_FIRST, RETRY_MAX = 0.5, 5.0  # seconds between attempts to connect: doubling, capped
# After a reconnect, the readings that waited follow `online` after this pause, so that clients
# that lost (or found) the broker with us and subscribe within it see each one: MQTT gives a
# client that was not subscribed only the last retained message. (Home Assistant retries every
# 10 s: it may get only the newest of a backlog, which is retained.)
BACKLOG_PAUSE = 3.0
GOODBYE_WAIT = 2.0  # seconds for the broker to confirm `offline` at a clean stop
AUTH_REFUSALS = {"Bad user name or password", "Not authorized"}


class BrokerProblem(Exception):
    """Why there is no connection, in words for one line."""


@dataclass(frozen=True)
class Counts:
    """What became of the readings: confirmed by the broker, still waiting, dropped (queue full)."""

    published: int
    queued: int
    dropped: int

    @property
    def lost(self) -> bool:
        return self.queued > 0 or self.dropped > 0

    def __str__(self) -> str:
        return (f"mqtt: {self.published} published, {self.queued} queued, "
                f"{self.dropped} dropped")


def _refusal(reason: object) -> str:
    text = str(reason)
    hint = " (check the user name and password)" if text in AUTH_REFUSALS else ""
    return f"refused the connection: {text.lower()}{hint}"


def _os_problem(error: OSError) -> str:
    """An OSError from connecting, as the one thing the user can act on."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"has a TLS certificate we do not trust ({error.verify_message}; "
                "--mqtt-ca FILE names a private CA)")
    if isinstance(error, ssl.SSLError):
        return f"failed the TLS handshake ({error.reason or error}; is it an mqtts:// port?)"
    if isinstance(error, socket.gaierror):
        return "is not a known host name"
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "did not answer (timed out)"
    return f"is unreachable ({error.strerror or error})"


class Publisher:
    """`publish` JSON payloads to PREFIX/reading; `close` waits for them and says what became of
    them. Thread-safe: the reader thread publishes, the connection thread sends."""

    def __init__(self, options: MqttOptions, model: str, prog: str, notes: TextIO = sys.stderr):
        self.options = options
        self.discovery = json.dumps(config(options, model)) if options.discovery else None
        self.outbox = Outbox(options.queue)
        self.prog, self.notes = prog, notes
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="mqtt", daemon=True)
        self._first: mqtt.Client | None = None  # connected by start() with --mqtt-required
        self._said: str | None = ""  # the state last reported: "" none yet, None connected
        self.closed = False

    def start(self) -> Publisher:
        """Start the connection thread; with `required`, connect first or raise a UserError."""
        if self.options.required:
            try:
                self._first = self._connect()
            except BrokerProblem as e:
                raise UserError(f"MQTT broker {self.options.where} {e}") from None
        self.thread.start()
        return self

    def publish(self, payload: str) -> None:
        self.outbox.put(payload)

    def close(self, drain: float) -> Counts:
        """Wait up to `drain` seconds for the broker to confirm every reading (Ctrl-C stops
        waiting), say `offline`, disconnect."""
        if not self.closed:
            self.closed = True
            try:
                if drain > 0 and not self.outbox.idle():
                    self._note(f"mqtt: waiting up to {drain:g} s for the broker to take "
                               f"{self.outbox.pending} reading(s) (Ctrl-C stops waiting)")
                    self.outbox.wait_empty(drain)
            except KeyboardInterrupt:
                pass
            finally:
                self.stopping.set()
                if self.thread.ident is not None:
                    self.thread.join(timeout=ANSWER_TIMEOUT + GOODBYE_WAIT)
        return Counts(self.outbox.delivered, self.outbox.pending, self.outbox.dropped)

    def _note(self, text: str) -> None:
        print(f"{self.prog}: {text}", file=self.notes, flush=True)

    def _report(self, problem: str | None) -> None:
        """One line when the state changes (connected, or a new problem), not one per attempt."""
        if problem == self._said:
            return
        self._said = problem
        where = f"MQTT broker {self.options.where}"
        if problem is None:
            self._note(f"mqtt: connected to {self.options.where}, readings on "
                       f"{self.options.reading_topic}")
        else:
            self._note(f"warning: {where} {problem}: readings wait (up to "
                       f"{self.options.queue}) and are sent when it is back")

    def _run(self) -> None:
        delay = RETRY_FIRST
        client, self._first = self._first, None
        while not self.stopping.is_set():
            try:
                client = client or self._connect()
                self._report(None)
                delay = RETRY_FIRST
                self._serve(client)
            except (BrokerProblem, OSError, ValueError) as e:  # OSError: a socket or TLS error
                self.outbox.rewind()  # in the middle of a connection; never a dead thread
                self._report(str(e) if isinstance(e, BrokerProblem) else f"failed ({e})")
                self.stopping.wait(delay)
                delay = min(2 * delay, RETRY_MAX)
            client = None

    def _client(self) -> mqtt.Client:
        o = self.options
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                             client_id=f"{TOPIC_ROOT}-{o.device_id}", protocol=mqtt.MQTTv311,
                             clean_session=True)
        if o.user is not None:
            client.username_pw_set(o.user, o.password)
        if o.tls:
            client.tls_set(ca_certs=str(o.ca_file) if o.ca_file is not None else None)
        client.will_set(o.availability_topic, OFFLINE, qos=QOS, retain=True)
        return client

    def _connect(self) -> mqtt.Client:
        """A connected client, or BrokerProblem."""
        client = self._client()
        answers: list = []
        client.on_connect = lambda _client, _data, _flags, reason, _props: answers.append(reason)
        try:
            client.connect(self.options.host, self.options.port, keepalive=KEEPALIVE)
            deadline = time.monotonic() + ANSWER_TIMEOUT
            while not answers:
                # a refusal is read with the close that follows it: look at the answer first
                if client.loop(POLL) != mqtt.MQTT_ERR_SUCCESS and not answers:
                    tls = "" if self.options.tls else " (a TLS port? then mqtts://)"
                    raise BrokerProblem(f"closed the connection without answering{tls}")
                if time.monotonic() > deadline or self.stopping.is_set():
                    raise BrokerProblem(f"did not answer within {ANSWER_TIMEOUT:g} s")
            if answers[0].is_failure:
                raise BrokerProblem(_refusal(answers[0]))
            return client
        except OSError as e:
            _drop(client)
            raise BrokerProblem(_os_problem(e)) from None
        except BrokerProblem:
            _drop(client)
            raise

    def _serve(self, client: mqtt.Client) -> None:
        """Announce, then send readings oldest first until close() (or BrokerProblem)."""
        backlog = not self.outbox.idle()
        self._announce(client, reading=not backlog)
        start_at = time.monotonic() + (BACKLOG_PAUSE if backlog else 0.0)
        sent: deque[mqtt.MQTTMessageInfo] = deque()
        try:
            while not self.stopping.is_set():
                if time.monotonic() >= start_at:
                    for payload in self.outbox.take(WINDOW):
                        sent.append(client.publish(self.options.reading_topic, payload, qos=QOS,
                                                   retain=True))
                if client.loop(POLL) != mqtt.MQTT_ERR_SUCCESS:
                    raise BrokerProblem("closed the connection")
                confirmed = 0
                while sent and sent[0].is_published():
                    sent.popleft()
                    confirmed += 1
                self.outbox.settle(confirmed)
            self._goodbye(client)
        finally:
            _drop(client)

    def _announce(self, client: mqtt.Client, reading: bool) -> None:
        """`online`, the discovery config and (unless newer ones wait) the last reading."""
        o = self.options
        client.publish(o.availability_topic, ONLINE, qos=QOS, retain=True)
        if self.discovery is not None:
            client.publish(config_topic(o.device_id), self.discovery, qos=QOS, retain=True)
        if reading and self.outbox.last is not None:
            client.publish(o.reading_topic, self.outbox.last, qos=QOS, retain=True)

    def _goodbye(self, client: mqtt.Client) -> None:
        """A clean stop: `offline` (retained) confirmed, then DISCONNECT (no last will then)."""
        info = client.publish(self.options.availability_topic, OFFLINE, qos=QOS, retain=True)
        deadline = time.monotonic() + GOODBYE_WAIT
        while not info.is_published() and time.monotonic() < deadline:
            if client.loop(POLL) != mqtt.MQTT_ERR_SUCCESS:
                return
        client.disconnect()


def _drop(client: mqtt.Client) -> None:
    """Close a client's socket now: an outage makes a new client every few seconds."""
    sock = client.socket()
    if sock is not None:
        try:
            sock.close()
        except OSError:
            pass
