"""--mqtt URLs, device ids and the password's environment variable, checked before anything runs."""

from __future__ import annotations

import pytest

from runtime.errors import UserError
from runtime.publish.options import (
    PASSWORD_ENV,
    BrokerUrl,
    host_device_id,
    mqtt_options,
    parse_url,
)


@pytest.mark.parametrize("url, expected", [
    ("mqtt://broker", BrokerUrl("broker", 1883, False)),
    ("mqtts://broker", BrokerUrl("broker", 8883, True)),
    ("mqtt://192.168.1.5:1884", BrokerUrl("192.168.1.5", 1884, False)),
    ("mqtt://[::1]:1883", BrokerUrl("::1", 1883, False)),
    ("mqtt://ha@broker/home/meter/", BrokerUrl("broker", 1883, False, "ha", None, "home/meter")),
    ("mqtt://h%40me:p%23ss%3A@broker", BrokerUrl("broker", 1883, False, "h@me", "p#ss:")),
    ("mqtt://me:@broker", BrokerUrl("broker", 1883, False, "me", "")),
    ("MQTT://Broker.LAN", BrokerUrl("broker.lan", 1883, False)),
])
def test_urls(url, expected):
    assert parse_url(url) == expected
    assert parse_url(url).password == expected.password  # not in the repr: compared here


@pytest.mark.parametrize("url, message", [
    ("tcp://broker", "not an MQTT URL"),
    ("broker:1883", "not an MQTT URL"),
    ("mqtt://broker:http", "port"),
    ("mqtt://broker:65536", "port"),
    ("mqtt://broker?x=1", "no ?query"),
    ("mqtt://broker/a/#", "no ?query"),
    ("mqtt://:1883", "names no host"),
    ("mqtt://broker/$SYS/x", "starts with $"),
    ("mqtt://broker/a%2B/b", "wildcard"),
])
def test_bad_urls(url, message):
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace("$", r"\$")):
        parse_url(url)


def test_the_password_stays_out_of_the_repr():
    assert "secret" not in repr(parse_url("mqtt://me:secret@broker"))
    assert "secret" not in repr(mqtt_options(parse_url("mqtt://me:secret@broker"), "pi", {}))


@pytest.mark.parametrize("hostname, device", [
    ("raspberrypi", "raspberrypi"),
    ("Pi-Kitchen.local", "pi-kitchen"),
    ("my pc (2)", "my_pc_2"),
    ("...", "reader"),
    ("é", "reader"),
    ("x" * 100, "x" * 64),
])
def test_device_id_from_the_host_name(hostname, device):
    assert host_device_id(hostname) == device


def test_defaults_the_prefix_and_takes_the_password_from_the_environment():
    options = mqtt_options(parse_url("mqtt://ha@broker"), "pi", {PASSWORD_ENV: "s3cret"})
    assert options.prefix == "mnist-edge/pi"
    assert options.reading_topic == "mnist-edge/pi/reading"
    assert options.availability_topic == "mnist-edge/pi/availability"
    assert (options.user, options.password) == ("ha", "s3cret")
    # the URL's own password wins; an explicit prefix is kept
    options = mqtt_options(parse_url("mqtt://ha:url@broker/home/m"), "pi", {PASSWORD_ENV: "env"})
    assert (options.password, options.prefix) == ("url", "home/m")
    assert mqtt_options(parse_url("mqtt://[::1]"), "pi", {}).where == "[::1]:1883"


def test_an_environment_password_without_a_user_is_an_error():
    with pytest.raises(UserError, match="names no user"):
        mqtt_options(parse_url("mqtt://broker"), "pi", {PASSWORD_ENV: "s3cret"})
