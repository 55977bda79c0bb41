"""The JSON message and the Home Assistant config, whose templates are rendered here with Jinja2,
the template engine Home Assistant uses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import jinja2
import pytest

from runtime.publish.discovery import config, config_topic
from runtime.publish.message import encode, reading_message, utc_timestamp
from runtime.publish.options import mqtt_options, parse_url
from runtime.reader.recognizer import Item, Reading

READING = Reading.from_lines([[Item(4, 0.99, (10, 10, 20, 30)), Item(2, 0.875, (40, 10, 20, 30))],
                              [Item(7, 0.95, (10, 60, 20, 30))]])


def test_the_message_is_the_json_line_plus_frame_time_and_timestamp():
    now = datetime(2026, 12, 4, 14, 7, 48, 123456, tzinfo=timezone(timedelta(hours=1)))
    message = reading_message(READING, "camera 0", 212, 7.34567, now)
    assert message == {**READING.to_dict("camera 0"), "frame": 212, "time": 7.346,
                       "timestamp": "2026-12-04T13:07:48.123Z"}
    assert message["digits"] == "42\n7" and len(message["lines"]) == 2
    assert json.loads(encode(message)) == message and "\n" not in encode(message)
    assert utc_timestamp().endswith("Z")


def _render(template: str, message: dict) -> str:
    return jinja2.Environment().from_string(template).render(value_json=message)


@pytest.fixture
def discovery():
    options = mqtt_options(parse_url("mqtt://broker"), "kitchen", {})
    return options, config(options, "mnist_cnn_int8.tflite")


def test_the_config_points_at_the_reading_and_availability_topics(discovery):
    options, body = discovery
    assert config_topic("kitchen") == "homeassistant/sensor/kitchen/reading/config"
    assert body["state_topic"] == body["json_attributes_topic"] == "mnist-edge/kitchen/reading"
    assert body["availability_topic"] == "mnist-edge/kitchen/availability"
    assert (body["payload_available"], body["payload_not_available"]) == ("online", "offline")
    assert body["unique_id"] == "mnist-edge_kitchen_reading"
    assert body["device"]["identifiers"] == ["mnist-edge_kitchen"]
    assert body["device"]["model"] == "mnist_cnn_int8.tflite"
    json.dumps(body)  # serialisable as is


def test_home_assistant_templates_give_the_number_and_the_attributes(discovery):
    _, body = discovery
    message = reading_message(READING, "camera 0", 212, 7.3)
    assert _render(body["value_template"], message) == "42\n7"
    attributes = json.loads(_render(body["json_attributes_template"], message))
    assert attributes == {"device": "kitchen", "model": "mnist_cnn_int8.tflite", "frame": 212,
                          "time": 7.3, "timestamp": message["timestamp"], "lines": ["42", "7"],
                          "confidence": 0.875}
    nothing = reading_message(Reading([]), "camera 0", 3, 0.1)
    assert _render(body["value_template"], nothing) == ""
    assert json.loads(_render(body["json_attributes_template"], nothing))["confidence"] is None


def test_a_model_name_with_quotes_cannot_break_the_template():
    options = mqtt_options(parse_url("mqtt://broker"), "pi", {})
    body = config(options, "it's \"odd\".tflite")
    message = reading_message(READING, "camera 0", 1, 0.0)
    assert json.loads(_render(body["json_attributes_template"], message))["model"] == \
        "it's \"odd\".tflite"
