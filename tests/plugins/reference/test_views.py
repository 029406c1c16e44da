"""RESHAPE and SQUEEZE: no code, the output reads the input's memory. Checked end to end
between other ops (so the aliasing is exercised), and on a graph output."""

from __future__ import annotations

import numpy as np

from tests.support.compare import assert_bit_exact
from tests.support.tflite_builder import ModelBuilder


def test_reshape_and_squeeze_between_ops(tmp_path):
    b = ModelBuilder()
    q = {"scale": 0.05, "zero_point": 3}
    x = b.tensor("x", [1, 4, 6, 1], "int8", **q)
    r = b.tensor("r", [1, 4, 6, 1], "int8", scale=0.04, zero_point=-3)
    s = b.tensor("s", [4, 6], "int8", scale=0.04, zero_point=-3)
    t = b.tensor("t", [2, 12], "int8", scale=0.04, zero_point=-3)
    u = b.tensor("u", [2, 12], "int8", scale=1 / 256, zero_point=-128)
    v = b.tensor("v", [24], "int8", scale=1 / 256, zero_point=-128)
    b.op("RELU", [x], [r])
    b.op("SQUEEZE", [r], [s])
    b.op("RESHAPE", [s, b.const("shape", np.array([2, 12], np.int32), "int32")], [t])
    b.op("SOFTMAX", [t], [u], {"Beta": 1.0})
    b.op("RESHAPE", [u, b.const("shape2", np.array([24], np.int32), "int32")], [v])
    result = assert_bit_exact(b.build([x], [v]), tmp_path, runs=3, sanitize=True)
    views = [lo for lo in result.lowered if lo.kernel.name == "reference.reshape"]
    # the passes merge the back-to-back SQUEEZE + RESHAPE into one view
    assert len(views) == 2
    assert all(lo.kernel.view_of == 0 for lo in views)
