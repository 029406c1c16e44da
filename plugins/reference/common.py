"""Checks and helpers shared by the reference plugin's kernels."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.quant import activation_range, conv_output_multipliers
from tinyml_build.registration import CExpr, EmitContext

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
#: the argument for an absent optional pointer (bias)
NULL = CExpr("NULL")


def op_tensors(op: Op, graph: Graph) -> list[Tensor]:
    """Every input and output the op has (absent optional inputs skipped)."""
    return [graph.tensors[n] for n in op.inputs + op.outputs if n]


def optional_input(op: Op, i: int) -> str:
    """The name of input i, or "" when the op does not have it."""
    return op.inputs[i] if i < len(op.inputs) else ""


def optional_buffer(ctx: EmitContext, op: Op, i: int) -> CExpr:
    """Input i's buffer, or NULL when the op does not have it."""
    name = optional_input(op, i)
    return ctx.buffer(name) if name else NULL


def per_tensor_quant(t: Tensor) -> tuple[float, int] | None:
    """(scale, zero point) of a per-tensor quantised tensor, else None."""
    if t.quant is None or t.quant.per_channel:
        return None
    return t.quant.scalar_scale, t.quant.scalar_zero_point


def qparams(t: Tensor) -> tuple[float, int]:
    q = per_tensor_quant(t)
    if q is None:
        raise ValueError(f"tensor '{t.name}' is not per-tensor quantised")
    return q


def check_int8_activations(op: Op, graph: Graph, inputs: tuple[int, ...] = (0,)) -> str | None:
    """Inputs at `inputs` and every output must be int8 with per-tensor quantisation."""
    tensors = [graph.tensors[op.inputs[i]] for i in inputs if i < len(op.inputs) and op.inputs[i]]
    tensors += graph.op_outputs(op)
    for t in tensors:
        if t.dtype != "int8":
            return f"tensor '{t.name}' is {t.dtype}; this kernel handles int8 only"
        if per_tensor_quant(t) is None:
            return f"tensor '{t.name}' needs per-tensor quantisation parameters"
    return None


def check_const_bias(op: Op, graph: Graph, i: int = 2) -> str | None:
    """An int8 product's optional bias (input i) must be a constant int32 tensor."""
    name = optional_input(op, i)
    if name:
        b = graph.tensors[name]
        if not b.is_const or b.dtype != "int32":
            return f"bias '{b.name}' must be a constant int32 tensor"
    return None


def fits_int32(values: np.ndarray) -> bool:
    return bool(values.size == 0 or (values.min() >= INT32_MIN and values.max() <= INT32_MAX))


def output_range(op: Op, y: Tensor) -> dict[str, int]:
    """output_offset, act_min and act_max of an int8 output: its zero point and the clamp
    of the op's fused activation."""
    sy, zy = qparams(y)
    act_min, act_max = activation_range(op.attrs.get("activation", "none"), sy, zy)
    return {"output_offset": zy, "act_min": act_min, "act_max": act_max}


def output_multipliers(x: Tensor, w: Tensor, y: Tensor,
                       channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (multiplier, shift) of an int8 product of x and weights w into y."""
    assert w.quant is not None
    return conv_output_multipliers(qparams(x)[0], w.quant.scale, qparams(y)[0], channels)


def fold_bias(op: Op, graph: Graph, rows: np.ndarray, input_offset: int,
              channels: int) -> tuple[np.ndarray | None, np.ndarray]:
    """The model bias (input 2, or None) and bias + input_offset * sum(row) for each of the
    `channels` weight rows: the folded bias of kernels whose inner loop is a plain int8
    dot product."""
    bias = None
    name = optional_input(op, 2)
    if name:
        bias = graph.tensors[name].data.astype(np.int64).reshape(-1)
    sums = rows.astype(np.int64).sum(axis=1)
    folded = (bias if bias is not None else np.zeros(channels, np.int64)) + input_offset * sums
    if not fits_int32(folded):
        raise ValueError("folded bias does not fit in int32")
    return bias, folded.astype(np.int32)
