"""Checks and helpers shared by the reference plugin's kernels."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


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


def fits_int32(values: np.ndarray) -> bool:
    return bool(values.size == 0 or (values.min() >= INT32_MIN and values.max() <= INT32_MAX))
