"""QDQ: `dequantize -> float op -> quantize` patterns become one int8 op.

A QDQ model (onnxruntime quantize_static, PyTorch/TF exporters) describes quantised
arithmetic as float ops between DequantizeLinear and QuantizeLinear. When every float
activation input of an op comes from a dequantize, its weights from a dequantize of a
constant, and every reader of its output is a quantize with one quantisation, the op is
rewritten to read the quantised tensors and write the quantize's output directly; the
int8 kernels (TFLite arithmetic) then run it. Biases are (re)quantised to int32 with
scale input_scale * weight_scale, as the int8 kernels expect.

Ops whose int8 kernels have constraints the pattern does not meet (pooling and data
movement with different input/output quantisation, softmax with an output scale other
than 1/256, a non-integer fused activation) stay float: dequantize -> float op ->
quantize, which is exactly what the QDQ model specifies.

Before matching, transposes and reshapes after a dequantize are moved before it (onto
the int8 tensor, or into a constant's data), so that dequantize feeds the op directly.
"""

from __future__ import annotations

import numpy as np

from ..ir import INT8_ACTIVATIONS, Graph, Op, QuantParams, Tensor
from .dce import eliminate_dead_code
from .rewrite import new_tensor, permute_quant, replace_uses, same_quant, single_consumer

Q_TYPES = ("int8", "uint8")

#: op kind -> (activation inputs, weight input or None, bias input or None)
PATTERNS: dict[str, tuple[tuple[int, ...] | None, int | None, int | None]] = {
    "conv2d": ((0,), 1, 2),
    "fully_connected": ((0,), 1, 2),
    "matmul": ((0, 1), None, None),
    "add": ((0, 1), None, None),
    "sub": ((0, 1), None, None),
    "mul": ((0, 1), None, None),
    "avg_pool2d": ((0,), None, None),
    "max_pool2d": ((0,), None, None),
    "softmax": ((0,), None, None),
    "reshape": ((0,), None, None),
    "transpose": ((0,), None, None),
    "strided_slice": ((0,), None, None),
    "concat": (None, None, None),  # every input
}
SAME_QUANT_KINDS = frozenset({"avg_pool2d", "max_pool2d", "reshape", "transpose",
                              "strided_slice", "concat"})


def _per_tensor(t: Tensor) -> bool:
    return t.quant is not None and not t.quant.per_channel and t.dtype in Q_TYPES


def _hoist_layout(graph: Graph) -> None:
    """transpose/reshape(dequantize(q)) -> dequantize(transpose/reshape(q)).

    Moves layout changes onto the quantised side: for constants (the front end's OIHW ->
    OHWI weight transposes) the change is folded into the data; for activations it
    becomes an int8 view or transpose, and the dequantize then feeds the op directly.
    """
    changed = True
    while changed:
        changed = False
        producers = graph.producers()
        consumers = graph.consumers()
        for op in list(graph.ops):
            if op.kind not in ("transpose", "reshape"):
                continue
            dq = producers.get(op.inputs[0])
            if dq is None or dq.kind != "dequantize":
                continue
            c = graph.tensors[dq.inputs[0]]
            if c.quant is None:
                continue
            out = graph.tensors[op.outputs[0]]
            if op.kind == "transpose":
                perm = tuple(op.attrs["perm"])
                quant = permute_quant(c.quant, perm)
            else:
                quant = c.quant
                if quant.per_channel and (quant.axis != 0 or out.shape[0] != c.shape[0]):
                    continue
            only_reader = single_consumer(graph, dq.outputs[0], consumers) is op
            if c.is_const:
                assert c.data is not None
                data = np.transpose(c.data, perm) if op.kind == "transpose" else \
                    c.data.reshape(out.shape)
                moved = new_tensor(graph, c.name, c, shape=out.shape,
                                   data=np.ascontiguousarray(data), quant=quant)
            else:
                moved = new_tensor(graph, c.name, c, shape=out.shape, quant=quant)
                graph.ops.insert(graph.ops.index(op),
                                 Op(op.kind, [c.name], [moved], dict(op.attrs), name=op.name,
                                    source=op.source))
            new_dq = Op("dequantize", [moved], [op.outputs[0]], {}, name=dq.name,
                        source=dq.source)
            graph.ops[graph.ops.index(op)] = new_dq
            if only_reader:
                graph.ops.remove(dq)
            changed = True
            break


def _dequantized(graph: Graph, name: str, producers: dict[str, Op]) -> Tensor | None:
    if not name:
        return None
    dq = producers.get(name)
    if dq is None or dq.kind != "dequantize":
        return None
    q = graph.tensors[dq.inputs[0]]
    return q if q.dtype in Q_TYPES and q.quant is not None else None


def _bias(graph: Graph, name: str, producers: dict[str, Op], x: Tensor, w: Tensor,
          channels: int) -> str | None:
    """An int32 bias with scale x_scale * w_scale, or None if `name` cannot be one."""
    assert x.quant is not None and w.quant is not None
    w_scales = np.broadcast_to(w.quant.scale.astype(np.float32).reshape(-1), (channels,))
    want = (np.float32(x.quant.scalar_scale) * w_scales).astype(np.float32)
    dq = producers.get(name)
    if dq is not None and dq.kind == "dequantize":
        src = graph.tensors[dq.inputs[0]]
        if not src.is_const or src.quant is None or src.data is None or \
                src.data.size != channels:
            return None
        data = src.data.astype(np.float64).reshape(-1)
        scale = np.broadcast_to(src.quant.scale.astype(np.float32).reshape(-1), (channels,))
        zp = np.broadcast_to(src.quant.zero_point.astype(np.float64).reshape(-1), (channels,))
        if src.dtype == "int32" and not np.any(zp) and \
                np.allclose(scale, want, rtol=1e-6, atol=0):
            return _bias_tensor(graph, src.name, data.astype(np.int64), want)
        real = (data - zp) * scale.astype(np.float64)
    else:
        src = graph.tensors[name]
        if not src.is_const or src.dtype != "float32" or src.data is None:
            return None
        real = src.data.astype(np.float64).reshape(-1)
    if real.size != channels:
        return None
    return _bias_tensor(graph, name, np.rint(real / want.astype(np.float64)).astype(np.int64),
                        want)


def _bias_tensor(graph: Graph, base: str, data: np.ndarray, scales: np.ndarray) -> str | None:
    if data.size and (data.min() < -(1 << 31) or data.max() >= (1 << 31)):
        return None
    like = Tensor(base, "int32", (data.size,))
    return new_tensor(graph, base, like, data=data.astype(np.int32),
                      quant=QuantParams(scales, np.zeros(scales.size, np.int64),
                                        axis=0 if scales.size > 1 else None))


def _try_fuse(graph: Graph, op: Op, producers: dict[str, Op],
              consumers: dict[str, list[Op]]) -> bool:
    act_idx, w_idx, b_idx = PATTERNS[op.kind]
    if len(op.outputs) != 1 or op.attrs.get("activation", "none") not in INT8_ACTIVATIONS:
        return False
    out = op.outputs[0]
    if graph.tensors[out].dtype != "float32" or out in graph.outputs:
        return False
    readers = consumers.get(out, [])
    if not readers or any(r.kind != "quantize" for r in readers):
        return False
    y = graph.tensors[readers[0].outputs[0]]
    if not _per_tensor(y) or any(
        not same_quant(graph.tensors[r.outputs[0]].quant, y.quant)
        or graph.tensors[r.outputs[0]].dtype != y.dtype
        or (r.outputs[0] in graph.outputs and len(readers) > 1) for r in readers
    ):
        return False
    if act_idx is None:
        act_idx = tuple(range(len(op.inputs)))
    new_inputs = list(op.inputs)
    for i in act_idx:
        q = _dequantized(graph, op.inputs[i], producers)
        if q is None:
            return False
        if op.kind == "matmul" and i == 1:
            if q.quant.per_channel and q.quant.axis != len(q.shape) - 1:
                return False
        elif not _per_tensor(q):
            return False
        new_inputs[i] = q.name
    x = graph.tensors[new_inputs[0]]
    if op.kind in SAME_QUANT_KINDS and any(
        not same_quant(graph.tensors[new_inputs[i]].quant, y.quant)
        or graph.tensors[new_inputs[i]].dtype != y.dtype for i in act_idx
    ):
        return False
    if op.kind == "avg_pool2d" and (
        tuple(op.attrs.get("dilation", (1, 1))) != (1, 1)
        or (op.attrs.get("count_include_pad") and any(op.attrs["pads"]))
    ):
        return False
    if op.kind == "max_pool2d" and tuple(op.attrs.get("dilation", (1, 1))) != (1, 1):
        return False
    if op.kind == "softmax":
        zp = -128 if y.dtype == "int8" else 0
        if y.quant.scalar_zero_point != zp or \
                np.float32(y.quant.scalar_scale) != np.float32(1 / 256):
            return False
    if w_idx is not None:
        w = _dequantized(graph, op.inputs[w_idx], producers)
        if w is None or not w.is_const or (w.quant.per_channel and w.quant.axis != 0):
            return False
        new_inputs[w_idx] = w.name
        channels = w.shape[0]
        if b_idx is not None and b_idx < len(op.inputs) and op.inputs[b_idx]:
            bias = _bias(graph, op.inputs[b_idx], producers, x, w, channels)
            if bias is None:
                return False
            new_inputs[b_idx] = bias
    op.inputs = new_inputs
    op.outputs = [y.name]
    for r in readers:
        graph.ops.remove(r)
        if r.outputs[0] != y.name:
            replace_uses(graph, r.outputs[0], y.name)
    return True


def _drop_identity_pairs(graph: Graph) -> None:
    """quantize(dequantize(q)) with the same quantisation and type is q itself."""
    producers = graph.producers()
    for op in list(graph.ops):
        if op.kind != "quantize" or op.outputs[0] in graph.outputs:
            continue
        dq = producers.get(op.inputs[0])
        if dq is None or dq.kind != "dequantize":
            continue
        q, y = graph.tensors[dq.inputs[0]], graph.tensors[op.outputs[0]]
        if q.dtype == y.dtype and same_quant(q.quant, y.quant) and q.shape == y.shape:
            replace_uses(graph, y.name, q.name)
            graph.ops.remove(op)


def fuse_qdq(graph: Graph) -> Graph:
    if not any(op.kind == "dequantize" for op in graph.ops):
        return graph
    _hoist_layout(graph)
    for op in list(graph.ops):
        if op.kind not in PATTERNS or op not in graph.ops:
            continue
        _try_fuse(graph, op, graph.producers(), graph.consumers())
    _drop_identity_pairs(graph)
    return eliminate_dead_code(graph)
