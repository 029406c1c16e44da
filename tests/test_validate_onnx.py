"""`validate` on ONNX models: onnxruntime as the reference, tolerances, first divergence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx", reason="ONNX models need the onnx package")
pytest.importorskip("onnxruntime", reason="the ONNX reference runtime is onnxruntime")

from tests.support.onnx_builder import model, node, save, value
from tinyml_build.ir import Tensor
from tinyml_build.validate import (
    ONNX_TOLERANCE,
    Tolerance,
    ValidateOptions,
    _reference_value,
    validate_model,
)

RNG = np.random.default_rng(4)
DATA = Path(__file__).resolve().parent / "data" / "onnx"


def test_digits_mlp_validates() -> None:
    report = validate_model(DATA / "digits_mlp.onnx", ValidateOptions(runs=2))
    assert report.ok, report.summary()
    assert report.reference == "onnxruntime"
    assert "rtol 0.001" in report.summary()


def test_first_divergence_names_the_op(tmp_path: Path, monkeypatch) -> None:
    m = model([node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
               node("Relu", ["c"], ["r"]),
               node("Conv", ["r", "w2"], ["y"])],
              [value("x", "float32", [1, 2, 5, 5])], [value("y", "float32", None)],
              {"w": RNG.normal(size=(3, 2, 3, 3)).astype(np.float32),
               "w2": RNG.normal(size=(2, 3, 1, 1)).astype(np.float32)})
    path = save(m, tmp_path)
    assert validate_model(path, ValidateOptions(runs=1)).ok
    # make the generated code wrong: conv1's fused ReLU becomes a clip at 0.5
    from tinyml_build.passes import fuse_activation

    def broken(op):
        return {"activation": "clip", "activation_min": 0.0, "activation_max": 0.5}

    monkeypatch.setattr(fuse_activation, "activation_of", broken)
    report = validate_model(path, ValidateOptions(runs=1))
    assert not report.ok
    assert "node 0 (Conv" in report.first_divergence, report.first_divergence


def test_tolerance() -> None:
    a = np.array([1.0, 2.0, 3.0], np.float32)
    assert ONNX_TOLERANCE.compare(a, a * (1 + 5e-4))[1] == 0
    assert ONNX_TOLERANCE.compare(a, a * (1 + 5e-3))[1] == 3
    q = np.array([1, 2, 3], np.int8)
    assert ONNX_TOLERANCE.compare(q, q + 1)[1] == 0
    assert ONNX_TOLERANCE.compare(q, q + 2)[1] == 3
    assert Tolerance().compare(q, q + 1)[1] == 3


class _Ref:
    def __init__(self, values: dict[str, np.ndarray]) -> None:
        self.values = values

    def tensor(self, name: str):
        return self.values.get(name)


def test_reference_values_follow_layout_and_uint8_shift() -> None:
    nchw = np.arange(24, dtype=np.uint8).reshape(1, 2, 3, 4)
    t = Tensor("c:3", "int8", (1, 3, 4, 2), reference=("c", (0, 2, 3, 1)))
    got = _reference_value(_Ref({"c": nchw}), t)
    np.testing.assert_array_equal(got, np.transpose(nchw, (0, 2, 3, 1)).astype(np.int16) - 128)
    assert _reference_value(_Ref({}), t) is None
