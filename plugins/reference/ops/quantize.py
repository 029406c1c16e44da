"""QUANTIZE / DEQUANTIZE (TFLite) and QuantizeLinear / DequantizeLinear (ONNX).

float32 -> integer and 16-bit -> integer run element by element (tml_quantize.c), per
tensor or per axis; quantize rounds half away from zero (TFLite, the default) or half to
even (ONNX, rounding="half_even"). An 8-bit input has only 256 values, so 8-bit -> 8/16-bit
requantisation is a table built at build time with TFLM's Requantize arithmetic, except
uint8 <-> int8 with one scale and zero points 128 apart (what the uint8 pass inserts at an
ONNX model's boundary), which is a flip of the top bit. Integer -> float32 is one
multiplication.
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, QuantParams, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import f32, multiply_by_quantized_multiplier, quantize_multiplier
from tinyml_build.registration import CExpr, EmitContext, Kernel, KernelCall

from ..common import per_tensor_quant, qparams

_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}
QTYPES = {"int8": 0, "uint8": 1, "int32": 2, "int16": 3}  # TML_QTYPE_*
ROUNDING = {"half_even": 0, "half_away": 1}  # TML_ROUND_*

#: (input dtype, output dtype) -> C function for integer -> integer requantisation
REQUANTIZE_FUNCTIONS = {
    ("int8", "int8"): "tml_lut_s8",
    ("int8", "int16"): "tml_lut_s8_s16",
    ("int8", "uint8"): "tml_lut_s8_u8",
    ("uint8", "int8"): "tml_lut_u8_s8",
    ("int16", "int8"): "tml_requantize_s16_s8",
    ("int16", "int16"): "tml_requantize_s16_s16",
}
FLOAT_TO = ("int8", "uint8", "int16")
TO_FLOAT = ("int8", "uint8", "int16", "int32")

_TABLE_DTYPES = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16}


def _axis_layout(t: Tensor, q: QuantParams) -> tuple[int, int]:
    """(axis_size, inner) of per-axis parameters over tensor t."""
    if not q.per_channel:
        return 1, max(t.size, 1)
    axis = q.axis if q.axis is not None else 0
    inner = int(np.prod(t.shape[axis + 1:], dtype=np.int64))
    return int(t.shape[axis]), max(inner, 1)


def _check_params(t: Tensor) -> str | None:
    q = t.quant
    if q is None:
        return f"tensor '{t.name}' has no quantisation parameters"
    if q.per_channel:
        axis = q.axis if q.axis is not None else 0
        if not 0 <= axis < len(t.shape) or t.shape[axis] != q.scale.size:
            return f"per-axis parameters of '{t.name}' do not match its shape"
    return None


def _is_sign_flip(x: Tensor, y: Tensor) -> bool:
    """uint8 <-> int8 with equal scales and zero points 128 apart: out = in ^ 0x80."""
    if {x.dtype, y.dtype} != {"int8", "uint8"} or x.quant is None or y.quant is None:
        return False
    if x.quant.axis != y.quant.axis or x.quant.scale.shape != y.quant.scale.shape:
        return False
    if not np.array_equal(x.quant.scale.astype(np.float32), y.quant.scale.astype(np.float32)):
        return False
    shift = 128 if x.dtype == "uint8" else -128
    return bool(np.array_equal(y.quant.zero_point.astype(np.int64),
                               x.quant.zero_point.astype(np.int64) - shift))


def check_quantize(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    if x.size != y.size:
        return "input and output sizes differ"
    if op.attrs.get("rounding", "half_away") not in ROUNDING:
        return f"unknown rounding {op.attrs.get('rounding')!r}"
    if x.dtype == "float32":
        if x.quant is not None:
            return "a float32 input must not be quantised"
        if y.dtype not in FLOAT_TO:
            return f"QUANTIZE from float32 to {y.dtype} is not supported"
        return _check_params(y)
    if _is_sign_flip(x, y):
        return None
    if (x.dtype, y.dtype) not in REQUANTIZE_FUNCTIONS:
        return (f"QUANTIZE from {x.dtype} to {y.dtype} is not supported (supported: "
                + ", ".join(f"float32->{b}" for b in FLOAT_TO) + ", "
                + ", ".join(f"{a}->{b}" for a, b in REQUANTIZE_FUNCTIONS) + ")")
    if per_tensor_quant(y) is None or per_tensor_quant(x) is None:
        return "requantisation needs per-tensor quantisation parameters on both sides"
    try:
        _requantize_params(op, graph)
    except ValueError as exc:
        return str(exc)
    return None


def _requantize_params(op: Op, graph: Graph) -> tuple[int, int, int, int]:
    """(input zero point, multiplier, shift, output zero point) as TFLM's Prepare sets them."""
    si, zi = qparams(graph.tensors[op.inputs[0]])
    so, zo = qparams(graph.op_outputs(op)[0])
    mult, shift = quantize_multiplier(float(f32(si)) / float(f32(so)))
    return zi, mult, shift, zo


def requantize_table(op: Op, graph: Graph) -> np.ndarray:
    """Requantize for each of the 256 values of an 8-bit input, in index order."""
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    zi, mult, shift, zo = _requantize_params(op, graph)
    lo, hi = _RANGES[y.dtype]
    first = -128 if x.dtype == "int8" else 0
    values = [
        min(hi, max(lo, multiply_by_quantized_multiplier(q - zi, mult, shift) + zo))
        for q in range(first, first + 256)
    ]
    return np.array(values, dtype=_TABLE_DTYPES[y.dtype])


def _affine_fields(t: Tensor, ctx: EmitContext) -> dict[str, object]:
    assert t.quant is not None
    axis_size, inner = _axis_layout(t, t.quant)
    return {
        "size": t.size, "axis_size": axis_size, "inner": inner, "qtype": QTYPES[t.dtype],
        "scales": ctx.const(t.quant.scale.astype(np.float32).reshape(-1), "scales"),
        "zero_points": ctx.const(t.quant.zero_point.astype(np.int32).reshape(-1),
                                 "zero_points"),
    }


def emit_quantize(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    src, dst = ctx.buffer(x.name), ctx.buffer(y.name)
    if x.dtype == "float32":
        fields = _affine_fields(y, ctx)
        fields["rounding"] = ROUNDING[op.attrs.get("rounding", "half_away")]
        params = ctx.params("tml_quantize_params", {
            k: fields[k] for k in ("size", "axis_size", "inner", "qtype", "rounding",
                                   "scales", "zero_points")})
        return KernelCall("tml_quantize_f32", [params, src, dst])
    if _is_sign_flip(x, y):
        return KernelCall("tml_flip_sign_q8", [CExpr(f"(const uint8_t *){src}"),
                                               CExpr(f"(uint8_t *){dst}"), y.size])
    function = REQUANTIZE_FUNCTIONS[(x.dtype, y.dtype)]
    if x.dtype in ("int8", "uint8"):
        table = ctx.const(requantize_table(op, graph), "requantize_table")
        return KernelCall(function, [table, src, dst, y.size])
    zi, mult, shift, zo = _requantize_params(op, graph)
    params = ctx.params("tml_requantize_params",
                        {"size": y.size, "input_offset": -zi, "multiplier": mult,
                         "shift": shift, "output_offset": zo})
    return KernelCall(function, [params, src, dst])


def check_dequantize(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    if x.dtype not in TO_FLOAT or y.dtype != "float32" or y.quant is not None:
        return (f"DEQUANTIZE from {x.dtype} to {y.dtype} is not supported (supported: "
                + ", ".join(f"{a}->float32" for a in TO_FLOAT) + ")")
    if x.size != y.size:
        return "input and output sizes differ"
    return _check_params(x)


def emit_dequantize(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    params = ctx.params("tml_dequantize_params", _affine_fields(x, ctx))
    return KernelCall("tml_dequantize_f32", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


_SOURCES = (kernel_source("tml_quantize.c"), kernel_source("tml_elementwise.c"))
_HEADERS = ("tml_quantize.h", "tml_elementwise.h")

KERNELS = (
    Kernel(name="reference.quantize", backend="reference", op="quantize",
           check=check_quantize, emit=emit_quantize, sources=_SOURCES, headers=_HEADERS,
           inplace=(0,)),
    Kernel(name="reference.dequantize", backend="reference", op="dequantize",
           check=check_dequantize, emit=emit_dequantize, sources=_SOURCES[:1],
           headers=_HEADERS[:1]),
)
