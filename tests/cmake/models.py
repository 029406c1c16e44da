"""Two small int8 models for the CMake tests, built with tflite_builder (TFLM runs them)."""

from __future__ import annotations

import numpy as np

from tests.support.tflite_builder import ModelBuilder


def conv_fc_softmax(seed: int = 0) -> bytes:
    """conv 3x3 (SAME, relu) -> reshape -> fully connected -> softmax; weights from `seed`."""
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    x = b.tensor("input", [1, 6, 6, 2], "int8", scale=0.05, zero_point=-3)
    w = b.const("conv/w", rng.randint(-127, 128, (4, 3, 3, 2)), "int8",
                scale=list(rng.uniform(0.002, 0.01, 4)), zero_point=0, axis=0)
    bias = b.const("conv/b", rng.randint(-2000, 2000, 4), "int32",
                   scale=list(rng.uniform(1e-4, 5e-4, 4)), zero_point=0)
    c = b.tensor("conv/out", [1, 6, 6, 4], "int8", scale=0.04, zero_point=-128)
    b.op("CONV_2D", [x, w, bias], [c],
         {"Padding": 0, "StrideW": 1, "StrideH": 1, "FusedActivationFunction": 1,
          "DilationWFactor": 1, "DilationHFactor": 1}, version=3)
    shape = b.const("reshape/shape", np.array([1, 144]), "int32")
    r = b.tensor("reshape/out", [1, 144], "int8", scale=0.04, zero_point=-128)
    b.op("RESHAPE", [c, shape], [r], {}, version=1)
    w2 = b.const("fc/w", rng.randint(-127, 128, (5, 144)), "int8", scale=0.004, zero_point=0)
    b2 = b.const("fc/b", rng.randint(-300, 300, 5), "int32", scale=0.00016, zero_point=0)
    f = b.tensor("fc/out", [1, 5], "int8", scale=0.2, zero_point=2)
    b.op("FULLY_CONNECTED", [r, w2, b2], [f], {"FusedActivationFunction": 0}, version=4)
    y = b.tensor("probs", [1, 5], "int8", scale=1 / 256, zero_point=-128)
    b.op("SOFTMAX", [f], [y], {"Beta": 1.0}, version=2)
    return b.build(inputs=[x], outputs=[y])


def fc_relu(seed: int = 0) -> bytes:
    """fully connected (relu) -> fully connected: a second model with other kernels' mix."""
    rng = np.random.RandomState(seed)
    b = ModelBuilder()
    x = b.tensor("x", [1, 16], "int8", scale=0.1, zero_point=4)
    w1 = b.const("fc1/w", rng.randint(-127, 128, (12, 16)), "int8", scale=0.01, zero_point=0)
    b1 = b.const("fc1/b", rng.randint(-500, 500, 12), "int32", scale=0.001, zero_point=0)
    h = b.tensor("h", [1, 12], "int8", scale=0.08, zero_point=-128)
    b.op("FULLY_CONNECTED", [x, w1, b1], [h], {"FusedActivationFunction": 1}, version=4)
    w2 = b.const("fc2/w", rng.randint(-127, 128, (3, 12)), "int8", scale=0.01, zero_point=0)
    b2 = b.const("fc2/b", rng.randint(-500, 500, 3), "int32", scale=0.0008, zero_point=0)
    y = b.tensor("y", [1, 3], "int8", scale=0.05, zero_point=-10)
    b.op("FULLY_CONNECTED", [h, w2, b2], [y], {"FusedActivationFunction": 0}, version=4)
    return b.build(inputs=[x], outputs=[y])
