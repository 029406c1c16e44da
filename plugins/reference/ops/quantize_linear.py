"""Quantize (float32 -> int8/uint8) and dequantize (int8/uint8/int32 -> float32).

Per tensor or per axis; quantize rounds half to even (ONNX QuantizeLinear,
rounding="half_even") or half away from zero (TFLite QUANTIZE, the default). A `quantize`
from uint8 to int8 (or back) with the same scale and zero points 128 apart, which the
uint8 pass inserts at the model boundary, is a flip of the top bit.
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, QuantParams, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import CExpr, EmitContext, Kernel, KernelCall

_SOURCES = (kernel_source("tml_quantize.c"),)
_HEADERS = ("tml_quantize.h",)
QTYPES = {"int8": 0, "uint8": 1, "int32": 2}
ROUNDING = {"half_even": 0, "half_away": 1}


def _axis_layout(t: Tensor, q: QuantParams) -> tuple[int, int]:
    """(axis_size, inner) of per-axis parameters over tensor t."""
    if not q.per_channel:
        return 1, max(t.size, 1)
    axis = q.axis if q.axis is not None else 0
    inner = int(np.prod(t.shape[axis + 1:], dtype=np.int64))
    return int(t.shape[axis]), max(inner, 1)


def _params_check(q: QuantParams | None, t: Tensor) -> str | None:
    if q is None:
        return f"tensor '{t.name}' has no quantisation parameters"
    if q.per_channel:
        axis = q.axis if q.axis is not None else 0
        if not 0 <= axis < len(t.shape) or t.shape[axis] != q.scale.size:
            return f"per-axis parameters of '{t.name}' do not match its shape"
    return None


def check_quantize(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if x.dtype != "float32" or x.quant is not None:
        return "input must be plain float32"
    if y.dtype not in ("int8", "uint8"):
        return f"output is {y.dtype}; int8 or uint8 only"
    if op.attrs.get("rounding", "half_away") not in ROUNDING:
        return f"unknown rounding {op.attrs.get('rounding')!r}"
    return _params_check(y.quant, y)


def emit_quantize(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    assert y.quant is not None
    axis_size, inner = _axis_layout(y, y.quant)
    params = ctx.params("tml_quantize_params", {
        "size": y.size, "axis_size": axis_size, "inner": inner, "qtype": QTYPES[y.dtype],
        "rounding": ROUNDING[op.attrs.get("rounding", "half_away")],
        "scales": ctx.const(y.quant.scale.astype(np.float32).reshape(-1), "scales"),
        "zero_points": ctx.const(y.quant.zero_point.astype(np.int32).reshape(-1),
                                 "zero_points"),
    })
    return KernelCall("tml_quantize_f32", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


def check_dequantize(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if y.dtype != "float32" or y.quant is not None:
        return "output must be plain float32"
    if x.dtype not in QTYPES:
        return f"input is {x.dtype}; int8, uint8 or int32 only"
    return _params_check(x.quant, x)


def emit_dequantize(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    assert x.quant is not None
    axis_size, inner = _axis_layout(x, x.quant)
    params = ctx.params("tml_dequantize_params", {
        "size": x.size, "axis_size": axis_size, "inner": inner, "qtype": QTYPES[x.dtype],
        "scales": ctx.const(x.quant.scale.astype(np.float32).reshape(-1), "scales"),
        "zero_points": ctx.const(x.quant.zero_point.astype(np.int32).reshape(-1),
                                 "zero_points"),
    })
    return KernelCall("tml_dequantize_f32", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


def check_flip(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if {x.dtype, y.dtype} != {"int8", "uint8"}:
        return "not a uint8 <-> int8 conversion"
    if x.quant is None or y.quant is None or x.quant.axis != y.quant.axis or \
            x.quant.scale.shape != y.quant.scale.shape:
        return "needs the same quantisation layout on both sides"
    if not np.array_equal(x.quant.scale.astype(np.float32), y.quant.scale.astype(np.float32)):
        return "scales differ"
    shift = 128 if x.dtype == "uint8" else -128
    if not np.array_equal(y.quant.zero_point.astype(np.int64),
                          x.quant.zero_point.astype(np.int64) - shift):
        return "zero points are not 128 apart"
    return None


def emit_flip(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    return KernelCall("tml_flip_sign_q8", [CExpr(f"(const uint8_t *){ctx.buffer(x.name)}"),
                                           CExpr(f"(uint8_t *){ctx.buffer(y.name)}"), y.size])


KERNELS = (
    Kernel(name="reference.quantize_f32_q8", backend="reference", op="quantize",
           check=check_quantize, emit=emit_quantize, sources=_SOURCES, headers=_HEADERS,
           priority=1),
    Kernel(name="reference.dequantize_q8_f32", backend="reference", op="dequantize",
           check=check_dequantize, emit=emit_dequantize, sources=_SOURCES, headers=_HEADERS,
           priority=1),
    Kernel(name="reference.requantize_u8_s8", backend="reference", op="quantize",
           check=check_flip, emit=emit_flip, sources=_SOURCES, headers=_HEADERS,
           inplace=(0,)),
)
