"""Float32 element-wise ops (unary activations, broadcasting arithmetic), softmax, mean."""

from __future__ import annotations

from tinyml_build.ir import CLAMP_ACTIVATIONS, Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from .float_common import FLT_MAX, act_fields, check_float, finite
from .layout import check_rank, emit_broadcast_binary, left_pad, row_major_strides

_SOURCES = (kernel_source("tml_elementwise_f32.c"),)
_HEADERS = ("tml_elementwise_f32.h",)

UNARY_CODES = {
    "relu": 0, "relu6": 0, "relu_n1_to_1": 0, "clip": 0, "leaky_relu": 1, "hard_swish": 2,
    "hard_sigmoid": 3, "logistic": 4, "tanh": 5, "sqrt": 6,
}
BINARY_CODES = {"add": 0, "sub": 1, "mul": 2, "div": 3}


def check_unary(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    if graph.tensors[op.inputs[0]].size != graph.tensors[op.outputs[0]].size:
        return "input and output sizes differ"
    return None


def emit_unary(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    lo, hi, alpha, beta = -FLT_MAX, FLT_MAX, 0.0, 0.0
    if op.kind in CLAMP_ACTIVATIONS:
        lo, hi = (finite(v) for v in CLAMP_ACTIVATIONS[op.kind])
    elif op.kind == "clip":
        lo, hi = finite(op.attrs["min"]), finite(op.attrs["max"])
    elif op.kind == "leaky_relu":
        alpha = float(op.attrs["alpha"])
    elif op.kind == "hard_sigmoid":
        alpha, beta = float(op.attrs["alpha"]), float(op.attrs["beta"])
    params = ctx.params("tml_unary_f32_params", {
        "size": graph.tensors[op.outputs[0]].size, "op": UNARY_CODES[op.kind],
        "lo": lo, "hi": hi, "alpha": alpha, "beta": beta,
    })
    return KernelCall("tml_unary_f32", [params, ctx.buffer(op.inputs[0]),
                                        ctx.buffer(op.outputs[0])])


def check_binary(op: Op, graph: Graph) -> str | None:
    return check_float(op, graph) or check_rank(graph.tensors[op.outputs[0]].shape)


def emit_binary(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    return emit_broadcast_binary(op, graph, ctx, "tml_binary_f32_params", "tml_binary_f32",
                                 {"op": BINARY_CODES[op.kind], "act": act_fields(op)})


def check_softmax(op: Op, graph: Graph) -> str | None:
    return check_float(op, graph)


def emit_softmax(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    depth = x.shape[-1] if x.shape else 1
    params = ctx.params("tml_softmax_f32_params", {
        "rows": x.size // max(depth, 1), "depth": depth,
        "beta": float(op.attrs.get("beta", 1.0)),
    })
    return KernelCall("tml_softmax_f32", [params, ctx.buffer(x.name),
                                          ctx.buffer(op.outputs[0])])


def check_mean(op: Op, graph: Graph) -> str | None:
    return check_float(op, graph) or check_rank(graph.tensors[op.inputs[0]].shape)


def emit_mean(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    axes = set(op.attrs["axes"])
    kept = tuple(1 if d in axes else s for d, s in enumerate(x.shape))
    strides = row_major_strides(kept)
    out_strides = [0 if d in axes else strides[d] for d in range(len(x.shape))]
    count = 1
    for d in axes:
        count *= x.shape[d]
    params = ctx.params("tml_mean_f32_params", {
        "dims": left_pad(x.shape, 1),
        "out_strides": left_pad(out_strides, 0),
        "out_size": y.size, "count": count,
    })
    return KernelCall("tml_mean_f32", [params, ctx.buffer(x.name), ctx.buffer(y.name)])


KERNELS = tuple(
    Kernel(name=f"reference.{kind}_f32", backend="reference", op=kind, check=check_unary,
           emit=emit_unary, sources=_SOURCES, headers=_HEADERS, libraries=("m",), inplace=(0,))
    for kind in UNARY_CODES
) + tuple(
    Kernel(name=f"reference.{kind}_f32", backend="reference", op=kind, check=check_binary,
           emit=emit_binary, sources=_SOURCES, headers=_HEADERS, libraries=("m",), inplace=(0, 1))
    for kind in BINARY_CODES
) + (
    Kernel(name="reference.softmax_f32", backend="reference", op="softmax",
           check=check_softmax, emit=emit_softmax, sources=_SOURCES, headers=_HEADERS,
           libraries=("m",)),
    Kernel(name="reference.mean_f32", backend="reference", op="mean", check=check_mean,
           emit=emit_mean, sources=_SOURCES, headers=_HEADERS, libraries=("m",)),
)
