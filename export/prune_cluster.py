"""The article model pruned or weight-clustered with tensorflow-model-optimization, fine-tuned,
then full-integer int8 TFLite (python -m export.compress).

Neither makes the model faster in LiteRT or TFLM (their kernels are dense); both make the file
compress: a pruned layer is mostly zeros, a clustered one holds 16 or 32 distinct values, so the
size that matters is the gzip size (a download, an over-the-air update, a compressed flash image).
Compressed here: every Conv2D and Dense but the first convolution (288 weights) and the classifier
(5,120): 0.9% of the weights, and the layers that suffer most from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial

import numpy as np

from export import finetune
from export.context import Context
from train.recipes import RECIPES

KEPT = ("conv1", "probs")  # left dense (see above)
IMAGES = 30_000  # training images for the fine-tune, a fixed random subset
VALIDATION = 5_000  # other training images: the fine-tuned float model checked against the original
BATCH = 64
SEED = 2
AUGMENTATION = RECIPES["article"].augmentation


@dataclass(frozen=True)
class Pruning:
    sparsity: float  # of each compressed layer's weights, zero at the end
    epochs: int = 3
    ramp_epochs: int = 2  # polynomial decay from 0 to `sparsity` (Zhu & Gupta), then held
    learning_rate: float = 1e-4
    frequency: int = 50  # steps between two pruning updates


@dataclass(frozen=True)
class Clustering:
    clusters: int  # distinct weight values per compressed layer (k-means++ initialised)
    epochs: int = 2
    learning_rate: float = 1e-5


RECIPES_BY_KEY: dict[str, Pruning | Clustering] = {
    "tflite:pruned50": Pruning(0.50),
    "tflite:pruned75": Pruning(0.75),
    "tflite:clustered16": Clustering(16),
    "tflite:clustered32": Clustering(32),
}


def _wrap(model, wrap):
    """A clone of a tf_keras model with `wrap` around every compressed layer (same weights)."""
    import tf_keras

    def clone(layer):
        compressed = isinstance(layer, (tf_keras.layers.Conv2D, tf_keras.layers.Dense))
        return wrap(layer) if compressed and layer.name not in KEPT else layer

    return tf_keras.models.clone_model(model, clone_function=clone)


def _pruned(model, recipe: Pruning, steps_per_epoch: int):
    tfmot, _ = finetune.tfmot()
    sparsity = tfmot.sparsity.keras
    schedule = sparsity.PolynomialDecay(
        initial_sparsity=0.0, final_sparsity=recipe.sparsity, begin_step=0,
        end_step=recipe.ramp_epochs * steps_per_epoch, frequency=recipe.frequency)
    wrapped = _wrap(model, partial(sparsity.prune_low_magnitude, pruning_schedule=schedule))
    return wrapped, [sparsity.UpdatePruningStep()], sparsity.strip_pruning


def _clustered(model, recipe: Clustering):
    tfmot, _ = finetune.tfmot()
    clustering = tfmot.clustering.keras
    init = clustering.CentroidInitialization.KMEANS_PLUS_PLUS
    wrapped = _wrap(model, partial(clustering.cluster_weights, number_of_clusters=recipe.clusters,
                                   cluster_centroids_init=init))
    return wrapped, [], clustering.strip_clustering


def split(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Fine-tune and validation images: disjoint random training images (never test images)."""
    x = finetune.training_subset(ctx, IMAGES + VALIDATION, SEED)
    order = np.random.default_rng(SEED).permutation(len(x))
    return x[order[:IMAGES]], x[order[IMAGES:]]


def fine_tune(ctx: Context, recipe: Pruning | Clustering):
    """The compressed tf_keras model, fine-tuned towards the float model, wrappers stripped.

    Also returns its agreement with the float model on the validation images (percent)."""
    _, tf_keras = finetune.tfmot()
    train, validation = split(ctx)
    x = finetune.augmented(train, AUGMENTATION, SEED)
    targets = finetune.float_targets(ctx, x)
    copy = finetune.tf_keras_copy(ctx.reference.model, frozen_batch_norm=True)
    steps = -(-len(x) // BATCH)
    if isinstance(recipe, Pruning):
        model, callbacks, strip = _pruned(copy, recipe, steps)
    else:
        model, callbacks, strip = _clustered(copy, recipe)
    tf_keras.utils.set_random_seed(SEED)
    model.compile(optimizer=tf_keras.optimizers.Adam(recipe.learning_rate),
                  loss=tf_keras.losses.KLDivergence())
    model.fit(x, targets, batch_size=BATCH, epochs=recipe.epochs, callbacks=callbacks, verbose=0)
    stripped = strip(model)
    agree = np.mean(stripped.predict(validation, batch_size=finetune.AUGMENT_CHUNK, verbose=0)
                    .argmax(axis=1) == finetune.float_targets(ctx, validation).argmax(axis=1))
    return stripped, float(100.0 * agree)


def convert(key: str, ctx: Context) -> bytes:
    model, agreement = fine_tune(ctx, RECIPES_BY_KEY[key])
    ctx.measured[key] = {"validation_images": VALIDATION,
                         "validation_agreement_float": round(agreement, 3)}
    return finetune.to_int8(model, ctx)


CONVERTERS = {key: partial(convert, key) for key in RECIPES_BY_KEY}
SETTINGS = {key: {**asdict(recipe), "method": type(recipe).__name__.lower(),
                  "left_dense": list(KEPT), "fine_tune_images": IMAGES,
                  "fine_tune_batch": BATCH, "fine_tune_seed": SEED,
                  "fine_tune_targets": "float model probabilities", "batch_norm": "frozen",
                  "fine_tune_augmentation": asdict(AUGMENTATION)}
            for key, recipe in RECIPES_BY_KEY.items()}
