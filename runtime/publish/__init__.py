"""Readings where people use them: each stable change as JSON on stdout and over MQTT.

options    the --mqtt URL, the device id, topics, checked before anything starts
flags      the command-line flags of publishing (runtime.webcam adds them)
message    the JSON of one stable reading (stdout and the broker get the same)
discovery  the Home Assistant MQTT discovery config
outbox     the bounded, ordered queue of readings waiting for the broker
mqtt       the publisher: one thread, paho-mqtt, reconnects, nothing lost
feed       where each stable change goes (stdout, the broker), and the end of a run
"""
