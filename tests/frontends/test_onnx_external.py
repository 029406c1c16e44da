"""ONNX external data: read from inside the model's folder only, never from outside."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the ONNX front end needs the onnx package")

from tests.support.onnx_builder import model, node, value  # noqa: E402
from tinyml_build.errors import ModelError  # noqa: E402
from tinyml_build.frontends import load_model, onnx_external  # noqa: E402

W = np.arange(64, dtype=np.float32).reshape(4, 16) / 10


def _model():
    return model([node("MatMul", ["x", "w"], ["y"])], [value("x", "float32", [1, 4])],
                 [value("y", "float32", None)], {"w": W})


def _with_location(folder: Path, location: str, name: str = "m.onnx") -> Path:
    """Save the model with `w` as external data, then point it at `location`."""
    from onnx.external_data_helper import set_external_data

    m = _model()
    t = m.graph.initializer[0]
    raw = t.raw_data or W.tobytes()
    set_external_data(t, location=location, offset=0, length=len(raw))
    t.ClearField("raw_data")
    t.data_location = onnx.TensorProto.EXTERNAL
    path = folder / name
    path.write_bytes(m.SerializeToString())
    return path


@pytest.fixture()
def no_reads(monkeypatch):
    """Fail the test if onnx_external opens any file."""
    opened: list[str] = []

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        raise AssertionError(f"external data read from {file}")

    monkeypatch.setattr(onnx_external, "open", spy, raising=False)
    return opened


def test_external_data_inside_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "w.bin").write_bytes(W.tobytes())
    g = load_model(_with_location(tmp_path, "sub/w.bin"))
    np.testing.assert_array_equal(g.tensors["w"].data, W)


def test_onnx_save_external_data_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ext.onnx"
    onnx.save(_model(), path, save_as_external_data=True, location="ext.data",
              size_threshold=0)
    assert (tmp_path / "ext.data").is_file()
    np.testing.assert_array_equal(load_model(path).tensors["w"].data, W)


@pytest.mark.parametrize("location", ["../w.bin", "sub/../../w.bin", "..\\w.bin"])
def test_parent_traversal_is_refused_without_reading(tmp_path: Path, no_reads,
                                                     location: str) -> None:
    inner = tmp_path / "model"
    inner.mkdir()
    (inner / "sub").mkdir()
    (tmp_path / "w.bin").write_bytes(W.tobytes())
    with pytest.raises(ModelError, match=r"initializer 'w' keeps its data at .* leaves the "
                                         r"model's folder; refusing to read it"):
        load_model(_with_location(inner, location))
    assert no_reads == []


@pytest.mark.parametrize("location", ["/etc/passwd", "C:\\secret.bin", "\\\\host\\share\\w"])
def test_absolute_locations_are_refused(tmp_path: Path, no_reads, location: str) -> None:
    with pytest.raises(ModelError, match="absolute path"):
        load_model(_with_location(tmp_path, location))
    assert no_reads == []


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path, no_reads) -> None:
    inner = tmp_path / "model"
    inner.mkdir()
    secret = tmp_path / "secret.bin"
    secret.write_bytes(W.tobytes())
    os.symlink(secret, inner / "w.bin")
    with pytest.raises(ModelError, match=r"resolves to .*secret.bin.* outside the model's "
                                         r"folder \(a symbolic link\?\)"):
        load_model(_with_location(inner, "w.bin"))
    assert no_reads == []


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real.bin").write_bytes(W.tobytes())
    os.symlink(tmp_path / "real.bin", tmp_path / "w.bin")
    np.testing.assert_array_equal(load_model(_with_location(tmp_path, "w.bin"))
                                  .tensors["w"].data, W)


def test_missing_file_and_bad_range(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_model(_with_location(tmp_path, "nope.bin"))
    (tmp_path / "short.bin").write_bytes(W.tobytes()[:10])
    with pytest.raises(ModelError, match=r"lies outside 'short\.bin'"):
        load_model(_with_location(tmp_path, "short.bin"))
