"""Distillation: softened teacher targets and the loss, checked against hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from train import distill


def test_soften_is_a_tempered_softmax_of_the_log_probabilities():
    p = np.array([[0.9, 0.09, 0.01] + [0.0] * 7], np.float32)
    assert np.allclose(distill.soften(p, 1.0)[0, :3], [0.9, 0.09, 0.01], atol=1e-6)
    soft = distill.soften(p, 2.0)[0]
    expected = np.sqrt([0.9, 0.09, 0.01])  # p ** (1/T), renormalised (zeros floored at 1e-7)
    assert np.allclose(soft[:3] / soft[:3].sum(), expected / expected.sum(), atol=1e-5)
    assert soft.sum() == pytest.approx(1.0) and soft[3] < 1e-3


def test_loss_mixes_the_label_and_the_softened_teacher():
    from keras import ops

    logits = np.array([[2.0, 0.5, -1.0] + [-3.0] * 7], np.float32)
    label = np.eye(10, dtype=np.float32)[[0]]
    soft = distill.soften(np.array([[0.7, 0.2, 0.1] + [0.0] * 7], np.float32), 4.0)
    got = float(ops.convert_to_numpy(
        distill.loss(0.7, 4.0)(np.concatenate([label, soft], axis=1), logits))[0])

    def log_softmax(z):
        return z - np.log(np.exp(z - z.max()).sum()) - z.max()

    hard = -log_softmax(logits[0])[0]
    softened = -(soft[0] * log_softmax(logits[0] / 4.0)).sum()
    assert got == pytest.approx(0.3 * hard + 0.7 * 16 * softened, rel=1e-5)


def test_accuracy_reads_the_label_columns_only():
    from keras import ops

    y = np.concatenate([np.eye(10)[[3, 4]], np.eye(10)[[4, 4]]], axis=1).astype(np.float32)
    logits = np.eye(10, dtype=np.float32)[[3, 3]]
    assert ops.convert_to_numpy(distill.accuracy(y, logits)).tolist() == [1.0, 0.0]
