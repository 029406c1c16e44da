"""Small int8 TFLite models for tests, built with tflite_builder (TFLM runs them)."""

from __future__ import annotations

import numpy as np

from .tflite_builder import ModelBuilder


def _per_channel_weights(b: ModelBuilder, rng: np.random.RandomState, name: str,
                         shape: tuple[int, ...], axis: int, bias_limit: int) -> tuple[int, int]:
    """A random symmetric int8 filter quantised per channel along `axis`, and its bias."""
    n = shape[axis]
    w = b.const(f"{name}/w", rng.randint(-127, 128, shape), "int8",
                scale=list(rng.uniform(0.002, 0.01, n)), zero_point=0, axis=axis)
    bias = b.const(f"{name}/b", rng.randint(-bias_limit, bias_limit, n), "int32",
                   scale=list(rng.uniform(1e-4, 5e-4, n)), zero_point=0)
    return w, bias


def _conv_options(padding: int, activation: int, **extra: int) -> dict[str, int]:
    """CONV_2D / DEPTHWISE_CONV_2D options with stride and dilation 1."""
    return {"Padding": padding, "StrideW": 1, "StrideH": 1, **extra,
            "FusedActivationFunction": activation, "DilationWFactor": 1, "DilationHFactor": 1}


def _fully_connected(b: ModelBuilder, rng: np.random.RandomState, name: str, x: int,
                     features: tuple[int, int], w_scale: float, bias_limit: int,
                     bias_scale: float, out_scale: float, out_zero_point: int,
                     activation: int = 0, out_name: str | None = None) -> int:
    """FULLY_CONNECTED of x ([1, depth]) with random per-tensor weights [out, depth]; the
    output is named out_name (default '<name>/out')."""
    out, depth = features
    w = b.const(f"{name}/w", rng.randint(-127, 128, (out, depth)), "int8", scale=w_scale,
                zero_point=0)
    bias = b.const(f"{name}/b", rng.randint(-bias_limit, bias_limit, out), "int32",
                   scale=bias_scale, zero_point=0)
    y = b.tensor(out_name or f"{name}/out", [1, out], "int8", scale=out_scale,
                 zero_point=out_zero_point)
    b.op("FULLY_CONNECTED", [x, w, bias], [y], {"FusedActivationFunction": activation},
         version=4)
    return y


def _reshape(b: ModelBuilder, x: int, shape: list[int], scale: float, zero_point: int) -> int:
    target = b.const("reshape/shape", np.array(shape), "int32")
    y = b.tensor("reshape/out", shape, "int8", scale=scale, zero_point=zero_point)
    b.op("RESHAPE", [x, target], [y], {}, version=1)
    return y


def _softmax(b: ModelBuilder, x: int, n: int) -> int:
    """SOFTMAX to 'probs' [1, n] on TFLite's int8 output quantisation."""
    y = b.tensor("probs", [1, n], "int8", scale=1 / 256, zero_point=-128)
    b.op("SOFTMAX", [x], [y], {"Beta": 1.0}, version=2)
    return y


def small_cnn(seed: int = 0) -> bytes:
    """conv (SAME, relu) -> depthwise (VALID) -> avg pool -> reshape -> FC -> softmax."""
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    x = b.tensor("input", [1, 8, 8, 3], "int8", scale=0.05, zero_point=-3)
    w1, b1 = _per_channel_weights(b, rng, "conv", (8, 3, 3, 3), axis=0, bias_limit=2000)
    c1 = b.tensor("conv/out", [1, 8, 8, 8], "int8", scale=0.04, zero_point=-128)
    b.op("CONV_2D", [x, w1, b1], [c1], _conv_options(0, 1), version=3)
    w2, b2 = _per_channel_weights(b, rng, "dw", (1, 3, 3, 8), axis=3, bias_limit=500)
    c2 = b.tensor("dw/out", [1, 6, 6, 8], "int8", scale=0.03, zero_point=5)
    b.op("DEPTHWISE_CONV_2D", [c1, w2, b2], [c2], _conv_options(1, 0, DepthMultiplier=1),
         version=3)
    p = b.tensor("pool/out", [1, 1, 1, 8], "int8", scale=0.03, zero_point=5)
    b.op("AVERAGE_POOL_2D", [c2], [p],
         {"Padding": 1, "StrideW": 6, "StrideH": 6, "FilterWidth": 6, "FilterHeight": 6,
          "FusedActivationFunction": 0}, version=2)
    r = _reshape(b, p, [1, 8], scale=0.03, zero_point=5)
    f = _fully_connected(b, rng, "fc", r, (4, 8), 0.01, 300, 0.0003, 0.1, 2)
    y = _softmax(b, f, 4)
    return b.build(inputs=[x], outputs=[y])


def conv_fc_softmax(seed: int = 0) -> bytes:
    """conv 3x3 (SAME, relu) -> reshape -> fully connected -> softmax; weights from `seed`."""
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    x = b.tensor("input", [1, 6, 6, 2], "int8", scale=0.05, zero_point=-3)
    w, bias = _per_channel_weights(b, rng, "conv", (4, 3, 3, 2), axis=0, bias_limit=2000)
    c = b.tensor("conv/out", [1, 6, 6, 4], "int8", scale=0.04, zero_point=-128)
    b.op("CONV_2D", [x, w, bias], [c], _conv_options(0, 1), version=3)
    r = _reshape(b, c, [1, 144], scale=0.04, zero_point=-128)
    f = _fully_connected(b, rng, "fc", r, (5, 144), 0.004, 300, 0.00016, 0.2, 2)
    y = _softmax(b, f, 5)
    return b.build(inputs=[x], outputs=[y])


def fc_relu(seed: int = 0) -> bytes:
    """fully connected (relu) -> fully connected: a second model with other kernels' mix."""
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    x = b.tensor("x", [1, 16], "int8", scale=0.1, zero_point=4)
    h = _fully_connected(b, rng, "fc1", x, (12, 16), 0.01, 500, 0.001, 0.08, -128,
                         activation=1, out_name="h")
    y = _fully_connected(b, rng, "fc2", h, (3, 12), 0.01, 500, 0.0008, 0.05, -10,
                         out_name="y")
    return b.build(inputs=[x], outputs=[y])


def with_unsupported_op() -> bytes:
    """A model whose second node is EXP, an op tinyml-build does not compile."""
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "float32")
    y = b.tensor("y", [1, 4], "float32")
    z = b.tensor("z", [1, 4], "float32")
    b.op("RELU", [x], [y])
    b.op("EXP", [y], [z])
    return b.build(inputs=[x], outputs=[z])
