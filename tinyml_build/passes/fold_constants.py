"""Constant folding: an op whose inputs are all constants becomes a constant.

Evaluated with the IR's NumPy semantics (ir_eval). Before the QDQ pass has run,
quantize/dequantize ops are kept (`keep_qdq`): folding DequantizeLinear of an int8 weight
into float would lose the quantisation the int8 kernels need. Transposes and reshapes of
quantised constants fold with their quantisation (the weights' NCHW->NHWC transposes).
"""

from __future__ import annotations

import numpy as np

from ..ir import NUMPY_DTYPES, Graph
from ..ir_eval import NotEvaluable, evaluate_op
from .rewrite import permute_quant

_QDQ = ("quantize", "dequantize")


def fold_constants(graph: Graph, keep_qdq: bool = False) -> Graph:
    kept = []
    for op in graph.ops:
        ins = [graph.tensors[n] if n else None for n in op.inputs]
        if not ins or any(t is not None and not t.is_const for t in ins) or (
            keep_qdq and op.kind in _QDQ
        ):
            kept.append(op)
            continue
        try:
            values = evaluate_op(op, graph, [t.data if t is not None else None for t in ins])
        except NotEvaluable:
            kept.append(op)
            continue
        for name, value in zip(op.outputs, values, strict=True):
            t = graph.tensors[name]
            t.data = np.ascontiguousarray(np.asarray(value).astype(NUMPY_DTYPES[t.dtype])
                                          .reshape(t.shape))
            if op.kind == "transpose" and ins[0] is not None and ins[0].quant is not None:
                t.quant = permute_quant(ins[0].quant, tuple(op.attrs["perm"]))
            elif op.kind in ("reshape", "strided_slice", "concat", "pad") and \
                    ins[0] is not None and ins[0].quant is not None and t.quant is None:
                t.quant = ins[0].quant
    graph.ops = kept
    return graph


def fold_constants_keep_qdq(graph: Graph) -> Graph:
    return fold_constants(graph, keep_qdq=True)
