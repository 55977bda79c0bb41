"""One training run: split, fit, evaluate once on the test set, save the model and its card."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from runtime.files import publish, temp_beside, written
from runtime.measure import dataset
from runtime.models.formats import MODELS_DIR
from train import distill, report
from train.augment import eval_dataset, training_dataset
from train.degrade import scene_crops
from train.holdout import split_validation
from train.model import build, run_files_prefix
from train.recipes import Recipe
from train.styles import restyle

MODEL_SUFFIX = ".keras"  # the model file is <architecture>.keras: mnist_cnn.keras, mnist_micro...
SCENE_COPIES = 2  # scene-like crops made per training image, for recipes that use them
SCENE_VALIDATION_SEED = 8  # every run's validation digits are photographed the same way


@dataclass(frozen=True)
class RunConfig:
    recipe: Recipe
    seed: int = 0
    data_dir: str | None = None
    out: Path = Path("runs")
    train_limit: int | None = None  # train on the first N images (smoke tests only)
    verbose: int = 1
    models_dir: Path = MODELS_DIR  # where a recipe's teacher is


@dataclass
class Targets:
    """A teacher's softened probabilities for what the student sees (None without a teacher)."""

    train: np.ndarray | None = None  # (N, 10)
    scenes: np.ndarray | None = None  # (copies, N, 10)
    validation: np.ndarray | None = None
    teacher: dict | None = None  # its file and SHA-256, for the model card


def teacher_targets(config: RunConfig, x_train: np.ndarray, scenes: np.ndarray | None,
                    x_val: np.ndarray) -> Targets:
    """Run the recipe's teacher once on every image the student will train and validate on."""
    recipe = config.recipe
    if recipe.teacher is None or recipe.distill <= 0:
        return Targets()
    import hashlib

    path = Path(config.models_dir) / recipe.teacher
    teacher = distill.load_teacher(path)

    def soft(images: np.ndarray) -> np.ndarray:
        return distill.teacher_targets(teacher, images, recipe.temperature)

    return Targets(soft(x_train), None if scenes is None else np.stack([soft(s) for s in scenes]),
                   soft(x_val), {"model": path.name,
                                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})


def _seed_everything(seed: int) -> None:
    keras.utils.set_random_seed(seed)
    # Same seed, same run: deterministic kernels (costs a few percent on the CPU).
    tf.config.experimental.enable_op_determinism()


def _schedule(recipe: Recipe, steps_per_epoch: int):
    """Adam's learning rate: a constant, or linear warm-up then cosine decay to zero."""
    if recipe.schedule == "constant":
        return recipe.learning_rate
    total = recipe.epochs * steps_per_epoch
    warmup = max(1, int(recipe.warmup_epochs * steps_per_epoch))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=recipe.learning_rate / 25, decay_steps=max(1, total - warmup),
        warmup_target=recipe.learning_rate, warmup_steps=warmup, alpha=0.0,
    )


class EpochTimer(keras.callbacks.Callback):
    """Records each epoch's wall time (training and validation)."""

    def on_train_begin(self, logs=None):
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train(config: RunConfig) -> tuple[dict, list[str]]:
    """Train, evaluate on all 10,000 test images, write the run folder.

    Returns the model card and one line per file written (`runtime.files.written`)."""
    recipe = config.recipe
    _seed_everything(config.seed)
    train_split = dataset.load("train", config.data_dir)
    test_split = dataset.load("test", config.data_dir)
    train_idx, val_idx = split_validation(train_split.labels, recipe.validation_size, config.seed)
    if config.train_limit:
        train_idx = train_idx[: config.train_limit]
    x_train, y_train = train_split.images[train_idx], train_split.labels[train_idx]
    x_val, y_val = train_split.images[val_idx], train_split.labels[val_idx]

    if recipe.styles:  # before the scene crops: they are cut from the restyled digits too
        x_train = restyle(x_train, y_train, config.seed)
    scenes = None
    if recipe.scene_share > 0:
        scenes = np.stack([scene_crops(x_train, config.seed * SCENE_COPIES + k, workers=2)
                           for k in range(SCENE_COPIES)])
    # How well the model reads validation digits as the reader cuts them from a photo: the
    # number to choose scene training by (never the test set).
    x_val_scenes = scene_crops(x_val, SCENE_VALIDATION_SEED, workers=2)

    targets = teacher_targets(config, x_train, scenes, x_val)
    steps = math.ceil(len(x_train) / recipe.batch_size)
    model = build(recipe.architecture)
    optimizer = keras.optimizers.Adam(_schedule(recipe, steps))
    if targets.train is None:
        trained = model
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    else:  # the student's logits learn the labels and the teacher's softened probabilities
        trained = distill.logits_model(model)
        trained.compile(optimizer=optimizer, loss=distill.loss(recipe.distill, recipe.temperature),
                        metrics=[distill.accuracy])
    timer = EpochTimer()
    started = time.perf_counter()
    history = trained.fit(
        training_dataset(x_train, y_train, recipe.batch_size, recipe.augmentation, config.seed,
                         scenes, recipe.scene_share, targets.train, targets.scenes),
        steps_per_epoch=steps, epochs=recipe.epochs,
        validation_data=eval_dataset(x_val, y_val, soft=targets.validation), callbacks=[timer],
        verbose=config.verbose, shuffle=False,  # the dataset shuffles itself
    )
    train_seconds = time.perf_counter() - started

    scene_probs = model.predict(eval_dataset(x_val_scenes, y_val), verbose=0)
    scene_validation = 100 * float(np.mean(scene_probs.argmax(axis=1) == y_val))

    # The test set is touched once, here, after training is over.
    probs = model.predict(eval_dataset(test_split.images, test_split.labels), verbose=0)
    predictions = probs.argmax(axis=1)

    config.out.mkdir(parents=True, exist_ok=True)
    release = build(recipe.architecture)  # a fresh copy: saved without optimizer state
    release.set_weights(model.get_weights())
    model_path = config.out / f"{recipe.architecture}{MODEL_SUFFIX}"
    tmp = temp_beside(model_path)  # Keras insists on the .keras suffix
    try:
        release.save(tmp)
        lines = [written(model_path, publish(tmp, model_path))]
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

    card = report.model_card(
        config=config, model=release, history=history.history, epoch_seconds=timer.seconds,
        train_seconds=train_seconds, scene_validation=scene_validation,
        test_labels=test_split.labels, predictions=predictions,
        sha256={**train_split.sha256, **test_split.sha256},
        sizes={"train": len(x_train), "validation": len(x_val), "test": len(test_split.labels)},
        teacher=targets.teacher,
    )
    lines += report.write_run(config.out, card, history.history, test_split, predictions,
                              run_files_prefix(recipe.architecture))
    return card, lines
