"""The markdown table of scripts/pi-emulate.sh from runtime.evaluate --json lines (stdlib only).

  python scripts/pi_table.py RESULTS.jsonl --emulated "pi4, QEMU_CPU=cortex-a72" [--image TEXT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HEADER = ("| model | kernel path | accuracy | float, same images | agreement | images "
          "| contract | emulated CPU |\n|---|---|---:|---:|---:|---:|---|---|")


def rows(lines: list[dict], emulated: str) -> list[str]:
    return [f"| `{r['model']}` | {r['kernels']} | {r['accuracy']:.2f}% "
            f"| {r['float_accuracy']:.2f}% | "
            + (f"{r['agreement']:.2f}%" if r.get("agreement") is not None else "-")
            + f" | {r['images']:,} | {'PASS' if r['pass'] else 'FAIL'} | {emulated} |"
            for r in lines]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", type=Path)
    p.add_argument("--emulated", required=True, help="the emulated CPU, as it goes in the table")
    p.add_argument("--image", default="", help="runtime.image's output on the sample photo")
    args = p.parse_args()
    lines = [json.loads(t) for t in args.results.read_text().splitlines() if t.strip()]
    if not lines:
        print("pi_table: no results", file=sys.stderr)
        return 1
    print(HEADER)
    print("\n".join(rows(lines, args.emulated)))
    print(f"\nCPU as the runtime saw it: {lines[0]['cpu']}")
    if args.image:
        print(f"`runtime.image docs/sample-number.jpg`: {args.image.strip()}")
    return 0 if all(r["pass"] for r in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
