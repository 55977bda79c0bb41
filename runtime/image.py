"""python -m runtime.image PATH... [--model M] [--json] [--annotate DIR] [--debug DIR]: the numbers
in photos, row by row."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from runtime.cliargs import THRESHOLD_HELP, output_dir, positive_int, probability
from runtime.command import cli, program
from runtime.errors import EXIT_USER_ERROR, UserError
from runtime.files import write_atomic, written
from runtime.frames.decode import JPEG_MAGIC, decode, truncated
from runtime.models.auto import AUTO, MODEL_HELP, resolve
from runtime.reader.debug import pictures
from runtime.reader.draw import annotate
from runtime.reader.pipeline import find_digits
from runtime.reader.recognizer import DEFAULT_THRESHOLD, Item, Reading, Recognizer

PROG = "runtime.image"
SAVE_AS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}  # else annotations are PNG


def quiet_opencv() -> None:
    """OpenCV's own warnings on undecodable files would add lines to our one-line errors."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging is not None:
        logging.setLogLevel(logging.LOG_LEVEL_SILENT)


def load_image(path: Path) -> np.ndarray:
    """A decoded image as stored (gray, colour or with alpha; 8 or 16 bits), or a UserError
    (also for an image with more pixels than runtime.MAX_IMAGE_PIXELS, before decoding it)."""
    if not path.exists():
        raise UserError(f"image not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a directory, not an image")
    data = path.read_bytes()
    if not data:
        raise UserError(f"{path} is empty")
    if truncated(data):
        raise UserError(f"{path} is truncated (the file ends before the image does)")
    # JPEGs through IMREAD_COLOR so their EXIF orientation applies (phone photos)
    flags = cv2.IMREAD_COLOR if data.startswith(JPEG_MAGIC) else cv2.IMREAD_UNCHANGED
    image = decode(data, flags, str(path))
    if image is None:
        raise UserError(f"{path} is not an image OpenCV can read")
    return image


def save_image(path: Path, image: np.ndarray) -> bool:
    """Encode, write to a temporary file beside `path`, rename: never a half-written image.

    Returns whether it replaced an existing file."""
    ok, encoded = cv2.imencode(path.suffix, image)
    if not ok:
        raise UserError(f"cannot encode an image as {path.suffix}")
    return write_atomic(path, encoded.tobytes())


def annotated_path(source: Path, out_dir: Path) -> Path:
    suffix = source.suffix.lower() if source.suffix.lower() in SAVE_AS else ".png"
    return out_dir / f"{source.stem}.annotated{suffix}"


def confidences(items: list[Item]) -> str:
    """'4 99%, 2 87%': each digit with its confidence."""
    return ", ".join(f"{i.digit} {i.confidence:.0%}" for i in items)


def describe(path: str, reading: Reading) -> str:
    """The human text: 'photo.jpg: 42  (4 99%, 2 87%)'; several rows: one indented line each."""
    lines = reading.lines
    if not lines:
        text = f"{path}: no digits found"
    elif len(lines) == 1:
        text = f"{path}: {lines[0].digits}  ({confidences(lines[0].items)})"
    else:
        text = f"{path}: {len(lines)} lines" + "".join(
            f"\n  line {n}: {line.digits}  ({confidences(line.items)})"
            for n, line in enumerate(lines, 1))
    if reading.unsure:
        text += f"  [below threshold: {confidences(reading.unsure)}]"
    return text


def write_debug(source: Path, out_dir: Path, image: np.ndarray, found, labels: list[str],
                notes=sys.stdout) -> None:
    """One PNG per reader stage, named <image>.<stage>.png; each path printed to `notes`."""
    for stage, picture in pictures(image, found, labels):
        path = out_dir / f"{source.stem}.{stage}.png"
        print(written(path, save_image(path, picture)), file=notes, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program(PROG),
                                description="Read the handwritten number in photos.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files (JPEG, PNG, ...)")
    p.add_argument("--model", default=AUTO, help=MODEL_HELP)
    p.add_argument("--json", action="store_true", help="one JSON object per image per line")
    p.add_argument("--annotate", metavar="DIR", type=output_dir,
                   help="write each image with its boxes and digits as DIR/<name>.annotated.<ext>")
    p.add_argument("--debug", metavar="DIR", type=output_dir,
                   help="write one picture per reader stage per image (sheet, ink, marks, rows)")
    p.add_argument("--threshold", type=probability, default=DEFAULT_THRESHOLD,
                   help=THRESHOLD_HELP)
    p.add_argument("--threads", type=positive_int, default=1, help="inference threads")
    return p.parse_args(argv)


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_opencv()
    model, chosen = resolve(args.model)
    recognizer = Recognizer.open(model, threads=args.threads, threshold=args.threshold)
    out_dir = Path(args.annotate) if args.annotate else None
    debug_dir = Path(args.debug) if args.debug else None
    for folder in (out_dir, debug_dir):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    notes = sys.stderr if args.json else sys.stdout  # --json keeps stdout for JSON lines only
    failed = 0
    for name in args.paths:
        try:
            image = load_image(Path(name))
        except UserError as e:  # one bad file does not stop the others
            print(f"{program(PROG)}: error: {e}", file=sys.stderr)
            failed += 1
            continue
        found, items = recognizer.recognize(find_digits(image))
        reading = recognizer.read_found(found, items)
        if chosen:  # which model auto took heads the readings (none: nothing is said)
            print(chosen, file=notes, flush=True)
            chosen = ""
        print(json.dumps(reading.to_dict(name)) if args.json else describe(name, reading),
              flush=True)
        if out_dir is not None:
            target = annotated_path(Path(name), out_dir)
            replaced = save_image(target, annotate(image, reading))
            print(written(target, replaced), file=notes)
        if debug_dir is not None:
            write_debug(Path(name), debug_dir, image, found, [str(i.digit) for i in items], notes)
    return EXIT_USER_ERROR if failed else 0


if __name__ == "__main__":
    sys.exit(main())
