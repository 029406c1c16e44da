"""MEAN on int8 over any set of axes, with or without keep_dims.

TFLM runs every int8 MEAN through reference_ops::QuantizedMeanOrSum: an int32 sum per
output, the input zero point removed, one requantisation whose multiplier has 1/count
folded in (equal and different input/output quantisations take the same path). The
generator computes that multiplier as the reference does and splits the input's axes into
kept ones (one output each) and reduced ones (summed), merging contiguous neighbours.
"""

from __future__ import annotations

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import mean_multiplier, wrap_int32
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, qparams
from .layout import check_rank, left_pad, merge_gather, row_major_strides


def _layout(op: Op, graph: Graph) -> tuple[list[int], list[int], list[int], list[int], int]:
    x = graph.tensors[op.inputs[0]]
    shape = list(x.shape)
    strides = row_major_strides(shape)
    axes = set(op.attrs["axes"])
    kept = [d for d in range(len(shape)) if d not in axes]
    reduced = [d for d in range(len(shape)) if d in axes]
    out_c, out_s = merge_gather([shape[d] for d in kept], [strides[d] for d in kept])
    red_c, red_s = merge_gather([shape[d] for d in reduced], [strides[d] for d in reduced])
    count = 1
    for d in reduced:
        count *= shape[d]
    return out_c, out_s, red_c, red_s, count


def check_mean(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    out_c, _, red_c, _, count = _layout(op, graph)
    reason = check_rank(out_c) or check_rank(red_c)
    if reason:
        return reason
    if count == 0 or x.size == 0:
        return "MEAN over an empty tensor"
    if y.size * count != x.size:
        return "output size does not match the reduced input"
    return None


def emit_mean(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    si, zi = qparams(x)
    so, zo = qparams(y)
    out_c, out_s, red_c, red_s, count = _layout(op, graph)
    mult, shift = mean_multiplier(si, so, count)
    params = ctx.params("tml_mean_s8_params", {
        "out_counts": left_pad(out_c, 1), "out_strides": left_pad(out_s, 0),
        "red_counts": left_pad(red_c, 1), "red_strides": left_pad(red_s, 0),
        "sum_offset": wrap_int32(-zi * count),
        "multiplier": mult, "shift": shift, "output_offset": zo,
    })
    return KernelCall("tml_mean_s8", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.mean_s8", backend="reference", op="mean", check=check_mean,
           emit=emit_mean, sources=(kernel_source("tml_reduce.c"),),
           headers=("tml_reduce.h",)),
)
