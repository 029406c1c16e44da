"""CONV_2D and DEPTHWISE_CONV_2D on int8 with per-channel requantisation."""

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
from .layout import check_grouped_filter, conv_fields

SOURCES = (kernel_source("tml_conv.c"),)
HEADERS = ("tml_conv.h",)


def _check_weights(op: Op, graph: Graph, channel_axis: int) -> str | None:
    w = graph.tensors[op.inputs[1]]
    if not w.is_const:
        return f"filter '{w.name}' is computed at run time; it must be a constant"
    if w.dtype != "int8" or w.quant is None:
        return f"filter '{w.name}' must be quantised int8 (it is {w.dtype})"
    if np.any(w.quant.zero_point != 0):
        return f"filter '{w.name}' has a non-zero zero point; int8 filters must be symmetric"
    if w.quant.per_channel and w.quant.axis != channel_axis:
        return f"filter '{w.name}' is quantised along axis {w.quant.axis}, not {channel_axis}"
    return check_const_bias(op, graph)


def check_conv2d(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph) or _check_weights(op, graph, channel_axis=0)
    if reason:
        return reason
    return check_grouped_filter(graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]],
                                graph.op_outputs(op)[0])


def check_depthwise(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph) or _check_weights(op, graph, channel_axis=3)
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    if w.shape[3] != y.shape[3]:
        return "filter channels do not match output channels"
    return None


def _emit(op: Op, graph: Graph, ctx: EmitContext, kind: str, rows: np.ndarray,
          filter_fields: dict[str, object]) -> KernelCall:
    """tml_<kind>_s8(params, input, output) for a filter whose per-output-channel weights
    are `rows` ([out_c, taps])."""
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    _, zx = qparams(x)
    out_c = y.shape[3]
    mult, shift = output_multipliers(x, w, y, out_c)
    bias, folded = fold_bias(op, graph, rows, -zx, out_c)
    params = ctx.params(f"tml_{kind}_s8_params", {
        **conv_fields(op, x, y, **filter_fields),
        "input_offset": -zx, **output_range(op, y),
        "filter": ctx.buffer(w.name),
        # the model bias is only read where a window crosses the (padded) border
        "bias": ctx.buffer(op.inputs[2]) if bias is not None and any(op.attrs["pads"])
        else None,
        "bias_folded": ctx.const(folded, "bias_folded"),
        "multiplier": ctx.const(mult, "multiplier"),
        "shift": ctx.const(shift, "shift"),
    })
    return KernelCall(f"tml_{kind}_s8", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


def emit_conv2d(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    w = graph.tensors[op.inputs[1]]
    return _emit(op, graph, ctx, "conv2d", w.data.reshape(w.shape[0], -1), {
        "filter_h": w.shape[1], "filter_w": w.shape[2], "filter_in_c": w.shape[3],
    })


def emit_depthwise(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    w = graph.tensors[op.inputs[1]]
    out_c = graph.op_outputs(op)[0].shape[3]
    return _emit(op, graph, ctx, "depthwise_conv2d", w.data.reshape(-1, out_c).T, {
        "depth_multiplier": op.attrs["depth_multiplier"],
        "filter_h": w.shape[1], "filter_w": w.shape[2],
    })


KERNELS = (
    Kernel(name="reference.conv2d_s8", backend="reference", op="conv2d", check=check_conv2d,
           emit=emit_conv2d, sources=SOURCES, headers=HEADERS),
    Kernel(name="reference.depthwise_conv2d_s8", backend="reference", op="depthwise_conv2d",
           check=check_depthwise, emit=emit_depthwise, sources=SOURCES, headers=HEADERS),
)
