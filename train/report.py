"""What a training run leaves behind: the model card JSON and three plots."""

from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server or in CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from runtime.files import write_atomic, written  # noqa: E402
from runtime.measure.dataset import Split  # noqa: E402
from runtime.models.provenance import command_line, package_versions  # noqa: E402

PACKAGES = ("tensorflow", "keras", "numpy", "tf-keras", "tensorflow-model-optimization")
CARD_NAME = "model_card.json"
MAX_MISCLASSIFIED = 100


def _git_commit() -> str | None:
    """The checkout's commit, with '+dirty' when it has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty.strip() else "")


def confusion(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """10x10 counts, rows true digit, columns predicted digit."""
    matrix = np.zeros((10, 10), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def model_card(*, config, model, history: dict, epoch_seconds: list[float], train_seconds: float,
               scene_validation: float, test_labels: np.ndarray, predictions: np.ndarray,
               sha256: dict[str, str], sizes: dict[str, int],
               teacher: dict | None = None) -> dict:
    """Everything needed to judge and reproduce the run."""
    from train.model import DESCRIPTIONS
    from train.recipes import as_dict

    matrix = confusion(test_labels, predictions)
    per_class = 100 * np.diag(matrix) / matrix.sum(axis=1)
    correct = int(np.diag(matrix).sum())
    return {
        "model": DESCRIPTIONS[config.recipe.architecture],
        "test_accuracy": round(100 * correct / len(test_labels), 4),
        "test_errors": len(test_labels) - correct,
        "test_images": len(test_labels),
        "per_class_accuracy": {str(d): round(float(a), 3) for d, a in enumerate(per_class)},
        "parameters": int(model.count_params()),
        "recipe": as_dict(config.recipe),
        "seed": config.seed,
        **({"teacher": teacher} if teacher else {}),
        "train_limit": config.train_limit,
        "dataset_sizes": sizes,
        "seconds_per_epoch": [round(s, 2) for s in epoch_seconds],
        "mean_seconds_per_epoch": round(float(np.mean(epoch_seconds)), 2),
        "train_seconds": round(train_seconds, 1),
        "final_validation_accuracy": round(100 * float(history["val_accuracy"][-1]), 3),
        # the validation digits photographed on paper and cut out by the reader (train.degrade)
        "scene_validation_accuracy": round(scene_validation, 3),
        "history": {k: [round(float(v), 5) for v in values] for k, values in history.items()
                    if k != "learning_rate"},
        "dataset_sha256": sha256,
        "versions": package_versions(PACKAGES),
        "machine": f"{platform.machine()}, {platform.processor() or platform.system()}",
        "git_commit": _git_commit(),
        "command": command_line(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def plot_curves(history: dict, path: Path) -> None:
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["loss"], "o-", label="train (augmented)")
    ax_loss.plot(epochs, history["val_loss"], "o-", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="Loss")
    ax_acc.plot(epochs, 100 * np.array(history["accuracy"]), "o-", label="train (augmented)")
    ax_acc.plot(epochs, 100 * np.array(history["val_accuracy"]), "o-", label="validation")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    # Log colours: the diagonal is ~1000, the errors 0 to 5.
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                    color="white" if i == j else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
           title=f"Confusion matrix, {matrix.sum():,} test images")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_misclassified(test: Split, predictions: np.ndarray, path: Path) -> None:
    wrong = np.flatnonzero(predictions != test.labels)[:MAX_MISCLASSIFIED]
    cols = 10
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        ax.imshow(test.images[i], cmap="gray")
        ax.set_title(f"#{i} {test.labels[i]}->{predictions[i]}", fontsize=7)
    fig.suptitle(f"{int((predictions != test.labels).sum())} misclassified test digits "
                 "(index true->predicted)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_run(out: Path, card: dict, history: dict, test: Split,
              predictions: np.ndarray, prefix: str = "") -> list[str]:
    """The card and the three plots into the run folder, each name after `prefix`; one `written`
    line per file."""
    card_path = out / f"{prefix}{CARD_NAME}"
    lines = [written(card_path, write_atomic(card_path, json.dumps(card, indent=2) + "\n"))]
    plots = {
        "training_curves.png": lambda path: plot_curves(history, path),
        "confusion_matrix.png": lambda path: plot_confusion(confusion(test.labels, predictions),
                                                            path),
        "misclassified.png": lambda path: plot_misclassified(test, predictions, path),
    }
    for name, plot in plots.items():
        path = out / f"{prefix}{name}"
        replaced = path.exists()
        plot(path)
        lines.append(written(path, replaced))
    return lines
