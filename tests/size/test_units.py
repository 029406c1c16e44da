"""Budget sizes in every spelling people use, and the one byte format every message uses."""

from __future__ import annotations

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.units import fmt_bytes, fmt_delta, parse_size


@pytest.mark.parametrize(("text", "value"), [
    ("262144", 262144), ("0x40000", 262144), ("0X40000", 262144), ("256K", 262144),
    ("256KiB", 262144), ("256 KB", 262144), ("256kib", 262144), ("1.5MiB", 1572864),
    ("1M", 1 << 20), ("2GiB", 2 << 30), ("262_144", 262144), ("100B", 100), ("0.5K", 512),
])
def test_parse_size(text, value):
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "lots", "12 parsecs", "0x40000K", "1.3K", "-5", "K"])
def test_parse_size_rejects(text):
    with pytest.raises(SizeReportError, match="bad size"):
        parse_size(text)


def test_formats():
    assert fmt_bytes(270336) == "270,336 B"
    assert fmt_delta(8192) == "+8,192 B"
    assert fmt_delta(-16) == "-16 B"
    assert fmt_delta(0) == "±0 B"
