"""Small TFLite models for tests, built with tflite_builder."""

from __future__ import annotations

import numpy as np

from .tflite_builder import ModelBuilder


def small_cnn(seed: int = 0) -> bytes:
    """conv (SAME, relu) -> depthwise (VALID) -> avg pool -> reshape -> FC -> softmax."""
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    x = b.tensor("input", [1, 8, 8, 3], "int8", scale=0.05, zero_point=-3)
    w1 = b.const("conv/w", rng.randint(-127, 128, (8, 3, 3, 3)), "int8",
                 scale=list(rng.uniform(0.002, 0.01, 8)), zero_point=0, axis=0)
    b1 = b.const("conv/b", rng.randint(-2000, 2000, 8), "int32",
                 scale=list(rng.uniform(1e-4, 5e-4, 8)), zero_point=0)
    c1 = b.tensor("conv/out", [1, 8, 8, 8], "int8", scale=0.04, zero_point=-128)
    b.op("CONV_2D", [x, w1, b1], [c1],
         {"Padding": 0, "StrideW": 1, "StrideH": 1, "FusedActivationFunction": 1,
          "DilationWFactor": 1, "DilationHFactor": 1}, version=3)
    w2 = b.const("dw/w", rng.randint(-127, 128, (1, 3, 3, 8)), "int8",
                 scale=list(rng.uniform(0.002, 0.01, 8)), zero_point=0, axis=3)
    b2 = b.const("dw/b", rng.randint(-500, 500, 8), "int32",
                 scale=list(rng.uniform(1e-4, 5e-4, 8)), zero_point=0)
    c2 = b.tensor("dw/out", [1, 6, 6, 8], "int8", scale=0.03, zero_point=5)
    b.op("DEPTHWISE_CONV_2D", [c1, w2, b2], [c2],
         {"Padding": 1, "StrideW": 1, "StrideH": 1, "DepthMultiplier": 1,
          "FusedActivationFunction": 0, "DilationWFactor": 1, "DilationHFactor": 1},
         version=3)
    p = b.tensor("pool/out", [1, 1, 1, 8], "int8", scale=0.03, zero_point=5)
    b.op("AVERAGE_POOL_2D", [c2], [p],
         {"Padding": 1, "StrideW": 6, "StrideH": 6, "FilterWidth": 6, "FilterHeight": 6,
          "FusedActivationFunction": 0}, version=2)
    shape = b.const("reshape/shape", np.array([1, 8]), "int32")
    r = b.tensor("reshape/out", [1, 8], "int8", scale=0.03, zero_point=5)
    b.op("RESHAPE", [p, shape], [r], {}, version=1)
    w3 = b.const("fc/w", rng.randint(-127, 128, (4, 8)), "int8", scale=0.01, zero_point=0)
    b3 = b.const("fc/b", rng.randint(-300, 300, 4), "int32", scale=0.0003, zero_point=0)
    f = b.tensor("fc/out", [1, 4], "int8", scale=0.1, zero_point=2)
    b.op("FULLY_CONNECTED", [r, w3, b3], [f], {"FusedActivationFunction": 0}, version=4)
    y = b.tensor("probs", [1, 4], "int8", scale=1 / 256, zero_point=-128)
    b.op("SOFTMAX", [f], [y], {"Beta": 1.0}, version=2)
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
