"""QUANTIZE and DEQUANTIZE: float32 <-> int8/int16/uint8 and integer requantisation.

float32 -> integer and 16-bit -> integer run element by element (tml_quantize.c); an
8-bit input has only 256 values, so 8-bit -> 8/16-bit requantisation is a table built at
build time with TFLM's Requantize arithmetic. Integer -> float32 is one multiplication.
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import f32, multiply_by_quantized_multiplier, quantize_multiplier
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import per_tensor_quant, qparams

_RANGES = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767)}

#: (input dtype, output dtype) -> C function; "lut" entries index a build-time table
QUANTIZE_FUNCTIONS = {
    ("float32", "int8"): "tml_quantize_f32_s8",
    ("float32", "int16"): "tml_quantize_f32_s16",
    ("int8", "int8"): "tml_lut_s8",
    ("int8", "int16"): "tml_lut_s8_s16",
    ("int8", "uint8"): "tml_lut_s8_u8",
    ("uint8", "int8"): "tml_lut_u8_s8",
    ("int16", "int8"): "tml_requantize_s16_s8",
    ("int16", "int16"): "tml_requantize_s16_s16",
}

DEQUANTIZE_FUNCTIONS = {
    "int8": "tml_dequantize_s8_f32",
    "uint8": "tml_dequantize_u8_f32",
    "int16": "tml_dequantize_s16_f32",
}

_TABLE_DTYPES = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16}


def check_quantize(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    if (x.dtype, y.dtype) not in QUANTIZE_FUNCTIONS:
        return (f"QUANTIZE from {x.dtype} to {y.dtype} is not supported (supported: "
                + ", ".join(f"{a}->{b}" for a, b in QUANTIZE_FUNCTIONS) + ")")
    if x.size != y.size:
        return "input and output sizes differ"
    if per_tensor_quant(y) is None:
        return f"output '{y.name}' needs per-tensor quantisation parameters"
    if x.dtype != "float32" and per_tensor_quant(x) is None:
        return f"input '{x.name}' needs per-tensor quantisation parameters"
    if x.dtype != "float32":
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


def emit_quantize(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    function = QUANTIZE_FUNCTIONS[(x.dtype, y.dtype)]
    src, dst = ctx.buffer(x.name), ctx.buffer(y.name)
    if x.dtype == "float32":
        scale, zero_point = qparams(y)
        params = ctx.params("tml_affine_params",
                            {"size": y.size, "scale": float(f32(scale)),
                             "zero_point": zero_point})
        return KernelCall(function, [params, src, dst])
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
    if x.dtype not in DEQUANTIZE_FUNCTIONS or y.dtype != "float32":
        return (f"DEQUANTIZE from {x.dtype} to {y.dtype} is not supported (supported: "
                + ", ".join(f"{a}->float32" for a in DEQUANTIZE_FUNCTIONS) + ")")
    if x.size != y.size:
        return "input and output sizes differ"
    if per_tensor_quant(x) is None:
        return f"input '{x.name}' needs per-tensor quantisation parameters"
    return None


def emit_dequantize(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    scale, zero_point = qparams(x)
    params = ctx.params("tml_affine_params",
                        {"size": y.size, "scale": float(f32(scale)), "zero_point": zero_point})
    return KernelCall(DEQUANTIZE_FUNCTIONS[x.dtype],
                      [params, ctx.buffer(x.name), ctx.buffer(y.name)])


_SOURCES = (kernel_source("tml_quantize.c"), kernel_source("tml_elementwise.c"))
_HEADERS = ("tml_quantize.h", "tml_elementwise.h")

KERNELS = (
    Kernel(name="reference.quantize", backend="reference", op="quantize",
           check=check_quantize, emit=emit_quantize, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.dequantize", backend="reference", op="dequantize",
           check=check_dequantize, emit=emit_dequantize, sources=_SOURCES[:1],
           headers=_HEADERS[:1]),
)
