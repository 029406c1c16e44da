"""ADD, SUB and MUL on int8 with broadcasting."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import (
    activation_range,
    quantize_multiplier,
    quantize_multiplier_smaller_than_one,
)
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, qparams

MAX_DIMS = 6
ADD_SUB_LEFT_SHIFT = 20


def check_binary(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph, inputs=(0, 1))
    if reason:
        return reason
    if len(graph.op_outputs(op)[0].shape) > MAX_DIMS:
        return f"more than {MAX_DIMS} dimensions"
    return None


def broadcast_strides(shape: tuple[int, ...], out: tuple[int, ...]) -> list[int]:
    """Element strides of `shape` walked in `out`'s index space (0 on broadcast dims)."""
    padded = (1,) * (len(out) - len(shape)) + tuple(shape)
    strides = [0] * len(out)
    step = 1
    for d in range(len(out) - 1, -1, -1):
        strides[d] = 0 if padded[d] == 1 and out[d] != 1 else step
        step *= padded[d]
    return [0] * (MAX_DIMS - len(out)) + strides


def _layout(a: Tensor, b: Tensor, y: Tensor) -> dict[str, object]:
    out = tuple(y.shape)
    broadcast = tuple(a.shape) != out or tuple(b.shape) != out
    return {
        "size": y.size,
        "broadcast": int(broadcast),
        "dims": [1] * (MAX_DIMS - len(out)) + list(out),
        "a_strides": broadcast_strides(a.shape, out),
        "b_strides": broadcast_strides(b.shape, out),
    }


def add_sub_params(a: Tensor, b: Tensor, y: Tensor) -> dict[str, int]:
    """TFLite's add/sub Prepare, scale ratios in double. (TFLM's sub_common.cc reads as
    float32 arithmetic, but the pinned tflite-micro wheel matches the double results for
    quantisations where the two differ; tests/plugins/reference/test_elementwise.py keeps
    such a case.)"""
    sa, za = qparams(a)
    sb, zb = qparams(b)
    sy, zy = qparams(y)
    fa, fb, fy = np.float32(sa), np.float32(sb), np.float32(sy)
    twice = 2.0 * float(max(fa, fb))
    real_a = float(fa) / twice
    real_b = float(fb) / twice
    real_y = twice / ((1 << ADD_SUB_LEFT_SHIFT) * float(fy))
    am, ash = quantize_multiplier_smaller_than_one(real_a)
    bm, bsh = quantize_multiplier_smaller_than_one(real_b)
    ym, ysh = quantize_multiplier_smaller_than_one(real_y)
    return {
        "a_offset": -za, "b_offset": -zb, "output_offset": zy,
        "left_shift": ADD_SUB_LEFT_SHIFT,
        "a_multiplier": am, "a_shift": ash, "b_multiplier": bm, "b_shift": bsh,
        "output_multiplier": ym, "output_shift": ysh,
    }


def mul_params(a: Tensor, b: Tensor, y: Tensor) -> dict[str, int]:
    sa, za = qparams(a)
    sb, zb = qparams(b)
    sy, zy = qparams(y)
    real = float(np.float32(sa)) * float(np.float32(sb)) / float(np.float32(sy))
    ym, ysh = quantize_multiplier(real)
    return {
        "a_offset": -za, "b_offset": -zb, "output_offset": zy, "left_shift": 0,
        "a_multiplier": 0, "a_shift": 0, "b_multiplier": 0, "b_shift": 0,
        "output_multiplier": ym, "output_shift": ysh,
    }


def _emit(function: str):
    def emit(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
        a = graph.tensors[op.inputs[0]]
        b = graph.tensors[op.inputs[1]]
        y = graph.op_outputs(op)[0]
        sy, zy = qparams(y)
        act_min, act_max = activation_range(op.attrs["activation"], sy, zy)
        if op.kind == "mul":
            quant = mul_params(a, b, y)
        else:
            quant = add_sub_params(a, b, y)
        fields: dict[str, object] = dict(_layout(a, b, y))
        fields.update(quant)
        fields.update({"act_min": act_min, "act_max": act_max})
        params = ctx.params("tml_binary_s8_params", fields)
        return KernelCall(function, [params, ctx.buffer(a.name), ctx.buffer(b.name),
                                     ctx.buffer(y.name)])

    return emit


_SOURCES = (kernel_source("tml_elementwise.c"),)
_HEADERS = ("tml_elementwise.h",)

KERNELS = tuple(
    Kernel(name=f"reference.{kind}_s8", backend="reference", op=kind, check=check_binary,
           emit=_emit(f"tml_{kind}_s8"), sources=_SOURCES, headers=_HEADERS,
           inplace=(0, 1))
    for kind in ("add", "sub", "mul")
)
