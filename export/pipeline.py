"""One export run: float reference once per source model, then per artifact convert, verify,
publish."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from export import carray, convert_onnx, convert_tflite, prune_cluster, qat, report, source
from export import metadata as export_metadata
from export.context import Context
from export.errors import ValidationError
from export.validate import verify
from runtime.errors import UserError
from runtime.files import temp_beside, write_atomic
from runtime.files import written as written_line
from runtime.models.formats import MODELS_DIR, Format, formats_for
from runtime.models.metadata import METADATA_KEY, embed_tflite, sidecar
from train import quiet

CONVERTERS: dict[str, Callable[[Context], bytes]] = {
    **convert_tflite.CONVERTERS,
    **convert_onnx.CONVERTERS,
    **qat.CONVERTERS,
    **prune_cluster.CONVERTERS,
}
# Metadata settings beyond calibration (which every full-integer row records).
EXTRA_SETTINGS: dict[str, dict[str, Any]] = {"tflite:qat_int8": qat.SETTINGS,
                                              "onnx:int8": convert_onnx.SETTINGS,
                                              **prune_cluster.SETTINGS}
ALL = "all"


def variants(command: str) -> list[str]:
    """The --variant choices of an export command, from the format table."""
    return [f.variant for f in formats_for(command)] + [ALL]


def settings(fmt: Format) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if fmt.full_integer:
        found.update(calibration_images=source.CALIBRATION_IMAGES,
                     calibration_seed=source.CALIBRATION_SEED, calibration_split="train")
    return {**found, **EXTRA_SETTINGS.get(fmt.key, {})}


def embed(fmt: Format, data: bytes, meta: dict[str, Any]) -> bytes:
    if fmt.backend == "tflite":
        return embed_tflite(data, meta)
    return convert_onnx.embed(data, METADATA_KEY, json.dumps(meta, sort_keys=True))


def outputs(fmt: Format, final: Path, data: bytes, meta: dict[str, Any]) -> dict[Path, bytes | str]:
    """What an artifact publishes: the model with its metadata embedded; for a microcontroller,
    the model exactly as flashed, its metadata in a sidecar, and the model as a C array."""
    if not fmt.tflm:
        return {final: embed(fmt, data, meta)}
    return {final: data, sidecar(final): json.dumps(meta, sort_keys=True) + "\n",
            **carray.files(final, data, meta)}


def writable_dir(out_dir: Path) -> Path:
    """Create out_dir if needed and prove a file can be written there, before any heavy work."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=out_dir):
        pass
    return out_dir


def export_one(fmt: Format, ctx: Context, out_dir: Path) -> Path:
    """Convert, verify on a temporary file, build the metadata from what was measured, and only
    then write the artifact (and its companions) in place."""
    # Keras' export lists every tracked variable on stdout, the converters' C++ their settings
    with contextlib.redirect_stdout(io.StringIO()), quiet.converter_output():
        data = CONVERTERS[fmt.key](ctx)
    for name, value in ctx.measured.get(fmt.key, {}).items():  # said even if it fails below
        print(f"{fmt.filename}: {name.replace('_', ' ')} {value}", flush=True)
    final = out_dir / fmt.filename
    tmp = temp_beside(final)  # same suffix: the runtime picks its backend by it
    try:
        tmp.write_bytes(data)
        checked = verify(fmt, tmp, ctx.reference)
        extra = {"tflm": checked.tflm, "io": carray.io_params(data)} if fmt.tflm else {}
        found = {**settings(fmt), **ctx.measured.get(fmt.key, {})}
        meta = export_metadata.build(fmt, ctx.reference, checked.verdicts, found, extra)
        files = outputs(fmt, final, data, meta)
    finally:
        tmp.unlink(missing_ok=True)
    replaced = {path: write_atomic(path, content) for path, content in files.items()}
    for v in checked.verdicts:
        print(f"{fmt.filename} ({v.kernels} kernels): {v.accuracy:.2f}% ({v.delta:+.2f} pts vs "
              f"float), agreement {v.agreement:.2f}%, max prob diff {v.max_prob_diff:.4f}",
              flush=True)
    if checked.tflm:
        print(f"{fmt.filename} under TFLM: arena {checked.tflm['arena_bytes']:,} bytes "
              f"(reserve {checked.tflm['arena_size']:,}), {checked.tflm['us_per_image']:,.0f} us "
              f"per image here, ops {' '.join(checked.tflm['ops'])}", flush=True)
    for path, was in replaced.items():
        size = f": {path.stat().st_size / 1024:,.1f} KiB" if path == final else ""
        print(f"{written_line(path, was)}{size}", flush=True)
    return final


def sources(chosen: list[Format], model: Path | None) -> dict[Path, list[Format]]:
    """The float model each chosen row is made from: --model, else the row's own in models/."""
    if model is not None and len({f.source for f in chosen}) > 1:
        raise UserError(f"--model names one float model, but these variants come from "
                        f"{', '.join(sorted({f.source for f in chosen}))}: choose one --variant")
    found: dict[Path, list[Format]] = {}
    for fmt in chosen:
        found.setdefault(model or MODELS_DIR / fmt.source, []).append(fmt)
    for path in found:
        source.check_keras_file(path)  # before the out folder is made: bad input leaves nothing
    return found


def run(command: str, variant: str, model: Path | None, out_dir: Path,
        data_dir: Path | None = None) -> list[Path]:
    """Export the chosen variants of one command; ValidationError names every broken contract."""
    source.quiet_tensorflow()
    chosen = [f for f in formats_for(command) if variant in (ALL, f.variant)]
    if not chosen:
        raise UserError(f"unknown variant {variant!r} for export.{command}")
    groups = sources(chosen, model)
    writable_dir(out_dir)
    written, failures, references = [], [], {}
    for path, formats in groups.items():
        start = time.perf_counter()
        ctx = Context(source.float_reference(path, data_dir), data_dir)
        references[formats[0].source] = ctx.reference.sha256
        print(f"float reference {path.name}: {ctx.reference.accuracy:.2f}% on "
              f"{len(ctx.reference.test_labels):,} test images "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        for fmt in formats:
            start = time.perf_counter()
            try:
                written.append(export_one(fmt, ctx, out_dir))
            except ValidationError as e:
                print(f"{fmt.filename}: FAILED: {e}", file=sys.stderr, flush=True)
                failures.append(str(e))
            print(f"  ({fmt.key} took {time.perf_counter() - start:.0f} s)", flush=True)
    existed = (out_dir / report.REPORT_NAME).is_file()
    path = report.write(out_dir, references)
    print(f"updated the export table of {path}" if existed else written_line(path, False))
    if failures:
        raise ValidationError(f"{len(failures)} of {len(chosen)} variants failed: "
                              + " | ".join(failures))
    return written
