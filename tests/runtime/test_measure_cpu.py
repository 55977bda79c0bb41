"""runtime.measure.cpu: the CPU's name and int8 features from /proc/cpuinfo texts, and this
machine's."""

from __future__ import annotations

from pathlib import Path

from runtime.measure import cpu

CPUINFO_DIR = Path(__file__).resolve().parents[2] / "scripts" / "cpuinfo"
X86_VNNI = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9B14
flags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw avx512_vnni avx512_bf16
"""
X86_AVX2 = X86_VNNI.replace(" avx512f avx512bw avx512_vnni avx512_bf16", "").replace(
    "9B14", "7B12")


def test_x86_features():
    vnni = cpu.parse_cpuinfo(X86_VNNI, "x86_64")
    assert vnni.name == "AMD EPYC 9B14"
    assert vnni.features == ("avx2", "avx512bw", "avx512_vnni")
    avx2 = cpu.parse_cpuinfo(X86_AVX2, "x86_64")
    assert avx2.features == ("avx2",)
    assert "int8 features: avx2" in avx2.describe()


def test_raspberry_pi_cpuinfo_shipped_for_the_emulation():
    pi4 = cpu.parse_cpuinfo((CPUINFO_DIR / "pi4.txt").read_text(), "aarch64")
    assert pi4.name == "Raspberry Pi 4 Model B Rev 1.4, Cortex-A72"
    assert pi4.features == ("asimd",)  # no dot product on a Pi 4
    pi5 = cpu.parse_cpuinfo((CPUINFO_DIR / "pi5.txt").read_text(), "aarch64")
    assert pi5.features == ("asimd", "asimddp") and "Cortex-A76" in pi5.name


def test_no_features_says_which_were_looked_for():
    bare = cpu.parse_cpuinfo("model name\t: Old x86\nflags\t: fpu sse2\n", "x86_64")
    assert bare.features == () and "none of avx2" in bare.describe()


def test_unknown_os_says_unknown():
    assert "unknown" in cpu.CpuInfo("Apple M2", "arm64", None).describe()


def test_this_machine():
    line = cpu.describe()
    assert line.startswith("CPU ") and "int8 features" in line
