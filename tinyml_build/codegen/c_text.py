"""The one place C text is built from values: identifiers, comments, literals, arrays.

Names from the model file (tensor and op names) only ever reach C inside comments, and
pass through `comment` first; identifiers are made from the model prefix and indices.
"""

from __future__ import annotations

import re

import numpy as np

_HEX_FLOAT = re.compile(r"^(-?0x[0-9a-f])\.([0-9a-f]*)p([+-]\d+)$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
C_KEYWORDS = frozenset(
    """auto break case char const continue default do double else enum extern float for goto
    if inline int long register restrict return short signed sizeof static struct switch
    typedef union unsigned void volatile while _Bool _Complex _Imaginary""".split()
)


def is_identifier(name: str) -> bool:
    return bool(_IDENT.match(name)) and name not in C_KEYWORDS


def comment(text: str, limit: int = 160) -> str:
    """Text safe inside /* */ on one line: printable ASCII, no comment terminators."""
    cleaned = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)
    cleaned = cleaned.replace("*/", "*_/").replace("/*", "/_*").replace("\\", "/")
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3] + "..."
    return cleaned


def int_literal(value: int) -> str:
    value = int(value)
    if value == -(1 << 31):
        return "(-2147483647 - 1)"
    if not -(1 << 31) < value < (1 << 31):
        raise ValueError(f"{value} does not fit in int32")
    return str(value)


def float_literal(value: float) -> str:
    """An exact float32 literal (C99 hex float), e.g. 0x1.2b8p-3f."""
    f = float(np.float32(value))
    if not np.isfinite(f):
        raise ValueError(f"non-finite float constant {value!r}")
    if f == 0.0:
        return "-0.0f" if np.signbit(f) else "0.0f"
    m = _HEX_FLOAT.match(f.hex())
    assert m is not None
    fraction = m.group(2).rstrip("0")
    mantissa = f"{m.group(1)}.{fraction}" if fraction else m.group(1)
    return f"{mantissa}p{m.group(3)}f"


def decimal_float(value: float) -> str:
    """A readable float32 literal that round-trips (for header macros)."""
    text = f"{float(np.float32(value)):.9g}"
    if "e" not in text and "." not in text and "n" not in text:
        text += ".0"
    return text + "f"


_PER_LINE = {1: 16, 2: 12, 4: 8}


def array_body(array: np.ndarray) -> str:
    """The initializer list of a flat array, several values per line, deterministic."""
    flat = np.ascontiguousarray(array).reshape(-1)
    if flat.dtype == np.float32:
        items = [float_literal(v) for v in flat.tolist()]
        per_line = 4
    elif flat.dtype == np.int32:
        items = [int_literal(v) for v in flat.tolist()]
        per_line = _PER_LINE[4]
    else:
        items = [str(v) for v in flat.tolist()]
        per_line = _PER_LINE.get(flat.dtype.itemsize, 8)
    if not items:
        return "    0"
    lines = []
    for i in range(0, len(items), per_line):
        lines.append("    " + ", ".join(items[i : i + per_line]))
    return ",\n".join(lines)
