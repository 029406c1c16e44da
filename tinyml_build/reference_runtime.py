"""Reference runtimes a compiled model is checked against.

TFLite models run in the TFLM Python interpreter (pip `tflite-micro`): its reference kernels
are the ones MCUs run, and it can keep every intermediate tensor for per-op comparison.
ONNX models run in onnxruntime with graph optimisations disabled, so a QDQ model runs as
written (dequantize, float op, quantize); intermediates come from a copy of the model
that lists every node output as a graph output. These packages are test/validate
dependencies, imported only when needed.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class OnnxRuntime:
    """onnxruntime on the CPU, one thread, ORT_DISABLE_ALL (the pinned optimisation level)."""

    name = "onnxruntime"

    def __init__(self, path: Path, graph: Graph,
                 freeze: Mapping[str, np.ndarray] | None = None) -> None:
        try:
            import onnx
            import onnxruntime as ort
        except ImportError as exc:
            raise ToolchainError(
                "onnxruntime is not installed",
                hint="pip install 'tinyml-build[test]' (or onnxruntime)",
            ) from exc
        self._ort = ort
        self.graph = graph
        self.path = path
        self.freeze = dict(freeze or {})
        self._model = onnx.load(str(path))
        self._session = self._make_session(self._model.SerializeToString())
        self._debug = None
        self._last: dict[str, np.ndarray] = {}
        self._intermediates: dict[str, np.ndarray] | None = None

    def _make_session(self, data: bytes):
        so = self._ort.SessionOptions()
        so.graph_optimization_level = self._ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        so.intra_op_num_threads = 1
        so.log_severity_level = 3
        try:
            return self._ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ToolchainError(f"{self.path}: onnxruntime cannot load the model: "
                                 f"{str(exc).splitlines()[0]}") from None

    def _feeds(self, inputs: list[np.ndarray]) -> dict[str, np.ndarray]:
        feeds = dict(self.freeze)
        for name, arr in zip(self.graph.inputs, inputs, strict=True):
            feeds[name] = arr
        return feeds

    def run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        self._last = self._feeds(inputs)
        self._intermediates = None
        outputs = self._session.run(None, self._last)
        return [np.asarray(o) for o in outputs]

    def tensor(self, name: str) -> np.ndarray | None:
        if self._intermediates is None:
            self._intermediates = self._run_debug()
        return self._intermediates.get(name)

    def _run_debug(self) -> dict[str, np.ndarray]:
        from onnx import shape_inference

        if self._debug is None:
            model = shape_inference.infer_shapes(self._model)
            known = {o.name for o in model.graph.output}
            typed = {vi.name: vi for vi in model.graph.value_info}
            for node in model.graph.node:
                for out in node.output:
                    if out and out not in known and out in typed:
                        model.graph.output.append(typed[out])
                        known.add(out)
            self._debug = self._make_session(model.SerializeToString())
        names = [o.name for o in self._debug.get_outputs()]
        values = self._debug.run(None, self._last)
        result = {n: np.asarray(v) for n, v in zip(names, values, strict=True)}
        result.update(self._last)
        return result


def reference_for(path: Path, graph: Graph,
                  freeze: Mapping[str, np.ndarray] | None = None) -> ReferenceRuntime:
    if graph.framework == "tflite":
        return TflmRuntime(path, graph)
    if graph.framework == "onnx":
        return OnnxRuntime(path, graph, freeze)
    raise ToolchainError(f"no reference runtime for {graph.framework} models")
