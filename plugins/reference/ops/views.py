"""RESHAPE / SQUEEZE: no code, the output is the input's memory read with another shape."""

from __future__ import annotations

from tinyml_build.ir import Graph, Op
from tinyml_build.registration import EmitContext, Kernel


def check_reshape(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    if x.dtype != y.dtype:
        return "input and output types differ"
    if x.quant is not None and y.quant is not None and (
        x.quant.scalar_scale != y.quant.scalar_scale
        or x.quant.scalar_zero_point != y.quant.scalar_zero_point
    ):
        return "input and output quantisation differ"
    return None


def emit_reshape(op: Op, graph: Graph, ctx: EmitContext) -> None:
    return None


KERNELS = (
    Kernel(name="reference.reshape", backend="reference", op="reshape", check=check_reshape,
           emit=emit_reshape, view_of=0),
)
