"""The training input pipeline: tf.data with one batched random affine per step.

Rotation, shift, shear and zoom are composed into a single matrix per image and applied with one
ImageProjectiveTransformV3 call per batch: one resampling (no compounding blur) and cheap on a CPU.
Randomness is stateless, seeded by (seed, global step), so the same seed gives the same run.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from train.recipes import Augmentation

SIZE = 28


def _affine(aug: Augmentation, batch: int, seed: tf.Tensor) -> tf.Tensor:
    """(batch, 8) output->input transforms about the image centre, ImageDataGenerator-style."""
    seeds = tf.random.experimental.stateless_split(seed, 5)

    def uniform(i: int, low: float, high: float) -> tf.Tensor:
        return tf.random.stateless_uniform([batch], seeds[i], low, high)

    theta = uniform(0, -aug.rotation, aug.rotation) * (math.pi / 180)
    shear = uniform(1, -aug.shear, aug.shear) * (math.pi / 180)
    tx = uniform(2, -aug.shift, aug.shift) * SIZE
    ty = uniform(3, -aug.shift, aug.shift) * SIZE
    zoom = tf.random.stateless_uniform([batch, 2], seeds[4], 1 - aug.zoom, 1 + aug.zoom)
    zx, zy = zoom[:, 0], zoom[:, 1]
    cos, sin = tf.cos(theta), tf.sin(theta)
    # M = rotation @ shear @ zoom (linear part), plus the shift, conjugated by the centre.
    a0 = cos * zx
    a1 = (-cos * tf.sin(shear) - sin * tf.cos(shear)) * zy
    b0 = sin * zx
    b1 = (-sin * tf.sin(shear) + cos * tf.cos(shear)) * zy
    c = (SIZE - 1) / 2
    a2 = c - a0 * c - a1 * c + tx
    b2 = c - b0 * c - b1 * c + ty
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def augment_batch(images: tf.Tensor, aug: Augmentation, seed: tf.Tensor) -> tf.Tensor:
    """Apply one random affine per image of a float (B, 28, 28, 1) batch."""
    transforms = _affine(aug, tf.shape(images)[0], seed)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=[SIZE, SIZE],
        fill_value=0.0, interpolation="BILINEAR", fill_mode="NEAREST",
    )


def training_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int,
                     aug: Augmentation | None, seed: int, scenes: np.ndarray | None = None,
                     scene_share: float = 0.0, soft: np.ndarray | None = None,
                     scene_soft: np.ndarray | None = None) -> tf.data.Dataset:
    """An endless shuffled, augmented stream of (float images, targets) batches.

    Targets are one-hot labels (N, 10), or with `soft` (N, 10) a teacher's probabilities for each
    image, the label and the teacher side by side (N, 20) (train.distill).
    `scenes` (copies, N, 28, 28) holds scene-like versions of each image: each image is replaced by
    one of its copies with probability `scene_share` (and its soft targets by `scene_soft`'s,
    (copies, N, 10), the teacher on that copy)."""
    if scenes is None:
        scenes = images[None]
        scene_share = 0.0
        scene_soft = None if soft is None else soft[None]
    alternates = np.moveaxis(scenes, 0, 1)  # (N, copies, 28, 28): shuffled along with the image
    copies = alternates.shape[1]
    if soft is None:  # no teacher: zero-width soft targets keep one code path
        soft = np.zeros((len(images), 0), np.float32)
        scene_soft = np.zeros((copies, len(images), 0), np.float32)
    soft_alternates = np.moveaxis(scene_soft, 0, 1)
    ds = tf.data.Dataset.from_tensor_slices((images, alternates, labels, soft, soft_alternates))
    ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat()
    ds = ds.batch(batch_size).enumerate()

    def prepare(step, batch):
        x, alt, y, p, alt_p = batch
        if scene_share > 0:
            s1, s2 = tf.unstack(tf.random.experimental.stateless_split(
                tf.stack([tf.constant(seed + 1, tf.int64), step]), 2))
            n = tf.shape(x)[0]
            pick = tf.random.stateless_uniform([n], s1) < scene_share
            copy = tf.random.stateless_uniform([n], s2, 0, copies, tf.int32)
            x = tf.where(pick[:, None, None], tf.gather(alt, copy, axis=1, batch_dims=1), x)
            p = tf.where(pick[:, None], tf.gather(alt_p, copy, axis=1, batch_dims=1), p)
        x = tf.cast(x, tf.float32)[..., None] / 255.0
        if aug is not None:
            x = augment_batch(x, aug, tf.stack([tf.constant(seed, tf.int64), step]))
        return x, tf.concat([tf.one_hot(tf.cast(y, tf.int32), 10), p], axis=1)

    return ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).prefetch(2)


def eval_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int = 512,
                 soft: np.ndarray | None = None) -> tf.data.Dataset:
    """Unaugmented (float images, one-hot labels) batches; with `soft`, (labels | soft) targets
    as training_dataset gives them."""
    if soft is None:
        soft = np.zeros((len(images), 0), np.float32)
    ds = tf.data.Dataset.from_tensor_slices((images, labels, soft)).batch(batch_size)
    return ds.map(lambda x, y, p: (tf.cast(x, tf.float32)[..., None] / 255.0,
                                   tf.concat([tf.one_hot(tf.cast(y, tf.int32), 10), p], axis=1)))
