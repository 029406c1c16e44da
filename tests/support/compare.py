"""Compile a .tflite model with the real CLI path, run it on the host, compare with TFLM.

Used by the kernel tests: the model goes through compile_model and build_host_program
(strict C99, optionally ASan/UBSan), runs all input sets in one process, and every output
must be byte-identical to what the TFLM Python interpreter produces for the same inputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyml_build.compiler import CompileOptions, CompileResult, compile_model
from tinyml_build.hostbuild import build_host_program
from tinyml_build.ir import NUMPY_DTYPES


def tflm_run(model: bytes, input_sets: list[list[np.ndarray]],
             n_outputs: int) -> list[list[np.ndarray]]:
    """Outputs of the TFLM interpreter (reference kernels) for each input set."""
    from tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(model, arena_size=len(model) * 4 + (4 << 20))
    results = []
    for inputs in input_sets:
        for i, arr in enumerate(inputs):
            interp.set_input(arr, i)
        interp.invoke()
        results.append([np.array(interp.get_output(i)).copy() for i in range(n_outputs)])
    return results


def random_inputs(result: CompileResult, runs: int, seed: int = 0) -> list[list[np.ndarray]]:
    """Full-range random integers (uniform [-4, 4) for float inputs) of each input's type."""
    rng = np.random.RandomState(seed)
    graph = result.graph
    sets = []
    for _ in range(runs):
        run = []
        for name in graph.inputs:
            t = graph.tensors[name]
            dtype = NUMPY_DTYPES[t.dtype]
            if t.dtype == "float32":
                run.append(rng.uniform(-4.0, 4.0, size=t.shape).astype(np.float32))
            else:
                info = np.iinfo(dtype)
                run.append(rng.randint(int(info.min), int(info.max) + 1, size=t.shape)
                           .astype(dtype))
        sets.append(run)
    return sets


def compile_model_bytes(model: bytes, folder: Path, name: str = "m") -> CompileResult:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.tflite"
    path.write_bytes(model)
    return compile_model(path, CompileOptions(target="host", name=name))


def run_both(model: bytes, folder: Path, input_sets: list[list[np.ndarray]] | None = None,
             runs: int = 3, seed: int = 0, sanitize: bool = False,
             ) -> tuple[CompileResult, list[list[np.ndarray]], list[list[np.ndarray]]]:
    """(compile result, our outputs, TFLM's outputs) for the same inputs."""
    result = compile_model_bytes(model, folder)
    if input_sets is None:
        input_sets = random_inputs(result, runs, seed)
    program = build_host_program(result, folder / "build", sanitize=sanitize)
    ours, _ = program.run(input_sets)
    theirs = tflm_run(model, input_sets, len(result.graph.outputs))
    return result, ours, theirs


def assert_bit_exact(model: bytes, folder: Path, input_sets: list[list[np.ndarray]] | None = None,
                     runs: int = 3, seed: int = 0, sanitize: bool = False) -> CompileResult:
    """Compile, run and require every output byte to equal TFLM's."""
    result, ours, theirs = run_both(model, folder, input_sets, runs, seed, sanitize)
    graph = result.graph
    for r, (a_run, b_run) in enumerate(zip(ours, theirs, strict=True)):
        assert len(a_run) == len(b_run) == len(graph.outputs)
        for name, a, b in zip(graph.outputs, a_run, b_run, strict=True):
            b = np.asarray(b).astype(a.dtype, copy=False).reshape(a.shape)
            if a.tobytes() != b.tobytes():
                bad = np.flatnonzero(_as_bits(a) != _as_bits(b))
                raise AssertionError(
                    f"run {r}, output '{name}': {bad.size}/{a.size} values differ from TFLM; "
                    f"first at {bad[:5].tolist()}: ours {a.reshape(-1)[bad[:5]].tolist()} "
                    f"tflm {b.reshape(-1)[bad[:5]].tolist()}")
    return result


def _as_bits(a: np.ndarray) -> np.ndarray:
    """The raw bit patterns of a's elements (so float NaNs and -0.0 compare exactly)."""
    return np.ascontiguousarray(a).reshape(-1).view(f"u{a.itemsize}")
