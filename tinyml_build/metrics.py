"""Per-op work estimates (multiply-accumulates) for reports and benchmarks."""

from __future__ import annotations

from .ir import Graph, Op


def op_macs(op: Op, graph: Graph) -> int:
    """Multiply-accumulates an op performs (0 for data movement and element-wise ops)."""
    out = graph.tensors[op.outputs[0]]
    if op.kind == "conv2d":
        w = graph.tensors[op.inputs[1]]
        return out.size * w.shape[1] * w.shape[2] * w.shape[3]
    if op.kind == "depthwise_conv2d":
        w = graph.tensors[op.inputs[1]]
        return out.size * w.shape[1] * w.shape[2]
    if op.kind == "fully_connected":
        w = graph.tensors[op.inputs[1]]
        return out.size * w.shape[1]
    if op.kind == "conv_transpose":  # every input value meets every filter tap once
        x = graph.tensors[op.inputs[0]]
        w = graph.tensors[op.inputs[1]]
        return x.size * w.shape[1] * w.shape[2] * w.shape[3]
    if op.kind == "matmul":
        a = graph.tensors[op.inputs[0]]
        return out.size * a.shape[-1]
    return 0
