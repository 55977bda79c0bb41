"""Training recipes as plain values: `article` is the article's, `strong` and `scenes` ours."""

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


RECIPES = {
    # The article: Adam with defaults, batch 64, 5 epochs, its augmentation.
    "article": Recipe("article", 5, 64, 1e-3, "constant", 0.0, Augmentation()),
    # Longer, with a one-cycle schedule and slightly stronger augmentation.
    "strong": Recipe("strong", 20, 128, 3e-3, "onecycle", 1.0,
                     Augmentation(rotation=10.0, shift=0.1, shear=0.3, zoom=0.1)),
    # `strong`, with half of every batch cut by the reader from digits photographed on paper.
    "scenes": Recipe("scenes", 20, 128, 3e-3, "onecycle", 1.0,
                     Augmentation(rotation=10.0, shift=0.1, shear=0.3, zoom=0.1), scene_share=0.5),
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
