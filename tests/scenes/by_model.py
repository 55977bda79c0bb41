"""python -m tests.scenes.by_model: what each model costs the reader in real reading.

The same generated scenes (tests/scenes, a few per kind, one seed) read with every TFLite model in
models/, one row per model: numbers read exactly and digits right, overall and per scene kind.
Written into the "scenes-by-model" section of models/REPORT.md with --update.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from runtime.command import cli

SHARED_MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"
SECTION = "scenes-by-model"
PER_SCENE = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.scenes.by_model", description=__doc__)
    p.add_argument("--per-scene", type=int, default=PER_SCENE, metavar="N",
                   help="scenes per kind (default %(default)s)")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--models", nargs="+", metavar="M",
                   help="model files (default: every TFLite artifact in models/)")
    p.add_argument("--update", metavar="FILE", help=f"rewrite the '{SECTION}' section of FILE "
                   "(e.g. models/REPORT.md)")
    args = p.parse_args(argv)
    if args.per_scene < 1:
        p.error("--per-scene must be at least 1")
    return args


def default_models() -> list[Path]:
    from runtime.models.formats import FORMATS, MODELS_DIR

    return [MODELS_DIR / f.filename for f in FORMATS
            if f.backend == "tflite" and (MODELS_DIR / f.filename).is_file()]


def table(rows: dict[str, dict], kinds: list[str], per_scene: int, seed: int) -> str:
    from datetime import datetime, timezone

    from runtime.measure import cpu
    from tests.scenes.measure import Score

    lines = [
        "## The reader with each model (`python -m tests.scenes.by_model`)",
        "",
        f"The same {per_scene} generated scenes per kind (seed {seed}; {per_scene * len(kinds)} "
        "in all: a small sample, one scene is "
        f"{100 / (per_scene * len(kinds)):.1f} points) read with each model: numbers read "
        "exactly (every line, in order) and digits right. Measured "
        f"{datetime.now(timezone.utc):%Y-%m-%d} on {cpu.detect().describe()}.",
        "",
        "| model | numbers read exactly | digits right | " + " | ".join(kinds) + " |",
        "|---|---:|---:|" + "---:|" * len(kinds),
    ]
    for name, scores in rows.items():
        total = Score()
        for s in scores.values():
            total.images += s.images
            total.exact += s.exact
            total.digits_right += s.digits_right
            total.digits += s.digits
        per_kind = " | ".join(f"{scores[k].exact}/{scores[k].images}" for k in kinds)
        lines.append(f"| `{name}` | {total.exact_share:.1%} ({total.exact}/{total.images}) "
                     f"| {total.digit_share:.1%} | {per_kind} |")
    return "\n".join(lines) + "\n"


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("MNIST_DIR") and SHARED_MNIST.is_dir():
        os.environ["MNIST_DIR"] = str(SHARED_MNIST)
    from runtime.measure.report import update_section
    from runtime.reader.recognizer import Recognizer
    from tests.scenes.generate import SCENES
    from tests.scenes.measure import Score, scenes

    models = [Path(m) for m in args.models] if args.models else default_models()
    made = list(scenes(args.per_scene, args.seed, SCENES))  # generated once, read by every model
    rows: dict[str, dict] = {}
    for path in models:
        recognizer = Recognizer.open(path)
        scores: dict[str, Score] = {}
        for scene in made:
            scores.setdefault(scene.kind, Score()).add(scene.text, recognizer.read(
                scene.image).digits, scene.index)
        rows[path.name] = scores
        print(f"{path.name}: {sum(s.exact for s in scores.values())}/{len(made)} read exactly",
              file=sys.stderr, flush=True)
    text = table(rows, list(SCENES), args.per_scene, args.seed)
    print(text)
    if args.update:
        update_section(args.update, SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
