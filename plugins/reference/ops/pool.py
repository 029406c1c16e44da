"""AVERAGE_POOL_2D and MAX_POOL_2D on int8 (input and output share quantisation)."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, output_range, qparams

#: TFLM's pooling Prepare accepts scales this close (and does not rescale)
SCALE_TOLERANCE = 1.0e-6


def check_pool(op: Op, graph: Graph) -> str | None:
    reason = check_int8_activations(op, graph)
    if reason:
        return reason
    sx, zx = qparams(graph.tensors[op.inputs[0]])
    sy, zy = qparams(graph.op_outputs(op)[0])
    if zx != zy or float(abs(np.float32(sx) - np.float32(sy))) > SCALE_TOLERANCE:
        return ("input and output must share the zero point and the scale (within "
                f"{SCALE_TOLERANCE:g}); TFLite's int8 pooling does not rescale")
    return None


def _emit(function: str):
    def emit(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
        x = graph.tensors[op.inputs[0]]
        y = graph.op_outputs(op)[0]
        act = output_range(op, y)
        pad_top, pad_left, _, _ = op.attrs["pads"]
        params = ctx.params(
            "tml_pool2d_params",
            {
                "batches": x.shape[0], "in_h": x.shape[1], "in_w": x.shape[2],
                "channels": x.shape[3], "out_h": y.shape[1], "out_w": y.shape[2],
                "filter_h": op.attrs["filter"][0], "filter_w": op.attrs["filter"][1],
                "stride_h": op.attrs["stride"][0], "stride_w": op.attrs["stride"][1],
                "pad_top": pad_top, "pad_left": pad_left,
                "act_min": act["act_min"], "act_max": act["act_max"],
            },
        )
        return KernelCall(function, [params, ctx.buffer(x.name), ctx.buffer(y.name)])

    return emit


_SOURCES = (kernel_source("tml_pool.c"),)

KERNELS = (
    Kernel(name="reference.avg_pool2d_s8", backend="reference", op="avg_pool2d",
           check=check_pool, emit=_emit("tml_avg_pool2d_s8"), sources=_SOURCES,
           headers=("tml_pool.h",)),
    Kernel(name="reference.max_pool2d_s8", backend="reference", op="max_pool2d",
           check=check_pool, emit=_emit("tml_max_pool2d_s8"), sources=_SOURCES,
           headers=("tml_pool.h",)),
)
