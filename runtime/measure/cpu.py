"""The CPU a number was measured on, and its int8-relevant features (no TensorFlow).

int8 is not the same arithmetic, nor the same speed, on every CPU: x86 without VNNI multiplies
8-bit pairs into saturating 16-bit sums (VPMADDUBSW), VNNI/AMX add into 32 bits; ARM without
asimddp (Raspberry Pi 4) widens with NEON, asimddp (Pi 5) has SDOT/UDOT, i8mm has SMMLA.
"""

from __future__ import annotations

import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
X86_FEATURES = ("avx2", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8", "amx_tile")
ARM_FEATURES = ("asimd", "asimddp", "i8mm")
ARM_PARTS = {  # "CPU part" of ARM Ltd (implementer 0x41) cores found on boards
    "0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57",
    "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76",
    "0xd0c": "Neoverse-N1", "0xd0d": "Cortex-A77", "0xd41": "Cortex-A78", "0xd40": "Neoverse-V1",
    "0xd49": "Neoverse-N2", "0xd4f": "Neoverse-V2",
}


@dataclass(frozen=True)
class CpuInfo:
    name: str
    machine: str  # platform.machine(): x86_64, aarch64, arm64, AMD64...
    features: tuple[str, ...] | None  # the int8-relevant ones present; None: unknown here

    def describe(self) -> str:
        """One line: name, architecture and int8 features (or that they are unknown)."""
        if self.features is None:
            flags = "int8 features unknown on this OS"
        else:
            flags = "int8 features: " + (" ".join(self.features) or "none of " +
                                         " ".join(_candidates(self.machine)))
        return f"{self.name} ({self.machine}); {flags}"


def _candidates(machine: str) -> tuple[str, ...]:
    return ARM_FEATURES if machine.lower() in ("aarch64", "arm64") or \
        machine.startswith("arm") else X86_FEATURES


def parse_cpuinfo(text: str, machine: str) -> CpuInfo:
    """CpuInfo from the text of /proc/cpuinfo (x86 'flags' or ARM 'Features' lines)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() not in fields:  # the first processor describes them all
            fields[key.strip()] = value.strip()
    present = set((fields.get("flags") or fields.get("Features") or "").split())
    # A Raspberry Pi's cpuinfo names the board ("Model"), the core only by its part number.
    board_and_core = ", ".join(filter(None, (fields.get("Model"), _arm_core(fields))))
    name = fields.get("model name") or board_and_core or machine
    features = tuple(f for f in _candidates(machine) if f in present)
    return CpuInfo(name, machine, features)


def _arm_core(fields: dict[str, str]) -> str | None:
    if fields.get("CPU implementer") != "0x41":
        return None
    return ARM_PARTS.get(fields.get("CPU part", ""))


def _macos_name() -> str | None:
    try:
        out = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                             text=True, timeout=5, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def detect() -> CpuInfo:
    """This machine's CPU: /proc/cpuinfo on Linux, the name only elsewhere."""
    machine = platform.machine() or "unknown"
    try:
        text = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    if text:
        return parse_cpuinfo(text, machine)
    name = (_macos_name() if platform.system() == "Darwin" else None) or platform.processor()
    return CpuInfo(name or machine, machine, None)


def describe() -> str:
    """'CPU <name> (<machine>); int8 features: ...' for this machine."""
    return "CPU " + detect().describe()
