"""Training pipeline: validation split, augmentation, determinism, the CLI end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from runtime.measure.dataset import SHA256
from train.recipes import RECIPES
from train.run import RunConfig, split_validation, train

ROOT = Path(__file__).resolve().parents[2]
RUN_FILES = {"mnist_cnn.keras", "model_card.json", "training_curves.png", "confusion_matrix.png",
             "misclassified.png"}


def test_validation_split_is_stratified_disjoint_and_seeded(mnist_train):
    train_idx, val_idx = split_validation(mnist_train.labels, 5_000, seed=3)
    assert len(val_idx) == pytest.approx(5_000, abs=5)
    assert len(train_idx) + len(val_idx) == 60_000
    assert not np.intersect1d(train_idx, val_idx).size
    share = np.bincount(mnist_train.labels[val_idx], minlength=10) / len(val_idx)
    overall = np.bincount(mnist_train.labels, minlength=10) / 60_000
    assert np.abs(share - overall).max() < 0.002
    again, _ = split_validation(mnist_train.labels, 5_000, seed=3)
    other, _ = split_validation(mnist_train.labels, 5_000, seed=4)
    assert np.array_equal(train_idx, again) and not np.array_equal(train_idx, other)


def test_augmentation_moves_digits_but_keeps_range_and_labels(mnist_train):
    from train.augment import training_dataset

    images, labels = mnist_train.images[:256], mnist_train.labels[:256]
    plain = next(iter(training_dataset(images, labels, 256, None, seed=0)))
    augmented = next(iter(training_dataset(images, labels, 256, RECIPES["article"].augmentation,
                                           seed=0)))
    # Same shuffle for the same seed, so the batches hold the same digits in the same order.
    assert np.array_equal(plain[1].numpy(), augmented[1].numpy())
    x, x_aug = plain[0].numpy(), augmented[0].numpy()
    assert x_aug.shape == x.shape == (256, 28, 28, 1)
    assert 0.0 <= x_aug.min() and x_aug.max() <= 1.0
    changed = np.abs(x_aug - x).reshape(256, -1).max(axis=1) > 0.1
    assert changed.mean() > 0.9
    # Small transforms: ink stays roughly where and how much it was.
    assert np.abs(x_aug.sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3)) - 1).mean() < 0.15


def test_same_seed_same_run(tmp_path):
    recipe = RECIPES["article"].__class__(**{**RECIPES["article"].__dict__, "epochs": 1})
    cards, weights = [], []
    for name in ("a", "b"):
        config = RunConfig(recipe=recipe, seed=7, out=tmp_path / name, train_limit=640, verbose=0)
        cards.append(train(config)[0])
        import keras

        weights.append(keras.saving.load_model(tmp_path / name / "mnist_cnn.keras").get_weights())
    assert cards[0]["test_accuracy"] == cards[1]["test_accuracy"]
    assert all(np.array_equal(a, b) for a, b in zip(weights[0], weights[1], strict=True))


def test_cli_trains_and_writes_the_run_folder(tmp_path):
    """Proves the pipeline on a small subset, not the accuracy (the release model's test does)."""
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "train", "--recipe", "article", "--epochs", "2",
         "--batch-size", "64", "--train-limit", "2000", "--seed", "1", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Epoch 1/2" in result.stdout and "Epoch 2/2" in result.stdout  # progress is visible
    assert "test accuracy" in result.stdout
    assert {p.name for p in out.iterdir()} == RUN_FILES
    # every file named once; no TensorFlow/absl/CUDA start-up lines without --verbose
    assert sorted(line for line in result.stdout.splitlines() if line.startswith("wrote ")) == \
        sorted(f"wrote {out / name}" for name in RUN_FILES)
    assert result.stderr == ""
    card = json.loads((out / "model_card.json").read_text())
    assert card["test_images"] == 10_000 and card["parameters"] == 597_738
    assert card["dataset_sizes"]["train"] == 2_000 and card["dataset_sizes"]["validation"] > 4_900
    assert len(card["seconds_per_epoch"]) == 2 and card["seed"] == 1
    assert card["recipe"]["name"] == "article" and card["recipe"]["batch_size"] == 64
    assert card["dataset_sha256"] == SHA256
    assert "--train-limit 2000" in card["command"]
    assert sum(card["per_class_accuracy"].values()) > 0
    # It learns: two epochs on 2,000 images fit the (augmented) training batches far above chance.
    # Test accuracy is not asserted: 64 steps leave BatchNormalization's moving averages unsettled.
    assert card["history"]["accuracy"][-1] > 0.8
    assert card["history"]["loss"][-1] < card["history"]["loss"][0]


@pytest.mark.parametrize("flag", ["--epochs", "--batch-size", "--train-limit"])
def test_cli_rejects_non_positive_counts_as_usage_errors(tmp_path, flag):
    command = [sys.executable, "-m", "train", flag, "0", "--out", str(tmp_path / "x")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    # argparse: the usage, then one error line that says what is wanted
    assert result.stderr.startswith("usage: train")
    error = result.stderr.strip().splitlines()[-1]
    assert error == (f"train: error: argument {flag}: wants a whole number of at "
                     "least 1, not 0")
    assert not (tmp_path / "x").exists()


def test_cli_reports_missing_data_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    # An unreachable mirror stands for no internet: the test must never reach the real one.
    code = ("import runtime.measure.dataset as d; d.MIRRORS = ('http://127.0.0.1:9/',); "
            "import sys, train.__main__ as m; sys.exit(m.main(['--data-dir', sys.argv[1], "
            "'--epochs', '1', '--out', sys.argv[2]]))")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "nothing"),
                             str(tmp_path / "out")], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2
    # TensorFlow's own start-up log lines are hidden (train.quiet): ours is the only line.
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "MNIST file" in lines[0] and "--data-dir" in lines[0], lines
    assert "error:" in lines[0]
    assert "Traceback" not in result.stderr
