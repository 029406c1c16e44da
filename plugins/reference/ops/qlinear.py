"""int8 MatMul, FullyConnected and Conv2D with zero points on both operands.

TFLite's int8 kernels (conv, fully_connected) need symmetric int8 weights. ONNX models may
have asymmetric weights (uint8 weights, moved to int8 by the uint8 pass, keep a non-zero
zero point) or a run-time B (QLinearMatMul); these kernels take any zero points. They are
registered with priority -1, so the TFLite kernels still win wherever they apply.
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import activation_range, conv_output_multipliers
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import per_tensor_quant, qparams
from .float_common import NULL, optional_input
from .matmul_f32 import matmul_layout

_SOURCES = (kernel_source("tml_qlinear.c"),)
_HEADERS = ("tml_qlinear.h",)
INT8_ACTIVATIONS = ("none", "relu", "relu6", "relu_n1_to_1")


def _check_act(t: Tensor) -> str | None:
    if t.dtype != "int8":
        return f"tensor '{t.name}' is {t.dtype}; int8 only"
    if per_tensor_quant(t) is None:
        return f"tensor '{t.name}' needs per-tensor quantisation"
    return None


def _check_operand(t: Tensor, channel_axis: int, const: bool) -> str | None:
    if t.dtype != "int8" or t.quant is None:
        return f"tensor '{t.name}' must be quantised int8"
    if const and not t.is_const:
        return f"weights '{t.name}' must be constant"
    if t.quant.per_channel and t.quant.axis != channel_axis:
        return f"'{t.name}' is quantised along axis {t.quant.axis}, not {channel_axis}"
    return None


def _check_bias(op: Op, graph: Graph, i: int) -> str | None:
    bias = optional_input(op, i)
    if bias:
        b = graph.tensors[bias]
        if not b.is_const or b.dtype != "int32":
            return f"bias '{b.name}' must be a constant int32 tensor"
    return None


def _common(op: Op, graph: Graph, act_inputs: tuple[int, ...]) -> str | None:
    for i in act_inputs:
        reason = _check_act(graph.tensors[op.inputs[i]])
        if reason:
            return reason
    reason = _check_act(graph.tensors[op.outputs[0]])
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


def _requant(x: Tensor, w: Tensor, y: Tensor, channels: int):
    assert w.quant is not None
    return conv_output_multipliers(qparams(x)[0], w.quant.scale, qparams(y)[0], channels)


def check_matmul(op: Op, graph: Graph) -> str | None:
    reason = _common(op, graph, (0,))
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
    mult, shift = _requant(a, b, y, n)
    sy, zy = qparams(y)
    act_min, act_max = activation_range(op.attrs.get("activation", "none"), sy, zy)
    fields = dict(layout)
    fields.update({
        "b_k_stride": n, "b_n_stride": 1, "a_offset": -qparams(a)[1], "per_channel": 1,
        "b_offset": ctx.const(_offsets(b, n), "b_offset"), "bias": NULL,
        "output_offset": zy, "act_min": act_min, "act_max": act_max,
        "multiplier": ctx.const(mult, "multiplier"), "shift": ctx.const(shift, "shift"),
    })
    params = ctx.params("tml_matmul_s8_params", fields)
    return KernelCall("tml_matmul_s8", [params, ctx.buffer(a.name), ctx.buffer(b.name),
                                        ctx.buffer(y.name)])


def check_fully_connected(op: Op, graph: Graph) -> str | None:
    reason = _common(op, graph, (0,))
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    reason = _check_operand(w, 0, const=False)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    if len(w.shape) != 2 or w.shape[1] == 0 or x.size % w.shape[1]:
        return "weights do not fit the input"
    return _check_bias(op, graph, 2)


def emit_fully_connected(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    n, k = w.shape
    mult, shift = _requant(x, w, y, n)
    sy, zy = qparams(y)
    act_min, act_max = activation_range(op.attrs.get("activation", "none"), sy, zy)
    bias = optional_input(op, 2)
    params = ctx.params("tml_matmul_s8_params", {
        "batch": [1, 1, 1, 1], "a_stride": [0, 0, 0, 0], "b_stride": [0, 0, 0, 0],
        "m": x.size // k, "k": k, "n": n, "b_k_stride": 1, "b_n_stride": k,
        "a_offset": -qparams(x)[1], "per_channel": 1,
        "b_offset": ctx.const(_offsets(w, n), "b_offset"),
        "bias": ctx.buffer(bias) if bias else NULL,
        "output_offset": zy, "act_min": act_min, "act_max": act_max,
        "multiplier": ctx.const(mult, "multiplier"), "shift": ctx.const(shift, "shift"),
    })
    return KernelCall("tml_matmul_s8", [params, ctx.buffer(x.name), ctx.buffer(w.name),
                                        ctx.buffer(y.name)])


def check_conv2d(op: Op, graph: Graph) -> str | None:
    reason = _common(op, graph, (0,))
    if reason:
        return reason
    w = graph.tensors[op.inputs[1]]
    reason = _check_operand(w, 0, const=True)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if len(w.shape) != 4 or w.shape[3] == 0 or x.shape[3] % w.shape[3]:
        return "filter does not fit the input channels"
    if y.shape[3] != w.shape[0]:
        return "output channels do not match the filter count"
    return _check_bias(op, graph, 2)


def emit_conv2d(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    out_c = w.shape[0]
    mult, shift = _requant(x, w, y, out_c)
    sy, zy = qparams(y)
    act_min, act_max = activation_range(op.attrs.get("activation", "none"), sy, zy)
    bias = optional_input(op, 2)
    params = ctx.params("tml_conv2d_s8_asym_params", {
        "batches": x.shape[0], "in_h": x.shape[1], "in_w": x.shape[2], "in_c": x.shape[3],
        "out_h": y.shape[1], "out_w": y.shape[2], "out_c": out_c,
        "filter_h": w.shape[1], "filter_w": w.shape[2], "filter_in_c": w.shape[3],
        "stride_h": op.attrs["stride"][0], "stride_w": op.attrs["stride"][1],
        "dilation_h": op.attrs["dilation"][0], "dilation_w": op.attrs["dilation"][1],
        "pad_top": op.attrs["pads"][0], "pad_left": op.attrs["pads"][1],
        "input_offset": -qparams(x)[1], "output_offset": zy,
        "act_min": act_min, "act_max": act_max,
        "filter": ctx.buffer(w.name),
        "filter_offset": ctx.const(_offsets(w, out_c), "filter_offset"),
        "bias": ctx.buffer(bias) if bias else NULL,
        "multiplier": ctx.const(mult, "multiplier"), "shift": ctx.const(shift, "shift"),
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
