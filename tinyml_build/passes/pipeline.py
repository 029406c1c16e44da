"""Runs passes in order and checks the graph after each one (Vela's verify_graph_health)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..ir import Graph
from .check import check_graph
from .dce import eliminate_dead_code

Pass = Callable[[Graph], Graph]

DEFAULT_PASSES: tuple[tuple[str, Pass], ...] = (("dead-code", eliminate_dead_code),)


def run_passes(
    graph: Graph,
    passes: Sequence[tuple[str, Pass]] = DEFAULT_PASSES,
    trace: Callable[[str, Graph], None] | None = None,
) -> Graph:
    check_graph(graph, after="front end")
    for name, rewrite in passes:
        graph = rewrite(graph)
        check_graph(graph, after=name)
        if trace is not None:
            trace(name, graph)
    return graph
