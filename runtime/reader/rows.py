"""Rows: marks grouped into lines of writing, each read left to right, lines top to bottom.

Scanning left to right, a mark joins the line whose last mark it overlaps most in height, so a row
written at a slant (or photographed tilted) stays one line; a mark overlapping none starts a line.
"""

from __future__ import annotations

Box = tuple[int, int, int, int]  # x, y, w, h

MIN_OVERLAP = 0.35  # of the shorter mark's height: two marks side by side share this much of it
FRAGMENT = 0.5  # of a line's tallest mark: a mark this flat (a stray piece) does not lead the line


def overlap(a: Box, b: Box) -> tuple[float, float]:
    """Vertical overlap of two boxes as a fraction of the shorter and of the taller one's height."""
    top, bottom = max(a[1], b[1]), min(a[1] + a[3], b[1] + b[3])
    shared = max(0, bottom - top)
    return shared / max(1, min(a[3], b[3])), shared / max(1, a[3], b[3])


def group_rows(boxes: list[Box]) -> list[list[int]]:
    """Indices of `boxes` grouped in lines (top to bottom), each line left to right.

    A mark may join a line whose last mark shares MIN_OVERLAP of the shorter one's height; of
    those, the line whose last mark it matches best in size and level (a dot or a bar nearby does
    not pull a digit out of its row).
    """
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0] + boxes[i][2] / 2)
    lines: list[list[int]] = []
    for i in order:
        box = boxes[i]
        best, best_score = None, 0.0
        for line in lines:
            shorter, taller = overlap(box, boxes[_leader(line, boxes)])
            if shorter >= MIN_OVERLAP and taller > best_score:
                best, best_score = line, taller
        if best is None:
            lines.append([i])
        else:
            best.append(i)
    return sorted(lines, key=lambda line: sum(boxes[i][1] + boxes[i][3] / 2 for i in line)
                  / len(line))


def _leader(line: list[int], boxes: list[Box]) -> int:
    """The mark a line's next mark is compared with: its last one that is not a stray piece."""
    tallest = max(boxes[i][3] for i in line)
    return next(i for i in reversed(line) if boxes[i][3] >= FRAGMENT * tallest)
