"""C text helpers: what reaches generated C from model-controlled strings and numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tinyml_build.codegen import c_text


def test_comment_neutralises_terminators_and_non_ascii():
    text = c_text.comment("evil */ #include <x> /* \u00e9\n")
    assert "*/" not in text and "/*" not in text and "\n" not in text
    assert all(32 <= ord(ch) < 127 for ch in text)


def test_identifiers():
    assert c_text.is_identifier("kws_1")
    assert not c_text.is_identifier("1kws") and not c_text.is_identifier("int")
    assert not c_text.is_identifier("a-b")


@pytest.mark.parametrize("value", [0.5, -0.1, 1e-30, 3.4e38, 0.00390625, 1 / 3])
def test_float_literal_is_exact(value):
    text = c_text.float_literal(value)
    assert text.endswith("f")
    assert np.float32(float.fromhex(text[:-1])) == np.float32(value)


def test_int_literal_handles_int32_min():
    assert c_text.int_literal(-(1 << 31)) == "(-2147483647 - 1)"
    with pytest.raises(ValueError):
        c_text.int_literal(1 << 31)


def test_array_body_is_deterministic_and_complete():
    arr = np.arange(-40, 40, dtype=np.int8)
    body = c_text.array_body(arr)
    assert [int(v) for v in body.replace("\n", "").split(",")] == list(range(-40, 40))
    assert body == c_text.array_body(arr.copy())
