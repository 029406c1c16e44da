"""Layout pass: NCHW<->NHWC transposes around convs and pools are sunk and cancelled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx", reason="these graphs come from the ONNX front end")

from tests.support.onnx_builder import model, node, save, value
from tinyml_build.frontends import load_model
from tinyml_build.ir import Graph
from tinyml_build.ir_eval import run_graph
from tinyml_build.passes.fold_constants import fold_constants_keep_qdq
from tinyml_build.passes.layout import optimize_layout

RNG = np.random.default_rng(1)


def _w(o: int, i: int) -> np.ndarray:
    return RNG.normal(0, 0.3, size=(o, i, 3, 3)).astype(np.float32)


def _check_same_meaning(before: Graph, after: Graph, shape: tuple[int, ...]) -> None:
    x = RNG.normal(size=shape).astype(np.float32)
    want = run_graph(before, [x])
    got = run_graph(after, [x])
    for name in before.outputs:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-5)


def _optimise(path: Path) -> tuple[Graph, Graph]:
    before = load_model(path)
    after = optimize_layout(fold_constants_keep_qdq(load_model(path)))
    return before, after


def _transposes(g: Graph) -> list[tuple[int, ...]]:
    return [op.attrs["perm"] for op in g.ops if op.kind == "transpose"]


def test_residual_block_pays_for_one_transpose_at_each_end(tmp_path: Path) -> None:
    m = model(
        [node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]),
         node("Relu", ["c1"], ["r1"]),
         node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1, 1, 1]),
         node("Add", ["c2", "r1"], ["s"]),
         node("Mul", ["s", "scale"], ["m"]),  # per-channel constant [C, 1, 1]
         node("Relu", ["m"], ["r2"]),
         node("MaxPool", ["r2"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
        [value("x", "float32", [1, 4, 6, 6])], [value("y", "float32", None)],
        {"w1": _w(4, 4), "w2": _w(4, 4),
         "scale": RNG.normal(size=(4, 1, 1)).astype(np.float32)},
    )
    before, after = _optimise(save(m, tmp_path))
    assert len(_transposes(before)) == 8
    assert _transposes(after) == [(0, 2, 3, 1), (0, 3, 1, 2)]
    _check_same_meaning(before, after, (1, 4, 6, 6))


@pytest.mark.parametrize("tail", ["concat", "pad", "mean", "slice"])
def test_sinks_through_layout_aware_ops(tmp_path: Path, tail: str) -> None:
    nodes = [node("Conv", ["x", "w1"], ["a"], pads=[1, 1, 1, 1]),
             node("Conv", ["x", "w2"], ["b"], pads=[1, 1, 1, 1])]
    inits = {"w1": _w(3, 2), "w2": _w(3, 2)}
    if tail == "concat":
        nodes.append(node("Concat", ["a", "b"], ["t"], axis=1))
    elif tail == "pad":
        nodes += [node("Add", ["a", "b"], ["s"]), node("Pad", ["s", "pads"], ["t"])]
        inits["pads"] = np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)
    elif tail == "mean":
        nodes += [node("Add", ["a", "b"], ["s"]),
                  node("ReduceMean", ["s", "axes"], ["t"], keepdims=1)]
        inits["axes"] = np.array([2, 3], np.int64)
    else:
        nodes += [node("Add", ["a", "b"], ["s"]),
                  node("Slice", ["s", "st", "en", "ax", "sp"], ["t"])]
        inits.update(st=np.array([1, 5], np.int64), en=np.array([5, 0], np.int64),
                     ax=np.array([2, 3], np.int64), sp=np.array([2, -2], np.int64))
    nodes.append(node("Conv", ["t", f"w3_{tail}"], ["y"]))
    channels = 6 if tail == "concat" else 3
    inits[f"w3_{tail}"] = RNG.normal(size=(2, channels, 1, 1)).astype(np.float32)
    m = model(nodes, [value("x", "float32", [1, 2, 7, 7])], [value("y", "float32", None)],
              inits, opset=18)
    before, after = _optimise(save(m, tmp_path))
    assert len(_transposes(after)) == 2, [op.kind for op in after.ops]
    _check_same_meaning(before, after, (1, 2, 7, 7))


def test_mean_without_keepdims_needs_no_transpose_back(tmp_path: Path) -> None:
    m = model([node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
               node("ReduceMean", ["c", "axes"], ["y"], keepdims=0)],
              [value("x", "float32", [1, 3, 5, 5])], [value("y", "float32", None)],
              {"w": _w(4, 3), "axes": np.array([2, 3], np.int64)}, opset=18)
    before, after = _optimise(save(m, tmp_path))
    # [N, H, W, C] -> mean over (1, 2) -> [N, C]: already the model's layout
    assert _transposes(after) == [(0, 2, 3, 1)]
    _check_same_meaning(before, after, (1, 3, 5, 5))


def test_ops_that_need_the_layout_keep_their_transposes(tmp_path: Path) -> None:
    m = model([node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
               node("Softmax", ["c"], ["y"], axis=1)],
              [value("x", "float32", [1, 3, 4, 4])], [value("y", "float32", None)],
              {"w": _w(3, 3)})
    before, after = _optimise(save(m, tmp_path))
    assert after.tensors["y"].shape == (1, 3, 4, 4)  # the model's own NCHW output
    _check_same_meaning(before, after, (1, 3, 4, 4))
