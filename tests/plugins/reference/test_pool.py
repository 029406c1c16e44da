"""AVERAGE_POOL_2D and MAX_POOL_2D on int8 against TFLM: window sizes, strides, SAME and
VALID padding (windows clipped at the border), fused activations."""

from __future__ import annotations

import numpy as np
import pytest

from tests.plugins.reference.test_conv import SAME, VALID, out_size
from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact, compile_model_bytes
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.errors import UnsupportedOpError


def test_pools_random_configurations(tmp_path):
    rng = np.random.RandomState(0)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(24):
        op = "AVERAGE_POOL_2D" if k % 2 else "MAX_POOL_2D"
        n, h, w, c = int(rng.choice([1, 2])), *[int(v) for v in rng.randint(1, 10, 2)], \
            int(rng.randint(1, 6))
        fh, fw = int(rng.randint(1, 5)), int(rng.randint(1, 5))
        sh, sw = int(rng.randint(1, 4)), int(rng.randint(1, 4))
        padding = SAME if (k // 2) % 2 or fh > h or fw > w else VALID
        q = qp.qparams(rng)
        x = b.tensor(f"x{k}", [n, h, w, c], "int8", **q)
        y = b.tensor(f"y{k}", [n, out_size(h, fh, sh, 1, padding),
                               out_size(w, fw, sw, 1, padding), c], "int8", **q)
        b.op(op, [x], [y], {"Padding": padding, "StrideH": sh, "StrideW": sw,
                            "FilterHeight": fh, "FilterWidth": fw,
                            "FusedActivationFunction": int(rng.choice([0, 1, 2, 3]))},
             version=2)
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=4, sanitize=True)


def test_scales_within_tflm_tolerance_are_accepted(tmp_path):
    """TFLM accepts input/output scales that differ by up to 1e-6 (and does not rescale)."""
    b = ModelBuilder()
    x = b.tensor("x", [1, 4, 4, 3], "int8", scale=0.05, zero_point=2)
    y = b.tensor("y", [1, 2, 2, 3], "int8", scale=0.05 + 5e-7, zero_point=2)
    b.op("AVERAGE_POOL_2D", [x], [y], {"Padding": VALID, "StrideH": 2, "StrideW": 2,
                                       "FilterHeight": 2, "FilterWidth": 2})
    assert_bit_exact(b.build([x], [y]), tmp_path, runs=3)


def test_different_quantisation_is_rejected(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4, 4, 3], "int8", scale=0.05, zero_point=2)
    y = b.tensor("y", [1, 2, 2, 3], "int8", scale=0.06, zero_point=2)
    b.op("MAX_POOL_2D", [x], [y], {"Padding": VALID, "StrideH": 2, "StrideW": 2,
                                   "FilterHeight": 2, "FilterWidth": 2})
    with pytest.raises(UnsupportedOpError, match="scale"):
        compile_model_bytes(b.build([x], [y]), tmp_path)
