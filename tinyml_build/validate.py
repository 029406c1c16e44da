"""`validate`: compile a model for the host, run it, compare with the reference runtime.

On a mismatch, every op's output from the generated code (traced through <NAME>_TRACE) is
compared with the reference runtime's intermediate tensor, in execution order, and the
first op that differs is named.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .compiler import CompileOptions, compile_model
from .errors import TinymlError
from .hostbuild import build_host_program
from .ir import NUMPY_DTYPES, Graph, Tensor
from .plugins import Plugins
from .reference_runtime import reference_for


@dataclass
class ValidateOptions:
    runs: int = 10
    seed: int = 0
    inputs: list[Path] | None = None
    cc: str | None = None
    name: str | None = None
    keep: Path | None = None
    sanitize: bool = False


@dataclass
class RunComparison:
    run: int
    max_abs_diff: float
    mismatches: int
    total: int


@dataclass
class ValidateReport:
    model: str
    reference: str
    runs: list[RunComparison] = field(default_factory=list)
    first_divergence: str = ""

    @property
    def ok(self) -> bool:
        return all(r.mismatches == 0 for r in self.runs)

    def summary(self) -> str:
        lines = [f"{self.model}: {len(self.runs)} runs against {self.reference}"]
        for r in self.runs:
            state = "bit-exact" if r.mismatches == 0 else (
                f"{r.mismatches}/{r.total} values differ, max |diff| {r.max_abs_diff:g}")
            lines.append(f"  run {r.run}: {state}")
        if self.first_divergence:
            lines.append(f"  first diverging op: {self.first_divergence}")
        return "\n".join(lines) + "\n"

    def failure_line(self) -> str:
        bad = [r for r in self.runs if r.mismatches]
        where = f"; first diverging op: {self.first_divergence}" if self.first_divergence else ""
        return (f"{self.model}: output differs from {self.reference} in {len(bad)} of "
                f"{len(self.runs)} runs{where}")


def random_input(t: Tensor, rng: np.random.RandomState) -> np.ndarray:
    """Full-range random values of the tensor's type (uniform [-1, 1) for floats)."""
    dtype = NUMPY_DTYPES[t.dtype]
    if t.dtype == "float32":
        return rng.uniform(-1.0, 1.0, size=t.shape).astype(np.float32)
    if t.dtype == "bool":
        return rng.randint(0, 2, size=t.shape).astype(np.bool_)
    info = np.iinfo(dtype)
    return rng.randint(int(info.min), int(info.max) + 1, size=t.shape).astype(dtype)


def _load_inputs(graph: Graph, files: list[Path]) -> list[np.ndarray]:
    if len(files) != len(graph.inputs):
        raise TinymlError(f"the model has {len(graph.inputs)} inputs but {len(files)} "
                          "--inputs files were given")
    arrays = []
    for path, name in zip(files, graph.inputs, strict=True):
        t = graph.tensors[name]
        try:
            arr = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise TinymlError(f"{path}: cannot read a .npy array: {exc}") from exc
        if arr.size != t.size:
            raise TinymlError(f"{path}: {arr.size} values, input '{name}' needs {t.size}")
        arrays.append(arr.astype(NUMPY_DTYPES[t.dtype]).reshape(t.shape))
    return arrays


def _diff(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    a64 = a.astype(np.float64).reshape(-1)
    b64 = b.astype(np.float64).reshape(-1)
    if a64.size != b64.size:
        return float("inf"), max(a64.size, b64.size)
    d = np.abs(a64 - b64)
    return (float(d.max()) if d.size else 0.0), int(np.count_nonzero(d))


def validate_model(
    model: Path, options: ValidateOptions, plugins: Plugins | None = None
) -> ValidateReport:
    compile_options = CompileOptions(target="host", name=options.name)
    result = compile_model(model, compile_options, plugins)
    graph = result.graph
    reference = reference_for(Path(model), graph)
    if options.inputs:
        input_sets = [_load_inputs(graph, options.inputs)]
    else:
        input_sets = []
        for r in range(options.runs):
            rng = np.random.RandomState(options.seed + r)
            input_sets.append([random_input(graph.tensors[n], rng) for n in graph.inputs])

    with tempfile.TemporaryDirectory(prefix="tinyml-validate-") as tmp:
        folder = options.keep or Path(tmp)
        program = build_host_program(result, folder, cc=options.cc, sanitize=options.sanitize)
        outputs, _ = program.run(input_sets)
        report = ValidateReport(model=str(model), reference=reference.name)
        first_bad: int | None = None
        for r, (ins, ours) in enumerate(zip(input_sets, outputs, strict=True)):
            theirs = reference.run(ins)
            worst, bad, total = 0.0, 0, 0
            for a, b in zip(ours, theirs, strict=True):
                d, n = _diff(a, b)
                worst, bad, total = max(worst, d), bad + n, total + a.size
            report.runs.append(RunComparison(options.seed + r, worst, bad, total))
            if bad and first_bad is None:
                first_bad = r
        if first_bad is not None:
            report.first_divergence = _first_divergence(program, reference, input_sets[first_bad])
    return report


def _first_divergence(program, reference, inputs: list[np.ndarray]) -> str:
    graph = program.result.graph
    _, trace = program.run([inputs], trace=True)
    reference.run(inputs)
    by_node = {}
    for e in program.result.generated.ops:
        op = e.lowered.op
        by_node[op.source.index if op.source else -1] = e
    for node, data in trace:
        e = by_node.get(node)
        if e is None:
            continue
        t = graph.tensors[e.trace_tensor]
        ours = np.frombuffer(data, dtype=NUMPY_DTYPES[t.dtype])
        theirs = reference.tensor(e.trace_tensor)
        if theirs is None:
            continue
        d, n = _diff(ours, theirs)
        if n:
            return (f"{e.lowered.op.describe()} (kernel {e.lowered.kernel.name}): "
                    f"{n}/{t.size} values differ, max |diff| {d:g}")
    return ""
