"""FULLY_CONNECTED on int8, per-tensor or per-channel weights."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import activation_range, conv_output_multipliers
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, fits_int32, qparams


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
    if len(op.inputs) > 2 and op.inputs[2]:
        b = graph.tensors[op.inputs[2]]
        if not b.is_const or b.dtype != "int32":
            return f"bias '{b.name}' must be a constant int32 tensor"
    return None


def emit_fully_connected(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    _, zx = qparams(x)
    sy, zy = qparams(y)
    out_features, depth = w.shape
    per_channel = bool(w.quant.per_channel)
    mult, shift = conv_output_multipliers(
        qparams(x)[0], w.quant.scale, sy, out_features if per_channel else 1
    )
    bias = np.zeros(out_features, np.int64)
    if len(op.inputs) > 2 and op.inputs[2]:
        bias = graph.tensors[op.inputs[2]].data.astype(np.int64).reshape(-1)
    folded = bias - zx * w.data.astype(np.int64).sum(axis=1)
    if not fits_int32(folded):
        raise ValueError("folded bias does not fit in int32")
    act_min, act_max = activation_range(op.attrs["activation"], sy, zy)
    params = ctx.params(
        "tml_fully_connected_s8_params",
        {
            "batches": x.size // depth, "depth": depth, "out_features": out_features,
            "output_offset": zy, "act_min": act_min, "act_max": act_max,
            "per_channel": int(per_channel),
            "weights": ctx.buffer(w.name),
            "bias_folded": ctx.const(folded.astype(np.int32), "bias_folded"),
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
