"""ir_eval, the NumPy meaning of IR ops: checked against onnxruntime on whole graphs, before
and after the passes (constant folding relies on it; the pass tests compare with it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx", reason="these graphs come from the ONNX front end")
pytest.importorskip("onnxruntime", reason="onnxruntime is the reference")

import onnx

from tests.support.onnx_models import build_cnn, cnn_inputs, ort_session
from tinyml_build.frontends import load_model
from tinyml_build.ir import QuantParams
from tinyml_build.ir_eval import dequantize_array, quantize_array, run_graph
from tinyml_build.passes import run_passes


@pytest.mark.parametrize("batchnorm", [False, True])
def test_cnn_graph_before_and_after_passes(tmp_path: Path, batchnorm: bool) -> None:
    path = tmp_path / "cnn.onnx"
    onnx.save(build_cnn(batchnorm=batchnorm), path)
    x = cnn_inputs(1, seed=1)[0]
    want = ort_session(path).run(None, {"x": x})[0]
    before = load_model(path)
    np.testing.assert_allclose(run_graph(before, [x])["y"], want, rtol=1e-4, atol=1e-6)
    after = run_passes(load_model(path))
    assert len(after.ops) < len(before.ops)
    np.testing.assert_allclose(run_graph(after, [x])["y"], want, rtol=1e-4, atol=1e-6)


def test_quantize_rounding_modes() -> None:
    q = QuantParams(np.array([2.0], np.float32), np.array([0]))
    x = np.array([1.0, 3.0, 5.0, -1.0, -3.0], np.float32)  # exactly .5 after scaling
    np.testing.assert_array_equal(quantize_array(x, q, "int8", "half_even"), [0, 2, 2, 0, -2])
    np.testing.assert_array_equal(quantize_array(x, q, "int8", "half_away"), [1, 2, 3, -1, -2])
    big = np.array([1e6, -1e6], np.float32)
    np.testing.assert_array_equal(quantize_array(big, q, "uint8", "half_even"), [255, 0])


def test_per_axis_dequantize() -> None:
    q = QuantParams(np.array([1.0, 0.5], np.float32), np.array([0, 4]), axis=1)
    x = np.array([[0, 4], [2, 8]], np.uint8)
    np.testing.assert_array_equal(dequantize_array(x, q), [[0, 0], [2, 2]])
