"""FullyConnected (Gemm, MatMul with a 2-D B) and broadcasting MatMul on float32."""

from __future__ import annotations

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import optional_buffer, optional_input
from .float_common import act_fields, check_float

BATCH_DIMS = 4


def check_fully_connected(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    y = graph.tensors[op.outputs[0]]
    if len(w.shape) != 2 or w.shape[1] == 0 or x.size % w.shape[1]:
        return f"weights {list(w.shape)} do not fit input {list(x.shape)}"
    if y.size != x.size // w.shape[1] * w.shape[0]:
        return "output size does not match"
    bias = optional_input(op, 2)
    if bias and graph.tensors[bias].size != w.shape[0]:
        return "bias size does not match the output features"
    return None


def emit_fully_connected(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    x = graph.tensors[op.inputs[0]]
    w = graph.tensors[op.inputs[1]]
    params = ctx.params("tml_fully_connected_f32_params", {
        "batches": x.size // w.shape[1], "depth": w.shape[1], "out_features": w.shape[0],
        "act": act_fields(op),
    })
    return KernelCall("tml_fully_connected_f32",
                      [params, ctx.buffer(x.name), ctx.buffer(w.name),
                       optional_buffer(ctx, op, 2), ctx.buffer(op.outputs[0])])


def matmul_layout(a: Tensor, b: Tensor, y: Tensor) -> dict[str, object] | str:
    """Batch dims and per-operand matrix strides, or a reason the shapes do not fit."""
    if len(a.shape) < 2 or len(b.shape) < 2:
        return "matmul operands must be at least 2-D"
    m, k = a.shape[-2:]
    k2, n = b.shape[-2:]
    if k != k2:
        return f"inner dimensions differ ({k} and {k2})"
    batch = tuple(y.shape[:-2])
    if len(batch) > BATCH_DIMS or tuple(y.shape[-2:]) != (m, n):
        return "unsupported output shape"

    def strides(shape: tuple[int, ...], matrix: int) -> list[int] | None:
        dims = (1,) * (len(batch) - len(shape)) + tuple(shape)
        if len(dims) != len(batch):
            return None
        result = [0] * len(batch)
        step = matrix
        for d in range(len(batch) - 1, -1, -1):
            if dims[d] not in (1, batch[d]):
                return None
            result[d] = 0 if dims[d] == 1 else step
            step *= dims[d]
        return [0] * (BATCH_DIMS - len(batch)) + result

    sa = strides(a.shape[:-2], m * k)
    sb = strides(b.shape[:-2], k * n)
    if sa is None or sb is None:
        return "batch dimensions do not broadcast"
    return {"batch": [1] * (BATCH_DIMS - len(batch)) + list(batch), "a_stride": sa,
            "b_stride": sb, "m": m, "k": k, "n": n}


def check_matmul(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    layout = matmul_layout(graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]],
                           graph.tensors[op.outputs[0]])
    return layout if isinstance(layout, str) else None


def emit_matmul(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    layout = matmul_layout(graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]],
                           graph.tensors[op.outputs[0]])
    assert isinstance(layout, dict)
    fields = dict(layout)
    fields["act"] = act_fields(op)
    params = ctx.params("tml_matmul_f32_params", fields)
    return KernelCall("tml_matmul_f32", [params, ctx.buffer(op.inputs[0]),
                                         ctx.buffer(op.inputs[1]), ctx.buffer(op.outputs[0])])


_SOURCES = (kernel_source("tml_matmul_f32.c"),)
_HEADERS = ("tml_matmul_f32.h",)

KERNELS = (
    Kernel(name="reference.fully_connected_f32", backend="reference", op="fully_connected",
           check=check_fully_connected, emit=emit_fully_connected, sources=_SOURCES,
           headers=_HEADERS),
    Kernel(name="reference.matmul_f32", backend="reference", op="matmul",
           check=check_matmul, emit=emit_matmul, sources=_SOURCES, headers=_HEADERS),
)
