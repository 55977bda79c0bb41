"""python -m train.reject: train the rejector, a small second model that says "not a digit".

The article's model (DESIGN.md) keeps its (N, 10) softmax and its contract; the rejector is its
own model with 11 outputs (the ten digits, then "not a digit"), about a tenth of the cost. It
learns from MNIST training digits only (never test digits): the digits themselves, the reader's
crops of them photographed on paper (train.degrade), and the reader's and the splitter's crops of
touching digits, letters, symbols, words, strokes and blobs (train.rejects), written with fonts the
test scenes never use. Needs the Debian fonts train.rejects names (apt-get install ...).
Then `python -m export.reject` makes and verifies the int8 artifact the runtime loads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from runtime.cliargs import output_dir, positive_int
from runtime.command import cli, program
from runtime.models.formats import REJECTOR_KERAS

PHOTOS = 10_000  # of touching digits, text, single digits and strokes, cut by the reader
MNIST_DIGITS = 30_000  # training digits as MNIST gives them
SCENE_DIGITS = 10_000  # training digits photographed alone (train.degrade)
VALIDATION_PHOTOS = 1_500  # of validation digits, the same kinds
EPOCHS = 6
BATCH = 512
LEARNING_RATE = 2e-3
DATA_SEED, VALIDATION_SEED = 11, 12
OUTPUTS = 11


def build_rejector(keras=None):
    """Conv(16) -> pool -> Conv(32) -> pool -> Conv(64) -> Dense(64) -> Dense(11): ~61k
    parameters, ~0.9 M multiply-accumulates (the article's model: 10.2 M)."""
    if keras is None:
        import keras
    L = keras.layers

    def conv(filters: int, name: str) -> list:
        return [L.Conv2D(filters, 3, padding="valid", name=name),
                L.BatchNormalization(name=f"{name}_bn"), L.ReLU(name=f"{name}_relu")]

    return keras.Sequential([
        L.Input(shape=(28, 28, 1), name="input"),
        *conv(16, "conv1"), L.MaxPooling2D(2, name="pool1"),
        *conv(32, "conv2"), L.MaxPooling2D(2, name="pool2"),
        *conv(64, "conv3"), L.Flatten(name="flatten"),
        L.Dense(64, name="dense1"), L.BatchNormalization(name="dense1_bn"),
        L.ReLU(name="dense1_relu"), L.Dropout(0.2, name="dropout"),
        L.Dense(OUTPUTS, activation="softmax", name="probs"),
    ], name="mnist_reject")


def examples(photos: int, seed: int, data_dir: str | None,
             log=print) -> dict[str, np.ndarray]:
    """Training and validation crops (uint8) and labels (0-9, 10 = not a digit)."""
    from runtime.measure import dataset
    from train import rejects
    from train.degrade import scene_crops
    from train.holdout import split_validation

    train = dataset.load("train", data_dir)
    train_idx, val_idx = split_validation(train.labels, 5_000, 0)  # the classifier's split
    x, y = train.images[train_idx], train.labels[train_idx].astype(np.int64)
    start = time.perf_counter()
    made_x, made_y = rejects.make(photos, seed, x, y, workers=2)
    log(f"{len(made_x):,} crops from {photos:,} photographs "
        f"({np.count_nonzero(made_y == rejects.NOT_DIGIT):,} no digit), "
        f"{time.perf_counter() - start:.0f} s")
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(x), min(SCENE_DIGITS, len(x)), replace=False)
    scenes = scene_crops(x[pick], seed, workers=2)
    plain = rng.choice(len(x), min(MNIST_DIGITS, len(x)), replace=False)
    val_x, val_y = rejects.make(VALIDATION_PHOTOS, seed + 1, train.images[val_idx],
                                train.labels[val_idx].astype(np.int64), workers=2)
    return {
        "x": np.concatenate([x[plain], scenes, made_x]),
        "y": np.concatenate([y[plain], y[pick], made_y]),
        "val_x": np.concatenate([train.images[val_idx], val_x]),
        "val_y": np.concatenate([train.labels[val_idx].astype(np.int64), val_y]),
    }


def rates(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Percent of digits called no digit, of non-digits caught, and of digits read right."""
    rejected = probs[:, OUTPUTS - 1] >= threshold
    digit = labels < OUTPUTS - 1
    return {"digits_rejected": round(100 * float(np.mean(rejected[digit])), 3),
            "not_digits_caught": round(100 * float(np.mean(rejected[~digit])), 3),
            "digits_read": round(100 * float(np.mean(
                probs[digit, : OUTPUTS - 1].argmax(axis=1) == labels[digit])), 3)}


def train(out: Path, photos: int, epochs: int, seed: int, data_dir: str | None) -> list[str]:
    import keras
    import tensorflow as tf

    from runtime.files import publish, temp_beside, written
    from runtime.models.provenance import command_line
    from train.augment import augment_batch
    from train.recipes import Augmentation

    keras.utils.set_random_seed(seed)
    cache = out / "examples.npz"  # made once per run folder: training again reuses them
    if cache.is_file():
        with np.load(cache) as saved:
            data = dict(saved)
        print(f"reusing {len(data['x']):,} examples from {cache}")
    else:
        data = examples(photos, DATA_SEED + seed, data_dir)
        out.mkdir(parents=True, exist_ok=True)
        tmp = temp_beside(cache)
        np.savez(tmp, **data)
        publish(tmp, cache)
    x, y = data["x"], data["y"]
    aug = Augmentation(rotation=8.0, shift=0.08, shear=0.3, zoom=0.08)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).repeat()
    ds = ds.batch(BATCH).enumerate().map(
        lambda step, b: (augment_batch(tf.cast(b[0], tf.float32)[..., None] / 255.0, aug,
                                       tf.stack([tf.constant(seed, tf.int64), step])),
                         tf.one_hot(tf.cast(b[1], tf.int32), OUTPUTS)),
        num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)
    val_x = data["val_x"].astype(np.float32)[..., None] / 255.0
    steps = len(x) // BATCH
    model = build_rejector()
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE / 25, epochs * steps,
                                                      warmup_target=LEARNING_RATE,
                                                      warmup_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(ds, steps_per_epoch=steps, epochs=epochs, verbose=2,
              validation_data=(val_x, keras.utils.to_categorical(data["val_y"], OUTPUTS)))
    seconds = time.perf_counter() - start
    validation = rates(model.predict(val_x, batch_size=1024, verbose=0), data["val_y"])
    out.mkdir(parents=True, exist_ok=True)
    path = out / REJECTOR_KERAS
    tmp = temp_beside(path)
    model.save(tmp)
    lines = [written(path, publish(tmp, path))]
    card = {"model": REJECTOR_KERAS, "parameters": int(model.count_params()),
            "training_crops": int(len(x)),
            "training_not_digits": int(np.count_nonzero(y == OUTPUTS - 1)),
            "photos": photos, "epochs": epochs, "seed": seed, "train_seconds": round(seconds),
            "validation": validation, "validation_crops": int(len(val_x)),
            "command": command_line()}
    card_path = out / "reject_card.json"
    tmp = temp_beside(card_path)
    tmp.write_text(json.dumps(card, indent=2) + "\n")
    lines.append(written(card_path, publish(tmp, card_path)))
    print(f"validation: {validation}")
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program("train.reject"), description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=output_dir, default=Path("runs/reject"),
                   help="run folder (default: %(default)s); its examples.npz, when there, "
                   "is trained on again instead of making new examples")
    p.add_argument("--photos", type=positive_int, default=PHOTOS,
                   help="photographs of generated examples (default: %(default)s)")
    p.add_argument("--epochs", type=positive_int, default=EPOCHS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", help="folder with the MNIST IDX files (else $MNIST_DIR, cache)")
    p.add_argument("--verbose", action="store_true", help="TensorFlow's own log lines too")
    return p.parse_args(argv)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from train import quiet
    from train.writing import font_paths

    font_paths()  # a missing font answers before TensorFlow's import
    font_paths(held_out=True)
    quiet.import_tensorflow(args.verbose)
    for line in train(args.out, args.photos, args.epochs, args.seed, args.data_dir):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
