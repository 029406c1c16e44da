"""PAD/PADV2, CONCATENATION, TRANSPOSE, STRIDED_SLICE (and ONNX Pad, Concat, Transpose,
Slice): copies that do not change values.

TFLM's int8 kernels for these ops copy raw values (PAD writes the output zero point or the
given constant; CONCATENATION requires every input to share the output's quantisation), so
the kernels are type-agnostic byte movers. Everything index-related is resolved here:
dimensions that are contiguous in both input and output are merged, so most copies become
a few long memcpy runs.
"""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import DTYPE_SIZES, NUMPY_DTYPES, Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import per_tensor_quant
from .layout import MAX_DIMS, check_rank, left_pad, merge_gather, row_major_strides

_SOURCES = (kernel_source("tml_data.c"),)
_HEADERS = ("tml_data.h",)


def _same_type(x: Tensor, y: Tensor) -> str | None:
    if x.dtype != y.dtype:
        return f"input '{x.name}' is {x.dtype} but output '{y.name}' is {y.dtype}"
    return None


def _gather_fields(elem_size: int, offset: int, counts: list[int],
                   strides: list[int]) -> dict[str, object]:
    counts, strides = merge_gather(counts, strides)
    if len(counts) > MAX_DIMS:
        raise ValueError(f"more than {MAX_DIMS} dimensions after merging")
    return {"elem_size": elem_size, "offset": offset,
            "counts": left_pad(counts, 1), "strides": left_pad(strides, 0)}


# ---- TRANSPOSE ------------------------------------------------------------------------


def check_transpose(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    reason = _same_type(x, y)
    if reason:
        return reason
    return check_rank(merge_gather(list(y.shape), _transpose_strides(op, x))[0])


def _transpose_strides(op: Op, x: Tensor) -> list[int]:
    in_strides = row_major_strides(x.shape)
    return [in_strides[d] for d in op.attrs["perm"]]


def emit_transpose(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    fields = _gather_fields(DTYPE_SIZES[x.dtype], 0, list(y.shape), _transpose_strides(op, x))
    params = ctx.params("tml_gather_params", fields)
    return KernelCall("tml_gather", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


# ---- STRIDED_SLICE ----------------------------------------------------------------------


def _slice_layout(op: Op, x: Tensor) -> tuple[int, list[int], list[int]]:
    """(input offset of the first element, counts, input steps) from the front end's
    resolved begin/strides/counts (one entry per input dimension)."""
    in_strides = row_major_strides(x.shape)
    begin, steps, counts = op.attrs["begin"], op.attrs["strides"], op.attrs["counts"]
    offset = sum(b * s for b, s, c in zip(begin, in_strides, counts, strict=True) if c > 0)
    return offset, list(counts), [st * s for st, s in zip(steps, in_strides, strict=True)]


def check_strided_slice(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    reason = _same_type(x, y)
    if reason:
        return reason
    _, counts, steps = _slice_layout(op, x)
    if int(np.prod(counts)) != y.size:
        return "the resolved slice does not match the output size"
    return check_rank(merge_gather(counts, steps)[0])


def emit_strided_slice(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    offset, counts, steps = _slice_layout(op, x)
    if y.size == 0:
        counts, steps = [0], [1]
    fields = _gather_fields(DTYPE_SIZES[x.dtype], offset, counts, steps)
    params = ctx.params("tml_gather_params", fields)
    return KernelCall("tml_gather", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


# ---- PAD / PADV2 ----------------------------------------------------------------------


def _pad_value(op: Op, graph: Graph) -> np.ndarray:
    """The padding element: PADV2's constant, else the output zero point for int8 and 0
    for every other type (TFLM pads int16 with 0 whatever its zero point)."""
    y = graph.op_outputs(op)[0]
    dtype = NUMPY_DTYPES[y.dtype]
    if op.attrs.get("value_input") and len(op.inputs) > 2 and op.inputs[2]:
        v = graph.tensors[op.inputs[2]]
        return np.asarray(v.data).reshape(-1)[:1].astype(dtype)
    q = per_tensor_quant(y) if y.dtype == "int8" else None
    if q is not None:
        return np.array([q[1]], dtype=dtype)
    # ONNX Pad's constant_value on a float tensor
    return np.array([op.attrs.get("value", 0.0) if y.dtype == "float32" else 0], dtype=dtype)


PAD_MIRROR_MODES = {"reflect": 1, "edge": 2}  # TML_PAD_REFLECT, TML_PAD_EDGE


def check_pad(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    reason = _same_type(x, y)
    if reason:
        return reason
    reason = check_rank(x.shape)
    if reason:
        return reason
    mode = op.attrs.get("mode", "constant")
    if mode != "constant":
        if mode not in PAD_MIRROR_MODES:
            return f"pad mode {mode!r} is not supported (constant, reflect, edge)"
        if any(d == 0 for d in x.shape):
            return f"{mode} padding of an empty tensor"
        if mode == "reflect" and any(
            (lo or hi) and (lo >= d or hi >= d)
            for (lo, hi), d in zip(op.attrs["pads"], x.shape, strict=True)
        ):
            return "reflect padding must be smaller than the padded dimension"
    if x.quant is not None and op.attrs.get("value", 0.0) != 0.0:
        return "a quantised tensor is padded with its zero point only"
    if op.attrs.get("value_input") and len(op.inputs) > 2 and op.inputs[2]:
        v = graph.tensors[op.inputs[2]]
        if v.dtype != y.dtype or not v.is_const or v.size != 1:
            return "the padding value must be a constant scalar of the input's type"
        if y.dtype == "int8":
            qv, qy = per_tensor_quant(v), per_tensor_quant(y)
            if qv is None or qy is None or qv[1] != qy[1] or \
                    np.float32(qv[0]) != np.float32(qy[0]):
                return ("the padding value must be quantised like the output "
                        "(TFLite requires it)")
    return None


def _pad_layout(x: Tensor, pads: tuple[tuple[int, int], ...]) -> tuple[list[int], list[int],
                                                                     list[int]]:
    """Merge each unpadded dimension into the one before it: (dims, before, after)."""
    dims: list[int] = []
    before: list[int] = []
    after: list[int] = []
    for d, (lo, hi) in zip(x.shape, pads, strict=True):
        if dims and lo == 0 and hi == 0:
            dims[-1] *= d
            before[-1] *= d
            after[-1] *= d
        else:
            dims.append(d)
            before.append(lo)
            after.append(hi)
    if not dims:
        dims, before, after = [1], [0], [0]
    return dims, before, after


def emit_pad(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.op_outputs(op)[0]
    mode = op.attrs.get("mode", "constant")
    if mode != "constant":
        params = ctx.params("tml_pad_mirror_params", {
            "elem_size": DTYPE_SIZES[x.dtype], "mode": PAD_MIRROR_MODES[mode],
            "in_dims": left_pad(x.shape, 1), "out_dims": left_pad(y.shape, 1),
            "before": left_pad([lo for lo, _ in op.attrs["pads"]], 0),
        })
        return KernelCall("tml_pad_mirror", [params, ctx.buffer(x.name), ctx.buffer(y.name)])
    dims, before, after = _pad_layout(x, op.attrs["pads"])
    out_dims = [d + lo + hi for d, lo, hi in zip(dims, before, after, strict=True)]
    out_inner = row_major_strides(out_dims)
    fill = [0] * (MAX_DIMS - len(dims))
    params = ctx.params("tml_pad_params", {
        "rank": len(dims), "elem_size": DTYPE_SIZES[x.dtype],
        "in_dims": dims + fill, "before": before + fill, "after": after + fill,
        "out_inner": out_inner + fill,
        "value": ctx.const(_pad_value(op, graph), "pad_value"),
    })
    return KernelCall("tml_pad", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


# ---- CONCATENATION ----------------------------------------------------------------------


def check_concat(op: Op, graph: Graph) -> str | None:
    y = graph.op_outputs(op)[0]
    for name in op.inputs:
        x = graph.tensors[name]
        reason = _same_type(x, y)
        if reason:
            return reason
        if y.dtype in ("int8", "uint8", "int16"):
            qx, qy = per_tensor_quant(x), per_tensor_quant(y)
            if qx is None or qy is None or qx[1] != qy[1] or np.float32(qx[0]) != np.float32(qy[0]):
                return (f"input '{x.name}' is quantised differently from the output; TFLM's "
                        "int8 CONCATENATION requires equal scales and zero points")
    return None


def emit_concat(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    y = graph.op_outputs(op)[0]
    axis = op.attrs["axis"]
    outer = int(np.prod(y.shape[:axis], dtype=np.int64))
    elem = DTYPE_SIZES[y.dtype]
    # the inputs as a linked list of static structs, built back to front so that each
    # struct is declared after the one it points to
    nxt: object = None
    for name in reversed(op.inputs):
        x = graph.tensors[name]
        chunk = int(np.prod(x.shape[axis:], dtype=np.int64)) * elem
        if chunk == 0:
            continue
        nxt = ctx.params("tml_concat_input",
                         {"data": ctx.buffer(name), "chunk_bytes": chunk, "next": nxt})
    params = ctx.params("tml_concat_params", {"outer": outer, "inputs": nxt})
    return KernelCall("tml_concat", [params, ctx.buffer(y.name)])


KERNELS = (
    Kernel(name="reference.pad", backend="reference", op="pad", check=check_pad,
           emit=emit_pad, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.concat", backend="reference", op="concat", check=check_concat,
           emit=emit_concat, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.transpose", backend="reference", op="transpose",
           check=check_transpose, emit=emit_transpose, sources=_SOURCES, headers=_HEADERS),
    Kernel(name="reference.strided_slice", backend="reference", op="strided_slice",
           check=check_strided_slice, emit=emit_strided_slice, sources=_SOURCES,
           headers=_HEADERS),
)
