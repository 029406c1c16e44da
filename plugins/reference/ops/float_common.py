"""Checks and the fused activation shared by the float32 kernels."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import ACTIVATIONS, CLAMP_ACTIVATIONS, Graph, Op

from ..common import op_tensors

#: the largest finite float32: open ends of a clamp
FLT_MAX = float(np.finfo(np.float32).max)

ACT_CLAMP, ACT_LEAKY_RELU, ACT_HARD_SWISH = 0, 1, 2


def check_float(op: Op, graph: Graph) -> str | None:
    """Every input and output float32 and not quantised; a known fused activation."""
    for t in op_tensors(op, graph):
        if t.dtype != "float32":
            return f"tensor '{t.name}' is {t.dtype}; this kernel handles float32 only"
        if t.quant is not None:
            return f"tensor '{t.name}' is quantised; this kernel handles plain float32"
    act = op.attrs.get("activation", "none")
    if act not in ACTIVATIONS:
        return f"unknown fused activation {act!r}"
    return None


def finite(v: float) -> float:
    """v clamped to the finite float32 range (a C constant cannot be infinite)."""
    return max(-FLT_MAX, min(FLT_MAX, float(v)))


def act_fields(op: Op) -> tuple[int, float, float, float]:
    """The tml_act_f32 initializer {kind, lo, hi, alpha} of the op's fused activation."""
    act = op.attrs.get("activation", "none")
    if act in CLAMP_ACTIVATIONS:
        lo, hi = CLAMP_ACTIVATIONS[act]
        return (ACT_CLAMP, finite(lo), finite(hi), 0.0)
    if act == "clip":
        return (ACT_CLAMP, finite(op.attrs["activation_min"]),
                finite(op.attrs["activation_max"]), 0.0)
    if act == "leaky_relu":
        return (ACT_LEAKY_RELU, -FLT_MAX, FLT_MAX, float(op.attrs["activation_alpha"]))
    if act == "hard_swish":
        return (ACT_HARD_SWISH, -FLT_MAX, FLT_MAX, 0.0)
    raise ValueError(f"unknown fused activation {act!r}")
