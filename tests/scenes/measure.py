"""Run the reader on generated scenes and tabulate, per scene, how much it reads right."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from runtime.measure import cpu
from tests.scenes.generate import SCENES, Scene, make_scene


@dataclass
class Score:
    """One scene kind's results."""

    images: int = 0
    exact: int = 0  # readings equal to the truth: every line, in order
    digits_right: int = 0
    digits: int = 0  # max(true, read) digits per image, summed: extra digits count against
    misread: list[str] = field(default_factory=list)  # "#index 'truth'->'read'"

    def add(self, truth: str, read: str, index: int = -1) -> None:
        flat_truth, flat_read = truth.replace("\n", ""), read.replace("\n", "")
        self.images += 1
        self.exact += read == truth
        self.digits_right += matched(flat_truth, flat_read)
        self.digits += max(len(flat_truth), len(flat_read))
        if read != truth:
            self.misread.append(f"#{index} {truth!r}->{read!r}")

    @property
    def exact_share(self) -> float:
        return self.exact / self.images if self.images else 0.0

    @property
    def digit_share(self) -> float:
        return self.digits_right / self.digits if self.digits else 1.0


def matched(truth: str, read: str) -> int:
    """Digits read right: the longest common subsequence of the true and read strings."""
    prev = [0] * (len(read) + 1)
    for t in truth:
        cur = [0]
        for j, r in enumerate(read):
            cur.append(prev[j] + 1 if t == r else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def scenes(per_scene: int, seed: int, kinds: Iterable[str] = SCENES) -> Iterable[Scene]:
    for kind in kinds:
        for index in range(per_scene):
            yield make_scene(kind, index, seed)


def score(read: Callable[[object], str], per_scene: int, seed: int,
          kinds: Iterable[str] = SCENES,
          misread: Callable[[Scene, str], None] | None = None) -> dict[str, Score]:
    """Per scene kind: read every scene (read: image -> the reading's digits) and score it;
    misread(scene, reading) is called for every scene not read exactly."""
    out: dict[str, Score] = {}
    for scene in scenes(per_scene, seed, kinds):
        reading = read(scene.image)
        out.setdefault(scene.kind, Score()).add(scene.text, reading, scene.index)
        if misread is not None and reading != scene.text:
            misread(scene, reading)
    return out


def table(results: dict[str, Score], model: str, seed: int, per_scene: int) -> str:
    """The Markdown table: per scene and in total."""
    lines = [
        "| scene | images | numbers read exactly | digits right |",
        "|---|---:|---:|---:|",
    ]
    total = Score()
    for kind, s in results.items():
        lines.append(f"| {kind} | {s.images} | {s.exact_share:.0%} ({s.exact}) "
                     f"| {s.digit_share:.1%} ({s.digits_right}/{s.digits}) |")
        total.images += s.images
        total.exact += s.exact
        total.digits_right += s.digits_right
        total.digits += s.digits
    lines.append(f"| **all** | {total.images} | {total.exact_share:.0%} ({total.exact}) "
                 f"| {total.digit_share:.1%} ({total.digits_right}/{total.digits}) |")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    lines += ["", f"Model `{model}`, {per_scene} scenes per kind, seed {seed}, measured {when} "
              f"on {cpu.detect().describe()}, {os.cpu_count()} cores."]
    return "\n".join(lines)
