"""runtime.live.hosts: which Host headers are the server's own, which writes come from elsewhere."""

from __future__ import annotations

import socket

import pytest

from runtime.live.hosts import HostCheck, cross_origin, host_name, machine_names, shown


@pytest.mark.parametrize("header, name", [
    ("localhost:8080", "localhost"), ("LocalHost", "localhost"), ("[::1]:8080", "::1"),
    ("[::1]", "::1"), ("127.0.0.1:80", "127.0.0.1"), ("pi.local.", "pi.local"), ("::1", "::1"),
])
def test_host_name(header, name):
    assert host_name(header) == name


def test_machine_names_include_the_mdns_name():
    short = socket.gethostname().lower().split(".")[0]
    assert {short, f"{short}.local"} <= machine_names()


LOOPBACK = HostCheck("127.0.0.1", "127.0.0.1")


@pytest.mark.parametrize("host", [None, "127.0.0.1:8080", "localhost:8080", "127.0.0.2",
                                  "[::1]:8080", "LOCALHOST"])
def test_loopback_answers_loopback(host):
    assert LOOPBACK.allows(host)


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example",
    "192.168.1.20:8080", "", "[::ffff:7f00:1", "0x7f000001",
])
def test_loopback_refuses_other_names(host):
    assert not LOOPBACK.allows(host)


def test_all_interfaces_answer_addresses_and_this_machines_names():
    check = HostCheck("0.0.0.0", "0.0.0.0")
    for host in ["192.168.1.20:8080", "10.0.0.7", "[fe80::1]:8080", "localhost:8080",
                 *machine_names()]:
        assert check.allows(host), host
    assert not check.allows("evil.example:8080")
    assert not check.allows("raspberrypi.evil.example")


def test_one_address_answers_that_address_and_names_given():
    check = HostCheck("192.0.2.5", "192.0.2.5", allowed=["Pi.Example.Lan", "proxy.lan:443"])
    assert check.allows("192.0.2.5:8080")
    assert not check.allows("192.0.2.6:8080")
    assert check.allows("pi.example.lan") and check.allows("proxy.lan")
    named = HostCheck("pi.lan", "192.0.2.5")  # --serve pi.lan:8080: that name is its own
    assert named.allows("pi.lan:8080") and not named.allows("evil.example")


OWN = {"Host": "127.0.0.1:8080"}


@pytest.mark.parametrize("headers, refused", [
    ({}, False),  # curl, a script: no browser involved
    ({"Origin": "http://127.0.0.1:8080"}, False),
    ({"Referer": "http://127.0.0.1:8080/"}, False),
    ({"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}, False),
    ({"Origin": "http://evil.example"}, True),
    ({"Origin": "http://127.0.0.1:8081"}, True),  # another port is another origin
    ({"Origin": "null"}, True),  # a sandboxed frame, a file:// page
    ({"Referer": "http://evil.example/page"}, True),
    ({"Sec-Fetch-Site": "cross-site"}, True),
    ({"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:8080"}, True),
])
def test_cross_origin(headers, refused):
    assert cross_origin({**OWN, **headers}, LOOPBACK) is refused


def test_cross_origin_without_a_host_header_uses_the_host_check():
    assert not cross_origin({"Origin": "http://localhost:8080"}, LOOPBACK)
    assert cross_origin({"Origin": "http://evil.example"}, LOOPBACK)


def test_shown_makes_a_header_safe_to_echo():
    assert shown("evil.example") == "evil.example"
    assert shown("a\r\nb\x00é") == "a??b??"
    assert shown("x" * 200).endswith("...") and len(shown("x" * 200)) == 83
