"""Lowering: every op is claimed by exactly one kernel that a plugin offers for the target.

The requested back end is tried first, then the portable reference back end. Among the
kernels of one back end the highest priority wins. An op nobody accepts is an error that
lists every kernel's reason, so the user learns what to change in the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import TinymlError, UnsupportedOpError
from .ir import Graph, Op
from .plugins import Plugins
from .registration import Kernel, Target

FALLBACK_BACKEND = "reference"


@dataclass
class LoweredOp:
    op: Op
    kernel: Kernel
    scratch_bytes: int


def backend_order(target: Target, backend: str | None) -> list[str]:
    chosen = backend or (target.backends[0] if target.backends else FALLBACK_BACKEND)
    if chosen not in target.backends and chosen != FALLBACK_BACKEND:
        raise TinymlError(
            f"back end '{chosen}' is not available for target '{target.name}'",
            hint="available: " + ", ".join(target.backends or (FALLBACK_BACKEND,)),
        )
    order = [chosen]
    if FALLBACK_BACKEND not in order:
        order.append(FALLBACK_BACKEND)
    return order


def lower(
    graph: Graph, plugins: Plugins, target: Target, backend: str | None = None
) -> list[LoweredOp]:
    order = backend_order(target, backend)
    by_op: dict[str, list[Kernel]] = {}
    for kernel in plugins.kernels(target):
        if kernel.backend in order:
            by_op.setdefault(kernel.op, []).append(kernel)
    for kernels in by_op.values():
        kernels.sort(key=lambda k: (order.index(k.backend), -k.priority, k.name))

    lowered: list[LoweredOp] = []
    for op in graph.ops:
        candidates = by_op.get(op.kind, [])
        reasons: list[str] = []
        chosen: Kernel | None = None
        for kernel in candidates:
            reason = kernel.check(op, graph)
            if reason is None:
                chosen = kernel
                break
            reasons.append(f"{kernel.name}: {reason}")
        if chosen is None:
            where = f"{graph.source_path}: " if graph.source_path else ""
            if not candidates:
                detail = f"no kernel for '{op.kind}' on target '{target.name}'"
            else:
                detail = "no kernel accepts it (" + "; ".join(reasons) + ")"
            raise UnsupportedOpError(
                f"{where}{op.describe()}: {detail}",
                hint="run `tinyml-build plugins` to list the kernels of each target",
            )
        lowered.append(LoweredOp(op, chosen, int(chosen.scratch_bytes(op, graph))))
    return lowered
