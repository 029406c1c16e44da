"""Static memory planning: tensor lifetimes, execution order and offsets in one arena.

Every activation tensor and every kernel scratch buffer gets an offset, decided at build
time. Views (Reshape) share their input's memory; element-wise kernels that allow it write
over an input that dies at that op. Several placement orders (TFLM's size-descending
greedy, first-use order, longest lifetime first, then seeded random orders) and, for graphs
with parallel branches, a memory-greedy execution order are tried; the smallest arena wins.
The result is never worse than the largest sum of simultaneously live bytes (the live-tensor
lower bound) by more than alignment padding, and usually equal to it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .ir import Graph
from .lowering import LoweredOp

RANDOM_TRIES = 200


@dataclass
class Buffer:
    """One region of the arena: a group of tensors sharing memory, or one op's scratch."""

    name: str
    tensors: list[str]
    size: int
    first: int  # position in the execution order where it becomes live
    last: int  # last position that needs it
    offset: int = -1


@dataclass
class Plan:
    order: list[int]  # execution order, as indices into graph.ops
    buffers: list[Buffer]
    offsets: dict[str, int]  # activation tensor -> arena offset
    scratch: dict[int, int]  # graph op index -> scratch offset
    arena_bytes: int
    lower_bound: int
    strategy: str
    order_strategy: str
    alignment: int
    aliases: dict[str, str] = field(default_factory=dict)  # tensor -> tensor whose memory it is
    tried: dict[str, int] = field(default_factory=dict)  # "order/strategy" -> arena bytes


def _align(x: int, a: int) -> int:
    return (x + a - 1) // a * a


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, keep: str, other: str) -> None:
        a, b = self.find(keep), self.find(other)
        if a != b:
            self.parent[b] = a


def view_aliases(graph: Graph, lowered: list[LoweredOp]) -> dict[str, str]:
    """tensor -> root tensor for outputs of view kernels (Reshape), transitively."""
    uf = _UnionFind()
    for lo in lowered:
        if lo.kernel.view_of is not None:
            uf.union(lo.op.inputs[lo.kernel.view_of], lo.op.outputs[0])
    return {t: uf.find(t) for t in uf.parent if uf.find(t) != t}


def _memory_greedy_order(graph: Graph, sizes: dict[str, int]) -> list[int]:
    """Topological order that, at each step, runs the ready op leaving the least live memory."""
    consumers = graph.consumers()
    producers = {out: i for i, op in enumerate(graph.ops) for out in op.outputs}
    remaining_uses = {t: len({id(c) for c in consumers.get(t, [])}) for t in sizes}
    deps = [
        {producers[n] for n in op.inputs if n and n in producers} for op in graph.ops
    ]
    done: set[int] = set()
    order: list[int] = []
    live = {t for t in graph.inputs}
    outputs = set(graph.outputs)
    while len(order) < len(graph.ops):
        ready = [i for i in range(len(graph.ops)) if i not in done and deps[i] <= done]

        def cost(i: int) -> tuple[int, int]:
            op = graph.ops[i]
            alloc = sum(sizes.get(t, 0) for t in op.outputs)
            freed = 0
            for t in {n for n in op.inputs if n}:
                if t in live and t not in outputs and remaining_uses.get(t, 0) == 1:
                    freed += sizes.get(t, 0)
            return (alloc - freed, i)

        best = min(ready, key=cost)
        op = graph.ops[best]
        for t in {n for n in op.inputs if n}:
            if t in remaining_uses:
                remaining_uses[t] -= 1
                if remaining_uses[t] == 0 and t not in outputs:
                    live.discard(t)
        live.update(op.outputs)
        done.add(best)
        order.append(best)
    return order


def _build_buffers(
    graph: Graph, lowered: list[LoweredOp], order: list[int], alignment: int
) -> tuple[list[Buffer], dict[str, str]]:
    aliases = view_aliases(graph, lowered)
    pos_of = {op_index: pos for pos, op_index in enumerate(order)}
    end = len(order) - 1 if order else 0
    uf = _UnionFind()
    for t in graph.tensors:
        uf.find(t)
    for t, root in aliases.items():
        uf.union(root, t)

    def lifetimes() -> dict[str, tuple[int, int]]:
        spans: dict[str, list[int]] = {}
        for name in graph.inputs:
            spans.setdefault(uf.find(name), [0, 0])
        for op_index, lo in enumerate(lowered):
            pos = pos_of[op_index]
            for name in lo.op.outputs:
                span = spans.setdefault(uf.find(name), [pos, pos])
                span[0] = min(span[0], pos)
                span[1] = max(span[1], pos)
            for name in lo.op.inputs:
                if name and not graph.tensors[name].is_const:
                    span = spans.setdefault(uf.find(name), [pos, pos])
                    span[1] = max(span[1], pos)
        for name in graph.outputs:
            spans.setdefault(uf.find(name), [end, end])[1] = end
        return {k: (v[0], v[1]) for k, v in spans.items()}

    # element-wise kernels may overwrite an input that dies at this op (same size)
    protected = {uf.find(n) for n in graph.inputs} | {uf.find(n) for n in graph.outputs}
    spans = lifetimes()
    for op_index in order:
        lo = lowered[op_index]
        out = lo.op.outputs[0]
        out_t = graph.tensors[out]
        for i in lo.kernel.inplace:
            if i >= len(lo.op.inputs) or not lo.op.inputs[i]:
                continue
            name = lo.op.inputs[i]
            t = graph.tensors[name]
            root = uf.find(name)
            if (
                t.is_const
                or root in protected
                or t.nbytes != out_t.nbytes
                or t.shape != out_t.shape
                or uf.find(out) == root
                or spans[root][1] != pos_of[op_index]
                or uf.find(out) in protected
            ):
                continue
            uf.union(root, out)
            spans = lifetimes()
            break

    groups: dict[str, list[str]] = {}
    for name, t in graph.tensors.items():
        if t.is_const:
            continue
        groups.setdefault(uf.find(name), []).append(name)
    buffers: list[Buffer] = []
    for root, members in sorted(groups.items()):
        if root not in spans:
            continue
        size = max(graph.tensors[m].nbytes for m in members)
        first, last = spans[root]
        buffers.append(Buffer(root, sorted(members), size, first, last))
    for op_index, lo in enumerate(lowered):
        if lo.scratch_bytes > 0:
            pos = pos_of[op_index]
            buffers.append(Buffer(f"scratch:{op_index}", [], lo.scratch_bytes, pos, pos))
    merged = {m: root for root, members in groups.items() for m in members if m != root}
    return buffers, merged


def live_lower_bound(buffers: list[Buffer], positions: int) -> int:
    """The largest sum of sizes of buffers live at the same op: no placement can beat it."""
    best = 0
    for pos in range(max(positions, 1)):
        best = max(best, sum(b.size for b in buffers if b.first <= pos <= b.last))
    return best


def _place(buffers: list[Buffer], key: Callable[[Buffer], object], alignment: int) -> int:
    placed: list[Buffer] = []
    top = 0
    for buf in sorted(buffers, key=key):
        conflicts = sorted(
            (p.offset, p.offset + p.size)
            for p in placed
            if p.first <= buf.last and buf.first <= p.last and p.size > 0
        )
        offset = 0
        for start, stop in conflicts:
            if offset + buf.size <= start:
                break
            offset = max(offset, _align(stop, alignment))
        buf.offset = offset
        placed.append(buf)
        top = max(top, offset + buf.size)
    return top


STRATEGIES: dict[str, Callable[[Buffer], object]] = {
    "greedy-by-size": lambda b: (-b.size, b.first, b.name),
    "first-use": lambda b: (b.first, -b.size, b.name),
    "longest-lifetime": lambda b: (-(b.last - b.first), -b.size, b.name),
}


def _best_placement(
    buffers: list[Buffer], bound: int, alignment: int
) -> tuple[str, dict[str, int], int, dict[str, int]]:
    tried: dict[str, int] = {}
    best: tuple[int, str, dict[str, int]] | None = None
    for name, key in STRATEGIES.items():
        size = _place(buffers, key, alignment)
        tried[name] = size
        if best is None or size < best[0]:
            best = (size, name, {b.name: b.offset for b in buffers})
    assert best is not None
    if best[0] > bound:
        rng = random.Random(1234)
        items = list(buffers)
        for attempt in range(RANDOM_TRIES):
            rng.shuffle(items)
            rank = {b.name: i for i, b in enumerate(items)}
            size = _place(buffers, lambda b, rank=rank: rank[b.name], alignment)
            if size < best[0]:
                best = (size, f"random-{attempt}", {b.name: b.offset for b in buffers})
                tried["random"] = size
                if size <= bound:
                    break
    return best[1], best[2], best[0], tried


def plan_memory(graph: Graph, lowered: list[LoweredOp], alignment: int = 16) -> Plan:
    if alignment < 1 or alignment & (alignment - 1):
        raise ValueError("alignment must be a power of two")
    sizes = {name: t.nbytes for name, t in graph.tensors.items() if not t.is_const}
    orders: dict[str, list[int]] = {"model": list(range(len(graph.ops)))}
    greedy = _memory_greedy_order(graph, sizes)
    if greedy != orders["model"]:
        orders["memory-greedy"] = greedy

    best_plan: Plan | None = None
    tried_all: dict[str, int] = {}
    for order_name, order in orders.items():
        buffers, merged = _build_buffers(graph, lowered, order, alignment)
        bound = live_lower_bound(buffers, len(order))
        strategy, offsets, size, tried = _best_placement(buffers, bound, alignment)
        for k, v in tried.items():
            tried_all[f"{order_name}/{k}"] = v
        for b in buffers:
            b.offset = offsets[b.name]
        if best_plan is None or size < best_plan.arena_bytes:
            tensor_offsets: dict[str, int] = {}
            scratch: dict[int, int] = {}
            for b in buffers:
                if b.name.startswith("scratch:"):
                    scratch[int(b.name.split(":", 1)[1])] = b.offset
                for m in b.tensors:
                    tensor_offsets[m] = b.offset
            best_plan = Plan(
                order=order,
                buffers=buffers,
                offsets=tensor_offsets,
                scratch=scratch,
                arena_bytes=size,
                lower_bound=bound,
                strategy=strategy,
                order_strategy=order_name,
                alignment=alignment,
                aliases=merged,
            )
    assert best_plan is not None
    best_plan.tried = tried_all
    return best_plan
