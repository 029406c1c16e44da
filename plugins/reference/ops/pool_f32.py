"""Average and max pooling on float32, channels last, 2-D and 3-D, with dilation and
count_include_pad; max pooling of plain (or identically quantised) int8/uint8 tensors.

2-D kinds (avg_pool2d, max_pool2d) work on NHWC with pads (top, left, bottom, right);
3-D kinds (avg_pool3d, max_pool3d) on NDHWC with pads (front, top, left, back, bottom,
right). One C loop nest serves both (2-D is depth 1).
"""

from __future__ import annotations

from tinyml_build.ir import Graph, Op, same_quant
from tinyml_build.kernels import kernel_source
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import op_tensors
from .float_common import act_fields, check_float


def _rank(op: Op) -> int:
    return 5 if op.kind.endswith("3d") else 4


def check_pool(op: Op, graph: Graph) -> str | None:
    reason = check_float(op, graph)
    if reason:
        return reason
    if len(graph.tensors[op.inputs[0]].shape) != _rank(op):
        return f"pooling needs a {_rank(op)}-D channels-last input"
    return None


def check_max_pool_int(op: Op, graph: Graph) -> str | None:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if any(t.dtype not in ("int8", "uint8") or t.dtype != y.dtype for t in op_tensors(op, graph)):
        return "int8 or uint8 input and output of one type only"
    if not same_quant(x.quant, y.quant):
        return "input and output must share one quantisation"
    if op.attrs.get("activation", "none") != "none":
        return "fused activations are not supported"
    if len(x.shape) != _rank(op):
        return f"pooling needs a {_rank(op)}-D channels-last input"
    return None


def _fields(op: Op, graph: Graph) -> dict[str, object]:
    x = graph.tensors[op.inputs[0]]
    y = graph.tensors[op.outputs[0]]
    if _rank(op) == 4:
        n, ih, iw, c = x.shape
        _, oh, ow, _ = y.shape
        idd = od = 1
        filt = (1, *op.attrs["filter"])
        stride = (1, *op.attrs["stride"])
        dilation = (1, *op.attrs.get("dilation", (1, 1)))
        top, left, bottom, right = op.attrs["pads"]
        pads = (0, top, left, 0, bottom, right)
    else:
        n, idd, ih, iw, c = x.shape
        _, od, oh, ow, _ = y.shape
        filt, stride = tuple(op.attrs["filter"]), tuple(op.attrs["stride"])
        dilation = tuple(op.attrs.get("dilation", (1, 1, 1)))
        pads = tuple(op.attrs["pads"])
    return {
        "batches": n, "channels": c, "in_d": idd, "in_h": ih, "in_w": iw,
        "out_d": od, "out_h": oh, "out_w": ow,
        "filter_d": filt[0], "filter_h": filt[1], "filter_w": filt[2],
        "stride_d": stride[0], "stride_h": stride[1], "stride_w": stride[2],
        "dilation_d": dilation[0], "dilation_h": dilation[1], "dilation_w": dilation[2],
        "pad_front": pads[0], "pad_top": pads[1], "pad_left": pads[2],
        "pad_back": pads[3], "pad_bottom": pads[4], "pad_right": pads[5],
        "count_include_pad": int(bool(op.attrs.get("count_include_pad", False))),
    }


def _emit(function: str):
    def emit(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
        fields = _fields(op, graph)
        fields["act"] = act_fields(op)
        params = ctx.params("tml_pool_f32_params", fields)
        return KernelCall(function, [params, ctx.buffer(op.inputs[0]),
                                     ctx.buffer(op.outputs[0])])

    return emit


def emit_max_pool_int(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
    fields = _fields(op, graph)
    fields["act"] = (0, 0.0, 0.0, 0.0)
    params = ctx.params("tml_pool_f32_params", fields)
    signed = int(graph.tensors[op.outputs[0]].dtype == "int8")
    return KernelCall("tml_max_pool_int", [params, ctx.buffer(op.inputs[0]),
                                           ctx.buffer(op.outputs[0]), signed])


_SOURCES = (kernel_source("tml_pool_f32.c"),)
_HEADERS = ("tml_pool_f32.h",)


def _kernels() -> tuple[Kernel, ...]:
    kernels = []
    for dims in ("2d", "3d"):
        kernels += [
            Kernel(name=f"reference.avg_pool{dims}_f32", backend="reference",
                   op=f"avg_pool{dims}", check=check_pool, emit=_emit("tml_avg_pool_f32"),
                   sources=_SOURCES, headers=_HEADERS),
            Kernel(name=f"reference.max_pool{dims}_f32", backend="reference",
                   op=f"max_pool{dims}", check=check_pool, emit=_emit("tml_max_pool_f32"),
                   sources=_SOURCES, headers=_HEADERS),
            Kernel(name=f"reference.max_pool{dims}_int", backend="reference",
                   op=f"max_pool{dims}", check=check_max_pool_int, emit=emit_max_pool_int,
                   sources=_SOURCES, headers=_HEADERS, priority=-1),
        ]
    return tuple(kernels)


KERNELS = _kernels()
