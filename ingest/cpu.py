"""What the CPU can do, read once from the operating system, for choosing the encoder path.

bfloat16 pays only where the CPU multiplies bf16 in hardware: Intel's AMX tiles (``amx_bf16``)
or AVX-512 BF16 (``avx512_bf16``, Intel Cooper Lake and later, AMD Zen 4 and later). Anywhere
else torch emulates it, and bfloat16 is slower than float32."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

BF16_FLAGS = ("amx_bf16", "avx512_bf16")
SHOWN_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "amx_tile")


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``); empty where they cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def bf16_units(flags: frozenset[str] | None = None) -> list[str]:
    """The flags that say this CPU multiplies bfloat16 in hardware (none: it would be emulated)."""
    flags = cpu_flags() if flags is None else flags
    return [f for f in BF16_FLAGS if f in flags]


def cpu_summary(flags: frozenset[str] | None = None) -> str:
    """The model name and the flags that matter for encoding, for benchmark reports."""
    flags = cpu_flags() if flags is None else flags
    name = ""
    try:
        name = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    shown = [f for f in SHOWN_FLAGS if f in flags]
    return f"{name or 'unknown CPU'} ({', '.join(shown) or 'no AVX-512/AMX flags'})"
