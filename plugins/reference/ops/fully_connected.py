"""FULLY_CONNECTED on int8, per-tensor or per-channel weights."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import (
    check_const_bias,
    check_int8_activations,
    fold_bias,
    output_multipliers,
    output_range,
    qparams,
)


def check_fully_connected(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    if not w.is_const or w.dtype != "int8" or w.quant is None:
        return f"weights '{w.name}' must be constant quantised int8"
    if np.any(w.quant.zero_point != 0):
        return f"weights '{w.name}' have a non-zero zero point; int8 weights must be symmetric"
    if w.quant.per_channel and w.quant.axis != 0:
        return f"weights '{w.name}' are quantised along axis {w.quant.axis}, not 0"
    return check_const_bias(op, graph)


def emit_fully_connected(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    _, zx = qparams(x)
    out_features, depth = w.shape
    per_channel = bool(w.quant.per_channel)
    mult, shift = output_multipliers(x, w, y, out_features if per_channel else 1)
    _, folded = fold_bias(op, graph, w.data, -zx, out_features)
    params = ctx.params(
        "tml_fully_connected_s8_params",
        {
            "batches": x.size // depth, "depth": depth, "out_features": out_features,
            **output_range(op, y),
            "per_channel": int(per_channel),
            "weights": ctx.buffer(w.name),
            "bias_folded": ctx.const(folded, "bias_folded"),
            "multiplier": ctx.const(mult, "multiplier"),
            "shift": ctx.const(shift, "shift"),
        },
    )
    return KernelCall("tml_fully_connected_s8",
                      [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.fully_connected_s8", backend="reference", op="fully_connected",
           check=check_fully_connected, emit=emit_fully_connected,
           sources=(kernel_source("tml_fully_connected.c"),),
           headers=("tml_fully_connected.h",)),
)
