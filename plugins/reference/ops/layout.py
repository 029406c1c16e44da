"""Index layouts the kernels' parameter structs describe, whatever the element type.

The shape-generic C kernels walk up to MAX_DIMS (TML_MAX_DIMS) dimensions: shapes are
left-padded with 1s and strides with 0s to that rank; a stride of 0 repeats an operand
(broadcasting). Convolutions describe their NHWC window geometry with the same fields in
every params struct. Keeping these in one place keeps the int8, float and plain-integer
kernels' layouts identical.
"""

from __future__ import annotations

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.registration import EmitContext, KernelCall

MAX_DIMS = 6


def check_rank(shape: tuple[int, ...] | list[int]) -> str | None:
    """None when a kernel can walk `shape`, else why not."""
    return f"more than {MAX_DIMS} dimensions" if len(shape) > MAX_DIMS else None


def left_pad(values: tuple[int, ...] | list[int], fill: int, rank: int = MAX_DIMS) -> list[int]:
    """`values` left-padded with `fill` to `rank` entries."""
    return [fill] * (rank - len(values)) + [int(v) for v in values]


def row_major_strides(shape: tuple[int, ...] | list[int]) -> list[int]:
    """Element strides of a contiguous row-major (C order) tensor."""
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    return strides


def merge_gather(counts: list[int], strides: list[int]) -> tuple[list[int], list[int]]:
    """Drop size-1 dimensions and merge neighbours that step contiguously through the
    input, so the copy loops run as few, long rows as possible."""
    dims = [(c, s) for c, s in zip(counts, strides, strict=True) if c != 1]
    merged: list[tuple[int, int]] = []
    for c, s in dims:
        if merged and merged[-1][1] == s * c:
            pc, _ = merged[-1]
            merged[-1] = (pc * c, s)
        else:
            merged.append((c, s))
    if not merged:
        merged = [(1, 1)]
    return [c for c, _ in merged], [s for _, s in merged]


def broadcast_strides(shape: tuple[int, ...], out: tuple[int, ...]) -> list[int]:
    """Element strides of `shape` walked in `out`'s index space (0 on broadcast dims)."""
    padded = (1,) * (len(out) - len(shape)) + tuple(shape)
    strides = [0] * len(out)
    step = 1
    for d in range(len(out) - 1, -1, -1):
        strides[d] = 0 if padded[d] == 1 and out[d] != 1 else step
        step *= padded[d]
    return left_pad(strides, 0)


def broadcast_layout(a: Tensor, b: Tensor, y: Tensor) -> dict[str, object]:
    """The fields every broadcasting binary params struct starts with: size, broadcast
    (0 when both inputs have the output's shape: one flat loop), dims, a_strides,
    b_strides."""
    out = tuple(y.shape)
    broadcast = tuple(a.shape) != out or tuple(b.shape) != out
    return {
        "size": y.size,
        "broadcast": int(broadcast),
        "dims": left_pad(out, 1),
        "a_strides": broadcast_strides(a.shape, out),
        "b_strides": broadcast_strides(b.shape, out),
    }


def emit_broadcast_binary(op: Op, graph: Graph, ctx: EmitContext, ctype: str, function: str,
                          fields: dict[str, object]) -> KernelCall:
    """`function(params, a, b, y)` with a params struct `ctype` that is the broadcast layout
    followed by `fields`."""
    a = graph.tensors[op.inputs[0]]
    b = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    params = ctx.params(ctype, {**broadcast_layout(a, b, y), **fields})
    return KernelCall(function, [params, ctx.buffer(a.name), ctx.buffer(b.name),
                                 ctx.buffer(y.name)])


def check_grouped_filter(x: Tensor, w: Tensor, y: Tensor) -> str | None:
    """An OHWI filter of a grouped NHWC convolution: input channels a multiple of the
    filter depth (groups), output channels the filter count, divisible by the groups."""
    if w.shape[3] == 0 or x.shape[3] % w.shape[3]:
        return f"input channels {x.shape[3]} are not a multiple of filter depth {w.shape[3]}"
    groups = x.shape[3] // w.shape[3]
    if y.shape[3] != w.shape[0] or w.shape[0] % groups:
        return "output channels do not match the filter count and groups"
    return None


def conv_fields(op: Op, x: Tensor, y: Tensor, **filter_fields: object) -> dict[str, object]:
    """The window geometry of an NHWC convolution params struct, in struct order: batches,
    input and output sizes, then `filter_fields`, then strides, dilations and the top and
    left padding."""
    return {
        "batches": x.shape[0], "in_h": x.shape[1], "in_w": x.shape[2], "in_c": x.shape[3],
        "out_h": y.shape[1], "out_w": y.shape[2], "out_c": y.shape[3],
        **filter_fields,
        "stride_h": op.attrs["stride"][0], "stride_w": op.attrs["stride"][1],
        "dilation_h": op.attrs["dilation"][0], "dilation_w": op.attrs["dilation"][1],
        "pad_top": op.attrs["pads"][0], "pad_left": op.attrs["pads"][1],
    }
