"""The graph health check run after every pass: a broken invariant here is a compiler bug."""

from __future__ import annotations

from ..ir import Graph


class GraphCheckError(AssertionError):
    """A pass left the graph inconsistent."""


def check_graph(graph: Graph, after: str = "") -> None:
    where = f" after pass '{after}'" if after else ""

    def fail(message: str) -> None:
        raise GraphCheckError(f"graph check failed{where}: {message}")

    available = set(graph.inputs)
    available.update(name for name, t in graph.tensors.items() if t.is_const)
    produced: set[str] = set()
    for name in graph.inputs + graph.outputs:
        if name not in graph.tensors:
            fail(f"graph I/O tensor '{name}' is not in the tensor table")
    for i, op in enumerate(graph.ops):
        for name in op.inputs:
            if not name:
                continue
            if name not in graph.tensors:
                fail(f"op {i} ({op.kind}) reads unknown tensor '{name}'")
            if name not in available:
                fail(f"op {i} ({op.kind}) reads '{name}' before it is produced")
        for name in op.outputs:
            if name not in graph.tensors:
                fail(f"op {i} ({op.kind}) writes unknown tensor '{name}'")
            if name in produced or name in graph.inputs:
                fail(f"tensor '{name}' is written twice")
            if graph.tensors[name].is_const:
                fail(f"op {i} ({op.kind}) writes constant tensor '{name}'")
            produced.add(name)
            available.add(name)
    for name in graph.outputs:
        if name not in available:
            fail(f"graph output '{name}' is never produced")
