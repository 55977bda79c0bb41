"""python -m train: train the article's CNN (or a microcontroller model) on MNIST and write a run
folder."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from runtime.cliargs import output_dir, positive_int
from runtime.command import cli, program
from train.recipes import RECIPES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program("train"), description=__doc__)
    p.add_argument("--recipe", choices=sorted(RECIPES), default="article",
                   help="article: the article's 5 epochs; strong: 20 epochs, one-cycle schedule; "
                   "scenes: strong with half of each batch photographed and cut by the reader; "
                   "styles: scenes with European 1s, barred 7s and slashed 0s among the digits; "
                   "micro, micro_tiny: the microcontroller models (<= 32 and <= 16 KiB as int8), "
                   "distilled from models/mnist_cnn.keras")
    p.add_argument("--epochs", type=positive_int, help="override the recipe's epoch count")
    p.add_argument("--batch-size", type=positive_int, help="override the recipe's batch size")
    p.add_argument("--seed", type=int, default=0, help="same seed, same run (default 0)")
    p.add_argument("--data-dir", help="folder with the MNIST IDX files (else $MNIST_DIR, cache)")
    p.add_argument("--out", type=output_dir, help="run folder (default: runs/<time>-<recipe>)")
    p.add_argument("--train-limit", type=positive_int,
                   help="train on the first N images (smoke tests)")
    p.add_argument("--verbose", action="store_true",
                   help="also show TensorFlow's own log lines (hidden by default)")
    return p.parse_args(argv)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{args.recipe}"

    from train import quiet

    quiet.import_tensorflow(args.verbose)  # before train.run imports it, after the arguments
    from train.recipes import get_recipe
    from train.run import RunConfig, train

    config = RunConfig(recipe=get_recipe(args.recipe, args.epochs, args.batch_size),
                       seed=args.seed, data_dir=args.data_dir, out=out,
                       train_limit=args.train_limit, verbose=1 if sys.stdout.isatty() else 2)
    card, written = train(config)
    print(f"test accuracy {card['test_accuracy']:.2f}% ({card['test_errors']} errors on "
          f"{card['test_images']:,} images), {card['mean_seconds_per_epoch']:.1f} s/epoch")
    for line in written:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
