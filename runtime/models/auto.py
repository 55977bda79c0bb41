"""`--model auto`: the fastest verified artifact of the article model on this CPU.

A rule from measurements, chosen by the CPU's int8 features (runtime/measure/cpu.py), not a
measurement made at start:
- the ordering is a property of the CPU's instructions, and it is large and stable where we
  measured it: with VNNI, int8 LiteRT runs at about 0.35x the float32 time; without it (AVX2),
  int8 LiteRT is no faster than float32 and onnxruntime's int8 is about 0.77x of it;
- a measurement at start costs every start a second or more (more on a Pi), and on a busy
  machine it measures the neighbours: on the shared 2-core machine of this project two runs a
  minute apart ordered the models differently;
- a rule is the same on every run, testable without the CPU (tests/runtime/test_models_auto.py
  feeds it the sample /proc/cpuinfo files of scripts/cpuinfo/), and `python -m runtime.benchmark`
  prints its choice beside what it measures, so a CPU the rule mis-orders shows it.
Only the article model's artifacts are candidates (the reader needs its accuracy on real scenes);
a candidate must carry its export's verdicts and meet its contract row on every kernel path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import UserError
from runtime.measure import cpu as cpu_info
from runtime.models import metadata as model_metadata
from runtime.models.classifier import KERNEL_PATHS
from runtime.models.formats import FLOAT_MODEL_NAME, FORMATS, MODELS_DIR, Format, format_by_key

AUTO = "auto"
MODEL_HELP = ("a .tflite or .onnx model file, or auto: the fastest verified model on this CPU "
              "(default: %(default)s)")
X86 = ("x86_64", "amd64", "x86", "i386", "i686")
X86_INT8_DOT = ("avx512_vnni", "avx_vnni", "amx_int8")  # 8-bit products summed into 32 bits
ARM_INT8_DOT = ("asimddp",)  # SDOT/UDOT
CANDIDATES = tuple(f for f in FORMATS if f.source == FLOAT_MODEL_NAME)
# LiteRT's full-integer models of the article model: the same kernels, the same speed.
INT8_TFLITE = tuple(f.key for f in CANDIDATES if f.backend == "tflite" and f.int8_io)
FLOATS = ("tflite:float32", "onnx:float32", "tflite:float16")


@dataclass(frozen=True)
class Rule:
    cpus: str  # which CPUs, in words
    applies: Callable[[cpu_info.CpuInfo], bool]
    fastest_first: tuple[str, ...]  # format keys; candidates left out follow in table order
    evidence: str  # the measurement behind the order, or that there is none

    def order(self) -> list[Format]:
        listed = [format_by_key(key) for key in self.fastest_first]
        return [f for f in listed if f is not None] + [f for f in CANDIDATES if f not in listed]


def _x86(c: cpu_info.CpuInfo) -> bool:
    return c.machine.lower() in X86


def _arm(c: cpu_info.CpuInfo) -> bool:
    return c.machine.lower() in ("aarch64", "arm64") or c.machine.lower().startswith("arm")


def _has(c: cpu_info.CpuInfo, flags: tuple[str, ...]) -> bool:
    return c.features is not None and any(f in c.features for f in flags)


RULES: tuple[Rule, ...] = (
    Rule("x86-64 with 8-bit dot products (AVX-512 VNNI, AVX-VNNI, AMX)",
         lambda c: _x86(c) and _has(c, X86_INT8_DOT),
         (*INT8_TFLITE, "tflite:dynamic", "onnx:int8", *FLOATS),
         "AMD EPYC with AVX-512 VNNI, batch 1, one thread: int8 TFLite 81 us, dynamic 69 us, "
         "ONNX int8 106 us, float32 TFLite 225 us; in the reader's pipeline int8 TFLite 640 "
         "FPS, dynamic 621 (models/REPORT.md, 2026-11-30)"),
    Rule("x86-64 without 8-bit dot products (AVX2)",
         lambda c: _x86(c) and c.features is not None,
         ("onnx:int8", "tflite:dynamic", *FLOATS, *INT8_TFLITE),
         "AMD EPYC with AVX2 and no VNNI, batch 1, one thread, interleaved: ONNX int8 207 us, "
         "float32 TFLite 268 us, int8 TFLite 311 us (2026-12-03); on a busy one, CPU time per "
         "image relative to float32 TFLite: ONNX int8 0.75, dynamic 0.81, int8 TFLite 0.86"),
    Rule("ARM with the dot-product extension (asimddp: Raspberry Pi 5, Apple M)",
         lambda c: _arm(c) and _has(c, ARM_INT8_DOT),
         (*INT8_TFLITE, "onnx:int8", "tflite:dynamic", *FLOATS),
         "not measured: XNNPACK's int8 kernels use SDOT there"),
    Rule("any other CPU (Raspberry Pi 4, or features unknown)", lambda c: True,
         (*INT8_TFLITE, "onnx:int8", "tflite:dynamic", *FLOATS),
         "not measured: int8 TFLite, the default before --model auto"),
)


@dataclass(frozen=True)
class Choice:
    path: Path
    fmt: Format
    rule: Rule
    cpu: cpu_info.CpuInfo
    passed_over: tuple[str, ...] = ()  # "file: why", for artifacts present but not verified

    def note(self) -> str:
        """The line a command prints: which model, and why."""
        why = f"; passed over {', '.join(self.passed_over)}" if self.passed_over else ""
        return (f"model {self.path.name} (--model auto: the fastest verified model for "
                f"{self.rule.cpus}{why})")


def rule_for(c: cpu_info.CpuInfo) -> Rule:
    return next(rule for rule in RULES if rule.applies(c))


def unverified(fmt: Format, meta: dict) -> str | None:
    """Why an artifact's own metadata does not show it inside its contract row (None: it does)."""
    if meta.get("format") != fmt.key:
        return "no export metadata"
    paths = meta.get("kernel_paths") or {}
    for kernels in KERNEL_PATHS:
        m = paths.get(kernels)
        if m is None:
            return f"not verified on the {kernels} kernels"
        if not fmt.accepts(m["delta_points"], m["agreement"], m["accuracy"]):
            return f"outside its contract on the {kernels} kernels"
    return None


def _metadata(path: Path) -> dict:
    try:
        return model_metadata.read(path)
    except Exception:  # a damaged file is passed over; naming it with --model shows the error
        return {}


def choose(c: cpu_info.CpuInfo | None = None, models_dir: Path = MODELS_DIR) -> Choice:
    """The first artifact, in the CPU's rule order, present in models_dir and verified."""
    c = cpu_info.detect() if c is None else c
    rule = rule_for(c)
    passed_over = []
    for fmt in rule.order():
        path = models_dir / fmt.filename
        if not path.is_file():
            continue
        why = unverified(fmt, _metadata(path))
        if why is None:
            return Choice(path, fmt, rule, c, tuple(passed_over))
        passed_over.append(f"{path.name}: {why}")
    raise UserError(f"--model auto: no verified model of {FLOAT_MODEL_NAME} in {models_dir} "
                    "(export one: python -m export.tflite), or pass --model FILE")


def resolve(model: str | Path) -> tuple[Path, str | None]:
    """A --model value to a file: `auto` chooses (and says which, in the note); a file is itself."""
    if str(model) != AUTO:
        return Path(model), None
    choice = choose()
    return choice.path, choice.note()
