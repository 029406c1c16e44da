"""A constant Add after a Conv/Gemm/MatMul-as-fully_connected becomes its bias.

Exporters often write `MatMul + Add` (scikit-learn, PyTorch Linear without Gemm) or a
Conv followed by a per-channel Add. When a float conv2d, conv_transpose or
fully_connected with no fused activation is read only by an `add` whose other operand is
a constant varying only along the output-channel (last) axis, the constant is added to
the op's bias and the add disappears; the add's fused activation moves to the op.
"""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Tensor
from .rewrite import new_tensor, single_consumer

PRODUCERS = frozenset({"conv2d", "conv_transpose", "fully_connected"})


def _channel_vector(c: Tensor, channels: int) -> np.ndarray | None:
    """c's values as a [channels] vector if c broadcasts along the last axis only."""
    if c.data is None or c.dtype != "float32" or c.quant is not None:
        return None
    shape = list(c.shape)
    while shape and shape[0] == 1:
        shape.pop(0)
    if shape == [channels]:
        return c.data.reshape(-1).astype(np.float64)
    if shape in ([], [1]):
        return np.full(channels, float(c.data.reshape(-1)[0]))
    return None


def fold_bias(graph: Graph) -> Graph:
    producers = graph.producers()
    consumers = graph.consumers()
    for add in [op for op in graph.ops if op.kind == "add"]:
        for i in (0, 1):
            p = producers.get(add.inputs[i])
            other = graph.tensors[add.inputs[1 - i]]
            if p is None or p.kind not in PRODUCERS or len(p.outputs) != 1:
                continue
            y = graph.tensors[p.outputs[0]]
            out = graph.tensors[add.outputs[0]]
            if y.dtype != "float32" or p.attrs.get("activation", "none") != "none" or \
                    y.shape != out.shape or single_consumer(graph, y.name, consumers) is not add:
                continue
            if any(graph.tensors[n].quant is not None for n in p.inputs if n):
                continue
            vec = _channel_vector(other, y.shape[-1])
            if vec is None:
                continue
            bias = np.zeros(y.shape[-1], np.float64)
            if len(p.inputs) > 2 and p.inputs[2]:
                b = graph.tensors[p.inputs[2]]
                if b.data is None:
                    continue
                bias = b.data.astype(np.float64).reshape(-1)
            like = Tensor("bias", "float32", (y.shape[-1],))
            name = new_tensor(graph, f"{out.name}.bias", like,
                              data=(bias + vec).astype(np.float32))
            p.inputs = [*p.inputs[:2], name]
            p.outputs = [add.outputs[0]]
            for key in ("activation", "activation_min", "activation_max", "activation_alpha"):
                if key in add.attrs:
                    p.attrs[key] = add.attrs[key]
            graph.ops.remove(add)
            producers = graph.producers()
            consumers = graph.consumers()
            break
    return graph
