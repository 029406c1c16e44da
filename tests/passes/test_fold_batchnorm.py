"""BatchNorm folding into conv/fully_connected, and decomposition where it cannot fold."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.ir_eval import run_graph
from tinyml_build.passes.fold_batchnorm import fold_batchnorm

RNG = np.random.default_rng(2)


def _params(c: int, const: bool = True) -> dict[str, Tensor]:
    values = {"g": RNG.uniform(0.5, 2, c), "b": RNG.normal(size=c), "m": RNG.normal(size=c),
              "v": RNG.uniform(0.2, 2, c)}
    return {k: Tensor(k, "float32", (c,), data=v.astype(np.float32) if const else None)
            for k, v in values.items()}


def _conv_bn(activation: str = "none", const: bool = True) -> Graph:
    t = {"x": Tensor("x", "float32", (1, 5, 5, 3)),
         "w": Tensor("w", "float32", (4, 3, 3, 3),
                     data=RNG.normal(size=(4, 3, 3, 3)).astype(np.float32)),
         "bias": Tensor("bias", "float32", (4,), data=RNG.normal(size=4).astype(np.float32)),
         "c": Tensor("c", "float32", (1, 5, 5, 4)), "y": Tensor("y", "float32", (1, 5, 5, 4))}
    t.update(_params(4, const))
    ops = [Op("conv2d", ["x", "w", "bias"], ["c"],
              {"stride": (1, 1), "dilation": (1, 1), "pads": (1, 1, 1, 1),
               "activation": activation}),
           Op("batch_norm", ["c", "g", "b", "m", "v"], ["y"], {"epsilon": 1e-3, "axis": 3})]
    inputs = ["x"] if const else ["x", "g", "b", "m", "v"]
    return Graph("g", t, ops, inputs, ["y"], framework="onnx")


def _inputs(g: Graph) -> list[np.ndarray]:
    out = [RNG.normal(size=g.tensors["x"].shape).astype(np.float32)]
    for n in g.inputs[1:]:
        out.append(RNG.uniform(0.2, 2, g.tensors[n].shape).astype(np.float32))
    return out


def test_folds_into_the_conv() -> None:
    g = _conv_bn()
    xs = _inputs(g)
    want = run_graph(g, xs)["y"]
    fold_batchnorm(g)
    assert [op.kind for op in g.ops] == ["conv2d"]
    assert g.ops[0].outputs == ["y"]
    np.testing.assert_allclose(run_graph(g, xs)["y"], want, rtol=1e-4, atol=1e-5)


def test_after_a_fused_activation_it_is_decomposed() -> None:
    g = _conv_bn(activation="relu")
    xs = _inputs(g)
    want = run_graph(g, xs)["y"]
    fold_batchnorm(g)
    assert [op.kind for op in g.ops] == ["conv2d", "mul", "add"]
    np.testing.assert_allclose(run_graph(g, xs)["y"], want, rtol=1e-4, atol=1e-5)


def test_run_time_parameters_become_arithmetic() -> None:
    g = _conv_bn(const=False)
    xs = _inputs(g)
    want = run_graph(g, xs)["y"]
    fold_batchnorm(g)
    assert "batch_norm" not in [op.kind for op in g.ops]
    assert "sqrt" in [op.kind for op in g.ops]
    np.testing.assert_allclose(run_graph(g, xs)["y"], want, rtol=1e-4, atol=1e-5)


def test_folds_into_grouped_conv_transpose_and_fully_connected() -> None:
    t = {"x": Tensor("x", "float32", (1, 3, 3, 4)),
         "w": Tensor("w", "float32", (4, 2, 2, 3),
                     data=RNG.normal(size=(4, 2, 2, 3)).astype(np.float32)),
         "c": Tensor("c", "float32", (1, 6, 6, 6)), "y": Tensor("y", "float32", (1, 6, 6, 6)),
         "f": Tensor("f", "float32", (1, 216)),
         "wf": Tensor("wf", "float32", (5, 216),
                      data=RNG.normal(size=(5, 216)).astype(np.float32)),
         "h": Tensor("h", "float32", (1, 5)), "z": Tensor("z", "float32", (1, 5))}
    t.update(_params(6))
    second = {f"{k}2": Tensor(f"{k}2", "float32", (5,), data=RNG.uniform(0.5, 1.5, 5)
                              .astype(np.float32)) for k in "gbmv"}
    t.update(second)
    ops = [Op("conv_transpose", ["x", "w"], ["c"],
              {"stride": (2, 2), "dilation": (1, 1), "pads": (0, 0, 0, 0), "groups": 2,
               "activation": "none"}),
           Op("batch_norm", ["c", "g", "b", "m", "v"], ["y"], {"epsilon": 1e-5, "axis": 3}),
           Op("reshape", ["y"], ["f"]),
           Op("fully_connected", ["f", "wf"], ["h"], {"activation": "none"}),
           Op("batch_norm", ["h", "g2", "b2", "m2", "v2"], ["z"], {"epsilon": 1e-5, "axis": 1})]
    g = Graph("g", t, ops, ["x"], ["z"], framework="onnx")
    xs = [RNG.normal(size=(1, 3, 3, 4)).astype(np.float32)]
    want = run_graph(g, xs)["z"]
    fold_batchnorm(g)
    assert [op.kind for op in g.ops] == ["conv_transpose", "reshape", "fully_connected"]
    np.testing.assert_allclose(run_graph(g, xs)["z"], want, rtol=1e-4, atol=1e-4)
