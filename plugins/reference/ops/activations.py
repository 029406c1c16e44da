"""LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH on int8: 256-entry lookup tables.

An int8 -> int8 function has only 256 possible inputs, so the generator evaluates TFLM's
integer arithmetic for each of them at build time (tinyml_build.quant) and the device runs
one table lookup per element (tml_lut_s8). The tables are exact by construction; the
quirks of TFLM's kernels are reproduced, not corrected: RELU6 clamps in the input's
quantisation, LOGISTIC and TANH write on their fixed output scales (1/256 and 1/128).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinyml_build.ir import Graph, Op
from tinyml_build.kernels import kernel_source
from tinyml_build.quant import (
    hard_swish_table,
    leaky_relu_table,
    logistic_table,
    relu6_table,
    relu_table,
    tanh_table,
)
from tinyml_build.registration import EmitContext, Kernel, KernelCall

from ..common import check_int8_activations, qparams

KINDS = ("relu", "relu6", "leaky_relu", "hard_swish", "logistic", "tanh")


def table_for(op: Op, graph: Graph) -> np.ndarray:
    """The op's 256-entry table, indexed by input + 128 (raises ValueError if TFLite
    would reject the op's quantisation)."""
    x = qparams(graph.tensors[op.inputs[0]])
    y = qparams(graph.op_outputs(op)[0])
    if op.kind == "relu":
        return relu_table(*x, *y)
    if op.kind == "relu6":
        return relu6_table(*x)
    if op.kind == "leaky_relu":
        return leaky_relu_table(*x, *y, float(op.attrs.get("alpha", 0.2)))
    if op.kind == "hard_swish":
        return hard_swish_table(*x, *y)
    if op.kind == "logistic":
        return logistic_table(*x)
    if op.kind == "tanh":
        return tanh_table(*x)
    raise ValueError(f"no table for op kind {op.kind!r}")


def _check(kind: str) -> Callable[[Op, Graph], str | None]:
    def check(op: Op, graph: Graph) -> str | None:
        reason = check_int8_activations(op, graph)
        if reason:
            return reason
        x = graph.tensors[op.inputs[0]]
        y = graph.op_outputs(op)[0]
        if x.shape != y.shape:
            return "input and output shapes differ"
        if kind == "logistic" and qparams(y)[1] != -128:
            return "int8 LOGISTIC needs an output zero point of -128 (TFLite requires it)"
        try:
            table_for(op, graph)
        except ValueError as exc:
            return str(exc)
        return None

    return check


def _emit(kind: str) -> Callable[[Op, Graph, EmitContext], KernelCall]:
    def emit(op: Op, graph: Graph, ctx: EmitContext) -> KernelCall:
        x = graph.tensors[op.inputs[0]]
        y = graph.op_outputs(op)[0]
        table = ctx.const(table_for(op, graph).astype(np.int8), f"{kind}_table")
        return KernelCall("tml_lut_s8", [table, ctx.buffer(x.name), ctx.buffer(y.name), y.size])

    return emit


KERNELS = tuple(
    Kernel(name=f"reference.{kind}_s8", backend="reference", op=kind, check=_check(kind),
           emit=_emit(kind), sources=(kernel_source("tml_elementwise.c"),),
           headers=("tml_elementwise.h",), inplace=(0,))
    for kind in KINDS
)
