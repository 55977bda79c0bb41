"""The float Keras model an export starts from, its test-set reference, and calibration images."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.errors import UserError
from runtime.measure import dataset

# Representative images for full-integer calibration: training images only, never test images.
CALIBRATION_IMAGES = 2000
CALIBRATION_SEED = 0
PREDICT_BATCH = 500


@dataclass
class FloatReference:
    """The float model and what it scores on all 10,000 test images, measured once per run."""

    model: object  # a Keras 3 model
    path: Path
    sha256: str
    test_images: np.ndarray  # float32 (N, 28, 28, 1) in [0, 1]
    test_labels: np.ndarray
    probs: np.ndarray  # (N, 10) float32
    dataset_sha256: dict[str, str]

    @property
    def predictions(self) -> np.ndarray:
        return self.probs.argmax(axis=1)

    @property
    def accuracy(self) -> float:
        """Percent of test images classified correctly."""
        return accuracy(self.probs, self.test_labels)


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    return float(100.0 * np.mean(probs.argmax(axis=1) == labels))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def check_keras_file(path: Path) -> None:
    """Cheap checks before TensorFlow loads: a missing or non-Keras file is one clear error."""
    if not path.is_file():
        raise UserError(f"model file not found: {path}")
    # A .keras file is a zip archive with config.json: checking first keeps Keras' long errors away.
    if not zipfile.is_zipfile(path) or "config.json" not in _zip_names(path):
        raise UserError(f"{path}: not a Keras model (.keras archive expected)")


def load_keras(path: str | Path):
    """A Keras 3 model from a .keras file; UserError for a missing or non-Keras file."""
    path = Path(path)
    check_keras_file(path)
    import keras

    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as e:  # Keras raises many types for a damaged archive
        raise UserError(f"{path}: cannot load the Keras model ({str(e).splitlines()[0]})") from e
    if tuple(model.input_shape[1:]) != (28, 28, 1) or tuple(model.output_shape[1:]) != (10,):
        raise UserError(
            f"{path}: input {model.input_shape} / output {model.output_shape}, "
            "expected (N, 28, 28, 1) -> (N, 10)"
        )
    return model


def float_reference(path: str | Path, data_dir: str | Path | None = None) -> FloatReference:
    """Load the float model and run it once on the whole test set."""
    path = Path(path)
    model = load_keras(path)
    test = dataset.load("test", data_dir)
    images = dataset.to_model_input(test.images)
    probs = model.predict(images, batch_size=PREDICT_BATCH, verbose=0).astype(np.float32)
    return FloatReference(model, path, file_sha256(path), images, test.labels.astype(np.int64),
                          probs, test.sha256)


def calibration_images(train_images: np.ndarray, count: int = CALIBRATION_IMAGES,
                       seed: int = CALIBRATION_SEED) -> np.ndarray:
    """A fixed random sample of training images, float32 (count, 28, 28, 1) in [0, 1]."""
    index = np.random.default_rng(seed).choice(len(train_images), size=count, replace=False)
    return dataset.to_model_input(train_images[np.sort(index)])


def quiet_tensorflow() -> None:
    """Hide TensorFlow's C++ start-up chatter so a failing export's one line stays readable."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
