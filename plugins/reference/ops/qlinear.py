"""int8 MatMul, FullyConnected and Conv2D with zero points on both operands.

TFLite's int8 kernels (conv, fully_connected) need symmetric int8 weights. ONNX models may
have asymmetric weights (uint8 weights, moved to int8 by the uint8 pass, keep a non-zero
zero point) or a run-time B (QLinearMatMul); these kernels take any zero points. They are
registered with priority -1, so the TFLite kernels still win wherever they apply.
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import INT8_ACTIVATIONS, Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import (
    NULL,
    check_const_bias,
    check_int8_activations,
    optional_buffer,
    output_multipliers,
    output_range,
    qparams,
)
from .layout import check_grouped_filter, conv_fields
from .matmul_f32 import matmul_layout

_SOURCES = (kernel_source("tml_qlinear.c"),)
_HEADERS = ("tml_qlinear.h",)


def _check_operand(t: Tensor, channel_axis: int, const: bool) -> str | None:
    if t.dtype != "int8" or t.quant is None:
        return f"tensor '{t.name}' must be quantised int8"
    if const and not t.is_const:
        return f"weights '{t.name}' must be constant"
    if t.quant.per_channel and t.quant.axis != channel_axis:
        return f"'{t.name}' is quantised along axis {t.quant.axis}, not {channel_axis}"
    return None


def _common(op: Op, graph: Graph) -> str | None:
    """int8 per-tensor input 0 and output, an activation the int8 clamp covers."""
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    if op.attrs.get("activation", "none") not in INT8_ACTIVATIONS:
        return f"fused activation {op.attrs.get('activation')!r} is not supported on int8"
    return None


def _offsets(t: Tensor, channels: int) -> np.ndarray:
    assert t.quant is not None
    zp = t.quant.zero_point.astype(np.int64).reshape(-1)
    if zp.size == 1:
        zp = np.repeat(zp, channels)
    return (-zp).astype(np.int32)


def _requant(ctx: EmitContext, x: Tensor, w: Tensor, y: Tensor,
             channels: int) -> dict[str, object]:
    mult, shift = output_multipliers(x, w, y, channels)
    return {"multiplier": ctx.const(mult, "multiplier"), "shift": ctx.const(shift, "shift")}


def check_matmul(op: Op, graph: Graph) -> str | None:
    reason = _common(op, graph)
    if reason:
        return reason
    b = graph.tensors[op.inputs[1]]
    reason = _check_operand(b, len(b.shape) - 1, const=False)
    if reason:
        return reason
    layout = matmul_layout(graph.tensors[op.inputs[0]], b, graph.tensors[op.outputs[0]])
    return layout if isinstance(layout, str) else None


def emit_matmul(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    a = graph.tensors[op.inputs[0]]
    b = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    layout = matmul_layout(a, b, y)
    assert isinstance(layout, dict)
    n = int(layout["n"])
    params = ctx.params("tml_matmul_s8_params", {
        **layout,
        "b_k_stride": n, "b_n_stride": 1, "a_offset": -qparams(a)[1], "per_channel": 1,
        "b_offset": ctx.const(_offsets(b, n), "b_offset"), "bias": NULL,
        **output_range(op, y), **_requant(ctx, a, b, y, n),
    })
    return KernelCall("tml_matmul_s8", [params, ctx.buffer(a.name), ctx.buffer(b.name),
                                        ctx.buffer(y.name)])


def check_fully_connected(op: Op, graph: Graph) -> str | None:
    reason = _common(op, graph)
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    reason = _check_operand(w, 0, const=False)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    if len(w.shape) != 2 or w.shape[1] == 0 or x.size % w.shape[1]:
        return "weights do not fit the input"
    return check_const_bias(op, graph)


def emit_fully_connected(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    n, k = w.shape
    params = ctx.params("tml_matmul_s8_params", {
        "batch": [1, 1, 1, 1], "a_stride": [0, 0, 0, 0], "b_stride": [0, 0, 0, 0],
        "m": x.size // k, "k": k, "n": n, "b_k_stride": 1, "b_n_stride": k,
        "a_offset": -qparams(x)[1], "per_channel": 1,
        "b_offset": ctx.const(_offsets(w, n), "b_offset"),
        "bias": optional_buffer(ctx, op, 2),
        **output_range(op, y), **_requant(ctx, x, w, y, n),
    })
    return KernelCall("tml_matmul_s8", [params, ctx.buffer(x.name), ctx.buffer(w.name),
                                        ctx.buffer(y.name)])


def check_conv2d(op: Op, graph: Graph) -> str | None:
    reason = _common(op, graph)
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    reason = _check_operand(w, 0, const=True)
    if reason:
        return reason
    if len(w.shape) != 4:
        return "the filter must be 4-D (OHWI)"
    reason = check_grouped_filter(graph.tensors[op.inputs[0]], w, graph.tensors[op.outputs[0]])
    return reason or check_const_bias(op, graph)


def emit_conv2d(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    out_c = w.shape[0]
    params = ctx.params("tml_conv2d_s8_asym_params", {
        **conv_fields(op, x, y, filter_h=w.shape[1], filter_w=w.shape[2],
                      filter_in_c=w.shape[3]),
        "input_offset": -qparams(x)[1], **output_range(op, y),
        "filter": ctx.buffer(w.name),
        "filter_offset": ctx.const(_offsets(w, out_c), "filter_offset"),
        "bias": optional_buffer(ctx, op, 2),
        **_requant(ctx, x, w, y, out_c),
    })
    return KernelCall("tml_conv2d_s8_asym", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.matmul_s8", backend="reference", op="matmul", check=check_matmul,
           emit=emit_matmul, sources=_SOURCES, headers=_HEADERS, priority=-1),
    Kernel(name="reference.fully_connected_s8_asym", backend="reference",
           op="fully_connected", check=check_fully_connected, emit=emit_fully_connected,
           sources=_SOURCES, headers=_HEADERS, priority=-1),
    Kernel(name="reference.conv2d_s8_asym", backend="reference", op="conv2d",
           check=check_conv2d, emit=emit_conv2d, sources=_SOURCES, headers=_HEADERS,
           priority=-1),
)
