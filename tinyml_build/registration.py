"""Typed objects plugins hand to the core through the hooks in hookspecs.py.

A plugin never reaches into the core's internals: it describes targets and kernels with
these dataclasses, and a kernel turns an op into a C call through the small EmitContext
interface below. The core validates each object and reports name clashes with both sources.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from .ir import Graph, Op


@dataclass(frozen=True)
class MemoryRegion:
    """A memory of the target, used for size reports and budgets."""

    name: str
    origin: int
    length: int
    kind: str  # "flash" or "ram"


@dataclass(frozen=True)
class Target:
    """A CPU the generated code can be built for, and how to build for it."""

    name: str
    description: str
    arch: str  # "host", "arm", "riscv", "xtensa"
    cpu: str = ""
    features: tuple[str, ...] = ()
    c_flags: tuple[str, ...] = ()  # what a toolchain file passes to the compiler
    toolchain_prefix: str = ""  # e.g. "arm-none-eabi-"
    backends: tuple[str, ...] = ("reference",)  # kernel back ends usable here, preferred first
    memory: tuple[MemoryRegion, ...] = ()
    plugin: str = ""  # filled in by the plugin manager


class CExpr(str):
    """A piece of C the emitter already made safe (a symbol, a literal, a cast pointer)."""


class EmitContext(Protocol):
    """What a kernel may ask of the code generator while it emits one call."""

    model: str  # the model's C prefix
    target: Target

    def buffer(self, tensor: str) -> CExpr:
        """A typed pointer to a graph tensor: arena memory, or a const array for constants."""
        ...

    def const(self, array: np.ndarray, label: str) -> CExpr:
        """Emit a new const, aligned array into the weights file; return its symbol."""
        ...

    def params(self, ctype: str, fields: dict[str, object]) -> CExpr:
        """Emit a static const parameter struct; return a pointer to it."""
        ...

    def scratch(self) -> CExpr:
        """A pointer to this op's scratch memory in the arena (see Kernel.scratch_bytes)."""
        ...


@dataclass(frozen=True)
class KernelCall:
    """One C statement `function(args...)`; with returns_status a non-zero result fails invoke."""

    function: str
    args: Sequence[CExpr | int]
    returns_status: bool = False


def _no_scratch(op: Op, graph: Graph) -> int:
    return 0


@dataclass(frozen=True)
class Kernel:
    """An implementation of one IR op kind that a plugin offers for a target.

    `check(op, graph)` returns None when this kernel can run the op, else a short reason.
    `emit(op, graph, ctx)` returns the call; it is invoked only for ops `check` accepted.
    `view_of` marks ops that need no code: the output is input `view_of` re-read with
    another shape (Reshape), so the planner gives both the same memory.
    `inplace` lists inputs whose memory the output may reuse when the input dies at this op.
    """

    name: str
    backend: str
    op: str
    check: Callable[[Op, Graph], str | None]
    emit: Callable[[Op, Graph, EmitContext], KernelCall | None]
    sources: tuple[Path, ...] = ()
    include_dirs: tuple[Path, ...] = ()
    headers: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()  # system libraries the sources need at link time ("m")
    scratch_bytes: Callable[[Op, Graph], int] = _no_scratch
    view_of: int | None = None
    inplace: tuple[int, ...] = ()
    priority: int = 0
    plugin: str = field(default="", compare=False)
