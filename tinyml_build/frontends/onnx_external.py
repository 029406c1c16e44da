"""ONNX external data, read safely: only files inside the model's own folder.

A model file names its external data files itself (`location` in each tensor's
external_data), so a hostile or careless model could point at `../../etc/shadow`, at an
absolute path or at a symlink that leaves the folder. onnx's own loader follows such
paths; here the model is parsed with load_external_data=False and every location is
checked before a single byte is read: relative, no `..`, and the fully resolved path
(symlinks followed) still inside the model's resolved folder. Anything else is a
ModelError naming the tensor and the location, never a read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np
from onnx import AttributeProto, GraphProto, ModelProto, TensorProto, helper

from ..errors import ModelError

_HINT = "keep external data files in the model's folder (or below it) and use relative names"


def _graph_tensors(graph: GraphProto) -> Iterator[tuple[str, TensorProto]]:
    for t in graph.initializer:
        yield f"initializer '{t.name}'", t
    for node in graph.node:
        for attr in node.attribute:
            where = f"node '{node.name or node.op_type}' attribute '{attr.name}'"
            if attr.type == AttributeProto.TENSOR:
                yield where, attr.t
            elif attr.type == AttributeProto.TENSORS:
                for t in attr.tensors:
                    yield where, t
            elif attr.type == AttributeProto.GRAPH:
                yield from _graph_tensors(attr.g)
            elif attr.type == AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from _graph_tensors(g)
    for sparse in graph.sparse_initializer:
        yield f"sparse initializer '{sparse.values.name}'", sparse.values
        yield f"sparse initializer '{sparse.values.name}' indices", sparse.indices


def _model_tensors(model: ModelProto) -> Iterator[tuple[str, TensorProto]]:
    yield from _graph_tensors(model.graph)
    for fn in model.functions:
        for node in fn.node:
            for attr in node.attribute:
                if attr.type == AttributeProto.TENSOR:
                    yield f"function '{fn.name}' node '{node.name}'", attr.t


def check_location(model_path: Path, where: str, location: str) -> Path:
    """The file `location` names, or a ModelError if it is not inside the model's folder."""
    prefix = f"{model_path}: {where}"
    if not location:
        raise ModelError(f"{prefix} uses external data without a location", _HINT)
    if "\x00" in location:
        raise ModelError(f"{prefix}: external data location contains a NUL byte", _HINT)
    posix, windows = PurePosixPath(location), PureWindowsPath(location)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or windows.root:
        raise ModelError(f"{prefix} keeps its data at the absolute path '{location}'; "
                         "refusing to read outside the model's folder", _HINT)
    if ".." in posix.parts or ".." in windows.parts:
        raise ModelError(f"{prefix} keeps its data at '{location}', which leaves the model's "
                         "folder; refusing to read it", _HINT)
    folder = model_path.parent.resolve()
    candidate = folder / location
    resolved = Path(os.path.realpath(candidate))
    if not resolved.is_relative_to(folder):
        raise ModelError(f"{prefix} keeps its data at '{location}', which resolves to "
                         f"'{resolved}' outside the model's folder (a symbolic link?); "
                         "refusing to read it", _HINT)
    if not resolved.is_file():
        raise ModelError(f"{prefix}: external data file '{location}' does not exist",
                         "copy the data file next to the model")
    return resolved


def _expected_bytes(t: TensorProto) -> int | None:
    try:
        itemsize = np.dtype(helper.tensor_dtype_to_np_dtype(t.data_type)).itemsize
    except (KeyError, TypeError, ValueError):
        return None
    n = 1
    for d in t.dims:
        n *= int(d)
    return n * itemsize


def inline_external_data(model: ModelProto, model_path: Path) -> None:
    """Read every external tensor's bytes into the model, after checking its location."""
    for where, t in _model_tensors(model):
        if t.data_location != TensorProto.EXTERNAL:
            continue
        info = {e.key: e.value for e in t.external_data}
        path = check_location(model_path, where, info.get("location", ""))
        try:
            offset = int(info.get("offset", "0") or 0)
            length = int(info["length"]) if info.get("length") else -1
        except ValueError:
            raise ModelError(f"{model_path}: {where} has a malformed external data offset "
                             "or length") from None
        size = path.stat().st_size
        if offset < 0 or offset > size or (length >= 0 and offset + length > size):
            raise ModelError(f"{model_path}: {where}: external data range "
                             f"[{offset}, +{length}) lies outside '{path.name}' ({size} B)")
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(length if length >= 0 else size - offset)
        expected = _expected_bytes(t)
        if expected is not None and expected != len(data):
            raise ModelError(f"{model_path}: {where}: external data holds {len(data)} bytes "
                             f"but the tensor's shape and type need {expected}")
        t.raw_data = data
        del t.external_data[:]
        t.data_location = TensorProto.DEFAULT
