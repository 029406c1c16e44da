"""The float32 MLPerf Tiny TFLite models run on the float kernels the ONNX work added,
bit-exact with TFLM's reference kernels (same summation order: bias after the sum)."""

from __future__ import annotations

import pytest

from tinyml_build.validate import ValidateOptions, validate_model

pytestmark = pytest.mark.slow

pytest.importorskip("tflite_micro", reason="TFLM is the reference for TFLite models")


@pytest.mark.parametrize("name", ["ad_autoencoder_float32.tflite", "ic_resnet8_float32.tflite",
                                  "vww_mobilenet_v1_025_float32.tflite"])
def test_float_tflite_model_is_bit_exact(mlperf_models, name: str) -> None:
    path = mlperf_models["ad"].parent / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the MLPerf Tiny model folder")
    report = validate_model(path, ValidateOptions(runs=2))
    assert report.ok, report.summary()
    assert all(r.max_abs_diff == 0 for r in report.runs), report.summary()
