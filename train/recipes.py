"""Training recipes as plain values: `article` is the article's, the others ours."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Augmentation:
    """Random affine, in ImageDataGenerator's units (degrees, fractions of the image size)."""

    rotation: float = 8.0
    shift: float = 0.08
    shear: float = 0.3  # degrees, as ImageDataGenerator reads shear_range
    zoom: float = 0.08


@dataclass(frozen=True)
class Recipe:
    name: str
    epochs: int
    batch_size: int
    learning_rate: float  # Adam's; the peak of the schedule when there is one
    schedule: str  # "constant" or "onecycle" (linear warm-up, then cosine decay to zero)
    warmup_epochs: float
    augmentation: Augmentation
    validation_size: int = 5_000  # held out of the 60,000 training images
    scene_share: float = 0.0  # of each batch: scene-like crops (train.degrade) instead of MNIST's
    styles: bool = False  # European 1s, barred 7s, slashed 0s drawn onto a share (train.styles)
    architecture: str = "mnist_cnn"  # train.model.ARCHITECTURES
    # Distillation: a trained float model in models/ whose softened probabilities (at
    # `temperature`) the student learns with weight `distill`, the labels with 1 - distill.
    teacher: str | None = None
    distill: float = 0.0
    temperature: float = 1.0


STRONG_AUGMENTATION = Augmentation(rotation=10.0, shift=0.1, shear=0.3, zoom=0.1)
RECIPES = {
    # The article: Adam with defaults, batch 64, 5 epochs, its augmentation.
    "article": Recipe("article", 5, 64, 1e-3, "constant", 0.0, Augmentation()),
    # Longer, with a one-cycle schedule and slightly stronger augmentation.
    "strong": Recipe("strong", 20, 128, 3e-3, "onecycle", 1.0, STRONG_AUGMENTATION),
    # `strong`, with half of every batch cut by the reader from digits photographed on paper.
    "scenes": Recipe("scenes", 20, 128, 3e-3, "onecycle", 1.0, STRONG_AUGMENTATION,
                     scene_share=0.5),
    # `scenes`, with some 1s, 7s and 0s written as people outside MNIST's writers write them.
    "styles": Recipe("styles", 20, 128, 3e-3, "onecycle", 1.0, STRONG_AUGMENTATION,
                     scene_share=0.5, styles=True),
    # Microcontroller models (<= 32 KiB and <= 16 KiB as int8), taught by the shipped article
    # model: a small model learns more from its soft targets than from the labels alone.
    "micro": Recipe("micro", 60, 128, 4e-3, "onecycle", 2.0, STRONG_AUGMENTATION,
                    architecture="mnist_micro", teacher="mnist_cnn.keras", distill=0.7,
                    temperature=4.0),
    "micro_tiny": Recipe("micro_tiny", 60, 128, 4e-3, "onecycle", 2.0, STRONG_AUGMENTATION,
                         architecture="mnist_micro_tiny", teacher="mnist_cnn.keras", distill=0.7,
                         temperature=4.0),
}


def get_recipe(name: str, epochs: int | None = None, batch_size: int | None = None) -> Recipe:
    """A recipe by name, with --epochs / --batch-size overrides."""
    recipe = RECIPES[name]
    if epochs is not None:
        recipe = replace(recipe, epochs=epochs)
    if batch_size is not None:
        recipe = replace(recipe, batch_size=batch_size)
    return recipe


def as_dict(recipe: Recipe) -> dict:
    return asdict(recipe)
