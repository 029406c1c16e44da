"""Small graph-editing helpers the passes share (not a pass itself)."""

from __future__ import annotations

from ..ir import Graph, Op, Tensor, permute_quant, same_quant

__all__ = ["inverse_perm", "new_tensor", "permute_quant", "replace_uses", "same_quant",
           "single_consumer", "unique_name"]


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


def inverse_perm(perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)
