"""ADD, SUB, MUL on int8 against TFLM: broadcasting (up to 4-D, as TFLM supports),
random quantisations, fused activations; and the lookup-table kernel's in-place use."""

from __future__ import annotations

import numpy as np

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact
from tests.support.tflite_builder import ModelBuilder

BROADCASTS = [
    ([2, 3, 4, 5], [2, 3, 4, 5]),
    ([1, 4, 5, 3], [3]),
    ([2, 1, 5, 1], [1, 4, 1, 3]),
    ([3, 1], [1, 6]),
    ([1, 1, 1, 1], [2, 3, 1, 4]),
    ([5], [1]),
    ([4, 6], []),
    ([7], [7]),
]


def test_add_sub_mul_with_broadcasting(tmp_path):
    rng = np.random.RandomState(0)
    b = ModelBuilder()
    ins, outs = [], []
    k = 0
    for op in ("ADD", "SUB", "MUL"):
        for sa, sb in BROADCASTS:
            if rng.rand() < 0.5:
                sa, sb = sb, sa
            out = list(np.broadcast_shapes(tuple(sa), tuple(sb)))
            lo, hi = (1e-3, 0.5) if op != "MUL" else (0.01, 0.2)
            a = b.tensor(f"a{k}", sa, "int8", **qp.qparams(rng, lo, hi))
            c = b.tensor(f"b{k}", sb, "int8", **qp.qparams(rng, lo, hi))
            y = b.tensor(f"y{k}", out, "int8", **qp.qparams(rng, lo, hi))
            b.op(op, [a, c], [y], {"FusedActivationFunction": int(rng.choice([0, 1, 2, 3]))},
                 version=2)
            ins += [a, c]
            outs.append(y)
            k += 1
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=4, sanitize=True)


def test_sub_ratios_are_computed_in_double(tmp_path):
    """Quantisations (found by search) where SUB's scale ratios computed in float32, as
    TFLM's sub_common.cc reads, give different results from double ones; the pinned
    TFLM agrees with double. Every pair of int8 values is fed."""
    a_vals = np.repeat(np.arange(-128, 128), 256).astype(np.int8)
    b_vals = np.tile(np.arange(-128, 128), 256).astype(np.int8)
    cases = [
        (0.18700076639652252, -112, 0.13565434515476227, -34, 0.008218171074986458, -114),
        (0.10603771358728409, -24, 0.02045920491218567, -80, 0.16442930698394775, -82),
    ]
    b = ModelBuilder()
    ins, outs, values = [], [], []
    for k, (sa, za, sb, zb, sy, zy) in enumerate(cases):
        a = b.tensor(f"a{k}", [65536], "int8", scale=sa, zero_point=za)
        c = b.tensor(f"b{k}", [65536], "int8", scale=sb, zero_point=zb)
        y = b.tensor(f"y{k}", [65536], "int8", scale=sy, zero_point=zy)
        b.op("SUB", [a, c], [y])
        ins += [a, c]
        outs.append(y)
        values += [a_vals, b_vals]
    assert_bit_exact(b.build(ins, outs), tmp_path, input_sets=[values])


def test_chain_reuses_dying_inputs(tmp_path):
    """A chain of element-wise ops whose inputs die at each op (the planner may run
    them in place), compared end to end."""
    rng = np.random.RandomState(1)
    b = ModelBuilder()
    shape = [1, 8, 8, 4]
    x = b.tensor("x", shape, "int8", **qp.qparams(rng, 0.01, 0.1))
    z = b.tensor("z", shape, "int8", **qp.qparams(rng, 0.01, 0.1))
    prev = x
    for k, op in enumerate(("ADD", "RELU", "MUL", "TANH", "SUB", "LEAKY_RELU")):
        yq = {"scale": 1 / 128, "zero_point": 0} if op == "TANH" else qp.qparams(rng, 0.01, 0.1)
        y = b.tensor(f"y{k}", shape, "int8", **yq)
        inputs = [prev, z] if op in ("ADD", "MUL", "SUB") else [prev]
        b.op(op, inputs, [y], {"Alpha": 0.1} if op == "LEAKY_RELU" else None)
        prev = y
    assert_bit_exact(b.build([x, z], [prev]), tmp_path, runs=4, sanitize=True)
