"""SOFTMAX on int8 against TFLM: random input scales, betas, depths, ranks."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact, compile_model_bytes
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.errors import UnsupportedOpError


def test_softmax_random_configurations(tmp_path):
    rng = np.random.RandomState(0)
    b = ModelBuilder()
    ins, outs = [], []
    shapes = [[1, 10], [3, 7], [2, 3, 5], [1, 2, 2, 12], [4, 1], [1, 300], [2, 64]]
    for k in range(21):
        shape = shapes[k % len(shapes)]
        x = b.tensor(f"x{k}", shape, "int8", **qp.qparams(rng, 1e-3, 0.5))
        y = b.tensor(f"y{k}", shape, "int8", scale=1 / 256, zero_point=-128)
        beta = float(np.float32(rng.choice([1.0, rng.uniform(0.1, 3.0)])))
        b.op("SOFTMAX", [x], [y], {"Beta": beta}, version=2)
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=4, sanitize=True)


def test_softmax_output_must_be_1_over_256(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "int8", scale=0.1, zero_point=0)
    y = b.tensor("y", [1, 4], "int8", scale=1 / 255, zero_point=-128)
    b.op("SOFTMAX", [x], [y], {"Beta": 1.0})
    with pytest.raises(UnsupportedOpError, match="1/256"):
        compile_model_bytes(b.build([x], [y]), tmp_path)
