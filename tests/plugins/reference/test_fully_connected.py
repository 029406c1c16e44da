"""FULLY_CONNECTED on int8 against TFLM: per-tensor and per-channel weights, with and
without bias, batched and higher-rank inputs, keep_num_dims, fused activations."""

from __future__ import annotations

import math

import numpy as np

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.quant import multiply_by_quantized_multiplier, quantize_multiplier


def add_fc(b: ModelBuilder, rng, name: str, per_channel: bool):
    depth = int(rng.randint(1, 40))
    out_features = int(rng.randint(1, 12))
    batch_shape = [[1], [3], [2, 2], [1, 2, 3]][int(rng.randint(4))]
    keep = bool(rng.rand() < 0.3) and len(batch_shape) > 1
    xq = qp.qparams(rng, 0.005, 0.1)
    w_scales = ([qp.scale(rng, 1e-3, 0.05) for _ in range(out_features)] if per_channel
                else [qp.scale(rng, 1e-3, 0.05)])
    x = b.tensor(f"{name}_x", [*batch_shape, depth], "int8", **xq)
    w = b.const(f"{name}_w", rng.randint(-127, 128, (out_features, depth)), "int8",
                scale=w_scales, zero_point=[0] * len(w_scales), axis=0)
    inputs = [x, w]
    if rng.rand() < 0.8:
        bias_scales = [xq["scale"] * s for s in w_scales]
        inputs.append(b.const(f"{name}_b", rng.randint(-30000, 30000, out_features), "int32",
                              scale=bias_scales, zero_point=[0] * len(bias_scales)))
    spread = xq["scale"] * float(np.mean(w_scales)) * 74 * 74 * math.sqrt(depth) / 40
    yq = {"scale": float(np.float32(spread * np.exp(rng.uniform(-1, 1)))),
          "zero_point": qp.zero_point(rng)}
    batches = int(np.prod(batch_shape))
    out_shape = [*batch_shape, out_features] if keep else [batches, out_features]
    y = b.tensor(f"{name}_y", out_shape, "int8", **yq)
    b.op("FULLY_CONNECTED", inputs, [y],
         {"FusedActivationFunction": int(rng.choice([0, 1, 2, 3])), "KeepNumDims": keep},
         version=7 if per_channel else 4)
    return x, y


def test_fully_connected_random_configurations(tmp_path):
    rng = np.random.RandomState(0)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(24):
        x, y = add_fc(b, rng, f"fc{k}", per_channel=bool(k % 3 == 0))
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=4, sanitize=True)


def test_per_tensor_multiplier_uses_double_product(tmp_path):
    """Scales where input_scale * filter_scale rounded to float32 (what TFLM's source
    reads as) and the double product give different multipliers and different outputs:
    the pinned TFLM matches the double product."""
    cases = [  # (input scale, filter scale, output scale, accumulator) found by search
        (0.004945324268192053, 0.023451581597328186, 0.04790455847978592, -16728),
        (0.012333674356341362, 0.01008022390305996, 0.018475547432899475, -13151),
        (0.02086462825536728, 0.003290132386609912, 0.07956332713365555, -5215),
    ]
    for si, sw, so, acc in cases:
        as_float = multiply_by_quantized_multiplier(
            acc, *quantize_multiplier(float(np.float32(si) * np.float32(sw)) / so))
        as_double = multiply_by_quantized_multiplier(
            acc, *quantize_multiplier(si * sw / so))
        assert as_float != as_double
    b = ModelBuilder()
    ins, outs, values = [], [], []
    for k, (si, sw, so, acc) in enumerate(cases):
        x = b.tensor(f"x{k}", [1, 1], "int8", scale=si, zero_point=0)
        w = b.const(f"w{k}", np.ones((1, 1), np.int8), "int8", scale=sw, zero_point=0)
        bias = b.const(f"b{k}", np.array([acc], np.int32), "int32", scale=si * sw, zero_point=0)
        y = b.tensor(f"y{k}", [1, 1], "int8", scale=so, zero_point=0)
        b.op("FULLY_CONNECTED", [x, w, bias], [y], {})
        ins.append(x)
        outs.append(y)
        values.append(np.zeros((1, 1), np.int8))
    assert_bit_exact(b.build(ins, outs), tmp_path, input_sets=[values])
