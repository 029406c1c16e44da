"""Activation fusion into float producers."""

from __future__ import annotations

import numpy as np
import pytest

from tinyml_build.ir import Graph, Op, QuantParams, Tensor
from tinyml_build.ir_eval import run_graph
from tinyml_build.passes.fuse_activation import fuse_activations


def _graph(act: Op, extra_reader: bool = False, dtype: str = "float32") -> Graph:
    q = QuantParams(np.array([0.1], np.float32), np.array([0])) if dtype == "int8" else None
    t = {n: Tensor(n, dtype, (2, 3), quant=q) for n in ("a", "b", "s", "y", "z")}
    ops = [Op("add", ["a", "b"], ["s"], {"activation": "none"}), act]
    outputs = ["y"]
    if extra_reader:
        ops.append(Op("tanh", ["s"], ["z"]))
        outputs.append("z")
    return Graph("g", t, ops, ["a", "b"], outputs, framework="onnx")


@pytest.mark.parametrize("act,attrs", [
    (Op("relu", ["s"], ["y"]), {"activation": "relu"}),
    (Op("clip", ["s"], ["y"], {"min": 0.0, "max": 6.0}), {"activation": "relu6"}),
    (Op("clip", ["s"], ["y"], {"min": -0.5, "max": 0.25}),
     {"activation": "clip", "activation_min": -0.5, "activation_max": 0.25}),
    (Op("leaky_relu", ["s"], ["y"], {"alpha": 0.1}),
     {"activation": "leaky_relu", "activation_alpha": 0.1}),
    (Op("hard_swish", ["s"], ["y"]), {"activation": "hard_swish"}),
])
def test_fuses_and_keeps_the_meaning(act: Op, attrs: dict) -> None:
    g = _graph(act)
    xs = [np.linspace(-4, 4, 6, dtype=np.float32).reshape(2, 3)] * 2
    want = run_graph(g, xs)["y"]
    fuse_activations(g)
    assert [op.kind for op in g.ops] == ["add"]
    assert {k: g.ops[0].attrs[k] for k in attrs} == attrs
    assert g.ops[0].outputs == ["y"]
    np.testing.assert_allclose(run_graph(g, xs)["y"], want, rtol=1e-6)


def test_not_fused_when_another_op_reads_the_producer() -> None:
    g = fuse_activations(_graph(Op("relu", ["s"], ["y"]), extra_reader=True))
    assert [op.kind for op in g.ops] == ["add", "relu", "tanh"]


def test_int8_producers_are_left_alone() -> None:
    g = fuse_activations(_graph(Op("relu", ["s"], ["y"]), dtype="int8"))
    assert [op.kind for op in g.ops] == ["add", "relu"]
