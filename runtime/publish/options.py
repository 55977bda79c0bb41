"""The broker and the topics: `--mqtt mqtt[s]://[USER[:PASSWORD]@]HOST[:PORT][/PREFIX]`, checked
before a model is loaded or a camera opened, so a typo is one line and exit 2."""

from __future__ import annotations

import argparse
import re
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from runtime.errors import UserError

PORTS = {"mqtt": 1883, "mqtts": 8883}  # scheme -> default port
PASSWORD_ENV = "MNIST_EDGE_MQTT_PASSWORD"  # a password kept out of `ps` and shell history
TOPIC_ROOT = "mnist-edge"  # the default prefix is TOPIC_ROOT/<device id>
DEFAULT_QUEUE = 1000  # readings that wait for the broker (about 1 KB each)
DEFAULT_DRAIN = 30.0  # seconds the end of a run waits for the broker to take the queue
DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a topic level and a Home Assistant id
FALLBACK_DEVICE = "reader"
URL_FORM = "mqtt[s]://[USER[:PASSWORD]@]HOST[:PORT][/PREFIX]"


@dataclass(frozen=True)
class BrokerUrl:
    """What --mqtt says; the password may still come from the environment."""

    host: str
    port: int
    tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    prefix: str | None = None  # None: TOPIC_ROOT/<device id>


@dataclass(frozen=True)
class MqttOptions:
    """Everything the publisher needs, validated."""

    host: str
    port: int
    tls: bool
    prefix: str
    device_id: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    discovery: bool = True
    queue: int = DEFAULT_QUEUE
    required: bool = False

    @property
    def where(self) -> str:
        """host:port as a person writes it ([::1]:1883 for IPv6)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def reading_topic(self) -> str:
        return f"{self.prefix}/reading"

    @property
    def availability_topic(self) -> str:
        return f"{self.prefix}/availability"


def _check_prefix(prefix: str) -> str:
    """A topic prefix a subscriber can match: no wildcards, no empty level, no $ at the start."""
    if any(c in prefix for c in "+#\0"):
        raise ValueError(f"the topic prefix {prefix!r} holds a wildcard (+ or #) or a NUL")
    if "" in prefix.split("/"):
        raise ValueError(f"the topic prefix {prefix!r} has an empty level (//)")
    if prefix.startswith("$"):
        raise ValueError(f"the topic prefix {prefix!r} starts with $ (reserved for the broker)")
    return prefix


def parse_url(text: str) -> BrokerUrl:
    """--mqtt's value, or ValueError saying what is wrong with it."""
    parts = urlsplit(text)
    if parts.scheme not in PORTS:
        raise ValueError(f"{text!r} is not an MQTT URL: {URL_FORM}")
    if "?" in text or "#" in text:  # a query, a fragment, or a password cut in two
        raise ValueError("an MQTT URL has no ?query or #fragment (write # in a password as %23, "
                         "? as %3F)")
    if not parts.hostname:
        raise ValueError(f"{text!r} names no host: {URL_FORM}")
    bad_port = ValueError(f"{text!r}: the port must be a number from 1 to 65535")
    try:
        port = parts.port
    except ValueError:
        raise bad_port from None
    if port == 0:
        raise bad_port
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    prefix = unquote(parts.path).strip("/") or None
    return BrokerUrl(parts.hostname, port or PORTS[parts.scheme], parts.scheme == "mqtts", user,
                     password, _check_prefix(prefix) if prefix else None)


def mqtt_url(text: str) -> BrokerUrl:
    """argparse type of --mqtt."""
    try:
        return parse_url(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def device_id(text: str) -> str:
    """argparse type of --device-id: it is a topic level and part of Home Assistant's ids."""
    if not DEVICE_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r}: a device id is 1 to 64 letters, digits, "
                                         "_ and - (it is part of the topics)")
    return text


def host_device_id(hostname: str | None = None) -> str:
    """This machine's name as a device id: 'Pi-Kitchen.local' -> 'pi-kitchen'."""
    name = (hostname if hostname is not None else socket.gethostname()).split(".")[0].lower()
    name = re.sub(r"[^a-z0-9_-]+", "_", name).strip("_-")[:64]
    return name or FALLBACK_DEVICE


def _check_ca(path: Path) -> Path:
    """A CA file that really holds certificates, or a UserError now rather than at connect."""
    if not path.is_file():
        raise UserError(f"--mqtt-ca {path}: file not found")
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, ValueError) as e:
        raise UserError(f"--mqtt-ca {path}: not a PEM certificate file ({e})") from None
    return path


def mqtt_options(url: BrokerUrl, device: str | None, env: dict[str, str], *,
                 ca_file: str | None = None, discovery: bool = True, queue: int = DEFAULT_QUEUE,
                 required: bool = False) -> MqttOptions:
    """The URL completed: device id, default prefix, the password from PASSWORD_ENV."""
    device = device or host_device_id()
    password = url.password
    if password is None and env.get(PASSWORD_ENV):
        if url.user is None:
            raise UserError(f"{PASSWORD_ENV} is set but --mqtt names no user: "
                            "mqtt://USER@HOST")
        password = env[PASSWORD_ENV]
    if ca_file is not None and not url.tls:
        raise UserError("--mqtt-ca goes with an mqtts:// URL (TLS)")
    ca = _check_ca(Path(ca_file)) if ca_file is not None else None
    return MqttOptions(url.host, url.port, url.tls, url.prefix or f"{TOPIC_ROOT}/{device}",
                       device, url.user, password, ca, discovery, queue, required)
