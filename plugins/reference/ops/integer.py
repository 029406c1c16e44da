"""Plain integer Add/Sub/Mul/Div and Clip on int8, uint8 and int32 (no quantisation)."""

from __future__ import annotations

import math

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import op_tensors
from .layout import check_rank, emit_broadcast_binary

_SOURCES = (kernel_source("tml_int.c"),)
_HEADERS = ("tml_int.h",)
ITYPES = {"int8": 0, "uint8": 1, "int32": 2}
OPS = {"add": 0, "sub": 1, "mul": 2, "div": 3}
RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int32": (-(1 << 31), (1 << 31) - 1)}


def _check_plain(op: Op, graph: Graph) -> str | None:
    dtype = graph.tensors[op.outputs[0]].dtype
    if dtype not in ITYPES:
        return f"output is {dtype}; int8, uint8 or int32 only"
    for t in op_tensors(op, graph):
        if t.dtype != dtype:
            return f"tensor '{t.name}' is {t.dtype}, not {dtype}"
        if t.quant is not None:
            return f"tensor '{t.name}' is quantised; this kernel does plain integer arithmetic"
    return None


def check_binary(op: Op, graph: Graph) -> str | None:
    reason = _check_plain(op, graph)
    if reason:
        return reason
    if op.attrs.get("activation", "none") != "none":
        return "fused activations are not supported on plain integers"
    return check_rank(graph.tensors[op.outputs[0]].shape)


def emit_binary(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    itype = ITYPES[graph.tensors[op.outputs[0]].dtype]
    return emit_broadcast_binary(op, graph, ctx, "tml_binary_int_params", "tml_binary_int",
                                 {"op": OPS[op.kind], "itype": itype})


def check_clip(op: Op, graph: Graph) -> str | None:
    return _check_plain(op, graph)


def emit_clip(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    y = graph.tensors[op.outputs[0]]
    qmin, qmax = RANGES[y.dtype]
    lo = max(qmin, min(qmax, math.ceil(float(op.attrs["min"]))))
    hi = max(qmin, min(qmax, math.floor(float(op.attrs["max"]))))
    params = ctx.params("tml_clip_int_params", {
        "size": y.size, "itype": ITYPES[y.dtype], "lo": lo, "hi": hi,
    })
    return KernelCall("tml_clip_int", [params, ctx.buffer(op.inputs[0]), ctx.buffer(y.name)])


KERNELS = (
    *(Kernel(name=f"reference.{kind}_int", backend="reference", op=kind, check=check_binary,
             emit=emit_binary, sources=_SOURCES, headers=_HEADERS, inplace=(0, 1))
      for kind in OPS),
    Kernel(name="reference.clip_int", backend="reference", op="clip", check=check_clip,
           emit=emit_clip, sources=_SOURCES, headers=_HEADERS, inplace=(0,)),
)
