"""The manifest <name>.json: what a build system needs to compile the generated model.

Paths of generated files are relative to the manifest's folder; kernel sources and include
dirs are absolute paths into the installed package. Schema "tinyml-build.manifest/1".
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..ir import Graph, Tensor
from ..metrics import op_macs
from ..planner import Plan
from ..registration import Target
from .emit import CodegenOptions, GeneratedModel

SCHEMA = "tinyml-build.manifest/1"


def _io(t: Tensor, offset: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": t.name,
        "dtype": t.dtype,
        "shape": list(t.shape),
        "bytes": t.nbytes,
        "scale": None,
        "zero_point": None,
        "arena_offset": offset,
    }
    if t.quant is not None and not t.quant.per_channel:
        entry["scale"] = t.quant.scalar_scale
        entry["zero_point"] = t.quant.scalar_zero_point
    return entry


def build_manifest(
    graph: Graph, plan: Plan, generated: GeneratedModel, target: Target, backend: str,
    options: CodegenOptions,
) -> dict[str, Any]:
    name = options.name
    generated_sources = [f"{name}.c", f"{name}_weights.c"]
    kernel_sources = [str(p) for p in generated.kernel_sources]
    ops = []
    for e in generated.ops:
        op = e.lowered.op
        ops.append({
            "node": op.source.index if op.source else None,
            "op": op.source.op_type if op.source else op.kind,
            "version": op.source.version if op.source else None,
            "kind": op.kind,
            "name": op.name,
            "kernel": e.lowered.kernel.name,
            "backend": e.lowered.kernel.backend,
            "plugin": e.lowered.kernel.plugin,
            "function": e.call.function if e.call else None,
            "macs": op_macs(op, graph),
            "scratch_bytes": e.lowered.scratch_bytes,
            "output": {"name": op.outputs[0], "shape": list(graph.tensors[op.outputs[0]].shape),
                       "arena_offset": plan.offsets.get(op.outputs[0])},
        })
    return {
        "schema": SCHEMA,
        "generator": f"tinyml-build {__version__}",
        "name": name,
        "model": options.model_file,
        "model_sha256": options.model_sha256,
        "frozen_inputs": dict(options.frozen_inputs),
        "target": target.name,
        "backend": backend,
        "sources": generated_sources + kernel_sources,
        "generated_sources": generated_sources,
        "kernel_sources": kernel_sources,
        "headers": [f"{name}.h"],
        "include_dirs": ["."] + [str(p) for p in generated.include_dirs],
        "defines": list(generated.defines),
        "libraries": list(generated.libraries),
        "arena_bytes": plan.arena_bytes,
        "arena_section": options.arena_section,
        "weights_section": options.weights_section,
        "inputs": [_io(graph.tensors[n], plan.offsets.get(n)) for n in graph.inputs],
        "outputs": [_io(graph.tensors[n], plan.offsets.get(n)) for n in graph.outputs],
        "ops": ops,
        "plan": {
            "lower_bound": plan.lower_bound,
            "strategy": plan.strategy,
            "order": plan.order_strategy,
            "alignment": plan.alignment,
            "tried": dict(sorted(plan.tried.items())),
            "buffers": [
                {"name": b.name, "tensors": b.tensors, "bytes": b.size, "offset": b.offset,
                 "first": b.first, "last": b.last}
                for b in sorted(plan.buffers, key=lambda b: (b.offset, b.name))
            ],
        },
        "symbols": {
            "prefix": f"{name}_",
            "arena": f"{name}_arena",
            "consts": [
                {"symbol": c.symbol, "kind": c.kind, "bytes": c.nbytes, "label": c.label}
                for c in generated.consts
            ],
            "params": [p.symbol for p in generated.params],
        },
        "sizes": {
            "weights_bytes": generated.weights_bytes,
            "derived_bytes": generated.derived_bytes,
            "macs": sum(o["macs"] for o in ops),
        },
    }
