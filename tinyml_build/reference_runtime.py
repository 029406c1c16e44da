"""Reference runtimes a compiled model is checked against.

TFLite models run in the TFLM Python interpreter (pip `tflite-micro`): its reference kernels
are the ones MCUs run, and it can keep every intermediate tensor for per-op comparison.
These packages are test/validate dependencies, imported only when needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ToolchainError
from .ir import Graph


class ReferenceRuntime(Protocol):
    name: str

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Run one inference; keeps intermediates for `tensor` until the next run."""
        ...

    def tensor(self, name: str) -> np.ndarray | None:
        """The value an intermediate tensor had in the last run, if the runtime keeps it."""
        ...


class TflmRuntime:
    name = "tflite-micro"

    def __init__(self, path: Path, graph: Graph) -> None:
        try:
            from tflite_micro import runtime
        except ImportError as exc:
            raise ToolchainError(
                "the TFLM reference interpreter is not installed",
                hint="pip install 'tinyml-build[test]' (or tflite-micro)",
            ) from exc
        self.graph = graph
        self._interp = runtime.Interpreter.from_bytes(
            path.read_bytes(),
            intrepreter_config=runtime.InterpreterConfig.kPreserveAllTensors,
        )

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        for i, arr in enumerate(inputs):
            self._interp.set_input(arr, i)
        self._interp.invoke()
        return [np.array(self._interp.get_output(i)) for i in range(len(self.graph.outputs))]

    def tensor(self, name: str) -> np.ndarray | None:
        index = self.graph.tensors[name].source_index
        if index is None:
            return None
        try:
            found = self._interp.GetTensor(index, 0)
        except Exception:  # the interpreter may not expose every tensor
            return None
        if isinstance(found, dict):  # {"dtype", "shape", "tensor_data"}
            found = found.get("tensor_data")
        return None if found is None else np.array(found)


def reference_for(path: Path, graph: Graph) -> ReferenceRuntime:
    if graph.framework == "tflite":
        return TflmRuntime(path, graph)
    raise ToolchainError(f"no reference runtime for {graph.framework} models")
