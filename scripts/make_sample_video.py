"""Generate docs/sample-video.mp4: MNIST test digits written on paper, filmed by a hand-held camera.

    python scripts/make_sample_video.py [--out docs/sample-video.mp4] [--data-dir D]

Three seconds of one number, then three of another (NUMBERS), at 640x480 and 10 frames per second,
with the small drift, tilt, blur and sensor noise of a phone held over a page. The digits are the
first test images of each label (never training images), so the video is the same on every run.
MPEG-4 part 2 ('mp4v'), which every OpenCV build writes and reads, keeps it under 1 MB.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a file from anywhere: the runtime package is beside it

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from runtime.command import cli  # noqa: E402
from runtime.files import publish, temp_beside, written  # noqa: E402
from runtime.measure import dataset  # noqa: E402

NUMBERS = ("2024", "31415")  # shown in turn: the reading changes once
SIZE = (640, 480)  # width, height
FPS = 10
SECONDS_PER_NUMBER = 3
TILE = 96  # pixels per 28x28 digit (its ink fills about 20 of the 28)
STEP = 78  # pixels between digit origins: handwriting, not a grid
PAPER = np.array([222, 228, 232], np.float32)  # BGR, slightly blue-white
INK = np.array([70, 40, 30], np.float32)  # dark blue ballpoint
SEED = 2024
DEFAULT_OUT = ROOT / "docs" / "sample-video.mp4"


def digit_images(split: dataset.Split) -> dict[int, np.ndarray]:
    """The first test image of each digit: 28x28 uint8, white on black."""
    return {d: split.images[int(np.flatnonzero(split.labels == d)[0])] for d in range(10)}


def page(number: str, digits: dict[int, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """A still float32 BGR page with `number` written across its middle, lit from one side."""
    w, h = SIZE
    alpha = np.zeros((h, w), np.float32)
    x = (w - STEP * (len(number) - 1) - TILE) // 2
    for ch in number:
        y = (h - TILE) // 2 + int(rng.integers(-6, 7))  # handwriting wanders a little
        big = cv2.resize(digits[int(ch)], (TILE, TILE), interpolation=cv2.INTER_CUBIC)
        region = alpha[y : y + TILE, x : x + TILE]
        np.maximum(region, np.clip(big / np.float32(255), 0, 1), out=region)
        x += STEP
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - 0.25 * xs / w - 0.1 * ys / h  # brighter towards the top left window
    sheet = PAPER * (1 - alpha[..., None]) + INK * alpha[..., None]
    return sheet * light[..., None]


def film(sheet: np.ndarray, t: float, rng: np.random.Generator) -> np.ndarray:
    """One camera frame of `sheet` at time t: drift, tilt, focus blur and sensor noise."""
    w, h = SIZE
    angle = 1.5 * np.sin(2 * np.pi * t / 2.7)
    shift = (8 * np.sin(2 * np.pi * t / 3.1), 5 * np.cos(2 * np.pi * t / 2.3))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0 + 0.02 * np.sin(t))
    matrix[:, 2] += shift
    frame = cv2.warpAffine(sheet, matrix, SIZE, borderMode=cv2.BORDER_REFLECT)
    frame = cv2.GaussianBlur(frame, (0, 0), 1.0)
    frame += rng.normal(0, 3, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def write_video(path: Path, data_dir: str | None = None) -> bool:
    """Render every frame into a temporary file beside `path`, then rename; True if replaced."""
    rng = np.random.default_rng(SEED)
    digits = digit_images(dataset.load("test", data_dir))
    tmp = temp_beside(path)
    try:
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
        if not writer.isOpened():
            raise OSError(f"OpenCV cannot write MPEG-4 video here: {tmp}")
        frame_index = 0
        for number in NUMBERS:
            sheet = page(number, digits, rng)
            for _ in range(SECONDS_PER_NUMBER * FPS):
                writer.write(film(sheet, frame_index / FPS, rng))
                frame_index += 1
        writer.release()
        return publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@cli
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make_sample_video", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: %(default)s")
    p.add_argument("--data-dir", help="folder with the MNIST files (else $MNIST_DIR, the cache)")
    args = p.parse_args(argv)
    replaced = write_video(args.out, args.data_dir)
    print(f"{written(args.out, replaced)}: {' then '.join(NUMBERS)}, "
          f"{len(NUMBERS) * SECONDS_PER_NUMBER} s at {FPS} FPS, "
          f"{args.out.stat().st_size / 1024:,.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
