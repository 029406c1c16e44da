"""Byte quantities as people write them in budgets, and as the reports print them.

Budgets come from CLI flags, CMake arguments and later Kconfig, so one parser accepts every
spelling an embedded developer uses: plain decimal (`262144`), hex like a linker script
(`0x40000`), and binary units (`256K`, `256KiB`, `1.5MiB`). `K`/`KB`/`KiB` all mean 1024, as
in GNU ld's `LENGTH = 256K` and every datasheet's flash size; there is no decimal kilobyte.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..errors import SizeReportError

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
    "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
    "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
}

_SIZE_RE = re.compile(
    r"^\s*(?P<num>0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?|\.\d+)\s*(?P<unit>[a-zA-Z]*)\s*$"
)


def parse_size(text: str, what: str = "size") -> int:
    """`256KiB`, `0x40000`, `262144`, `1.5MiB` -> bytes; a one-line error for anything else."""
    m = _SIZE_RE.match(text)
    unit = m.group("unit").lower() if m else ""
    if not m or unit not in _UNITS:
        raise SizeReportError(
            f"bad {what} '{text}'",
            "write bytes as 262144, 0x40000, 256K, 256KiB or 1.5MiB (K = 1024)",
        )
    num = m.group("num").replace("_", "")
    if num.lower().startswith("0x"):
        if unit not in ("", "b"):
            raise SizeReportError(f"bad {what} '{text}'", "a hex size takes no unit: 0x40000")
        return int(num, 16)
    value = Fraction(num) * _UNITS[unit]
    if value.denominator != 1:
        raise SizeReportError(f"bad {what} '{text}': {float(value)} is not a whole number of bytes")
    return int(value)


def fmt_bytes(n: int) -> str:
    """270336 -> '270,336 B' (the form every message and table uses)."""
    return f"{n:,} B"


def fmt_delta(n: int) -> str:
    """8192 -> '+8,192 B', -16 -> '-16 B', 0 -> '±0 B'."""
    if n == 0:
        return "±0 B"
    return f"{n:+,} B"
