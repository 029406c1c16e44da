"""Views pass: order-keeping transposes become reshapes; no-op reshapes vanish."""

from __future__ import annotations

import numpy as np

from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.ir_eval import run_graph
from tinyml_build.passes.views import make_views


def _graph(ops: list[Op], shapes: dict[str, tuple[int, ...]], outputs: list[str]) -> Graph:
    tensors = {n: Tensor(n, "float32", s) for n, s in shapes.items()}
    return Graph("g", tensors, ops, ["x"], outputs, framework="onnx")


def test_transpose_of_unit_dims_becomes_a_reshape() -> None:
    g = _graph([Op("transpose", ["x"], ["y"], {"perm": (0, 3, 1, 2)})],
               {"x": (1, 1, 1, 8), "y": (1, 8, 1, 1)}, ["y"])
    make_views(g)
    assert [op.kind for op in g.ops] == ["reshape"]


def test_real_transpose_stays() -> None:
    g = _graph([Op("transpose", ["x"], ["y"], {"perm": (0, 3, 1, 2)})],
               {"x": (1, 2, 2, 8), "y": (1, 8, 2, 2)}, ["y"])
    make_views(g)
    assert [op.kind for op in g.ops] == ["transpose"]


def test_reshape_chains_and_no_op_reshapes() -> None:
    g = _graph([Op("reshape", ["x"], ["a"]), Op("reshape", ["a"], ["b"]),
                Op("relu", ["b"], ["c"]), Op("reshape", ["c"], ["d"]),
                Op("tanh", ["d"], ["y"])],
               {"x": (2, 6), "a": (3, 4), "b": (12,), "c": (12,), "d": (12,), "y": (12,)},
               ["y"])
    x = np.arange(12, dtype=np.float32).reshape(2, 6) - 6
    want = run_graph(g, [x])["y"]
    make_views(g)
    assert [(op.kind, op.inputs) for op in g.ops] == [
        ("reshape", ["x"]), ("relu", ["b"]), ("tanh", ["c"])]
    np.testing.assert_array_equal(run_graph(g, [x])["y"], want)
