"""ADD, SUB and MUL on int8 with broadcasting."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import quantize_multiplier, quantize_multiplier_smaller_than_one
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, output_range, qparams
from .layout import check_rank, emit_broadcast_binary

ADD_SUB_LEFT_SHIFT = 20


def check_binary(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph, inputs=(0, 1))
    if reason:
        return reason
    return check_rank(graph.op_outputs(op)[0].shape)


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
        quant = mul_params(a, b, y) if op.kind == "mul" else add_sub_params(a, b, y)
        act = output_range(op, y)
        return emit_broadcast_binary(op, graph, ctx, "tml_binary_s8_params", function, {
            **quant, "act_min": act["act_min"], "act_max": act["act_max"],
        })

    return emit


_SOURCES = (kernel_source("tml_elementwise.c"),)
_HEADERS = ("tml_elementwise.h",)

KERNELS = tuple(
    Kernel(name=f"reference.{kind}_s8", backend="reference", op=kind, check=check_binary,
           emit=_emit(f"tml_{kind}_s8"), sources=_SOURCES, headers=_HEADERS,
           inplace=(0, 1))
    for kind in ("add", "sub", "mul")
)
