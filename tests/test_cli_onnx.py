"""The CLI on ONNX models: --freeze, and one-line errors with exit 1 for bad models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx", reason="ONNX models need the onnx package")

from tests.support.cli import assert_one_line_error, run_cli
from tests.support.onnx_builder import model, node, save, value


def test_traversal_in_external_data_location(tmp_path: Path) -> None:
    from onnx import TensorProto
    from onnx.external_data_helper import set_external_data

    inner = tmp_path / "m"
    inner.mkdir()
    (tmp_path / "w.bin").write_bytes(np.ones(16, np.float32).tobytes())
    m = model([node("MatMul", ["x", "w"], ["y"])], [value("x", "float32", [1, 4])],
              [value("y", "float32", None)], {"w": np.ones((4, 4), np.float32)})
    t = m.graph.initializer[0]
    set_external_data(t, location="../w.bin", offset=0, length=64)
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    path = inner / "evil.onnx"
    path.write_bytes(m.SerializeToString())
    proc = run_cli("compile", str(path), "--target", "host", "--out", str(tmp_path / "out"))
    assert_one_line_error(proc, "evil.onnx", "initializer 'w'", "../w.bin",
                           "refusing to read it")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_malformed_protobuf(tmp_path: Path) -> None:
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"\x0a\xff\xff\xff\xff\x0f not a model")
    assert_one_line_error(run_cli("compile", str(path), "--target", "host", "--out",
                                str(tmp_path / "o")), "junk.onnx", "not a valid ONNX model")


def test_unsupported_op(tmp_path: Path) -> None:
    path = save(model([node("Erf", ["x"], ["y"])], [value("x", "float32", [4])],
                      [value("y", "float32", None)]), tmp_path)
    assert_one_line_error(run_cli("compile", str(path), "--target", "host", "--out",
                                str(tmp_path / "o")), "node 0 (Erf", "op Erf is not supported")


def test_freeze_option(tmp_path: Path) -> None:
    m = model([node("Reshape", ["x", "shape"], ["y"])],
              [value("x", "float32", [2, 6]), value("shape", "int64", [2])],
              [value("y", "float32", None)])
    path = save(m, tmp_path)
    proc = run_cli("compile", str(path), "--target", "host", "--out", str(tmp_path / "a"))
    assert_one_line_error(proc, "'shape' is a graph input", "--freeze shape=VALUE.npy")
    np.save(tmp_path / "shape.npy", np.array([4, 3], np.int64))
    proc = run_cli("compile", str(path), "--target", "host", "--out", str(tmp_path / "b"),
                "--freeze", f"shape={tmp_path / 'shape.npy'}")
    assert proc.returncode == 0, proc.stderr
    header = (tmp_path / "b" / "model.h").read_text()
    assert "MODEL_NUM_INPUTS 1u" in header and "MODEL_OUTPUT0_SHAPE {4, 3}" in header
    proc = run_cli("validate", str(path), "--runs", "1", "--freeze",
                f"shape={tmp_path / 'shape.npy'}")
    assert proc.returncode == 0, proc.stderr + proc.stdout


@pytest.mark.parametrize("spec,fragment", [("shape", "is not NAME=FILE.npy"),
                                           ("shape=missing.npy", "cannot read a .npy array")])
def test_bad_freeze_specs(tmp_path: Path, spec: str, fragment: str) -> None:
    path = save(model([node("Relu", ["x"], ["y"])], [value("x", "float32", [2])],
                      [value("y", "float32", None)]), tmp_path)
    assert_one_line_error(run_cli("compile", str(path), "--target", "host", "--out",
                                str(tmp_path / "o"), "--freeze", spec), fragment)
