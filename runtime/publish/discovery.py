"""Home Assistant MQTT discovery: one retained config makes the reader a device with a sensor.

The sensor's state is the number (`digits`); its attributes are the device, the model, the
frame, the time, the timestamp, each line's digits and the least sure digit's confidence. The
config is published again after every (re)connect: a broker restarted without persistence has
forgotten it, and Home Assistant then loses the device.
"""

from __future__ import annotations

import json

from runtime import __version__
from runtime.publish.options import TOPIC_ROOT, MqttOptions

DISCOVERY_PREFIX = "homeassistant"  # Home Assistant's default discovery prefix
ONLINE, OFFLINE = "online", "offline"  # the availability payloads
ICON = "mdi:numeric"


def config_topic(device_id: str) -> str:
    return f"{DISCOVERY_PREFIX}/sensor/{device_id}/reading/config"


def _attributes_template(device_id: str, model: str) -> str:
    """Jinja (Home Assistant's templates) building the attributes from a reading's JSON.
    value_json['items'], not .items: that would be the dict's method."""
    return ("{{ {'device': " + json.dumps(device_id) + ", 'model': " + json.dumps(model)
            + ", 'frame': value_json.frame, 'time': value_json.time,"
            " 'timestamp': value_json.timestamp,"
            " 'lines': value_json.lines | map(attribute='digits') | list,"
            " 'confidence': (value_json['items'] | map(attribute='confidence') | min)"
            " if value_json['items'] else none} | tojson }}")


def config(options: MqttOptions, model: str) -> dict:
    """The discovery config of the reader's sensor: state and attributes from PREFIX/reading."""
    ident = f"{TOPIC_ROOT}_{options.device_id}"
    return {
        "name": "Reading",
        "unique_id": f"{ident}_reading",
        "state_topic": options.reading_topic,
        "value_template": "{{ value_json.digits }}",
        "json_attributes_topic": options.reading_topic,
        "json_attributes_template": _attributes_template(options.device_id, model),
        "availability_topic": options.availability_topic,
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "qos": 1,
        "icon": ICON,
        "device": {"identifiers": [ident], "name": f"{TOPIC_ROOT} {options.device_id}",
                   "model": model, "manufacturer": TOPIC_ROOT, "sw_version": __version__},
        "origin": {"name": TOPIC_ROOT, "sw_version": __version__},
    }
