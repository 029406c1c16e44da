"""The static memory planner on hand-made graphs and on the MLPerf Tiny models."""

from __future__ import annotations

import itertools

import pytest

from tinyml_build.compiler import CompileOptions, compile_model
from tinyml_build.ir import Graph, Op, Tensor
from tinyml_build.lowering import LoweredOp
from tinyml_build.planner import live_lower_bound, plan_memory
from tinyml_build.registration import Kernel


def _kernel(view_of=None, inplace=()):
    return Kernel(name="t", backend="reference", op="x", check=lambda o, g: None,
                  emit=lambda o, g, c: None, view_of=view_of, inplace=inplace)


def build(spec, inputs, outputs, sizes, kernels=None):
    """spec: list of (inputs, outputs); sizes: tensor -> bytes (int8 1-D tensors)."""
    tensors = {n: Tensor(n, "int8", (s,)) for n, s in sizes.items()}
    ops = [Op("x", list(i), list(o), name=f"op{k}") for k, (i, o) in enumerate(spec)]
    graph = Graph("g", tensors, ops, list(inputs), list(outputs))
    kernels = kernels or {}
    lowered = [LoweredOp(op, kernels.get(k, _kernel()), 0) for k, op in enumerate(ops)]
    return graph, lowered


def assert_no_overlap(plan, graph):
    spans = {}
    for b in plan.buffers:
        spans[b.name] = b
    for a, b in itertools.combinations(plan.buffers, 2):
        if a.first <= b.last and b.first <= a.last and a.size and b.size:
            assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)
    for b in plan.buffers:
        assert b.offset % plan.alignment == 0
        assert b.offset + b.size <= plan.arena_bytes


def test_chain_reuses_memory_and_meets_the_bound():
    spec = [(["a"], ["b"]), (["b"], ["c"]), (["c"], ["d"]), (["d"], ["e"])]
    graph, lowered = build(spec, ["a"], ["e"], {"a": 100, "b": 200, "c": 50, "d": 300, "e": 10})
    plan = plan_memory(graph, lowered, alignment=1)
    assert plan.lower_bound == 350  # c + d live together
    assert plan.arena_bytes == plan.lower_bound
    assert_no_overlap(plan, graph)


def test_skip_connection_keeps_the_tensor_alive():
    spec = [(["x"], ["a"]), (["a"], ["b"]), (["b"], ["c"]), (["a", "c"], ["y"])]
    graph, lowered = build(spec, ["x"], ["y"], {"x": 64, "a": 64, "b": 64, "c": 64, "y": 64})
    plan = plan_memory(graph, lowered, alignment=16)
    a, c = plan.offsets["a"], plan.offsets["c"]
    assert a != c
    assert plan.arena_bytes == plan.lower_bound == 192
    assert_no_overlap(plan, graph)


def test_view_shares_its_input_memory():
    spec = [(["x"], ["a"]), (["a"], ["v"]), (["v"], ["y"])]
    graph, lowered = build(spec, ["x"], ["y"], {"x": 32, "a": 48, "v": 48, "y": 16},
                           kernels={1: _kernel(view_of=0)})
    plan = plan_memory(graph, lowered, alignment=16)
    assert plan.offsets["a"] == plan.offsets["v"]
    assert plan.arena_bytes == plan.lower_bound == 80  # a copy would need 96 at op 1


def test_inplace_output_reuses_a_dying_input():
    spec = [(["x"], ["a"]), (["a"], ["b"]), (["b"], ["y"])]
    graph, lowered = build(spec, ["x"], ["y"], {"x": 64, "a": 64, "b": 64, "y": 64},
                           kernels={1: _kernel(inplace=(0,))})
    plan = plan_memory(graph, lowered, alignment=16)
    assert plan.offsets["a"] == plan.offsets["b"]
    assert plan.arena_bytes == 128


def test_inplace_never_overwrites_a_graph_input_or_a_live_tensor():
    spec = [(["x"], ["a"]), (["a"], ["b"]), (["a", "b"], ["y"])]
    graph, lowered = build(spec, ["x"], ["y"], {"x": 64, "a": 64, "b": 64, "y": 64},
                           kernels={0: _kernel(inplace=(0,)), 1: _kernel(inplace=(0,))})
    plan = plan_memory(graph, lowered, alignment=16)
    assert plan.offsets["x"] != plan.offsets["a"]  # x is the user's input
    assert plan.offsets["a"] != plan.offsets["b"]  # a is still read by op 2
    assert_no_overlap(plan, graph)


def test_memory_greedy_order_beats_a_bad_model_order():
    # two independent branches stored breadth-first: big intermediates of both are live
    spec = [(["x"], ["p1"]), (["x"], ["q1"]), (["p1"], ["p2"]), (["q1"], ["q2"]),
            (["p2", "q2"], ["y"])]
    sizes = {"x": 8, "p1": 100, "q1": 100, "p2": 4, "q2": 4, "y": 4}
    graph, lowered = build(spec, ["x"], ["y"], sizes)
    plan = plan_memory(graph, lowered, alignment=1)
    assert plan.order_strategy == "memory-greedy"
    assert plan.arena_bytes < 208
    assert plan.order.index(2) < plan.order.index(1)  # finishes branch p before q starts


def test_lower_bound_counts_simultaneously_live_bytes():
    spec = [(["x"], ["a"]), (["a"], ["y"])]
    graph, lowered = build(spec, ["x"], ["y"], {"x": 10, "a": 20, "y": 30})
    plan = plan_memory(graph, lowered)
    assert live_lower_bound(plan.buffers, 2) == 50


def test_bad_alignment_is_rejected():
    graph, lowered = build([(["x"], ["y"])], ["x"], ["y"], {"x": 1, "y": 1})
    with pytest.raises(ValueError):
        plan_memory(graph, lowered, alignment=12)


EXPECTED_ARENA = {"kws": 16000, "vww": 55296, "ic": 49152, "ad": 768}


@pytest.mark.parametrize("key", sorted(EXPECTED_ARENA))
def test_mlperf_arena_meets_the_live_tensor_bound(mlperf_models, key):
    result = compile_model(mlperf_models[key], CompileOptions())
    assert result.plan.arena_bytes <= EXPECTED_ARENA[key]
    assert result.manifest["arena_bytes"] == result.plan.arena_bytes
    assert_no_overlap(result.plan, result.graph)
