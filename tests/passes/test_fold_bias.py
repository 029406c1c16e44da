"""A constant per-channel add after fully_connected/conv folds into the bias."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.ir_eval import run_graph
from tinyml_build.passes.fold_bias import fold_bias

RNG = np.random.default_rng(3)


def _graph(c_shape: tuple[int, ...]) -> Graph:
    t = {"x": Tensor("x", "float32", (2, 6)),
         "w": Tensor("w", "float32", (4, 6), data=RNG.normal(size=(4, 6)).astype(np.float32)),
         "c": Tensor("c", "float32", c_shape, data=RNG.normal(size=c_shape).astype(np.float32)),
         "f": Tensor("f", "float32", (2, 4)), "y": Tensor("y", "float32", (2, 4))}
    ops = [Op("fully_connected", ["x", "w"], ["f"], {"activation": "none"}),
           Op("add", ["c", "f"], ["y"], {"activation": "relu"})]
    return Graph("g", t, ops, ["x"], ["y"], framework="onnx")


def test_channel_vector_becomes_the_bias_and_keeps_the_activation() -> None:
    g = _graph((1, 4))
    x = RNG.normal(size=(2, 6)).astype(np.float32)
    want = run_graph(g, [x])["y"]
    fold_bias(g)
    assert [op.kind for op in g.ops] == ["fully_connected"]
    assert g.ops[0].attrs["activation"] == "relu" and len(g.ops[0].inputs) == 3
    np.testing.assert_allclose(run_graph(g, [x])["y"], want, rtol=1e-6, atol=1e-6)


def test_per_row_constant_is_not_a_bias() -> None:
    g = _graph((2, 1))
    fold_bias(g)
    assert [op.kind for op in g.ops] == ["fully_connected", "add"]
