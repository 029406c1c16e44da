"""Average and max pooling on float32, NHWC, with dilation and count_include_pad; max
pooling of plain (or identically quantised) int8/uint8 tensors."""

from __future__ import annotations

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from .data_movement import _same_quant
from .float_common import act_fields, check_float, op_tensors


def check_pool(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    if len(graph.tensors[op.inputs[0]].shape) != 4:
        return "pooling needs a 4-D NHWC input"
    return None


def check_max_pool_int(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if any(t.dtype not in ("int8", "uint8") or t.dtype != y.dtype for t in op_tensors(op, graph)):
        return "int8 or uint8 input and output of one type only"
    if not _same_quant(x, y):
        return "input and output must share one quantisation"
    if op.attrs.get("activation", "none") != "none":
        return "fused activations are not supported"
    if len(x.shape) != 4:
        return "pooling needs a 4-D NHWC input"
    return None


def _fields(op: Op, graph: Graph) -> dict[str, object]:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    top, left, bottom, right = op.attrs["pads"]
    dilation = op.attrs.get("dilation", (1, 1))
    return {
        "batches": x.shape[0], "in_h": x.shape[1], "in_w": x.shape[2],
        "channels": x.shape[3], "out_h": y.shape[1], "out_w": y.shape[2],
        "filter_h": op.attrs["filter"][0], "filter_w": op.attrs["filter"][1],
        "stride_h": op.attrs["stride"][0], "stride_w": op.attrs["stride"][1],
        "dilation_h": dilation[0], "dilation_w": dilation[1],
        "pad_top": top, "pad_left": left, "pad_bottom": bottom, "pad_right": right,
        "count_include_pad": int(bool(op.attrs.get("count_include_pad", False))),
    }


def emit_max_pool_int(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    fields = _fields(op, graph)
    fields["act"] = (0, 0.0, 0.0, 0.0)
    params = ctx.params("tml_pool2d_f32_params", fields)
    signed = int(graph.tensors[op.outputs[0]].dtype == "int8")
    return KernelCall("tml_max_pool2d_int", [params, ctx.buffer(op.inputs[0]),
                                             ctx.buffer(op.outputs[0]), signed])


def _emit(function: str):
    def emit(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
        fields = _fields(op, graph)
        fields["act"] = act_fields(op)
        params = ctx.params("tml_pool2d_f32_params", fields)
        x = graph.tensors[op.inputs[0]]
        y = graph.tensors[op.outputs[0]]
        return KernelCall(function, [params, ctx.buffer(x.name), ctx.buffer(y.name)])

    return emit


_SOURCES = (kernel_source("tml_pool_f32.c"),)
_HEADERS = ("tml_pool_f32.h",)

KERNELS = (
    Kernel(name="reference.avg_pool2d_f32", backend="reference", op="avg_pool2d",
           check=check_pool, emit=_emit("tml_avg_pool2d_f32"), sources=_SOURCES,
           headers=_HEADERS),
    Kernel(name="reference.max_pool2d_f32", backend="reference", op="max_pool2d",
           check=check_pool, emit=_emit("tml_max_pool2d_f32"), sources=_SOURCES,
           headers=_HEADERS),
    Kernel(name="reference.max_pool2d_int", backend="reference", op="max_pool2d",
           check=check_max_pool_int, emit=emit_max_pool_int, sources=_SOURCES,
           headers=_HEADERS, priority=-1),
)
