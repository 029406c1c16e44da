"""The intermediate representation every front end produces and every later stage reads.

Plain dataclasses and no I/O: a Graph holds Tensors (activations and constants) and Ops in
execution order. Op kinds and attributes are framework-neutral (explicit paddings, fused
activation names) so that TFLite and ONNX models meet the same kernels.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: element types the IR knows, with their size in bytes
DTYPE_SIZES: dict[str, int] = {
    "int8": 1,
    "uint8": 1,
    "int16": 2,
    "int32": 4,
    "int64": 8,
    "float32": 4,
    "bool": 1,
}

#: C type used for each element type in generated code
C_TYPES: dict[str, str] = {
    "int8": "int8_t",
    "uint8": "uint8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "float32": "float",
    "bool": "uint8_t",
}

NUMPY_DTYPES: dict[str, type] = {
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "float32": np.float32,
    "bool": np.bool_,
}

#: fused activations an op may carry; the kernel applies it to each output value.
#: "clip" reads op.attrs["activation_min"] / ["activation_max"] (floats), "leaky_relu"
#: reads op.attrs["activation_alpha"]; the int8 kernels know only the first four (a clamp
#: of the quantised range), the float kernels know them all.
ACTIVATIONS = ("none", "relu", "relu6", "relu_n1_to_1", "clip", "leaky_relu", "hard_swish")

#: activations that are a clamp to a fixed range, as (min, max) in real values
CLAMP_ACTIVATIONS: dict[str, tuple[float, float]] = {
    "none": (float("-inf"), float("inf")),
    "relu": (0.0, float("inf")),
    "relu6": (0.0, 6.0),
    "relu_n1_to_1": (-1.0, 1.0),
}

#: the fused activations int8 kernels apply: a clamp of the quantised range
INT8_ACTIVATIONS = tuple(CLAMP_ACTIVATIONS)


@dataclass
class QuantParams:
    """Affine quantisation: real = scale * (q - zero_point), per tensor or per channel."""

    scale: np.ndarray  # float32, shape (1,) or (channels,)
    zero_point: np.ndarray  # int64, same shape as scale
    axis: int | None = None  # quantised dimension when per channel

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1

    @property
    def scalar_scale(self) -> float:
        return float(self.scale.reshape(-1)[0])

    @property
    def scalar_zero_point(self) -> int:
        return int(self.zero_point.reshape(-1)[0])


def same_quant(a: QuantParams | None, b: QuantParams | None) -> bool:
    """Both absent, or the same scales (as float32), zero points and axis."""
    if a is None or b is None:
        return a is None and b is None
    return (a.axis == b.axis and a.scale.size == b.scale.size
            and np.array_equal(a.scale.astype(np.float32).reshape(-1),
                               b.scale.astype(np.float32).reshape(-1))
            and np.array_equal(a.zero_point.reshape(-1), b.zero_point.reshape(-1)))


def permute_quant(q: QuantParams | None, perm: tuple[int, ...]) -> QuantParams | None:
    """The quantisation of np.transpose(x, perm) when x is quantised with q."""
    if q is None or not q.per_channel or q.axis is None:
        return q
    return QuantParams(q.scale, q.zero_point, axis=list(perm).index(q.axis))


@dataclass
class Tensor:
    name: str
    dtype: str
    shape: tuple[int, ...]
    quant: QuantParams | None = None
    data: np.ndarray | None = None  # set for constants (weights, biases, shapes)
    source_index: int | None = None  # the tensor's index in the model file, for debugging
    #: (model tensor name, perm): this tensor holds np.transpose(<that tensor>, perm); set
    #: where a front end or pass changes a tensor's layout, so `validate` can still compare
    #: it with the reference runtime's tensor
    reference: tuple[str, tuple[int, ...]] | None = None

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self) -> int:
        return self.size * DTYPE_SIZES[self.dtype]

    def transposed_reference(self, perm: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
        """The `reference` of np.transpose(self, perm)."""
        if self.reference is None:
            return self.name, tuple(perm)
        base, inner = self.reference
        return base, tuple(inner[p] for p in perm)


@dataclass
class OpSource:
    """Where an op came from, for messages: framework op name, version, node index."""

    op_type: str
    version: int
    index: int
    framework: str = "tflite"

    def describe(self) -> str:
        version = f" v{self.version}" if self.version else ""
        return f"node {self.index} ({self.op_type}{version})"


@dataclass
class Op:
    kind: str
    inputs: list[str]  # "" marks an absent optional input
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    source: OpSource | None = None

    def describe(self) -> str:
        where = self.source.describe() if self.source else self.kind
        return f"{where} '{self.name}'" if self.name else where


@dataclass
class Graph:
    name: str
    tensors: dict[str, Tensor]
    ops: list[Op]
    inputs: list[str]
    outputs: list[str]
    source_path: str = ""
    framework: str = "tflite"

    def tensor(self, name: str) -> Tensor:
        return self.tensors[name]

    def op_inputs(self, op: Op) -> list[Tensor | None]:
        return [self.tensors[n] if n else None for n in op.inputs]

    def op_outputs(self, op: Op) -> list[Tensor]:
        return [self.tensors[n] for n in op.outputs]

    def producers(self) -> dict[str, Op]:
        return {out: op for op in self.ops for out in op.outputs}

    def consumers(self) -> dict[str, list[Op]]:
        result: dict[str, list[Op]] = {}
        for op in self.ops:
            for name in op.inputs:
                if name:
                    result.setdefault(name, []).append(op)
        return result

    def activations(self) -> Iterator[Tensor]:
        """Tensors that need RAM: everything that is not a constant."""
        for t in self.tensors.values():
            if not t.is_const:
                yield t
