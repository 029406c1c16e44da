"""Checks and parameter helpers shared by the float32 and type-generic kernels."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import ACTIVATIONS, CLAMP_ACTIVATIONS, Graph, Op, Tensor
from tinyml_build.registration import CExpr

#: the largest finite float32: open ends of a clamp
FLT_MAX = float(np.finfo(np.float32).max)
MAX_DIMS = 6
NULL = CExpr("NULL")

ACT_CLAMP, ACT_LEAKY_RELU, ACT_HARD_SWISH = 0, 1, 2


def op_tensors(op: Op, graph: Graph) -> list[Tensor]:
    return [graph.tensors[n] for n in op.inputs + op.outputs if n]


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


def _finite(v: float) -> float:
    return max(-FLT_MAX, min(FLT_MAX, float(v)))


def act_fields(op: Op) -> tuple[int, float, float, float]:
    """The tml_act_f32 initializer {kind, lo, hi, alpha} of the op's fused activation."""
    act = op.attrs.get("activation", "none")
    if act in CLAMP_ACTIVATIONS:
        lo, hi = CLAMP_ACTIVATIONS[act]
        return (ACT_CLAMP, _finite(lo), _finite(hi), 0.0)
    if act == "clip":
        return (ACT_CLAMP, _finite(op.attrs["activation_min"]),
                _finite(op.attrs["activation_max"]), 0.0)
    if act == "leaky_relu":
        return (ACT_LEAKY_RELU, -FLT_MAX, FLT_MAX, float(op.attrs["activation_alpha"]))
    if act == "hard_swish":
        return (ACT_HARD_SWISH, -FLT_MAX, FLT_MAX, 0.0)
    raise ValueError(f"unknown fused activation {act!r}")


def broadcast_strides(shape: tuple[int, ...], out: tuple[int, ...]) -> list[int]:
    """Element strides of `shape` walked in `out`'s index space (0 on broadcast dims)."""
    padded = (1,) * (len(out) - len(shape)) + tuple(shape)
    strides = [0] * len(out)
    step = 1
    for d in range(len(out) - 1, -1, -1):
        strides[d] = 0 if padded[d] == 1 and out[d] != 1 else step
        step *= padded[d]
    return [0] * (MAX_DIMS - len(out)) + strides


def broadcast_layout(a: Tensor, b: Tensor, y: Tensor) -> dict[str, object]:
    out = tuple(y.shape)
    broadcast = tuple(a.shape) != out or tuple(b.shape) != out
    return {
        "size": y.size,
        "broadcast": int(broadcast),
        "dims": [1] * (MAX_DIMS - len(out)) + list(out),
        "a_strides": broadcast_strides(a.shape, out),
        "b_strides": broadcast_strides(b.shape, out),
    }


def padded_dims(shape: tuple[int, ...], rank: int = MAX_DIMS) -> list[int]:
    return [1] * (rank - len(shape)) + [int(d) for d in shape]


def row_major_strides(shape: tuple[int, ...]) -> list[int]:
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    return strides


def optional_input(op: Op, i: int) -> str:
    return op.inputs[i] if i < len(op.inputs) else ""
