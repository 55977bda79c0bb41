"""The validation hold-out of the training images (no TensorFlow: the rejector's examples use it
too)."""

from __future__ import annotations

import numpy as np


def split_validation(labels: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation): a stratified random hold-out of `size` training images."""
    rng = np.random.default_rng(seed)
    val = []
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        share = round(size * len(members) / len(labels))
        val.append(rng.choice(members, share, replace=False))
    val_idx = np.sort(np.concatenate(val))
    train_idx = np.setdiff1d(np.arange(len(labels)), val_idx)
    return train_idx, val_idx
