"""PAD/PADV2, CONCATENATION, TRANSPOSE, STRIDED_SLICE against TFLM, int8 and float32.

Each test batches many random instances (shapes, paddings, axes, permutations, slices with
masks and negative strides) into one model, each on its own input.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact, compile_model_bytes
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.errors import UnsupportedOpError


def _shape(rng: np.random.RandomState, rank: int, hi: int = 6) -> list[int]:
    return [int(d) for d in rng.randint(1, hi, rank)]


def _tensor(b: ModelBuilder, name: str, shape: list[int], dtype: str, quant: dict | None):
    return b.tensor(name, shape, dtype, **(quant or {}))


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_pad_and_padv2(tmp_path, dtype):
    rng = np.random.RandomState(0 if dtype == "int8" else 1)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(16):
        rank = 1 + k % 5
        shape = _shape(rng, rank)
        pads = rng.randint(0, 4, (rank, 2))
        if k % 4 == 0:
            pads[rng.randint(rank)] = 0  # some dimensions unpadded
        out_shape = [d + lo + hi for d, (lo, hi) in zip(shape, pads, strict=True)]
        xq = qp.qparams(rng) if dtype == "int8" else None
        # TFLM's PAD copies raw values: the output may even be quantised differently
        yq = (xq if k % 3 else qp.qparams(rng)) if dtype == "int8" else None
        x = _tensor(b, f"x{k}", shape, dtype, xq)
        y = _tensor(b, f"y{k}", out_shape, dtype, yq)
        p = b.const(f"p{k}", pads.astype(np.int32), "int32")
        if k % 2:
            value = (np.array(rng.randint(-128, 128), np.int8) if dtype == "int8"
                     else np.array(rng.uniform(-3, 3), np.float32))
            v = b.const(f"v{k}", value, dtype, **(yq or {}))
            b.op("PADV2", [x, p, v], [y])
        else:
            b.op("PAD", [x, p], [y], version=2)
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=2, sanitize=dtype == "int8")


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_concatenation(tmp_path, dtype):
    rng = np.random.RandomState(2 if dtype == "int8" else 3)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(12):
        rank = 1 + k % 4
        axis = int(rng.randint(-rank, rank))
        base = _shape(rng, rank)
        q = qp.qparams(rng) if dtype == "int8" else None
        parts = []
        for j in range(int(rng.randint(1, 5))):
            shape = list(base)
            shape[axis] = int(rng.randint(1, 4))
            if j == 1 and k % 3 == 0:  # a constant input
                data = rng.randint(-128, 128, shape) if dtype == "int8" else rng.randn(*shape)
                parts.append((b.const(f"c{k}_{j}", data, dtype, **(q or {})), shape))
            else:
                t = _tensor(b, f"x{k}_{j}", shape, dtype, q)
                parts.append((t, shape))
                ins.append(t)
        out_shape = list(base)
        out_shape[axis] = sum(s[axis] for _, s in parts)
        y = _tensor(b, f"y{k}", out_shape, dtype, q)
        b.op("CONCATENATION", [t for t, _ in parts], [y], {"Axis": axis}, version=2)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=2)


def test_concatenation_needs_equal_quantisation(tmp_path):
    b = ModelBuilder()
    x1 = b.tensor("a", [2, 3], "int8", scale=0.1, zero_point=1)
    x2 = b.tensor("b", [2, 3], "int8", scale=0.2, zero_point=1)
    y = b.tensor("y", [4, 3], "int8", scale=0.1, zero_point=1)
    b.op("CONCATENATION", [x1, x2], [y], {"Axis": 0})
    with pytest.raises(UnsupportedOpError, match="requires equal scales"):
        compile_model_bytes(b.build([x1, x2], [y]), tmp_path)


@pytest.mark.parametrize("dtype", ["int8", "float32", "int16"])
def test_transpose(tmp_path, dtype):
    rng = np.random.RandomState({"int8": 4, "float32": 5, "int16": 6}[dtype])
    b = ModelBuilder()
    ins, outs = [], []
    quant = (lambda: qp.qparams(rng)) if dtype == "int8" else (
        (lambda: {"scale": 0.001, "zero_point": 0}) if dtype == "int16" else (lambda: None))
    for k in range(14):
        rank = 1 + k % 5
        shape = _shape(rng, rank, 5)
        perm = [int(p) for p in rng.permutation(rank)]
        q = quant()
        x = _tensor(b, f"x{k}", shape, dtype, q)
        y = _tensor(b, f"y{k}", [shape[p] for p in perm], dtype, q)
        b.op("TRANSPOSE", [x, b.const(f"perm{k}", np.array(perm, np.int32), "int32")], [y],
             version=2)
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=2, sanitize=dtype == "float32")


def _random_slice(rng: np.random.RandomState, shape: list[int]):
    """begin/end/strides/masks for one STRIDED_SLICE and the numpy index it means."""
    begin, end, strides = [], [], []
    begin_mask = end_mask = shrink = 0
    index: list[object] = []
    for d, size in enumerate(shape):
        step = int(rng.choice([1, 1, 2, 3, -1, -2]))
        lo = int(rng.randint(-size - 2, size + 2))
        hi = int(rng.randint(-size - 2, size + 2))
        start, stop = lo, hi
        if rng.rand() < 0.25:
            begin_mask |= 1 << d
            start = None
        if rng.rand() < 0.25:
            end_mask |= 1 << d
            stop = None
        if rng.rand() < 0.15 and -size <= lo < size:
            shrink |= 1 << d
            index.append(lo)
            step = 1
        else:
            index.append(slice(start, stop, step))
        begin.append(lo)
        end.append(hi)
        strides.append(step)
    return begin, end, strides, begin_mask, end_mask, shrink, tuple(index)


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_strided_slice(tmp_path, dtype):
    rng = np.random.RandomState(7 if dtype == "int8" else 8)
    b = ModelBuilder()
    ins, outs = [], []
    made = 0
    while made < 16:
        rank = 1 + made % 4
        shape = _shape(rng, rank, 7)
        begin, end, strides, bm, em, sm, index = _random_slice(rng, shape)
        out_shape = list(np.empty(shape)[index].shape)
        if 0 in out_shape:
            continue
        q = qp.qparams(rng) if dtype == "int8" else None
        x = _tensor(b, f"x{made}", shape, dtype, q)
        y = _tensor(b, f"y{made}", out_shape, dtype, q)
        consts = [b.const(f"{n}{made}", np.array(v, np.int32), "int32")
                  for n, v in (("begin", begin), ("end", end), ("strides", strides))]
        b.op("STRIDED_SLICE", [x, *consts], [y],
             {"BeginMask": bm, "EndMask": em, "ShrinkAxisMask": sm}, version=2)
        ins.append(x)
        outs.append(y)
        made += 1
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=2, sanitize=dtype == "int8")


def test_int16_pad_fills_zero_whatever_the_zero_point(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [2, 3, 4], "int16", scale=0.001, zero_point=5)
    y = b.tensor("y", [3, 5, 4], "int16", scale=0.001, zero_point=5)
    b.op("PAD", [x, b.const("p", np.array([[1, 0], [0, 2], [0, 0]], np.int32), "int32")], [y])
    x2 = b.tensor("x2", [3, 4], "int16", scale=0.001, zero_point=0)
    y2 = b.tensor("y2", [3, 7], "int16", scale=0.001, zero_point=0)
    v = b.const("v", np.array(-1234, np.int16), "int16", scale=0.5, zero_point=3)
    b.op("PADV2", [x2, b.const("p2", np.array([[0, 0], [1, 2]], np.int32), "int32"), v], [y2])
    assert_bit_exact(b.build([x, x2], [y, y2]), tmp_path, runs=2)
