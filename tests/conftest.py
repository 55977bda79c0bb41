"""Shared fixtures: MNIST from ../shared/data/mnist (never the internet)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
MODELS = ROOT / "models"

if not os.environ.get("MNIST_DIR") and SHARED_MNIST.is_dir():
    os.environ["MNIST_DIR"] = str(SHARED_MNIST)


@pytest.fixture(scope="session")
def mnist_test():
    from runtime.measure import dataset

    return dataset.load("test")


@pytest.fixture(scope="session")
def mnist_train():
    from runtime.measure import dataset

    return dataset.load("train")
