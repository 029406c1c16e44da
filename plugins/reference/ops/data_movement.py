"""Transpose, concat, strided slice and pad for any element type (float32, int8, ...).

The kernels copy elements without looking at them, so a quantised tensor may pass
through when its output has the same quantisation (a per-tensor scale and zero point).
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import DTYPE_SIZES, NUMPY_DTYPES, Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from .float_common import MAX_DIMS, padded_dims, row_major_strides

_SOURCES = (kernel_source("tml_data.c"),)
_HEADERS = ("tml_data.h",)
MAX_CONCAT_INPUTS = 16


def _same_quant(a: Tensor, b: Tensor) -> bool:
    if a.quant is None or b.quant is None:
        return a.quant is None and b.quant is None
    if a.quant.per_channel or b.quant.per_channel:
        return False
    return (np.float32(a.quant.scalar_scale) == np.float32(b.quant.scalar_scale)
            and a.quant.scalar_zero_point == b.quant.scalar_zero_point)


def check_data(op: Op, graph: Graph, inputs: int | None = None) -> str | None:
    y = graph.tensors[op.outputs[0]]
    names = op.inputs if inputs is None else op.inputs[:inputs]
    if y.dtype not in DTYPE_SIZES or DTYPE_SIZES[y.dtype] not in (1, 2, 4):
        return f"elements of type {y.dtype} are not supported"
    if len(y.shape) > MAX_DIMS:
        return f"more than {MAX_DIMS} dimensions"
    for n in names:
        if not n:
            continue
        x = graph.tensors[n]
        if x.dtype != y.dtype:
            return f"input '{x.name}' is {x.dtype} but the output is {y.dtype}"
        if not _same_quant(x, y):
            return f"input '{x.name}' and output '{y.name}' must share one quantisation"
    return None


def check_transpose(op: Op, graph: Graph) -> str | None:
    return check_data(op, graph)


def emit_transpose(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    perm = list(op.attrs["perm"])
    strides = row_major_strides(x.shape)
    in_strides = [strides[p] for p in perm]
    params = ctx.params("tml_transpose_params", {
        "elem_size": DTYPE_SIZES[y.dtype],
        "out_dims": padded_dims(y.shape),
        "in_strides": [0] * (MAX_DIMS - len(perm)) + in_strides,
    })
    return KernelCall("tml_transpose", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


def check_concat(op: Op, graph: Graph) -> str | None:
    if len(op.inputs) > MAX_CONCAT_INPUTS:
        return f"more than {MAX_CONCAT_INPUTS} inputs"
    if not op.inputs:
        return "no inputs"
    return check_data(op, graph)


def emit_concat(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    y = graph.tensors[op.outputs[0]]
    axis = op.attrs["axis"]
    outer = int(np.prod(y.shape[:axis], dtype=np.int64))
    inner = int(np.prod(y.shape[axis + 1:], dtype=np.int64))
    chunks = [graph.tensors[n].shape[axis] * inner for n in op.inputs]
    pad = MAX_CONCAT_INPUTS - len(op.inputs)
    params = ctx.params("tml_concat_params", {
        "elem_size": DTYPE_SIZES[y.dtype], "outer": outer, "num_inputs": len(op.inputs),
        "chunk": chunks + [0] * pad,
        "inputs": [ctx.buffer(n) for n in op.inputs] + [None] * pad,
    })
    return KernelCall("tml_concat", [params, ctx.buffer(y.name)])


def check_strided_slice(op: Op, graph: Graph) -> str | None:
    return check_data(op, graph, inputs=1)


def emit_strided_slice(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    strides = row_major_strides(x.shape)
    begin = list(op.attrs["begin"])
    step = list(op.attrs["strides"])
    offset = sum(b * s for b, s in zip(begin, strides, strict=True))
    rank = len(x.shape)
    params = ctx.params("tml_strided_slice_params", {
        "elem_size": DTYPE_SIZES[y.dtype], "begin_offset": offset,
        "counts": padded_dims(tuple(op.attrs["counts"])),
        "in_steps": [0] * (MAX_DIMS - rank) + [st * s for st, s in
                                                zip(step, strides, strict=True)],
    })
    return KernelCall("tml_strided_slice", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


PAD_MODES = {"constant": 0, "reflect": 1, "edge": 2}


def check_pad(op: Op, graph: Graph) -> str | None:
    if op.attrs.get("value_input"):
        return "a pad value given as an input tensor is not supported by this kernel"
    reason = check_data(op, graph, inputs=1)
    if reason:
        return reason
    if op.attrs.get("mode", "constant") not in PAD_MODES:
        return f"pad mode {op.attrs.get('mode')!r} is not supported"
    x = graph.tensors[op.inputs[0]]
    if op.attrs.get("mode") == "reflect" and any(
        lo >= d or hi >= d for (lo, hi), d in zip(op.attrs["pads"], x.shape, strict=True)
        if lo or hi
    ):
        return "reflect padding must be smaller than the padded dimension"
    if x.quant is not None and float(op.attrs.get("value", 0.0)) != 0.0:
        return "a quantised pad supports the value 0 only"
    return None


def _pad_value(y: Tensor, value: float) -> np.ndarray:
    if y.quant is not None:
        return np.array([y.quant.scalar_zero_point], dtype=NUMPY_DTYPES[y.dtype])
    return np.array([value], dtype=NUMPY_DTYPES[y.dtype])


def emit_pad(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    rank = len(x.shape)
    before = [int(lo) for lo, _ in op.attrs["pads"]]
    params = ctx.params("tml_pad_params", {
        "elem_size": DTYPE_SIZES[y.dtype],
        "mode": PAD_MODES[op.attrs.get("mode", "constant")],
        "in_dims": padded_dims(x.shape), "out_dims": padded_dims(y.shape),
        "before": [0] * (MAX_DIMS - rank) + before,
        "value": ctx.const(_pad_value(y, float(op.attrs.get("value", 0.0))), "pad_value"),
    })
    return KernelCall("tml_pad", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.transpose_any", backend="reference", op="transpose",
           check=check_transpose, emit=emit_transpose, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.concat_any", backend="reference", op="concat",
           check=check_concat, emit=emit_concat, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.strided_slice_any", backend="reference", op="strided_slice",
           check=check_strided_slice, emit=emit_strided_slice, sources=_SOURCES,
           headers=_HEADERS),
    Kernel(name="reference.pad_any", backend="reference", op="pad", check=check_pad,
           emit=emit_pad, sources=_SOURCES, headers=_HEADERS),
)
