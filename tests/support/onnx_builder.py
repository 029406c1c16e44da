"""Tiny helpers to write ONNX models in tests with onnx.helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_TYPES = {"float32": 1, "uint8": 2, "int8": 3, "int32": 6, "int64": 7}


def value(name: str, dtype: str, shape: list | tuple | None):
    from onnx import helper

    return helper.make_tensor_value_info(name, _TYPES[dtype],
                                         list(shape) if shape is not None else None)


def model(nodes: list, inputs: list, outputs: list, inits: dict[str, np.ndarray] | None = None,
          opset: int = 17, name: str = "test"):
    from onnx import helper, numpy_helper

    graph = helper.make_graph(
        nodes, name, inputs, outputs,
        initializer=[numpy_helper.from_array(np.asarray(v), k) for k, v in (inits or {}).items()],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    if any(not o.type.tensor_type.HasField("shape") for o in m.graph.output):
        _infer_output_shapes(m)
    return m


def _infer_output_shapes(m) -> None:
    """Outputs given without a shape get the one shape inference finds (the checker needs
    a shape on graph outputs)."""
    from onnx import shape_inference

    probe = type(m)()
    probe.CopyFrom(m)
    names = {o.name for o in probe.graph.output}
    del probe.graph.output[:]
    inferred = shape_inference.infer_shapes(probe)
    found = {vi.name: vi for vi in inferred.graph.value_info if vi.name in names}
    for o in m.graph.output:
        if not o.type.tensor_type.HasField("shape") and o.name in found:
            o.type.CopyFrom(found[o.name].type)


def save(m, folder: Path, name: str = "model.onnx") -> Path:
    import onnx

    path = folder / name
    onnx.save(m, path)
    return path


def node(op: str, inputs: list[str], outputs: list[str], **attrs):
    from onnx import helper

    return helper.make_node(op, inputs, outputs, name=f"{op.lower()}_{outputs[0]}", **attrs)
