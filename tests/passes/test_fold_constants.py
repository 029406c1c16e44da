"""Constant folding: all-constant ops become constants; Q/DQ kept until the QDQ pass."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, QuantParams, Tensor
from tinyml_build.passes.fold_constants import fold_constants, fold_constants_keep_qdq


def _graph() -> Graph:
    w = np.arange(24, dtype=np.int8).reshape(2, 3, 2, 2)
    q = QuantParams(np.array([0.5, 0.25], np.float32), np.zeros(2, np.int64), axis=0)
    tensors = {
        "x": Tensor("x", "float32", (1, 2)),
        "wq": Tensor("wq", "int8", (2, 3, 2, 2), quant=q, data=w),
        "wt": Tensor("wt", "int8", (2, 2, 2, 3), quant=q),
        "wf": Tensor("wf", "float32", (2, 2, 2, 3)),
        "c": Tensor("c", "float32", (2,), data=np.array([1, 2], np.float32)),
        "c2": Tensor("c2", "float32", (2,)),
        "y": Tensor("y", "float32", (1, 2)),
    }
    ops = [Op("transpose", ["wq"], ["wt"], {"perm": (0, 2, 3, 1)}),
           Op("dequantize", ["wt"], ["wf"]),
           Op("mul", ["c", "c"], ["c2"], {"activation": "none"}),
           Op("add", ["x", "c2"], ["y"], {"activation": "none"})]
    return Graph("g", tensors, ops, ["x"], ["y", "wf"], framework="onnx")


def test_keep_qdq_folds_layout_but_not_dequantize() -> None:
    g = fold_constants_keep_qdq(_graph())
    assert [op.kind for op in g.ops] == ["dequantize", "add"]
    wt = g.tensors["wt"]
    assert wt.data.shape == (2, 2, 2, 3) and wt.quant.axis == 0
    np.testing.assert_array_equal(wt.data, np.transpose(g.tensors["wq"].data, (0, 2, 3, 1)))
    np.testing.assert_array_equal(g.tensors["c2"].data, [1, 4])


def test_full_folding_dequantizes_constants() -> None:
    g = fold_constants(_graph())
    assert [op.kind for op in g.ops] == ["add"]
    wf = g.tensors["wf"].data
    assert wf.dtype == np.float32
    np.testing.assert_allclose(wf[1], np.transpose(g.tensors["wq"].data, (0, 2, 3, 1))[1] * 0.25)
