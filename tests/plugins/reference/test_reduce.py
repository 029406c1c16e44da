"""MEAN on int8 against TFLM: any axes (negative, repeated), keep_dims or not, equal or
different input/output quantisation, and the 4-D spatial mean (axes 1 and 2) that older
TFLM versions special-cased."""

from __future__ import annotations

import numpy as np

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact
from tests.support.tflite_builder import ModelBuilder


def _mean(b: ModelBuilder, name: str, shape: list[int], axes: list[int], keep: bool,
          xq: dict, yq: dict):
    rank = len(shape)
    norm = {a % rank for a in axes}
    out_shape = [1 if d in norm else s for d, s in enumerate(shape)] if keep else \
        [s for d, s in enumerate(shape) if d not in norm]
    x = b.tensor(f"{name}_x", shape, "int8", **xq)
    y = b.tensor(f"{name}_y", out_shape, "int8", **yq)
    ax = b.const(f"{name}_axes", np.array(axes, np.int32), "int32")
    b.op("MEAN", [x, ax], [y], {"KeepDims": keep}, version=2)
    return x, y


def test_random_axes_shapes_and_quantisations(tmp_path):
    rng = np.random.RandomState(0)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(24):
        rank = 1 + k % 4
        shape = [int(d) for d in rng.randint(1, 7, rank)]
        n_axes = int(rng.randint(1, rank + 1))
        axes = [int(a) for a in rng.choice(rank, n_axes, replace=False)]
        axes = [a - rank if rng.rand() < 0.4 else a for a in axes]
        if k % 5 == 0:
            axes.append(axes[0])  # a repeated axis counts once
        xq = qp.qparams(rng)
        yq = xq if k % 3 == 0 else qp.qparams(rng, 1e-3, 0.5)
        x, y = _mean(b, f"m{k}", shape, axes, bool(k % 2), xq, yq)
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=3, sanitize=True)


def test_spatial_mean_of_4d_tensors(tmp_path):
    """Global average pooling as converters emit it: axes [1, 2] of NHWC, keep_dims both
    ways, equal and different quantisation, window sizes that are and are not powers of
    two, up to 40x40 (1600 elements per output)."""
    rng = np.random.RandomState(1)
    b = ModelBuilder()
    ins, outs = [], []
    shapes = [[1, 7, 7, 8], [1, 40, 40, 3], [2, 4, 4, 5], [1, 1, 1, 16], [1, 5, 3, 2],
              [1, 32, 1, 4]]
    for k, shape in enumerate(shapes):
        for keep in (True, False):
            xq = qp.qparams(rng)
            for same in (True, False):
                yq = xq if same else qp.qparams(rng, 1e-3, 0.2)
                axes = [1, 2] if (k + same) % 2 else [2, 1]
                x, y = _mean(b, f"g{k}_{keep}_{same}", shape, axes, keep, xq, yq)
                ins.append(x)
                outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=3)


def test_extreme_scale_ratios(tmp_path):
    """Output scales far smaller and far larger than the input's (saturation, large
    shifts), and a reduction over every axis."""
    rng = np.random.RandomState(2)
    b = ModelBuilder()
    ins, outs = [], []
    for k, (sx, sy) in enumerate([(0.5, 1e-4), (1e-4, 0.5), (0.02, 0.02), (1.0, 3e-3)]):
        x, y = _mean(b, f"e{k}", [2, 3, 9], [0, 1, 2] if k % 2 else [-1],
                     bool(k // 2), {"scale": sx, "zero_point": int(rng.randint(-128, 128))},
                     {"scale": sy, "zero_point": int(rng.randint(-128, 128))})
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=3)
