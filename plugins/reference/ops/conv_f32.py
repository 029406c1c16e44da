"""Conv2D, depthwise Conv2D (TFLite) and ConvTranspose on float32 (NHWC; weights may be
computed at run time)."""

from __future__ import annotations

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import optional_buffer
from .float_common import act_fields, check_float
from .layout import check_grouped_filter, conv_fields


def check_conv2d(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    if len(x.shape) != 4 or len(w.shape) != 4 or len(y.shape) != 4:
        return "conv2d needs 4-D NHWC input/output and OHWI filter"
    return check_grouped_filter(x, w, y)


def _emit(op: Op, graph: Graph, ctx: EmitContext, kind: str,
          filter_fields: dict[str, object]) -> KernelCall:
    """tml_<kind>_f32(params, input, filter, bias or NULL, output)."""
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    params = ctx.params(f"tml_{kind}_f32_params",
                        {**conv_fields(op, x, y, **filter_fields), "act": act_fields(op)})
    return KernelCall(f"tml_{kind}_f32", [params, ctx.buffer(x.name), ctx.buffer(w.name),
                                          optional_buffer(ctx, op, 2), ctx.buffer(y.name)])


def emit_conv2d(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    w = graph.tensors[op.inputs[1]]
    return _emit(op, graph, ctx, "conv2d", {
        "filter_h": w.shape[1], "filter_w": w.shape[2], "filter_in_c": w.shape[3],
    })


def check_depthwise(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    if len(x.shape) != 4 or len(w.shape) != 4 or w.shape[0] != 1 or w.shape[3] != y.shape[3]:
        return "depthwise filter must be [1, H, W, C_out] matching the output channels"
    if y.shape[3] != x.shape[3] * int(op.attrs.get("depth_multiplier", 1)):
        return "output channels are not input channels x depth multiplier"
    return None


def emit_depthwise(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    w = graph.tensors[op.inputs[1]]
    return _emit(op, graph, ctx, "depthwise_conv2d", {
        "depth_multiplier": op.attrs.get("depth_multiplier", 1),
        "filter_h": w.shape[1], "filter_w": w.shape[2],
    })


def check_conv_transpose(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    groups = int(op.attrs.get("groups", 1))
    if len(x.shape) != 4 or len(w.shape) != 4 or len(y.shape) != 4:
        return "conv_transpose needs 4-D NHWC tensors"
    if w.shape[0] != x.shape[3] or groups < 1 or x.shape[3] % groups:
        return "filter does not match the input channels and groups"
    if y.shape[3] != w.shape[3] * groups:
        return "output channels do not match the filter and groups"
    return None


def emit_conv_transpose(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    w = graph.tensors[op.inputs[1]]
    return _emit(op, graph, ctx, "conv_transpose", {
        "filter_h": w.shape[1], "filter_w": w.shape[2], "groups": op.attrs.get("groups", 1),
    })


_SOURCES = (kernel_source("tml_conv_f32.c"),)
_HEADERS = ("tml_conv_f32.h",)

KERNELS = (
    Kernel(name="reference.conv2d_f32", backend="reference", op="conv2d",
           check=check_conv2d, emit=emit_conv2d, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.depthwise_conv2d_f32", backend="reference", op="depthwise_conv2d",
           check=check_depthwise, emit=emit_depthwise, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.conv_transpose_f32", backend="reference", op="conv_transpose",
           check=check_conv_transpose, emit=emit_conv_transpose, sources=_SOURCES,
           headers=_HEADERS),
)
