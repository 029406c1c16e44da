"""An ONNX model through tinyml_add_model(): FREEZE turns a graph input into a constant."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from .conftest import build, configure, run_program

onnx = pytest.importorskip("onnx", reason="pip onnx (the [onnx] extra) is missing")
helper = onnx.helper

MAIN = r"""
#include <stdio.h>
#include "net.h"
int main(void)
{
    float *x = (float *)net_input(0);
    const float *y;
    int i;
    for (i = 0; i < 12; ++i) {
        x[i] = (float)(i - 6) * 0.5f;
    }
    if (net_invoke() != 0) {
        return 2;
    }
    y = (const float *)net_output(0);
    printf("net:");
    for (i = 0; i < 12; ++i) {
        printf(" %g", (double)y[i]);
    }
    printf("\n");
    return 0;
}
"""


def reshape_model(path: Path) -> None:
    """x [1, 12] -> Reshape(shape from a graph input) -> Relu -> y [3, 4]."""
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["r"]),
         helper.make_node("Relu", ["r"], ["y"])],
        "reshape_relu",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 12]),
         helper.make_tensor_value_info("shape", onnx.TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [3, 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)


def project(folder: Path, freeze: str) -> None:
    folder.mkdir(parents=True)
    reshape_model(folder / "net.onnx")
    np.save(folder / "shape.npy", np.array([3, 4], dtype=np.int64))
    (folder / "main.c").write_text(MAIN)
    (folder / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.21)\n"
        "project(onnx_app LANGUAGES C)\n"
        "find_package(TinyMLBuild 0.1 REQUIRED)\n"
        f"tinyml_add_model(net MODEL net.onnx TARGET host {freeze})\n"
        "add_executable(app main.c)\n"
        "target_link_libraries(app PRIVATE net)\n")


def test_frozen_input_builds_and_runs(tmp_path):
    project(tmp_path / "src", "FREEZE shape=shape.npy")
    configure(tmp_path / "src", tmp_path / "b")
    build(tmp_path / "b")
    r = run_program(tmp_path / "b", tmp_path / "b" / "app", [])
    assert r.returncode == 0, r.out
    got = [float(v) for v in re.search(r"^net:(.*)$", r.out, re.M).group(1).split()]
    assert got == [max(0.0, (i - 6) * 0.5) for i in range(12)]
    header = (tmp_path / "b" / "tinyml" / "net" / "net.c").read_text()
    assert "input 'shape' frozen to a value with sha256" in header


def test_changing_the_frozen_value_reruns_the_generator(tmp_path):
    project(tmp_path / "src", "FREEZE shape=shape.npy")
    configure(tmp_path / "src", tmp_path / "b")
    build(tmp_path / "b")
    np.save(tmp_path / "src" / "shape.npy", np.array([2, 6], dtype=np.int64))
    r = build(tmp_path / "b", check=False)
    assert "generating net" in r.out
    # y is declared [3, 4]: a [2, 6] reshape no longer matches the model's own shapes
    assert r.returncode != 0 and "tinyml-build: error:" in r.out


def test_missing_freeze_is_a_one_line_build_error(tmp_path):
    project(tmp_path / "src", "")
    configure(tmp_path / "src", tmp_path / "b")
    r = build(tmp_path / "b", check=False)
    assert r.returncode != 0
    lines = [line for line in r.out.splitlines() if line.startswith("tinyml-build: error:")]
    assert len(lines) == 1 and "shape" in lines[0] and "--freeze" in lines[0]
