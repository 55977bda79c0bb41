"""What every converter of one export run shares: the float reference and the calibration set."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from export import source


@dataclass
class Context:
    reference: source.FloatReference
    data_dir: Path | None = None
    # What a converter measured on its way (format key -> name -> value), for the metadata.
    measured: dict[str, dict] = field(default_factory=dict)

    @functools.cached_property
    def training(self):
        """The whole training split, read and verified once per run."""
        from runtime.measure import dataset

        return dataset.load("train", self.data_dir)

    @functools.cached_property
    def calibration_images(self) -> np.ndarray:
        """Training images for calibration and QAT range seeding (never test images)."""
        return source.calibration_images(self.training.images)
