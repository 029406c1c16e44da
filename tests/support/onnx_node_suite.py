"""The onnx package's backend node tests, selected for the ops tinyml-build compiles.

onnx >= 1.23 builds node tests in memory (`load_model_tests(kind="node")`). A case is
selected when its graph is a single default-domain node of an op in OPS and every graph
input and output is a float32, int8 or uint8 tensor, except int64 inputs (shapes, axes,
pads, split sizes), which are frozen into initializers. Inputs the compiler reports as
needing a constant value (Clip bounds, Q/DQ scales, QLinearConv weights) are frozen the
way a user would: from the `--freeze NAME=...` hint in the error, then compiled again.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

OPS = frozenset("""Conv ConvTranspose Gemm MatMul Relu LeakyRelu Clip Sigmoid Tanh HardSigmoid
HardSwish Softmax MaxPool AveragePool GlobalAveragePool GlobalMaxPool Add Sub Mul Div
BatchNormalization Reshape Flatten Squeeze Unsqueeze Concat Transpose Pad ReduceMean Slice
Split Identity QuantizeLinear DequantizeLinear QLinearConv QLinearMatMul""".split())

#: float32 within rtol 1e-3 / atol 1e-5; integers within 1 LSB
RTOL, ATOL, INT_TOLERANCE = 1e-3, 1e-5, 1

_FREEZE_HINT = re.compile(r"--freeze (\S+)=VALUE\.npy")


@dataclass
class NodeCase:
    name: str
    model: object  # onnx.ModelProto
    inputs: list[tuple[str, np.ndarray]]
    outputs: list[tuple[str, np.ndarray]]
    frozen: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def runtime_inputs(self) -> list[np.ndarray]:
        return [a for n, a in self.inputs if n not in self.frozen]


def _array(value: object) -> np.ndarray:
    from onnx import numpy_helper

    if isinstance(value, np.ndarray | np.generic):
        return np.asarray(value)
    return numpy_helper.to_array(value)


def select_cases() -> list[NodeCase]:
    from onnx import TensorProto
    from onnx.backend.test.loader import load_model_tests

    allowed = {TensorProto.FLOAT, TensorProto.INT8, TensorProto.UINT8}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tests = load_model_tests(kind="node")
    cases = []
    for tc in tests:
        g = tc.model.graph
        if len(g.node) != 1 or g.node[0].domain not in ("", "ai.onnx"):
            continue
        if g.node[0].op_type not in OPS:
            continue
        values = list(g.input) + list(g.output)
        if any(not vi.type.HasField("tensor_type") for vi in values):
            continue
        if any(vi.type.tensor_type.elem_type not in allowed | {TensorProto.INT64}
               for vi in g.input):
            continue
        if any(vi.type.tensor_type.elem_type not in allowed for vi in g.output):
            continue
        ins, outs = tc.data_sets[0]
        inputs = [(vi.name, _array(a)) for vi, a in zip(g.input, ins, strict=True)]
        outputs = [(vi.name, _array(a)) for vi, a in zip(g.output, outs, strict=True)]
        frozen = {vi.name: a for vi, (_, a) in zip(g.input, inputs, strict=True)
                  if vi.type.tensor_type.elem_type == TensorProto.INT64}
        cases.append(NodeCase(tc.name, tc.model, inputs, outputs, frozen))
    return cases


def compile_case(case: NodeCase, folder: Path, index: int):
    """CompileResult for the case (freezing what the compiler asks for), or the error."""
    from tinyml_build.compiler import CompileOptions, compile_model
    from tinyml_build.errors import TinymlError

    path = folder / f"{case.name}.onnx"
    path.write_bytes(case.model.SerializeToString())
    names = [n for n, _ in case.inputs]
    for _ in range(len(names) + 1):
        try:
            return compile_model(path, CompileOptions(name=f"m{index}", freeze=case.frozen))
        except TinymlError as exc:
            m = _FREEZE_HINT.search(str(exc))
            if m and m.group(1) in names and m.group(1) not in case.frozen:
                case.frozen[m.group(1)] = dict(case.inputs)[m.group(1)]
                continue
            return exc
    raise AssertionError("unreachable")


def compare(ours: list[np.ndarray], expected: list[tuple[str, np.ndarray]]) -> str | None:
    """None when every output matches within the tolerances, else what differs."""
    for got, (name, want) in zip(ours, expected, strict=True):
        if got.shape != want.shape:
            return f"output '{name}' has shape {got.shape}, expected {want.shape}"
        if want.dtype == np.float32:
            if not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
                diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
                return f"output '{name}' differs by up to {np.nanmax(diff):.3g}"
        else:
            diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
            if diff.size and diff.max() > INT_TOLERANCE:
                return f"output '{name}' differs by up to {int(diff.max())} LSB"
    return None


def load_expected_failures(path: Path) -> dict[str, str]:
    """name -> reason from `name: reason` lines (# starts a comment)."""
    result = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, reason = line.partition(":")
            result[name.strip()] = reason.strip()
    return result
