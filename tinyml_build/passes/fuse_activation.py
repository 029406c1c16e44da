"""Fuse a standalone activation into the float op that produces its input.

Relu, Clip, LeakyRelu and HardSwish after a conv, transposed conv, matrix product,
element-wise arithmetic or pool become that op's `activation` attribute (ir.ACTIVATIONS);
the float kernels apply it while writing each output, so the activation's tensor and
loop disappear. Clips with the ranges [0, inf), [0, 6] and [-1, 1] get the names relu,
relu6 and relu_n1_to_1, which the int8 kernels know too (the QDQ pass may turn the op
into int8 later). Only float32 producers take part: an int8 TFLite op with a separate
RELU has its own output quantisation, and fusing would change its rounding.
"""

from __future__ import annotations

from ..ir import Graph, Op
from .rewrite import single_consumer

PRODUCERS = frozenset({"conv2d", "depthwise_conv2d", "conv_transpose", "fully_connected",
                       "matmul", "add", "sub", "mul", "div", "avg_pool2d", "max_pool2d",
                       "avg_pool3d", "max_pool3d"})
ACTIVATION_OPS = frozenset({"relu", "relu6", "relu_n1_to_1", "clip", "leaky_relu",
                            "hard_swish"})


def activation_of(op: Op) -> dict[str, object]:
    """The fused-activation attributes that do what `op` (an activation op) does."""
    if op.kind == "clip":
        lo, hi = float(op.attrs["min"]), float(op.attrs["max"])
        named = {(0.0, float("inf")): "relu", (0.0, 6.0): "relu6", (-1.0, 1.0): "relu_n1_to_1"}
        if (lo, hi) in named:
            return {"activation": named[(lo, hi)]}
        return {"activation": "clip", "activation_min": lo, "activation_max": hi}
    if op.kind == "leaky_relu":
        return {"activation": "leaky_relu", "activation_alpha": float(op.attrs["alpha"])}
    return {"activation": op.kind}


def fuse_activations(graph: Graph) -> Graph:
    producers = graph.producers()
    consumers = graph.consumers()
    for act in [op for op in graph.ops if op.kind in ACTIVATION_OPS]:
        x = graph.tensors[act.inputs[0]]
        p = producers.get(act.inputs[0])
        if p is None or p.kind not in PRODUCERS or x.dtype != "float32" or x.quant is not None:
            continue
        if p.attrs.get("activation", "none") != "none" or len(p.outputs) != 1:
            continue
        if single_consumer(graph, act.inputs[0], consumers) is not act:
            continue
        if any(graph.tensors[n].dtype != "float32" for n in p.inputs if n):
            continue
        p.attrs.update(activation_of(act))
        p.outputs = [act.outputs[0]]
        graph.ops.remove(act)
        del graph.tensors[act.inputs[0]]
        producers = graph.producers()
        consumers = graph.consumers()
    return graph
