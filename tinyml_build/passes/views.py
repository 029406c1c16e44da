"""Views: data-movement ops that do not move data become free reshapes, or disappear.

* A transpose that keeps the order of the non-unit dimensions (NHWC [1, 1, 1, C] ->
  NCHW [1, C, 1, 1], or [N, 1, H, W] -> [N, H, W, 1]) is a reshape.
* A reshape of a reshape reads the first one's input.
* A reshape to the same shape is dropped (its readers read its input).
Reshapes are `view_of` kernels: the planner gives output and input the same memory and
no code runs (Identity, Flatten, Squeeze, Unsqueeze and no-op Reshape cost nothing).
"""

from __future__ import annotations

from ..ir import Graph
from .dce import eliminate_dead_code
from .rewrite import replace_uses, same_quant


def _keeps_order(shape: tuple[int, ...], perm: tuple[int, ...]) -> bool:
    moved = [p for p in perm if shape[p] != 1]
    return moved == sorted(moved)


def make_views(graph: Graph) -> Graph:
    for op in graph.ops:
        if op.kind == "transpose":
            x = graph.tensors[op.inputs[0]]
            y = graph.tensors[op.outputs[0]]
            if _keeps_order(x.shape, tuple(op.attrs["perm"])) and same_quant(x.quant, y.quant):
                op.kind, op.attrs = "reshape", {}
    producers = graph.producers()
    for op in graph.ops:
        if op.kind != "reshape":
            continue
        src = producers.get(op.inputs[0])
        while src is not None and src.kind == "reshape":
            op.inputs = [src.inputs[0]]
            src = producers.get(op.inputs[0])
    for op in list(graph.ops):
        if op.kind != "reshape":
            continue
        x = graph.tensors[op.inputs[0]]
        y = graph.tensors[op.outputs[0]]
        if x.shape == y.shape and x.dtype == y.dtype and same_quant(x.quant, y.quant) and \
                op.outputs[0] not in graph.outputs:
            replace_uses(graph, op.outputs[0], op.inputs[0])
            graph.ops.remove(op)
    return eliminate_dead_code(graph)
