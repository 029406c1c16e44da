"""Small graph-editing helpers the passes share (not a pass itself)."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Op, QuantParams, Tensor


def unique_name(graph: Graph, base: str) -> str:
    i = 1
    while f"{base}:{i}" in graph.tensors:
        i += 1
    return f"{base}:{i}"


def new_tensor(graph: Graph, base: str, like: Tensor, shape: tuple[int, ...] | None = None,
               **changes: object) -> str:
    """A fresh tensor named after `base`, copying `like` (dtype, quant) unless changed."""
    name = unique_name(graph, base)
    t = Tensor(name=name, dtype=like.dtype, shape=tuple(shape if shape is not None
                                                          else like.shape),
               quant=like.quant, reference=None)
    for key, value in changes.items():
        setattr(t, key, value)
    graph.tensors[name] = t
    return name


def replace_uses(graph: Graph, old: str, new: str) -> None:
    """Every op input reading `old` reads `new` instead (graph outputs are not touched)."""
    for op in graph.ops:
        op.inputs = [new if n == old else n for n in op.inputs]


def single_consumer(graph: Graph, name: str, consumers: dict[str, list[Op]]) -> Op | None:
    """The only op reading `name`, if it has exactly one and `name` is not a graph output."""
    users = consumers.get(name, [])
    if len(users) != 1 or name in graph.outputs:
        return None
    if sum(1 for n in users[0].inputs if n == name) != 1:
        return None
    return users[0]


def same_quant(a: QuantParams | None, b: QuantParams | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return (a.axis == b.axis and a.scale.size == b.scale.size
            and np.array_equal(a.scale.astype(np.float32), b.scale.astype(np.float32))
            and np.array_equal(a.zero_point, b.zero_point))


def inverse_perm(perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def permute_quant(q: QuantParams | None, perm: tuple[int, ...]) -> QuantParams | None:
    """Quantisation of np.transpose(x, perm) for x quantised with q."""
    if q is None or not q.per_channel or q.axis is None:
        return q
    return QuantParams(q.scale, q.zero_point, axis=list(perm).index(q.axis))


def compose_reference(t: Tensor, perm: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    """`reference` of np.transpose(t, perm): validate looks the name up in the reference
    runtime and skips tensors the model does not have."""
    if t.reference is not None:
        base, inner = t.reference
        return base, tuple(inner[p] for p in perm)
    return t.name, tuple(perm)
