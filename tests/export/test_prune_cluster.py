"""Pruning and clustering (export.compress): the converters shape the weights as they say.

A short fine-tune of the shipped float model (a few hundred images: the mechanism, not the
accuracy, which tests/export/test_export_shipped.py checks on the shipped artifacts)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from export import prune_cluster
from runtime.models.formats import FORMATS, MODELS_DIR, formats_for
from runtime.models.tflite_graph import int8_filters

pytestmark = pytest.mark.slow
LAYERS = ("conv1", "conv2", "conv3", "conv4", "dense1", "probs")  # the int8 filters, in order


def test_every_row_has_a_converter_and_every_compress_row_a_recipe():
    from export import pipeline

    assert set(pipeline.CONVERTERS) == {f.key for f in FORMATS}
    assert set(prune_cluster.RECIPES_BY_KEY) == {f.key for f in formats_for("compress")}


@pytest.fixture(scope="module")
def context():
    from export.context import Context
    from export.source import float_reference

    return Context(float_reference(MODELS_DIR / "mnist_cnn.keras"))


@pytest.fixture
def tiny(monkeypatch):
    """The fine-tune on 256 images: one epoch (pruning: the schedule's ramp, then one more)."""
    monkeypatch.setattr(prune_cluster, "IMAGES", 256)
    monkeypatch.setattr(prune_cluster, "VALIDATION", 256)
    for key, recipe in prune_cluster.RECIPES_BY_KEY.items():
        short = {"epochs": 1}
        if isinstance(recipe, prune_cluster.Pruning):
            short.update(epochs=2, ramp_epochs=1, frequency=1)
        monkeypatch.setitem(prune_cluster.RECIPES_BY_KEY, key, dataclasses.replace(recipe, **short))


def _filters(data: bytes) -> dict[str, np.ndarray]:
    return dict(zip(LAYERS, (values for _, values in int8_filters(data)), strict=True))


def test_pruning_zeroes_the_compressed_layers_only(context, tiny):
    filters = _filters(prune_cluster.CONVERTERS["tflite:pruned75"](context))
    for name, values in filters.items():
        zeros = float(np.mean(values == 0))
        if name in prune_cluster.KEPT:
            assert zeros < 0.2, name
        else:
            assert zeros >= 0.74, f"{name}: {zeros:.1%} zeros"
    assert 0 <= context.measured["tflite:pruned75"]["validation_agreement_float"] <= 100


def test_clustering_leaves_that_many_values_per_channel(context, tiny):
    filters = _filters(prune_cluster.CONVERTERS["tflite:clustered16"](context))
    for name, values in filters.items():
        most = max(len(np.unique(channel)) for channel in values)
        # BatchNormalization folds a scale into each output channel, and int8 quantization is
        # per channel: each channel keeps at most the layer's 16 values
        if name not in prune_cluster.KEPT:
            assert most <= 16, (name, most)
        elif values[0].size > 16:  # conv1's channels hold 9 weights: nothing to tell
            assert most > 16, (name, most)
