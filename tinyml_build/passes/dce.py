"""Dead-code elimination: drop ops nothing reads and tensors nothing uses."""

from __future__ import annotations

from ..ir import Graph


def eliminate_dead_code(graph: Graph) -> Graph:
    live = set(graph.outputs)
    kept = []
    for op in reversed(graph.ops):
        if any(out in live for out in op.outputs):
            kept.append(op)
            live.update(name for name in op.inputs if name)
    kept.reverse()
    used = set(graph.inputs) | set(graph.outputs)
    for op in kept:
        used.update(name for name in op.inputs if name)
        used.update(op.outputs)
    graph.ops = kept
    graph.tensors = {name: t for name, t in graph.tensors.items() if name in used}
    return graph
