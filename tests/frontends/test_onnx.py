"""ONNX front end: conversion into the IR, validation and its error messages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the ONNX front end needs the onnx package")

from tests.support.onnx_builder import model, node, save, value  # noqa: E402
from tinyml_build.errors import ModelError, UnsupportedOpError  # noqa: E402
from tinyml_build.frontends import load_model  # noqa: E402
from tinyml_build.ir_eval import run_graph  # noqa: E402

RNG = np.random.default_rng(0)


def _conv_model(auto_pad: str | None = None, pads=(1, 1, 1, 1), strides=(1, 1)):
    attrs = {"kernel_shape": [3, 3], "strides": list(strides)}
    if auto_pad:
        attrs["auto_pad"] = auto_pad
    else:
        attrs["pads"] = list(pads)
    return model(
        [node("Conv", ["x", "w", "b"], ["y"], **attrs)],
        [value("x", "float32", [1, 3, 8, 7])], [value("y", "float32", None)],
        {"w": RNG.normal(size=(4, 3, 3, 3)).astype(np.float32),
         "b": RNG.normal(size=4).astype(np.float32)},
    )


def test_conv_is_nhwc_between_transposes(tmp_path: Path) -> None:
    g = load_model(save(_conv_model(pads=(1, 0, 2, 1), strides=(2, 1)), tmp_path))
    assert [op.kind for op in g.ops] == ["transpose", "transpose", "conv2d", "transpose"]
    conv = g.ops[2]
    assert conv.attrs["pads"] == (1, 0, 2, 1)  # top, left, bottom, right
    assert conv.attrs["stride"] == (2, 1)
    assert g.tensors[conv.inputs[0]].shape == (1, 8, 7, 3)  # NHWC
    assert g.tensors[conv.inputs[1]].shape == (4, 3, 3, 3)  # OHWI
    # the model's own NCHW shapes at the boundary
    assert g.tensors["x"].shape == (1, 3, 8, 7)
    assert g.tensors["y"].shape == (1, 4, 5, 6)
    # the NHWC tensor remembers which model tensor it is a permutation of
    assert g.tensors[conv.outputs[0]].reference == ("y", (0, 2, 3, 1))


@pytest.mark.parametrize("auto_pad,expected", [("SAME_UPPER", (1, 1, 1, 1)),
                                               ("VALID", (0, 0, 0, 0))])
def test_conv_auto_pad(tmp_path: Path, auto_pad: str, expected: tuple) -> None:
    g = load_model(save(_conv_model(auto_pad=auto_pad), tmp_path))
    assert g.ops[2].attrs["pads"] == expected


def test_frontend_graph_means_what_onnxruntime_computes(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    path = save(_conv_model(pads=(2, 1, 0, 1), strides=(2, 2)), tmp_path)
    x = RNG.normal(size=(1, 3, 8, 7)).astype(np.float32)
    ours = run_graph(load_model(path), [x])["y"]
    theirs = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"x": x})[0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_symbolic_batch_is_compiled_as_one(tmp_path: Path) -> None:
    m = model([node("Relu", ["x"], ["y"])], [value("x", "float32", ["N", 4])],
              [value("y", "float32", ["N", 4])])
    g = load_model(save(m, tmp_path))
    assert g.tensors["x"].shape == (1, 4) and g.tensors["y"].shape == (1, 4)


def test_dynamic_non_batch_dimension_is_an_error(tmp_path: Path) -> None:
    m = model([node("Relu", ["x"], ["y"])], [value("x", "float32", [1, "seq"])],
              [value("y", "float32", None)])
    with pytest.raises(ModelError, match=r"graph input 'x' has a dynamic dimension 'seq' "
                                         r"at axis 1.*make_dynamic_shape_fixed"):
        load_model(save(m, tmp_path))


def _reshape_model():
    return model([node("Reshape", ["x", "shape"], ["y"])],
                 [value("x", "float32", [2, 6]), value("shape", "int64", [2])],
                 [value("y", "float32", None)])


def test_shape_input_must_be_constant_names_input_and_fix(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedOpError) as err:
        load_model(save(_reshape_model(), tmp_path))
    text = str(err.value)
    assert "node 0 (Reshape" in text
    assert "its shape input 'shape' is a graph input" in text
    assert "--freeze shape=VALUE.npy" in text and "onnxsim" in text


def test_freeze_turns_an_input_into_a_constant(tmp_path: Path) -> None:
    g = load_model(save(_reshape_model(), tmp_path),
                   freeze={"shape": np.array([3, 4], np.int64)})
    assert g.inputs == ["x"]
    assert g.tensors["y"].shape == (3, 4)
    assert [op.kind for op in g.ops] == ["reshape"]


@pytest.mark.parametrize("freeze,message", [
    ({"nope": np.array([1])}, r"--freeze nope: the model has no graph input named 'nope'"),
    ({"shape": np.array([1, 2, 3], np.int64)}, r"--freeze shape: the value has shape \[3\]"),
    ({"shape": np.array([3.5, 4.0])}, r"do not fit the input's type INT64"),
])
def test_freeze_errors(tmp_path: Path, freeze: dict, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        load_model(save(_reshape_model(), tmp_path), freeze=freeze)


def test_constant_shape_arithmetic_is_evaluated(tmp_path: Path) -> None:
    # PyTorch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat -> Reshape
    m = model(
        [node("Shape", ["x"], ["s"]),
         node("Gather", ["s", "zero"], ["n"], axis=0),
         node("Unsqueeze", ["n", "axes"], ["n1"]),
         node("Concat", ["n1", "minus_one"], ["shape"], axis=0),
         node("Reshape", ["x", "shape"], ["y"])],
        [value("x", "float32", [1, 3, 4, 4])], [value("y", "float32", None)],
        {"zero": np.array(0, np.int64), "axes": np.array([0], np.int64),
         "minus_one": np.array([-1], np.int64)},
    )
    g = load_model(save(m, tmp_path))
    assert [op.kind for op in g.ops] == ["reshape"]
    assert g.tensors["y"].shape == (1, 48)


def test_malformed_protobuf(tmp_path: Path) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07\x12\xff\xff\xff\xff\x0fgarbage")
    with pytest.raises(ModelError, match="not a valid ONNX model"):
        load_model(path)


def test_truncated_model(tmp_path: Path) -> None:
    data = _conv_model().SerializeToString()
    path = tmp_path / "cut.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="not a valid ONNX model"):
        load_model(path)


def test_unsupported_op_names_node_and_op(tmp_path: Path) -> None:
    m = model([node("Erf", ["x"], ["y"])], [value("x", "float32", [4])],
              [value("y", "float32", None)])
    with pytest.raises(UnsupportedOpError, match=r"node 0 \(Erf 'erf_y'\): op Erf is not "
                                                 r"supported.*supported ONNX ops: "):
        load_model(save(m, tmp_path))


def test_contrib_op_is_rejected_with_a_hint(tmp_path: Path) -> None:
    from onnx import helper

    m = model([helper.make_node("QGemm", ["x"], ["y"], domain="com.microsoft", name="qg")],
              [value("x", "float32", [4])], [value("y", "float32", [4])])
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    with pytest.raises(UnsupportedOpError, match=r"com.microsoft::QGemm is not supported.*"
                                                 r"standard ops only"):
        load_model(save(m, tmp_path))


def test_old_opsets_are_rejected(tmp_path: Path) -> None:
    m = model([node("Relu", ["x"], ["y"])], [value("x", "float32", [4])],
              [value("y", "float32", None)], opset=9)
    with pytest.raises(UnsupportedOpError, match=r"opset 9 is older.*version_converter"):
        load_model(save(m, tmp_path))


def test_op_versions_before_opset_11_are_rejected(tmp_path: Path) -> None:
    m = model([node("Clip", ["x"], ["y"], min=0.0, max=1.0)], [value("x", "float32", [4])],
              [value("y", "float32", None)], opset=10)
    with pytest.raises(UnsupportedOpError, match=r"Clip-6 predates opset 11"):
        load_model(save(m, tmp_path))


def test_training_mode_batchnorm_is_rejected(tmp_path: Path) -> None:
    c = np.ones(2, np.float32)
    m = model([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y", "rm", "rv"],
                    training_mode=1)],
              [value("x", "float32", [1, 2, 3, 3])], [value("y", "float32", None)],
              {"s": c, "b": c, "m": c, "v": c})
    with pytest.raises(UnsupportedOpError, match="training mode"):
        load_model(save(m, tmp_path))


def test_graph_input_types_are_checked(tmp_path: Path) -> None:
    m = model([node("Cast", ["x"], ["y"], to=1)], [value("x", "int64", [4])],
              [value("y", "float32", None)])
    with pytest.raises(UnsupportedOpError, match=r"(Cast from int64|graph input 'x' is int64)"):
        load_model(save(m, tmp_path))


def test_quantize_dequantize_carry_quant_params(tmp_path: Path) -> None:
    scale = np.array([0.5, 0.25, 2.0], np.float32)
    m = model(
        [node("QuantizeLinear", ["x", "s", "zp"], ["q"], axis=1),
         node("DequantizeLinear", ["q", "s", "zp"], ["y"], axis=1)],
        [value("x", "float32", [1, 3, 2])], [value("y", "float32", None)],
        {"s": scale, "zp": np.array([0, 10, -3], np.int8)},
    )
    g = load_model(save(m, tmp_path))
    q = g.tensors["q"]
    assert q.dtype == "int8" and q.quant.axis == 1
    np.testing.assert_array_equal(q.quant.scale, scale)
    np.testing.assert_array_equal(q.quant.zero_point, [0, 10, -3])
    assert g.ops[0].attrs["rounding"] == "half_even"


def test_one_tensor_with_two_quantisations_is_rejected(tmp_path: Path) -> None:
    m = model(
        [node("DequantizeLinear", ["q", "s1"], ["a"]),
         node("DequantizeLinear", ["q", "s2"], ["b"]),
         node("Add", ["a", "b"], ["y"])],
        [value("q", "uint8", [4])], [value("y", "float32", None)],
        {"s1": np.array(0.5, np.float32), "s2": np.array(0.25, np.float32)},
    )
    with pytest.raises(UnsupportedOpError, match="two different quantisations"):
        load_model(save(m, tmp_path))


def test_softmax_on_a_middle_axis_is_transposed(tmp_path: Path) -> None:
    m = model([node("Softmax", ["x"], ["y"], axis=1)], [value("x", "float32", [2, 3, 4])],
              [value("y", "float32", None)])
    path = save(m, tmp_path)
    g = load_model(path)
    assert [op.kind for op in g.ops] == ["transpose", "softmax", "transpose"]
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(run_graph(g, [x])["y"], e / e.sum(axis=1, keepdims=True),
                               rtol=1e-6)


def test_1d_conv_runs_through_a_2d_view(tmp_path: Path) -> None:
    m = model([node("Conv", ["x", "w"], ["y"], pads=[1, 1])],
              [value("x", "float32", [1, 2, 9])], [value("y", "float32", None)],
              {"w": RNG.normal(size=(3, 2, 3)).astype(np.float32)})
    path = save(m, tmp_path)
    g = load_model(path)
    conv = next(op for op in g.ops if op.kind == "conv2d")
    assert g.tensors[conv.inputs[0]].shape == (1, 1, 9, 2)
    ort = pytest.importorskip("onnxruntime")
    x = RNG.normal(size=(1, 2, 9)).astype(np.float32)
    theirs = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"x": x})[0]
    np.testing.assert_allclose(run_graph(g, [x])["y"], theirs, rtol=1e-4, atol=1e-5)


def test_damaged_models_only_raise_model_errors(tmp_path: Path) -> None:
    """Seeded byte mutations of a real model: every failure is one ModelError."""
    import random

    from tinyml_build.compiler import CompileOptions, compile_model
    from tinyml_build.errors import TinymlError

    seed = _conv_model().SerializeToString()
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(120):
        data = bytearray(seed)
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(data))
            if rng.random() < 0.7:
                data[pos] = rng.randrange(256)
            else:
                del data[pos:pos + rng.randint(1, 16)]
        path = tmp_path / "damaged.onnx"
        path.write_bytes(bytes(data))
        try:
            compile_model(path, CompileOptions(name="m"))
            outcomes["ok"] += 1
        except TinymlError:
            outcomes["error"] += 1
    assert outcomes["error"] > 0
