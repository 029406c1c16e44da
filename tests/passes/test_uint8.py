"""uint8 quantised tensors move to int8 inside; the model's uint8 I/O stays uint8."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, QuantParams, Tensor
from tinyml_build.passes.uint8 import uint8_to_int8


def _q(zp: int) -> QuantParams:
    return QuantParams(np.array([0.5], np.float32), np.array([zp], np.int64))


def test_inputs_outputs_constants_and_intermediates() -> None:
    t = {"x": Tensor("x", "uint8", (1, 4), quant=_q(128)),
         "w": Tensor("w", "uint8", (2, 4), quant=_q(130),
                     data=np.array([[0, 128, 255, 1]] * 2, np.uint8)),
         "h": Tensor("h", "uint8", (1, 2), quant=_q(10)),
         "y": Tensor("y", "uint8", (1, 2), quant=_q(0)),
         "plain": Tensor("plain", "uint8", (1, 2))}
    ops = [Op("fully_connected", ["x", "w"], ["h"], {"activation": "none"}),
           Op("max_pool2d", ["h"], ["y"]), Op("reshape", ["h"], ["plain"])]
    g = uint8_to_int8(Graph("g", t, ops, ["x"], ["y", "plain"], framework="onnx"))
    kinds = [(op.kind, op.inputs, op.outputs) for op in g.ops]
    x8, y8 = kinds[0][2][0], kinds[-1][1][0]
    assert kinds[0][0] == "quantize" and kinds[0][1] == ["x"]
    assert kinds[-1][0] == "quantize" and kinds[-1][2] == ["y"]
    assert g.tensors[x8].dtype == "int8" and g.tensors[x8].quant.scalar_zero_point == 0
    assert g.tensors["x"].dtype == "uint8" and g.tensors["y"].dtype == "uint8"
    assert g.tensors[y8].quant.scalar_zero_point == -128
    w = g.tensors["w"]
    assert w.dtype == "int8" and w.quant.scalar_zero_point == 2
    np.testing.assert_array_equal(w.data[0], [-128, 0, 127, -127])
    assert g.tensors["h"].dtype == "int8" and g.tensors["h"].quant.scalar_zero_point == -118
    assert g.tensors["plain"].dtype == "uint8"  # not quantised: a plain integer


def test_tensors_only_quantize_and_dequantize_touch_stay_uint8() -> None:
    t = {"x": Tensor("x", "float32", (4,)), "q": Tensor("q", "uint8", (4,), quant=_q(3)),
         "y": Tensor("y", "float32", (4,))}
    ops = [Op("quantize", ["x"], ["q"]), Op("dequantize", ["q"], ["y"])]
    g = uint8_to_int8(Graph("g", t, ops, ["x"], ["y"], framework="onnx"))
    assert len(g.ops) == 2 and g.tensors["q"].dtype == "uint8"
