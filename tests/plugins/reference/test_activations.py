"""LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH (int8 lookup tables) against TFLM.

Every table is checked exhaustively: each op instance gets its own input tensor holding all
256 int8 values, and many random quantisations are batched into one model per compile.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact, compile_model_bytes
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.errors import UnsupportedOpError
from tinyml_build.quant import hard_swish_table

OPS = ("LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH")


def _output_quant(op: str, rng: np.random.RandomState, x: dict, lo: float, hi: float,
                  fixed_outputs: bool) -> dict:
    if fixed_outputs and op == "LOGISTIC":
        return {"scale": 1 / 256, "zero_point": -128}
    if fixed_outputs and op == "TANH":
        return {"scale": 1 / 128, "zero_point": 0}
    if op == "LOGISTIC":  # TFLM requires the zero point, ignores the scale
        return {"scale": qp.scale(rng, lo, hi), "zero_point": -128}
    while True:
        y = qp.qparams(rng, lo, hi)
        if op != "HARD_SWISH":
            return y
        try:  # TFLite rejects output scales that need a left shift; draw again
            hard_swish_table(x["scale"], x["zero_point"], y["scale"], y["zero_point"])
            return y
        except ValueError:
            continue


def exhaustive_model(rng: np.random.RandomState, per_op: int, lo: float, hi: float,
                     fixed_outputs: bool = True) -> bytes:
    """A model with per_op instances of every op, each on its own [256] input."""
    b = ModelBuilder()
    inputs, outputs = [], []
    for op in OPS:
        for k in range(per_op):
            xq = qp.qparams(rng, lo, hi)
            x = b.tensor(f"{op}_{k}_x", [256], "int8", **xq)
            y = b.tensor(f"{op}_{k}_y", [256], "int8",
                         **_output_quant(op, rng, xq, lo, hi, fixed_outputs))
            options = None
            if op == "LEAKY_RELU":
                options = {"Alpha": float(np.float32(rng.uniform(-0.5, 1.5)))}
            b.op(op, [x], [y], options, version=2 if op != "HARD_SWISH" else 1)
            inputs.append(x)
            outputs.append(y)
    return b.build(inputs, outputs), len(inputs)


@pytest.mark.parametrize(("seed", "lo", "hi"), [(0, 1e-3, 1.0), (1, 1e-5, 100.0),
                                                (2, 0.02, 0.2)])
def test_all_256_inputs_for_random_quantisations(tmp_path, seed, lo, hi):
    rng = np.random.RandomState(seed)
    model, n = exhaustive_model(rng, per_op=8, lo=lo, hi=hi)
    assert_bit_exact(model, tmp_path, input_sets=[[qp.ALL_INT8] * n])


def test_outputs_written_on_tflm_fixed_scales(tmp_path):
    """TFLM's LOGISTIC ignores the output scale, TANH the output scale and zero point."""
    rng = np.random.RandomState(7)
    model, n = exhaustive_model(rng, per_op=4, lo=1e-3, hi=1.0, fixed_outputs=False)
    assert_bit_exact(model, tmp_path, input_sets=[[qp.ALL_INT8] * n])


def test_chain_on_4d_tensor_with_sanitizers(tmp_path):
    """The ops chained on a 4-D tensor, random full-range inputs, ASan/UBSan build."""
    rng = np.random.RandomState(3)
    b = ModelBuilder()
    shape = [2, 5, 7, 3]
    x = b.tensor("x", shape, "int8", **qp.qparams(rng))
    prev, prev_q = x, None
    for op in OPS:
        if op == "LOGISTIC":
            yq = {"scale": 1 / 256, "zero_point": -128}
        elif op == "TANH":
            yq = {"scale": 1 / 128, "zero_point": 0}
        else:
            yq = qp.qparams(rng, 0.01, 0.1)
            if op == "HARD_SWISH":
                yq["scale"] = 0.05
        y = b.tensor(f"{op}_y", shape, "int8", **yq)
        b.op(op, [prev], [y], {"Alpha": 0.2} if op == "LEAKY_RELU" else None)
        prev, prev_q = y, yq
    assert prev_q is not None
    model = b.build([x], [prev])
    result = assert_bit_exact(model, tmp_path, runs=4, sanitize=True)
    assert [lo.kernel.name for lo in result.lowered] == [
        f"reference.{op.lower()}_s8" for op in OPS]


def test_logistic_needs_output_zero_point_minus_128(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [4], "int8", scale=0.1, zero_point=0)
    y = b.tensor("y", [4], "int8", scale=1 / 256, zero_point=0)
    b.op("LOGISTIC", [x], [y])
    with pytest.raises(UnsupportedOpError, match="zero point of -128"):
        compile_model_bytes(b.build([x], [y]), tmp_path)


def test_hard_swish_rejects_output_scale_tflite_rejects(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [4], "int8", scale=1.0, zero_point=0)
    y = b.tensor("y", [4], "int8", scale=1e-4, zero_point=0)
    b.op("HARD_SWISH", [x], [y])
    with pytest.raises(UnsupportedOpError, match="HARD_SWISH"):
        compile_model_bytes(b.build([x], [y]), tmp_path)
