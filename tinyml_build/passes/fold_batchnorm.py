"""BatchNormalization: folded into the Conv/Gemm before it, else decomposed.

With constant parameters, y = x * scale + shift where scale = gamma / sqrt(var + eps)
and shift = beta - mean * scale. When x comes from a float conv2d, conv_transpose or
fully_connected with constant weights that nothing else reads, scale multiplies that op's
output-channel weights and the bias becomes bias * scale + shift: the BN costs nothing at
run time. Otherwise it becomes mul + add with per-channel constants (or, with run-time
parameters, the same arithmetic as ops: add, sqrt, div, mul, sub).
"""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Op, Tensor
from .rewrite import new_tensor, single_consumer

_FOLD_INTO = {"conv2d": 3, "conv_transpose": 3, "fully_connected": -1}


def _const(graph: Graph, base: str, data: np.ndarray) -> str:
    like = Tensor(base, "float32", tuple(data.shape))
    return new_tensor(graph, base, like, data=np.ascontiguousarray(data.astype(np.float32)))


def _fold(graph: Graph, bn: Op, producer: Op, scale: np.ndarray, shift: np.ndarray) -> bool:
    w = graph.tensors[producer.inputs[1]]
    if w.data is None or w.quant is not None:
        return False
    out = graph.tensors[producer.outputs[0]]
    axis = _FOLD_INTO[producer.kind] % len(out.shape)
    if bn.attrs["axis"] != axis or out.dtype != "float32":
        return False
    wd = w.data.astype(np.float64)
    if producer.kind == "conv2d":
        wd = wd * scale.reshape(-1, 1, 1, 1)
    elif producer.kind == "fully_connected":
        wd = wd * scale.reshape(-1, 1)
    else:  # conv_transpose [C_in, kh, kw, C_out / groups]
        groups = int(producer.attrs.get("groups", 1))
        ipg, opg = w.shape[0] // groups, w.shape[3]
        wd = wd.copy()
        for g in range(groups):
            wd[g * ipg:(g + 1) * ipg] *= scale[g * opg:(g + 1) * opg].reshape(1, 1, 1, -1)
    bias = np.zeros(scale.shape, np.float64)
    if len(producer.inputs) > 2 and producer.inputs[2]:
        b = graph.tensors[producer.inputs[2]]
        if b.data is None:
            return False
        bias = b.data.astype(np.float64).reshape(-1)
    new_bias = bias * scale + shift
    inputs = list(producer.inputs) + [""] * (3 - len(producer.inputs))
    inputs[1] = _const(graph, f"{w.name}.bn", wd)
    inputs[2] = _const(graph, f"{producer.outputs[0]}.bias", new_bias)
    producer.inputs = inputs
    producer.outputs = [bn.outputs[0]]
    graph.ops.remove(bn)
    return True


def _decompose(graph: Graph, bn: Op) -> None:
    x = graph.tensors[bn.inputs[0]]
    axis = bn.attrs["axis"]
    channels = x.shape[axis]
    bshape = tuple(channels if d == axis else 1 for d in range(axis, len(x.shape)))
    index = graph.ops.index(bn)
    new_ops: list[Op] = []

    def op(kind: str, ins: list[str], shape: tuple[int, ...], base: str) -> str:
        out = new_tensor(graph, base, x, shape=shape)
        attrs = {"activation": "none"} if kind in ("add", "sub", "mul", "div") else {}
        new_ops.append(Op(kind, ins, [out], attrs, name=bn.name, source=bn.source))
        return out

    params = [graph.tensors[n] for n in bn.inputs[1:5]]
    if all(t.is_const for t in params):
        gamma, beta, mean, var = (t.data.astype(np.float64).reshape(-1) for t in params)
        scale = gamma / np.sqrt(var + np.float64(np.float32(bn.attrs["epsilon"])))
        shift = beta - mean * scale
        scale_c = _const(graph, f"{bn.outputs[0]}.scale", scale.reshape(bshape))
        shift_c = _const(graph, f"{bn.outputs[0]}.shift", shift.reshape(bshape))
    else:
        gamma, beta, mean, var = bn.inputs[1:5]
        eps = _const(graph, f"{bn.outputs[0]}.eps", np.array(bn.attrs["epsilon"]))
        std = op("sqrt", [op("add", [var, eps], (channels,), "var_eps")], (channels,), "std")
        scale = op("div", [gamma, std], (channels,), "scale")
        shift = op("sub", [beta, op("mul", [mean, scale], (channels,), "mean_scale")],
                   (channels,), "shift")
        scale_c = op("reshape", [scale], bshape, "scale_b")
        shift_c = op("reshape", [shift], bshape, "shift_b")
    scaled = op("mul", [bn.inputs[0], scale_c], x.shape, f"{bn.outputs[0]}.scaled")
    new_ops.append(Op("add", [scaled, shift_c], [bn.outputs[0]], {"activation": "none"},
                      name=bn.name, source=bn.source))
    graph.ops[index:index + 1] = new_ops


def fold_batchnorm(graph: Graph) -> Graph:
    producers = graph.producers()
    consumers = graph.consumers()
    for bn in [op for op in graph.ops if op.kind == "batch_norm"]:
        params = [graph.tensors[n] for n in bn.inputs[1:5]]
        producer = producers.get(bn.inputs[0])
        if all(t.is_const for t in params) and producer is not None and \
                producer.kind in _FOLD_INTO and \
                producer.attrs.get("activation", "none") == "none" and \
                single_consumer(graph, bn.inputs[0], consumers) is bn:
            gamma, beta, mean, var = (t.data.astype(np.float64).reshape(-1) for t in params)
            scale = gamma / np.sqrt(var + np.float64(np.float32(bn.attrs["epsilon"])))
            if _fold(graph, bn, producer, scale, beta - mean * scale):
                continue
        _decompose(graph, bn)
    return graph
