"""CONV_2D and DEPTHWISE_CONV_2D on int8 against TFLM.

Random shapes, SAME/VALID padding, strides, dilations, depth multipliers, grouped
convolution, per-channel and per-tensor filters, with and without bias, every fused
activation; several convolutions per model, each on its own input.
"""

from __future__ import annotations

import math

import numpy as np

from tests.support import quant_params as qp
from tests.support.compare import assert_bit_exact
from tests.support.tflite_builder import ModelBuilder

ACTIVATIONS = (0, 1, 2, 3)  # NONE, RELU, RELU_N1_TO_1, RELU6
SAME, VALID = 0, 1


def out_size(size: int, k: int, stride: int, dilation: int, padding: int) -> int:
    effective = (k - 1) * dilation + 1
    if padding == SAME:
        return math.ceil(size / stride)
    return math.ceil((size - effective + 1) / stride)


def _output_scale(rng, in_scale: float, w_scale: float, taps: int) -> float:
    """A scale that spreads the accumulators over the int8 range (some saturate)."""
    spread = in_scale * w_scale * 74 * 74 * math.sqrt(taps) / 40
    return float(np.float32(spread * np.exp(rng.uniform(-1.2, 1.2))))


def _weights_quant(rng, channels: int, per_channel: bool) -> list[float]:
    if per_channel:
        return [qp.scale(rng, 1e-3, 0.05) for _ in range(channels)]
    return [qp.scale(rng, 1e-3, 0.05)]


def add_conv(b: ModelBuilder, rng, name: str, depthwise: bool):
    """One random (depthwise) convolution on a new input; returns (input, output)."""
    n = int(rng.choice([1, 1, 2]))
    h, w = int(rng.randint(3, 10)), int(rng.randint(3, 10))
    kh, kw = int(rng.randint(1, 4)), int(rng.randint(1, 4))
    sh, sw = int(rng.randint(1, 3)), int(rng.randint(1, 3))
    dh, dw = (int(rng.randint(1, 3)), int(rng.randint(1, 3))) if rng.rand() < 0.4 else (1, 1)
    padding = int(rng.choice([SAME, VALID]))
    if padding == VALID and ((kh - 1) * dh + 1 > h or (kw - 1) * dw + 1 > w):
        padding = SAME
    per_channel = rng.rand() < 0.75
    xq = qp.qparams(rng, 0.005, 0.1)
    if depthwise:
        cin = int(rng.randint(1, 6))
        mult = int(rng.choice([1, 1, 2, 3]))
        cout = cin * mult
        filt_shape = [1, kh, kw, cout]
        w_scales = _weights_quant(rng, cout, per_channel)
        axis = 3
        taps = kh * kw
    else:
        groups = int(rng.choice([1, 1, 1, 2, 3]))
        cin_g = int(rng.randint(1, 5))
        cin = cin_g * groups
        cout = groups * int(rng.randint(1, 4))
        filt_shape = [cout, kh, kw, cin_g]
        w_scales = _weights_quant(rng, cout, per_channel)
        axis = 0
        taps = kh * kw * cin_g
    x = b.tensor(f"{name}_x", [n, h, w, cin], "int8", **xq)
    filt = rng.randint(-127, 128, filt_shape).astype(np.int8)
    wt = b.const(f"{name}_w", filt, "int8", scale=w_scales, zero_point=[0] * len(w_scales),
                 axis=axis)
    inputs = [x, wt]
    if rng.rand() < 0.8:
        bias_scales = [xq["scale"] * s for s in (w_scales if len(w_scales) > 1
                                                  else w_scales * cout)]
        bias = rng.randint(-20000, 20000, cout).astype(np.int32)
        inputs.append(b.const(f"{name}_b", bias, "int32", scale=bias_scales,
                              zero_point=[0] * cout))
    oh = out_size(h, kh, sh, dh, padding)
    ow = out_size(w, kw, sw, dw, padding)
    yq = {"scale": _output_scale(rng, xq["scale"], float(np.mean(w_scales)), taps),
          "zero_point": qp.zero_point(rng)}
    y = b.tensor(f"{name}_y", [n, oh, ow, cout], "int8", **yq)
    options = {"Padding": padding, "StrideH": sh, "StrideW": sw, "DilationHFactor": dh,
               "DilationWFactor": dw,
               "FusedActivationFunction": int(rng.choice(ACTIVATIONS))}
    if depthwise:
        options["DepthMultiplier"] = cout // cin
        b.op("DEPTHWISE_CONV_2D", inputs, [y], options, version=2)
    else:
        b.op("CONV_2D", inputs, [y], options, version=3)
    return x, y


def _model(seed: int, depthwise: bool, count: int) -> bytes:
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(count):
        x, y = add_conv(b, rng, f"c{k}", depthwise)
        ins.append(x)
        outs.append(y)
    return b.build(ins, outs)


def test_conv2d_random_configurations(tmp_path):
    assert_bit_exact(_model(0, False, 24), tmp_path, runs=3)


def test_depthwise_random_configurations(tmp_path):
    assert_bit_exact(_model(1, True, 24), tmp_path, runs=3)


def test_conv_and_depthwise_under_sanitizers(tmp_path):
    rng = np.random.RandomState(2)
    b = ModelBuilder()
    ins, outs = [], []
    for k in range(8):
        x, y = add_conv(b, rng, f"s{k}", depthwise=bool(k % 2))
        ins.append(x)
        outs.append(y)
    assert_bit_exact(b.build(ins, outs), tmp_path, runs=2, sanitize=True)
