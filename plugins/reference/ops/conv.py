"""CONV_2D and DEPTHWISE_CONV_2D on int8 with per-channel requantisation."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import activation_range, conv_output_multipliers
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, fits_int32, qparams

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
    if len(op.inputs) > 2 and op.inputs[2]:
        b = graph.tensors[op.inputs[2]]
        if not b.is_const or b.dtype != "int32":
            return f"bias '{b.name}' must be a constant int32 tensor"
    return None


def check_conv2d(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    reason = _check_weights(op, graph, channel_axis=0)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    if w.shape[3] == 0 or x.shape[3] % w.shape[3] != 0:
        return f"input channels {x.shape[3]} are not a multiple of filter depth {w.shape[3]}"
    groups = x.shape[3] // w.shape[3]
    if y.shape[3] != w.shape[0] or w.shape[0] % groups != 0:
        return "output channels do not match the filter count and groups"
    return None


def check_depthwise(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    reason = _check_weights(op, graph, channel_axis=3)
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    if w.shape[3] != y.shape[3]:
        return "filter channels do not match output channels"
    return None


def _bias_and_folded(
    op: Op, graph: Graph, filt: np.ndarray, input_offset: int, channels: int
) -> tuple[np.ndarray | None, np.ndarray]:
    """Model bias (or None) and bias + input_offset * per-channel filter sum."""
    bias = None
    if len(op.inputs) > 2 and op.inputs[2]:
        bias = graph.tensors[op.inputs[2]].data.astype(np.int64).reshape(-1)
    sums = filt.astype(np.int64).sum(axis=1)
    folded = (bias if bias is not None else np.zeros(channels, np.int64)) + input_offset * sums
    if not fits_int32(folded):
        raise ValueError("folded bias does not fit in int32")
    return bias, folded.astype(np.int32)


def _requant(x: Tensor, w: Tensor, y: Tensor, channels: int) -> tuple[np.ndarray, np.ndarray]:
    return conv_output_multipliers(qparams(x)[0], w.quant.scale, qparams(y)[0], channels)


def emit_conv2d(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    _, zx = qparams(x)
    sy, zy = qparams(y)
    out_c = w.shape[0]
    mult, shift = _requant(x, w, y, out_c)
    bias, folded = _bias_and_folded(op, graph, w.data.reshape(out_c, -1), -zx, out_c)
    act_min, act_max = activation_range(op.attrs["activation"], sy, zy)
    pad_top, pad_left, _, _ = op.attrs["pads"]
    params = ctx.params(
        "tml_conv2d_s8_params",
        {
            "batches": x.shape[0], "in_h": x.shape[1], "in_w": x.shape[2], "in_c": x.shape[3],
            "out_h": y.shape[1], "out_w": y.shape[2], "out_c": y.shape[3],
            "filter_h": w.shape[1], "filter_w": w.shape[2], "filter_in_c": w.shape[3],
            "stride_h": op.attrs["stride"][0], "stride_w": op.attrs["stride"][1],
            "dilation_h": op.attrs["dilation"][0], "dilation_w": op.attrs["dilation"][1],
            "pad_top": pad_top, "pad_left": pad_left,
            "input_offset": -zx, "output_offset": zy,
            "act_min": act_min, "act_max": act_max,
            "filter": ctx.buffer(w.name),
            # the model bias is only read where a window crosses the (padded) border
            "bias": ctx.buffer(op.inputs[2]) if bias is not None and any(op.attrs["pads"])
            else None,
            "bias_folded": ctx.const(folded, "bias_folded"),
            "multiplier": ctx.const(mult, "multiplier"),
            "shift": ctx.const(shift, "shift"),
        },
    )
    return KernelCall("tml_conv2d_s8", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


def emit_depthwise(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.op_outputs(op)[0]
    _, zx = qparams(x)
    sy, zy = qparams(y)
    out_c = y.shape[3]
    mult, shift = _requant(x, w, y, out_c)
    per_channel_filter = w.data.reshape(-1, out_c).T  # [out_c, taps]
    bias, folded = _bias_and_folded(op, graph, per_channel_filter, -zx, out_c)
    act_min, act_max = activation_range(op.attrs["activation"], sy, zy)
    pad_top, pad_left, _, _ = op.attrs["pads"]
    params = ctx.params(
        "tml_depthwise_conv2d_s8_params",
        {
            "batches": x.shape[0], "in_h": x.shape[1], "in_w": x.shape[2], "in_c": x.shape[3],
            "out_h": y.shape[1], "out_w": y.shape[2], "out_c": out_c,
            "depth_multiplier": op.attrs["depth_multiplier"],
            "filter_h": w.shape[1], "filter_w": w.shape[2],
            "stride_h": op.attrs["stride"][0], "stride_w": op.attrs["stride"][1],
            "dilation_h": op.attrs["dilation"][0], "dilation_w": op.attrs["dilation"][1],
            "pad_top": pad_top, "pad_left": pad_left,
            "input_offset": -zx, "output_offset": zy,
            "act_min": act_min, "act_max": act_max,
            "filter": ctx.buffer(w.name),
            # the model bias is only read where a window crosses the (padded) border
            "bias": ctx.buffer(op.inputs[2]) if bias is not None and any(op.attrs["pads"])
            else None,
            "bias_folded": ctx.const(folded, "bias_folded"),
            "multiplier": ctx.const(mult, "multiplier"),
            "shift": ctx.const(shift, "shift"),
        },
    )
    return KernelCall("tml_depthwise_conv2d_s8", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.conv2d_s8", backend="reference", op="conv2d", check=check_conv2d,
           emit=emit_conv2d, sources=SOURCES, headers=HEADERS),
    Kernel(name="reference.depthwise_conv2d_s8", backend="reference", op="depthwise_conv2d",
           check=check_depthwise, emit=emit_depthwise, sources=SOURCES, headers=HEADERS),
)
