"""The command-line side of publishing: runtime.webcam's --json and --mqtt flags, checked at start,
and the Feed they ask for."""

from __future__ import annotations

import argparse
import importlib
import os

from runtime.cliargs import positive_int, seconds
from runtime.publish.feed import Feed
from runtime.publish.options import (
    DEFAULT_DRAIN,
    DEFAULT_QUEUE,
    PASSWORD_ENV,
    TOPIC_ROOT,
    URL_FORM,
    MqttOptions,
    device_id,
    host_device_id,
    mqtt_options,
    mqtt_url,
)

MQTT_ONLY = ("mqtt_ca", "device_id", "no_discovery", "mqtt_required", "mqtt_queue", "mqtt_drain")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("readings as JSON, and over MQTT (Home Assistant)")
    g.add_argument("--json", action="store_true",
                   help="with --headless: each stable change as one JSON object per line on "
                   "stdout (what --mqtt publishes); the other lines go to stderr")
    g.add_argument("--mqtt", metavar="URL", type=mqtt_url,
                   help=f"publish each stable change to an MQTT broker, {URL_FORM}, on "
                   f"PREFIX/reading (default PREFIX {TOPIC_ROOT}/DEVICE_ID); the password may "
                   f"come from ${PASSWORD_ENV} instead")
    g.add_argument("--mqtt-ca", metavar="FILE",
                   help="the CA certificate (PEM) of an mqtts:// broker (default: the system's)")
    g.add_argument("--device-id", type=device_id, metavar="ID",
                   help=f"this reader in topics and in Home Assistant (default: the host name, "
                   f"here {host_device_id()})")
    g.add_argument("--no-discovery", action="store_true",
                   help="publish no Home Assistant discovery config")
    g.add_argument("--mqtt-required", action="store_true",
                   help="stop at start when the broker is unreachable or refuses (default: a "
                   "warning, readings wait, and it is tried again)")
    g.add_argument("--mqtt-queue", type=positive_int, metavar="N",
                   help=f"readings kept while the broker is away; beyond that the oldest is "
                   f"dropped and counted (default {DEFAULT_QUEUE})")
    g.add_argument("--mqtt-drain", type=seconds, metavar="S",
                   help=f"at the end, seconds to wait for the broker to take what waits "
                   f"(default {DEFAULT_DRAIN:g})")


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Flags that make no sense together are usage errors (exit 2)."""
    if args.json and not args.headless:
        parser.error("--json goes with --headless")
    if args.mqtt is None:
        for name in MQTT_ONLY:
            if getattr(args, name) not in (None, False):
                parser.error(f"--{name.replace('_', '-')} goes with --mqtt")


def options(args: argparse.Namespace) -> MqttOptions | None:
    """The broker's options from the flags and the environment, or None without --mqtt.

    Imports paho-mqtt now, so that its absence is one line before a model is loaded."""
    if args.mqtt is None:
        return None
    importlib.import_module("runtime.publish.mqtt")
    queue = args.mqtt_queue if args.mqtt_queue is not None else DEFAULT_QUEUE
    return mqtt_options(args.mqtt, args.device_id, dict(os.environ), ca_file=args.mqtt_ca,
                        discovery=not args.no_discovery, queue=queue,
                        required=args.mqtt_required)


def drain_seconds(args: argparse.Namespace) -> float:
    return args.mqtt_drain if args.mqtt_drain is not None else DEFAULT_DRAIN


def open_feed(args: argparse.Namespace, mqtt: MqttOptions | None, source: str, model: str,
              prog: str) -> Feed | None:
    """The feed the flags ask for (None: neither --json nor --mqtt); its publisher started."""
    if mqtt is None and not args.json:
        return None
    publisher = None
    if mqtt is not None:
        from runtime.publish.mqtt import Publisher  # paho-mqtt: the mqtt extra

        publisher = Publisher(mqtt, model, prog).start()
    return Feed(source, args.json, publisher)
