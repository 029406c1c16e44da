"""`validate`: compile a model for the host, run it, compare with the reference runtime.

TFLite models must match TFLM bit for bit. ONNX models are compared with onnxruntime
within a tolerance: float32 values within rtol 1e-3 / atol 1e-5, integers within 1 LSB
(the int8 kernels use TFLite's fixed-point requantisation, onnxruntime float scaling).
On a mismatch, every op's output from the generated code (traced through <NAME>_TRACE) is
compared with the reference runtime's intermediate tensor, in execution order, and the
first op that differs is named; tensors the compiler re-laid out (NCHW -> NHWC) are
compared through their `reference` permutation.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    freeze: dict[str, Any] = field(default_factory=dict)
    #: None: exact for TFLite; rtol 1e-3, atol 1e-5, 1 LSB for ONNX
    tolerance: Tolerance | None = None


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 0.0
    atol: float = 0.0
    lsb: int = 0

    @property
    def exact(self) -> bool:
        return self.rtol == 0 and self.atol == 0 and self.lsb == 0

    def describe(self) -> str:
        if self.exact:
            return "bit-exact"
        return f"float rtol {self.rtol:g} atol {self.atol:g}, integers {self.lsb} LSB"

    def compare(self, ours: np.ndarray, theirs: np.ndarray) -> tuple[float, int]:
        """(max |difference|, values outside the tolerance)."""
        a = ours.astype(np.float64).reshape(-1)
        b = theirs.astype(np.float64).reshape(-1)
        if a.size != b.size:
            return float("inf"), max(a.size, b.size)
        d = np.abs(a - b)
        if np.issubdtype(ours.dtype, np.floating):
            bad = ~(d <= self.atol + self.rtol * np.abs(b))
            bad &= ~(np.isnan(a) & np.isnan(b))
        else:
            bad = d > self.lsb
        worst = float(np.nanmax(d)) if d.size else 0.0
        return worst, int(np.count_nonzero(bad))


EXACT = Tolerance()
ONNX_TOLERANCE = Tolerance(rtol=1e-3, atol=1e-5, lsb=1)


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
    tolerance: Tolerance = EXACT

    @property
    def ok(self) -> bool:
        return all(r.mismatches == 0 for r in self.runs)

    def summary(self) -> str:
        lines = [f"{self.model}: {len(self.runs)} runs against {self.reference} "
                 f"({self.tolerance.describe()})"]
        for r in self.runs:
            if r.mismatches:
                state = (f"{r.mismatches}/{r.total} values differ, max |diff| "
                         f"{r.max_abs_diff:g}")
            elif r.max_abs_diff == 0:
                state = "bit-exact"
            else:
                state = f"within tolerance, max |diff| {r.max_abs_diff:g}"
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


def validate_model(
    model: Path, options: ValidateOptions, plugins: Plugins | None = None
) -> ValidateReport:
    compile_options = CompileOptions(target="host", name=options.name, freeze=options.freeze)
    result = compile_model(model, compile_options, plugins)
    graph = result.graph
    reference = reference_for(Path(model), graph, options.freeze)
    tolerance = options.tolerance or (ONNX_TOLERANCE if graph.framework == "onnx" else EXACT)
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
        report = ValidateReport(model=str(model), reference=reference.name,
                                tolerance=tolerance)
        first_bad: int | None = None
        for r, (ins, ours) in enumerate(zip(input_sets, outputs, strict=True)):
            theirs = reference.run(ins)
            worst, bad, total = 0.0, 0, 0
            for a, b in zip(ours, theirs, strict=True):
                d, n = tolerance.compare(a, np.asarray(b))
                worst, bad, total = max(worst, d), bad + n, total + a.size
            report.runs.append(RunComparison(options.seed + r, worst, bad, total))
            if bad and first_bad is None:
                first_bad = r
        if first_bad is not None:
            report.first_divergence = _first_divergence(program, reference,
                                                        input_sets[first_bad], tolerance)
    return report


def _reference_value(reference, t: Tensor) -> np.ndarray | None:
    """The reference runtime's value of IR tensor t, in t's layout and type."""
    name, perm = t.reference if t.reference is not None else (t.name, None)
    theirs = reference.tensor(name)
    if theirs is None:
        return None
    theirs = np.asarray(theirs)
    if perm is not None:
        if theirs.ndim != len(perm):
            return None
        theirs = np.transpose(theirs, perm)
    if theirs.size != t.size:
        return None
    if t.dtype == "int8" and theirs.dtype == np.uint8:  # the uint8 pass moved it by 128
        theirs = theirs.astype(np.int16) - 128
    return theirs.reshape(t.shape)


def _first_divergence(program, reference, inputs: list[np.ndarray],
                      tolerance: Tolerance = EXACT) -> str:
    graph = program.result.graph
    _, trace = program.run([inputs], trace=True)
    reference.run(inputs)
    # one trace record per emitted op, in execution order
    for e, (_, data) in zip(program.result.generated.ops, trace, strict=False):
        t = graph.tensors[e.trace_tensor]
        theirs = _reference_value(reference, t)
        if theirs is None:
            continue
        ours = np.frombuffer(data, dtype=NUMPY_DTYPES[t.dtype]).reshape(t.shape)
        d, n = tolerance.compare(ours, theirs)
        if n:
            return (f"{e.lowered.op.describe()} (kernel {e.lowered.kernel.name}): "
                    f"{n}/{t.size} values differ, max |diff| {d:g}")
    return ""
