"""uint8 quantised tensors become int8 inside the model: q_s8 = q_u8 - 128, zp_s8 = zp - 128.

The int8 kernels follow TFLite's arithmetic, which is written for int8. A uint8 tensor
with scale s and zero point z holds exactly the values of an int8 tensor with scale s and
zero point z - 128, so every quantised uint8 tensor is retyped in place (constants have
128 subtracted from their data). The model's own uint8 inputs and outputs stay uint8 for
the user: a `quantize` op flips the top bit on the way in and out. Plain (unquantised)
uint8 tensors are integers, not quantised values, and keep their type; so do tensors
that only float<->uint8 quantize/dequantize ops touch (those kernels take uint8).
"""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Op, QuantParams
from .rewrite import new_tensor, replace_uses


def _signed(q: QuantParams) -> QuantParams:
    return QuantParams(q.scale, q.zero_point.astype(np.int64) - 128, q.axis)


def _native(graph: Graph, name: str, producers: dict[str, Op],
            consumers: dict[str, list[Op]]) -> bool:
    """Only float<->uint8 quantize/dequantize touch it: those kernels take uint8 as is."""
    p = producers.get(name)
    if p is not None and not (p.kind == "quantize"
                              and graph.tensors[p.inputs[0]].dtype == "float32"):
        return False
    if graph.tensors[name].is_const:
        return False
    return all(c.kind == "dequantize" for c in consumers.get(name, []))


def uint8_to_int8(graph: Graph) -> Graph:
    producers = graph.producers()
    consumers = graph.consumers()
    targets = [t for t in graph.tensors.values() if t.dtype == "uint8" and t.quant is not None
               and not _native(graph, t.name, producers, consumers)]
    for t in targets:
        assert t.quant is not None
        signed = _signed(t.quant)
        if t.is_const:
            assert t.data is not None
            t.data = (t.data.astype(np.int16) - 128).astype(np.int8)
            t.dtype, t.quant = "int8", signed
            continue
        if t.name in graph.inputs:
            s8 = new_tensor(graph, t.name, t, dtype="int8", quant=signed)
            replace_uses(graph, t.name, s8)
            graph.ops.insert(0, Op("quantize", [t.name], [s8], {}, name=t.name))
            continue
        if t.name in graph.outputs:
            s8 = new_tensor(graph, t.name, t, dtype="int8", quant=signed)
            producer = producers[t.name]
            producer.outputs = [s8 if n == t.name else n for n in producer.outputs]
            replace_uses(graph, t.name, s8)
            graph.ops.append(Op("quantize", [s8], [t.name], {}, name=t.name,
                                source=producer.source))
            continue
        t.dtype, t.quant = "int8", signed
    return graph
