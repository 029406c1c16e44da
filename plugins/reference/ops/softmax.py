"""SOFTMAX on int8 with TFLite's fixed-point exp, tabulated at build time."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import (
    calculate_input_radius,
    exp_on_negative_values,
    multiply_by_quantized_multiplier,
    preprocess_softmax_scaling,
)
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, qparams

SCALED_DIFF_INTEGER_BITS = 5


def check_softmax(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    y = graph.op_outputs(op)[0]
    sy, zy = qparams(y)
    if zy != -128 or np.float32(sy) != np.float32(1.0 / 256):
        return "int8 softmax output must have scale 1/256 and zero point -128"
    return None


def exp_table(beta: float, input_scale: float) -> np.ndarray:
    """exp of every possible int8 difference to the row maximum, as TFLite computes it."""
    multiplier, left_shift = preprocess_softmax_scaling(
        beta, input_scale, SCALED_DIFF_INTEGER_BITS
    )
    diff_min = -calculate_input_radius(SCALED_DIFF_INTEGER_BITS, left_shift)
    table = np.zeros(256, dtype=np.int32)
    for diff in range(-255, 1):
        if diff >= diff_min:
            rescaled = multiply_by_quantized_multiplier(diff, multiplier, left_shift)
            table[diff + 255] = exp_on_negative_values(rescaled, SCALED_DIFF_INTEGER_BITS)
    return table


def emit_softmax(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    depth = x.shape[-1] if x.shape else 1
    beta = float(np.float32(op.attrs.get("beta", 1.0)))
    table = exp_table(beta, float(np.float32(qparams(x)[0])))
    params = ctx.params(
        "tml_softmax_s8_params",
        {"rows": x.size // depth, "depth": depth, "exp_table": ctx.const(table, "exp_table")},
    )
    return KernelCall("tml_softmax_s8", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.softmax_s8", backend="reference", op="softmax",
           check=check_softmax, emit=emit_softmax,
           sources=(kernel_source("tml_softmax.c"),), headers=("tml_softmax.h",)),
)
