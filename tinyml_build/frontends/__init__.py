"""Model files in, IR out: one module per format, dispatched on the file's content."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..ir import Graph


def c_name_for(path: Path) -> str:
    """The default model name (C prefix) from a file name: kws.tflite -> kws."""
    stem = re.sub(r"[^0-9A-Za-z_]", "_", path.stem) or "model"
    return f"m_{stem}" if stem[0].isdigit() else stem


def load_model(path: str | Path, name: str | None = None,
               freeze: Mapping[str, np.ndarray] | None = None) -> Graph:
    """Read and parse a model file; every problem with the file becomes a ModelError.

    `freeze` maps graph input names to values that become constants (ONNX only).
    """
    p = Path(path)
    if not p.exists():
        raise ModelError(f"{p}: no such file", "check the model path")
    if p.is_dir():
        raise ModelError(f"{p}: is a directory, not a model file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ModelError(f"{p}: cannot read: {exc.strerror}") from exc
    if not data:
        raise ModelError(f"{p}: file is empty", "pass a .tflite or .onnx model")
    graph_name = name or c_name_for(p)
    is_tflite = (len(data) >= 8 and data[4:8] == b"TFL3") or p.suffix.lower() == ".tflite"
    if is_tflite and freeze:
        raise ModelError(f"{p}: --freeze applies to ONNX models only",
                         "TFLite models keep their constants in the file")
    if len(data) >= 8 and data[4:8] == b"TFL3":
        from .tflite import load_tflite

        return load_tflite(p, data, graph_name)
    if p.suffix.lower() == ".tflite":
        from .tflite import load_tflite

        return load_tflite(p, data, graph_name)
    if p.suffix.lower() == ".onnx":
        try:
            from .onnx import load_onnx
        except ImportError as exc:
            if exc.name not in ("onnx", "google", "google.protobuf"):
                raise
            raise ModelError(f"{p}: reading ONNX models needs the onnx package",
                             "pip install 'tinyml-build[onnx]'") from exc
        return load_onnx(p, data, graph_name, freeze=freeze)
    raise ModelError(
        f"{p}: not a model format tinyml-build reads",
        "supported formats: .tflite (flatbuffer with the TFL3 identifier), .onnx",
    )
