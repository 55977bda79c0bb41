"""One export run: float reference once, then per artifact convert, verify, rename."""

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

from export import convert_onnx, convert_tflite, qat, report, source
from export import metadata as export_metadata
from export.context import Context
from export.validate import ValidationError, verify
from runtime.errors import UserError
from runtime.files import publish, temp_beside
from runtime.files import written as written_line
from runtime.formats import Format, formats_for
from runtime.metadata import METADATA_KEY, embed_tflite
from train import quiet

CONVERTERS: dict[str, Callable[[Context], bytes]] = {
    **convert_tflite.CONVERTERS,
    **convert_onnx.CONVERTERS,
}
# Metadata settings beyond calibration (which every full-integer row records).
EXTRA_SETTINGS: dict[str, dict[str, Any]] = {"tflite:qat_int8": qat.SETTINGS,
                                              "onnx:int8": convert_onnx.SETTINGS}
ALL = "all"


def variants(backend: str) -> list[str]:
    """The --variant choices of a backend's CLI, from the format table."""
    return [f.variant for f in formats_for(backend)] + [ALL]


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


def writable_dir(out_dir: Path) -> Path:
    """Create out_dir if needed and prove a file can be written there, before any heavy work."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=out_dir):
        pass
    return out_dir


def export_one(fmt: Format, ctx: Context, out_dir: Path) -> Path:
    """Convert, verify on a temporary file, embed the measured numbers, then rename into place."""
    # Keras' export lists every tracked variable on stdout, the converters' C++ their settings
    with contextlib.redirect_stdout(io.StringIO()), quiet.converter_output():
        data = CONVERTERS[fmt.key](ctx)
    final = out_dir / fmt.filename
    tmp = temp_beside(final)  # same suffix: the runtime picks its backend by it
    try:
        tmp.write_bytes(data)
        verdicts = verify(fmt, tmp, ctx.reference)
        meta = export_metadata.build(fmt, ctx.reference, verdicts, settings(fmt))
        tmp.write_bytes(embed(fmt, data, meta))
        replaced = publish(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for v in verdicts:
        print(f"{fmt.filename} ({v.kernels} kernels): {v.accuracy:.2f}% ({v.delta:+.2f} pts vs "
              f"float), agreement {v.agreement:.2f}%, max prob diff {v.max_prob_diff:.4f}",
              flush=True)
    print(f"{written_line(final, replaced)}: {final.stat().st_size / 1024:,.0f} KiB", flush=True)
    return final


def run(backend: str, variant: str, model: Path, out_dir: Path,
        data_dir: Path | None = None) -> list[Path]:
    """Export the chosen variants of one backend; ValidationError names every broken contract."""
    source.quiet_tensorflow()
    source.check_keras_file(model)  # before the out folder is created: bad input leaves nothing
    writable_dir(out_dir)
    chosen = [f for f in formats_for(backend) if variant in (ALL, f.variant)]
    if not chosen:
        raise UserError(f"unknown variant {variant!r} for {backend}")
    start = time.perf_counter()
    ctx = Context(source.float_reference(model, data_dir), data_dir)
    print(f"float reference {model.name}: {ctx.reference.accuracy:.2f}% on "
          f"{len(ctx.reference.test_labels):,} test images ({time.perf_counter() - start:.0f} s)",
          flush=True)
    written, failures = [], []
    for fmt in chosen:
        start = time.perf_counter()
        try:
            written.append(export_one(fmt, ctx, out_dir))
        except ValidationError as e:
            print(f"{fmt.filename}: FAILED: {e}", file=sys.stderr, flush=True)
            failures.append(str(e))
        print(f"  ({fmt.key} took {time.perf_counter() - start:.0f} s)", flush=True)
    existed = (out_dir / report.REPORT_NAME).is_file()
    path = report.write(out_dir, ctx.reference.sha256, ctx.reference.accuracy)
    print(f"updated the export table of {path}" if existed else written_line(path, False))
    if failures:
        raise ValidationError(f"{len(failures)} of {len(chosen)} variants failed: "
                              + " | ".join(failures))
    return written
