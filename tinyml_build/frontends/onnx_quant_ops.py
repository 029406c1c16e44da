"""Converters for quantised ONNX nodes: QuantizeLinear, DequantizeLinear, QLinearConv,
QLinearMatMul.

Quantisation parameters (scales, zero points) must be constants. They become QuantParams
on the tensors: the output of QuantizeLinear, the input of DequantizeLinear, and all
tensors of QLinearConv/QLinearMatMul. QDQ models therefore reach the passes as float ops
between dequantize and quantize; the QDQ pass turns those patterns into int8 ops. uint8
tensors keep their type here; the uint8 pass moves them to int8 (value - 128) for the
int8 kernels. QuantizeLinear rounds half to even (ONNX), so its ops carry
rounding="half_even"; TFLite's QUANTIZE rounds half away from zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..ir import QuantParams
from ..ir_eval import quantize_array
from .onnx import OnnxBuilder, _add_const
from .onnx_ops import CONV_ATTRS, emit_conv, emit_matmul

MIN_VERSIONS: dict[str, int] = {
    "QuantizeLinear": 10, "DequantizeLinear": 10, "QLinearConv": 10, "QLinearMatMul": 10,
}

_Q_TYPES = ("int8", "uint8")


def quant_params(b: OnnxBuilder, scale_input: int, zp_input: int, shape: tuple[int, ...],
                 axis: int | None, what: str) -> QuantParams:
    """QuantParams from constant scale / zero-point inputs of the current node."""
    scale = b.require_const(scale_input, f"{what} scale").astype(np.float32)
    if b.input(zp_input):
        zp_arr = b.require_const(zp_input, f"{what} zero point")
        zp = zp_arr.astype(np.int64)
    else:
        zp = np.zeros(scale.shape, np.int64)
    if zp.shape != scale.shape and zp.size != scale.size:
        raise b.fail(f"{what} scale and zero point have different shapes")
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise b.fail(f"{what} scale must be positive and finite, got {scale.reshape(-1)[:4]}")
    scale = scale.reshape(-1)
    zp = zp.reshape(-1)
    if scale.size == 1:
        return QuantParams(scale, zp, axis=None)
    rank = len(shape)
    if axis is None:
        raise b.unsupported(f"per-axis {what} quantisation needs opset 13 or later")
    if axis < 0:
        axis += rank
    if scale.ndim != 1 or not 0 <= axis < rank or shape[axis] != scale.size:
        raise b.fail(f"{scale.size} {what} scales do not match axis {axis} of {list(shape)}")
    return QuantParams(scale, zp, axis=axis)


def _check_block(b: OnnxBuilder) -> None:
    if int(b.attr("block_size", 0)):
        raise b.unsupported("blocked quantisation (block_size) is not supported")


def quantize_linear(b: OnnxBuilder) -> None:
    b.check_attrs({"axis", "saturate", "block_size", "output_dtype", "precision"})
    _check_block(b)
    x = b.input(0)
    if b.dtype(x) != "float32":
        raise b.unsupported(f"QuantizeLinear of {b.dtype(x)} is not supported (float32 only)")
    out = b.output()
    if b.dtype(out) not in _Q_TYPES:
        raise b.unsupported(f"QuantizeLinear to {b.dtype(out)} is not supported "
                            "(int8 and uint8 only)")
    version = b.source.version if b.source else 13
    axis = int(b.attr("axis", 1)) if version >= 13 else None
    q = quant_params(b, 1, 2, b.shape(x), axis, "output")
    data = b.const(x)
    if data is not None:  # a quantised constant: fold it now, keeping its quantisation
        arr = quantize_array(data, q, b.dtype(out), "half_even")
        _add_const(b, out, arr)
        b.tensors[out].quant = q
        return
    b.set_quant(out, q)
    b.add("quantize", [x], [out], {"rounding": "half_even"})


def dequantize_linear(b: OnnxBuilder) -> None:
    b.check_attrs({"axis", "block_size", "output_dtype", "precision"})
    _check_block(b)
    x = b.input(0)
    dtype = b.dtype(x)
    if dtype not in (*_Q_TYPES, "int32"):
        raise b.unsupported(f"DequantizeLinear of {dtype} is not supported "
                            "(int8, uint8 and int32 only)")
    out = b.output()
    if b.dtype(out) != "float32":
        raise b.unsupported(f"DequantizeLinear to {b.dtype(out)} is not supported")
    version = b.source.version if b.source else 13
    axis = int(b.attr("axis", 1)) if version >= 13 else None
    q = quant_params(b, 1, 2, b.shape(x), axis, "input")
    if dtype == "int32" and np.any(q.zero_point != 0):
        raise b.unsupported("int32 dequantisation with a non-zero zero point")
    b.set_quant(x, q)
    b.add("dequantize", [x], [out])


def _io_types(b: OnnxBuilder, names: list[str]) -> None:
    for n in names:
        if b.dtype(n) not in _Q_TYPES:
            raise b.unsupported(f"'{n}' is {b.dtype(n)}; int8 and uint8 only")


def qlinear_conv(b: OnnxBuilder) -> None:
    b.check_attrs(CONV_ATTRS)
    x, w, bias = b.input(0), b.input(3), b.input(8)
    out = b.output()
    _io_types(b, [x, w, out])
    b.require_const(3, "weights")
    b.set_quant(x, quant_params(b, 1, 2, b.shape(x), None, "input"))
    wq = quant_params(b, 4, 5, b.shape(w), 0, "weight")
    b.set_quant(w, wq)
    b.set_quant(out, quant_params(b, 6, 7, b.shape(out), None, "output"))
    if bias:
        if b.dtype(bias) != "int32":
            raise b.fail(f"bias '{bias}' must be int32")
        bias_data = b.require_const(8, "bias")
        xq = b.tensor(x).quant
        assert xq is not None
        scales = (np.float32(xq.scalar_scale) * wq.scale.astype(np.float32)).astype(np.float32)
        if scales.size == 1 and b.shape(w)[0] > 1:
            bq = QuantParams(scales, np.zeros(1, np.int64))
        else:
            bq = QuantParams(scales, np.zeros(scales.size, np.int64),
                             axis=0 if scales.size > 1 else None)
        # a bias shared with another conv may already carry its own quantisation
        bias = b.const_tensor(bias, bias_data)
        b.tensors[bias].quant = bq
    emit_conv(b, x, w, bias, out)


def qlinear_matmul(b: OnnxBuilder) -> None:
    b.check_attrs(set())
    a, w = b.input(0), b.input(3)
    out = b.output()
    _io_types(b, [a, w, out])
    b.set_quant(a, quant_params(b, 1, 2, b.shape(a), None, "a"))
    rank_b = len(b.shape(w))
    b.set_quant(w, quant_params(b, 4, 5, b.shape(w), rank_b - 1, "b"))
    b.set_quant(out, quant_params(b, 6, 7, b.shape(out), None, "output"))
    if len(b.shape(w)) == 2 and b.const(w) is None:
        # runtime B: the generic int8 matmul (fully_connected needs constant weights)
        b.add("matmul", [a, w], [out], {"activation": "none"})
        return
    emit_matmul(b, a, w, out)


CONVERTERS: dict[str, Callable[[OnnxBuilder], None]] = {
    "QuantizeLinear": quantize_linear,
    "DequantizeLinear": dequantize_linear,
    "QLinearConv": qlinear_conv,
    "QLinearMatMul": qlinear_matmul,
}
