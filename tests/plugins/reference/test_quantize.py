"""QUANTIZE and DEQUANTIZE kernels against TFLM: every supported type pair.

8-bit inputs are checked exhaustively (all 256 values); float inputs include values whose
quotient by the scale lands on or next to a rounding tie, where dividing in float32 (as
TFLite does) and in double would disagree.
"""

from __future__ import annotations

import numpy as np

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact, compile_model_bytes
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.quant import round_half_away

f32 = np.float32
ALL_UINT8 = np.arange(0, 256, dtype=np.uint8)


def _quant(rng: np.random.RandomState, dtype: str) -> dict:
    if dtype == "int16":
        return {"scale": qp.scale(rng, 1e-5, 1e-2), "zero_point": int(rng.randint(-300, 300))}
    if dtype == "uint8":
        return {"scale": qp.scale(rng), "zero_point": int(rng.randint(0, 256))}
    return qp.qparams(rng)


def test_integer_requantisation_all_pairs(tmp_path):
    rng = np.random.RandomState(0)
    b = ModelBuilder()
    ins, outs, values = [], [], []
    int16_values = np.concatenate([np.array([-32768, -32767, -1, 0, 1, 32766, 32767]),
                                   rng.randint(-32768, 32768, 1017)]).astype(np.int16)
    pairs = [("int8", "int8")] * 8 + [("int8", "int16")] * 3 + [("int8", "uint8")] * 3 + \
            [("uint8", "int8")] * 3 + [("int16", "int8")] * 3 + [("int16", "int16")] * 3
    for k, (src, dst) in enumerate(pairs):
        shape = [1024] if src == "int16" else [256]
        x = b.tensor(f"x{k}", shape, src, **_quant(rng, src))
        y = b.tensor(f"y{k}", shape, dst, **_quant(rng, dst))
        b.op("QUANTIZE", [x], [y], version=2)
        ins.append(x)
        outs.append(y)
        values.append({"int8": qp.ALL_INT8, "uint8": ALL_UINT8, "int16": int16_values}[src])
    # same scale, zero points 128 apart: TFLM's int8 <-> uint8 fast path
    for k, (src, dst, zs, zd) in enumerate([("int8", "uint8", 5, 133), ("uint8", "int8", 128, 0)]):
        x = b.tensor(f"s{k}", [256], src, scale=0.5, zero_point=zs)
        y = b.tensor(f"t{k}", [256], dst, scale=0.5, zero_point=zd)
        b.op("QUANTIZE", [x], [y])
        ins.append(x)
        outs.append(y)
        values.append(qp.ALL_INT8 if src == "int8" else ALL_UINT8)
    result = assert_bit_exact(b.build(ins, outs), tmp_path, input_sets=[values])
    kernels = {lo.kernel.name for lo in result.lowered}
    assert kernels == {"reference.quantize"}


def _float_probe_values(rng: np.random.RandomState, scale: float, zero_point: int,
                        qmax: int) -> np.ndarray:
    """Random values across (and beyond) the quantised range, plus values whose quotient
    by the scale is a tie or one float32 step from it, and signed zeros."""
    s = f32(scale)
    span = (qmax + 50) * float(s)
    values = [rng.uniform(-span, span, 600)]
    ties = []
    while len(ties) < 300:
        k = int(rng.randint(-qmax, qmax))
        v = f32((k + 0.5) * float(s))
        for _ in range(int(rng.randint(0, 3))):
            v = np.nextafter(v, f32(np.inf) if rng.rand() < 0.5 else f32(-np.inf))
        ties.append(v)
    values.append(np.array(ties))
    values.append(np.array([0.0, -0.0, 1e6 * float(s), -1e6 * float(s)]))
    return np.concatenate(values).astype(np.float32)


def test_float_to_int8_and_int16(tmp_path):
    rng = np.random.RandomState(1)
    b = ModelBuilder()
    ins, outs, values = [], [], []
    disagreements = 0
    for k, dst in enumerate(["int8"] * 5 + ["int16"] * 3):
        q = _quant(rng, dst)
        v = _float_probe_values(rng, q["scale"], q["zero_point"], 127 if dst == "int8" else 32767)
        disagreements += sum(round_half_away(float(f32(x / f32(q["scale"])))) !=
                             round_half_away(float(x) / float(f32(q["scale"]))) for x in v)
        x = b.tensor(f"x{k}", [v.size], "float32")
        y = b.tensor(f"y{k}", [v.size], dst, **q)
        b.op("QUANTIZE", [x], [y])
        ins.append(x)
        outs.append(y)
        values.append(v)
    assert disagreements > 100  # the probe really exercises float32-vs-double ties
    assert_bit_exact(b.build(ins, outs), tmp_path, input_sets=[values], sanitize=True)


def test_dequantize_all_types(tmp_path):
    rng = np.random.RandomState(2)
    b = ModelBuilder()
    ins, outs, values = [], [], []
    int16_values = rng.randint(-32768, 32768, 2048).astype(np.int16)
    for k, src in enumerate(["int8"] * 6 + ["uint8"] * 2 + ["int16"] * 2):
        q = _quant(rng, src)
        if k == 0:
            q = {"scale": qp.scale(rng, 1e-8, 1e-6), "zero_point": 0}
        if k == 1:
            q = {"scale": qp.scale(rng, 10.0, 1000.0), "zero_point": -128}
        v = {"int8": qp.ALL_INT8, "uint8": ALL_UINT8, "int16": int16_values}[src]
        x = b.tensor(f"x{k}", [v.size], src, **q)
        y = b.tensor(f"y{k}", [v.size], "float32")
        b.op("DEQUANTIZE", [x], [y], version=2)
        ins.append(x)
        outs.append(y)
        values.append(v)
    assert_bit_exact(b.build(ins, outs), tmp_path, input_sets=[values])


def test_float_model_with_int8_core(tmp_path):
    """float32 in, QUANTIZE, an int8 op, DEQUANTIZE, float32 out (a typical converter
    result without int8 I/O), on a 4-D tensor with random inputs."""
    b = ModelBuilder()
    x = b.tensor("x", [1, 6, 6, 4], "float32")
    q = b.tensor("q", [1, 6, 6, 4], "int8", scale=0.031, zero_point=-5)
    r = b.tensor("r", [1, 6, 6, 4], "int8", scale=1 / 256, zero_point=-128)
    y = b.tensor("y", [1, 6, 6, 4], "float32")
    b.op("QUANTIZE", [x], [q])
    b.op("LOGISTIC", [q], [r])
    b.op("DEQUANTIZE", [r], [y])
    assert_bit_exact(b.build([x], [y]), tmp_path, runs=5, sanitize=True)


def test_per_channel_quantize_follows_the_definition(tmp_path):
    """TFLM rejects per-channel QUANTIZE (v3); TFLite defines it as the per-tensor rounding
    applied with each channel's scale and zero point, which is what we compute."""
    from tinyml_build.hostbuild import build_host_program

    b = ModelBuilder()
    x = b.tensor("x", [2, 3], "float32")
    y = b.tensor("y", [2, 3], "int8", scale=[0.1, 0.2, 0.3], zero_point=[0, 5, -7], axis=1)
    b.op("QUANTIZE", [x], [y], version=3)
    result = compile_model_bytes(b.build([x], [y]), tmp_path)
    program = build_host_program(result, tmp_path / "build")
    xs = np.array([[0.05, -0.1, 0.45], [12.0, -30.0, 0.15]], dtype=np.float32)
    (out,), _ = program.run([[xs]])
    scales = np.float32([0.1, 0.2, 0.3])
    expect = [[round_half_away(float(np.float32(v / scales[c]))) + [0, 5, -7][c]
               for c, v in enumerate(row)] for row in xs]
    assert out[0].tolist() == np.clip(expect, -128, 127).astype(int).tolist()
