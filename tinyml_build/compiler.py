"""The whole path a model takes: load -> passes -> lowering -> planning -> codegen -> files.

compile_model works in memory and raises before anything touches the disk; write_outputs
then writes every file into a staging folder and moves them into place, so an error never
leaves a half-written model behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .codegen.c_text import is_identifier
from .codegen.emit import CodegenOptions, GeneratedModel, generate
from .codegen.manifest import build_manifest
from .errors import TinymlError
from .frontends import load_model
from .ir import Graph
from .lowering import LoweredOp, backend_order, lower
from .passes import run_passes
from .planner import Plan, plan_memory
from .plugins import Plugins, load_plugins
from .registration import Target


@dataclass
class CompileOptions:
    target: str = "host"
    backend: str | None = None
    name: str | None = None
    arena_section: str | None = None
    weights_section: str | None = None
    alignment: int = 16
    #: graph inputs to compile as constants (ONNX `--freeze NAME=file.npy`)
    freeze: dict[str, Any] = field(default_factory=dict)


@dataclass
class CompileResult:
    graph: Graph
    target: Target
    backend: str
    lowered: list[LoweredOp]
    plan: Plan
    generated: GeneratedModel
    manifest: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)


def _check_section(option: str, value: str | None) -> None:
    if value is None:
        return
    if not value or any(c in value for c in '"\\\n') or not value.isprintable():
        raise TinymlError(f"{option} '{value}' is not a valid section name",
                          hint="use a plain name such as .dtcm_bss")


def _array_digest(value: Any) -> str:
    """sha256 of a frozen input's dtype, shape and bytes: what the generated code depends on."""
    arr = np.ascontiguousarray(value)
    h = hashlib.sha256(f"{arr.dtype.str}{list(arr.shape)}".encode())
    h.update(arr.tobytes())
    return h.hexdigest()


def compile_model(
    model_path: str | Path, options: CompileOptions, plugins: Plugins | None = None
) -> CompileResult:
    path = Path(model_path)
    if options.name is not None and not is_identifier(options.name):
        raise TinymlError(f"model name '{options.name}' is not a C identifier",
                          hint="use letters, digits and underscores, not starting with a digit")
    _check_section("--arena-section", options.arena_section)
    _check_section("--weights-section", options.weights_section)
    plugins = plugins or load_plugins()
    target = plugins.target(options.target)
    backend = backend_order(target, options.backend)[0]
    graph = load_model(path, options.name, freeze=options.freeze)
    graph = run_passes(graph)
    lowered = lower(graph, plugins, target, backend)
    plan = plan_memory(graph, lowered, alignment=options.alignment)
    data = path.read_bytes()
    codegen_options = CodegenOptions(
        name=graph.name,
        model_file=path.name,
        model_sha256=hashlib.sha256(data).hexdigest(),
        frozen_inputs={name: _array_digest(value)
                       for name, value in sorted(options.freeze.items())},
        arena_section=options.arena_section,
        weights_section=options.weights_section,
        alignment=options.alignment,
    )
    generated = generate(graph, lowered, plan, target, codegen_options)
    manifest = build_manifest(graph, plan, generated, target, backend, codegen_options)
    files = dict(generated.files)
    files[f"{graph.name}.json"] = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    return CompileResult(graph, target, backend, lowered, plan, generated, manifest, files)


def write_outputs(result: CompileResult, out_dir: str | Path) -> list[Path]:
    """Write all generated files into out_dir; either all of them land or none does."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TinymlError(f"{out}: cannot create output folder: {exc.strerror}") from exc
    if not out.is_dir():
        raise TinymlError(f"{out}: output path exists and is not a folder")
    staging = Path(tempfile.mkdtemp(prefix=".tinyml-build-", dir=out))
    written: list[Path] = []
    try:
        for name, text in result.files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        for name in result.files:
            final = out / name
            os.replace(staging / name, final)
            written.append(final)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise TinymlError(f"{out}: cannot write generated files: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
