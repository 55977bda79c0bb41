"""python -m tests.scenes: the reader's per-scene accuracy table on generated webcam-like scenes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from runtime.command import cli
from runtime.models.formats import DEFAULT_MODEL
from tests.scenes.generate import SCENES, SETS

SHARED_MNIST = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"
# README markers, one table per set: <!-- scenes:start --> ... <!-- scenes:end --> for the first
SECTIONS = {"one": "scenes", "two": "scenes-two"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.scenes", description=__doc__)
    p.add_argument("--per-scene", type=int, default=40, metavar="N", help="scenes per kind")
    p.add_argument("--model", default=str(DEFAULT_MODEL), metavar="M")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--set", choices=(*SETS, "all"), default="all", help="the first round's "
                   f"kinds ({', '.join(SETS['one'])}), the second's ({', '.join(SETS['two'])}) "
                   "or all (default)")
    p.add_argument("--scene", action="append", choices=SCENES, metavar="KIND",
                   help="only this scene kind (repeatable, instead of --set)")
    p.add_argument("--update", metavar="FILE", help="rewrite each set's table between its "
                   "markers in FILE (e.g. README.md): "
                   + ", ".join(f"<!-- {s}:start/end --> ({name})" for name, s in SECTIONS.items()))
    p.add_argument("--no-reject", action="store_true",
                   help="without the rejector beside the model (what it gains)")
    p.add_argument("--misread", action="store_true", help="list every misreading")
    p.add_argument("--save", metavar="DIR", help="write each misread scene's image to "
                   "DIR/<kind>-<index>.png (exactly the pixels the reader saw)")
    args = p.parse_args(argv)
    if args.per_scene < 1:
        p.error("--per-scene must be at least 1")
    if args.update and not Path(args.update).is_file():
        p.error(f"--update: no such file: {args.update}")
    return args


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("MNIST_DIR") and SHARED_MNIST.is_dir():
        os.environ["MNIST_DIR"] = str(SHARED_MNIST)
    import cv2

    from runtime.files import write_atomic
    from runtime.measure.report import update_section
    from runtime.reader.recognizer import Recognizer
    from tests.scenes.measure import score, table

    kinds = list(dict.fromkeys(args.scene or (SCENES if args.set == "all" else SETS[args.set])))
    recognizer = Recognizer.open(args.model, reject=not args.no_reject)
    save = None
    if args.save:
        folder = Path(args.save)
        folder.mkdir(parents=True, exist_ok=True)

        def save(scene, reading: str) -> None:
            _, png = cv2.imencode(".png", scene.image)
            write_atomic(folder / f"{scene.kind}-{scene.index}.png", png.tobytes())

    results = score(lambda image: recognizer.read(image).digits, args.per_scene, args.seed, kinds,
                    save)
    for name, members in SETS.items():
        part = {kind: s for kind, s in results.items() if kind in members}
        if not part:
            continue
        text = table(part, Path(args.model).name, args.seed, args.per_scene)
        print(text + "\n")
        if args.update:
            update_section(args.update, SECTIONS[name], text)
    if args.misread:
        for kind, s in results.items():
            print(f"{kind}: {' '.join(s.misread)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
