"""QDQ pass: dequantize -> float op -> quantize patterns become int8 ops."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, QuantParams, Tensor
from tinyml_build.passes.qdq import fuse_qdq


def _q(scale, zp=0, axis=None) -> QuantParams:
    s = np.atleast_1d(np.asarray(scale, np.float32))
    return QuantParams(s, np.broadcast_to(np.atleast_1d(np.asarray(zp, np.int64)), s.shape)
                       .copy(), axis=axis)


def _fc_graph(bias_scale: float, out_consumers: int = 1) -> Graph:
    w = np.array([[1, -2, 3], [4, 5, -6]], np.int8)
    t = {
        "xq": Tensor("xq", "int8", (1, 3), quant=_q(0.5, 3)),
        "x": Tensor("x", "float32", (1, 3)),
        "wq": Tensor("wq", "int8", (2, 3), quant=_q([0.1, 0.2], 0, axis=0), data=w),
        "w": Tensor("w", "float32", (2, 3)),
        "bq": Tensor("bq", "int32", (2,), quant=_q(bias_scale),
                     data=np.array([100, -40], np.int32)),
        "b": Tensor("b", "float32", (2,)),
        "y": Tensor("y", "float32", (1, 2)),
        "yq": Tensor("yq", "int8", (1, 2), quant=_q(0.25, -5)),
        "z": Tensor("z", "float32", (1, 2)),
    }
    ops = [Op("dequantize", ["xq"], ["x"]), Op("dequantize", ["wq"], ["w"]),
           Op("dequantize", ["bq"], ["b"]),
           Op("fully_connected", ["x", "w", "b"], ["y"], {"activation": "relu"}),
           Op("quantize", ["y"], ["yq"], {"rounding": "half_even"}),
           Op("dequantize", ["yq"], ["z"])]
    outputs = ["z"]
    if out_consumers > 1:
        t["other"] = Tensor("other", "float32", (1, 2))
        ops.append(Op("tanh", ["y"], ["other"]))
        outputs.append("other")
    return Graph("g", t, ops, ["xq"], outputs, framework="onnx")


def test_fully_connected_becomes_int8() -> None:
    g = fuse_qdq(_fc_graph(bias_scale=0.05))
    fc = next(op for op in g.ops if op.kind == "fully_connected")
    assert fc.inputs[:2] == ["xq", "wq"] and fc.outputs == ["yq"]
    bias = g.tensors[fc.inputs[2]]
    # the bias already had scale x_scale * w_scale for channel 0 (0.5 * 0.1): kept; the
    # per-channel expectation [0.05, 0.1] differs for channel 1, so it was requantised
    np.testing.assert_array_equal(bias.data, [100, -20])
    np.testing.assert_allclose(bias.quant.scale, [0.05, 0.1])
    assert [op.kind for op in g.ops if op.kind != "dequantize"] == ["fully_connected"]


def test_output_read_by_a_float_op_stays_float() -> None:
    g = fuse_qdq(_fc_graph(bias_scale=0.05, out_consumers=2))
    fc = next(op for op in g.ops if op.kind == "fully_connected")
    assert fc.inputs[0] == "x" and fc.outputs == ["y"]


def _pool_graph(out_scale: float, kind: str = "max_pool2d") -> Graph:
    t = {"xq": Tensor("xq", "int8", (1, 4, 4, 2), quant=_q(0.5, 1)),
         "x": Tensor("x", "float32", (1, 4, 4, 2)),
         "y": Tensor("y", "float32", (1, 2, 2, 2)),
         "yq": Tensor("yq", "int8", (1, 2, 2, 2), quant=_q(out_scale, 1))}
    attrs = {"filter": (2, 2), "stride": (2, 2), "dilation": (1, 1), "pads": (0, 0, 0, 0),
             "activation": "none", "count_include_pad": False}
    ops = [Op("dequantize", ["xq"], ["x"]), Op(kind, ["x"], ["y"], attrs),
           Op("quantize", ["y"], ["yq"], {"rounding": "half_even"})]
    return Graph("g", t, ops, ["xq"], ["yq"], framework="onnx")


def test_pool_with_the_same_quantisation_becomes_int8() -> None:
    g = fuse_qdq(_pool_graph(0.5))
    assert [(op.kind, op.inputs, op.outputs) for op in g.ops] == [
        ("max_pool2d", ["xq"], ["yq"])]


def test_pool_that_requantises_stays_float() -> None:
    g = fuse_qdq(_pool_graph(0.25, kind="avg_pool2d"))
    assert [op.kind for op in g.ops] == ["dequantize", "avg_pool2d", "quantize"]


def test_transpose_after_dequantize_moves_onto_the_int8_side() -> None:
    t = {"xq": Tensor("xq", "int8", (1, 2, 3, 3), quant=_q(0.5, 1)),
         "x": Tensor("x", "float32", (1, 2, 3, 3)),
         "xt": Tensor("xt", "float32", (1, 3, 3, 2)),
         "y": Tensor("y", "float32", (1, 3, 3, 2))}
    ops = [Op("dequantize", ["xq"], ["x"]),
           Op("transpose", ["x"], ["xt"], {"perm": (0, 2, 3, 1)}),
           Op("relu", ["xt"], ["y"])]
    g = fuse_qdq(Graph("g", t, ops, ["xq"], ["y"], framework="onnx"))
    assert [op.kind for op in g.ops] == ["transpose", "dequantize", "relu"]
    assert g.tensors[g.ops[0].outputs[0]].dtype == "int8"


def test_quantize_of_dequantize_with_equal_parameters_disappears() -> None:
    t = {"xq": Tensor("xq", "int8", (4,), quant=_q(0.5, 1)),
         "x": Tensor("x", "float32", (4,)),
         "yq": Tensor("yq", "int8", (4,), quant=_q(0.5, 1)),
         "y": Tensor("y", "float32", (4,))}
    ops = [Op("dequantize", ["xq"], ["x"]), Op("quantize", ["x"], ["yq"]),
           Op("dequantize", ["yq"], ["y"])]
    g = fuse_qdq(Graph("g", t, ops, ["xq"], ["y"], framework="onnx"))
    assert [(op.kind, op.inputs, op.outputs) for op in g.ops] == [
        ("dequantize", ["xq"], ["y"])]
