"""Shared fixtures: where the MLPerf Tiny reference models are, and host-build helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MLPERF_MODELS = {
    "kws": "kws_ds_cnn_int8.tflite",
    "vww": "vww_mobilenet_v1_025_int8.tflite",
    "ic": "ic_resnet8_int8.tflite",
    "ad": "ad_autoencoder_int8.tflite",
}


def mlperf_dir() -> Path | None:
    """The MLPerf Tiny models: $TINYML_MODELS_DIR, or the shared folder beside the repo."""
    candidates = []
    if os.environ.get("TINYML_MODELS_DIR"):
        candidates.append(Path(os.environ["TINYML_MODELS_DIR"]))
    candidates += [REPO.parent / "shared" / "models" / "mlperf_tiny",
                   Path("/work/shared/models/mlperf_tiny")]
    for c in candidates:
        if (c / MLPERF_MODELS["vww"]).is_file():
            return c
    return None


@pytest.fixture(scope="session")
def mlperf_models() -> dict[str, Path]:
    folder = mlperf_dir()
    if folder is None:
        pytest.skip("MLPerf Tiny models not found: set TINYML_MODELS_DIR to the folder "
                    "holding kws_ds_cnn_int8.tflite and the other three int8 models")
    return {k: folder / v for k, v in MLPERF_MODELS.items()}
