"""What every converter of one export run shares: the float reference and the calibration set."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from export import source


@dataclass
class Context:
    reference: source.FloatReference
    data_dir: Path | None = None

    @functools.cached_property
    def calibration_images(self) -> np.ndarray:
        """Training images for calibration and the QAT fine-tune, read once per run."""
        return source.calibration_images(data_dir=self.data_dir)

    @functools.cached_property
    def training(self):
        """The whole training split (QAT fine-tunes on part of it)."""
        from runtime import dataset

        return dataset.load("train", self.data_dir)
