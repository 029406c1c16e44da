"""Small real int8 TFLite models made with the TensorFlow converter (tests/data/tflite):
each compiles, and its outputs are bit-exact with the committed TFLM outputs and with TFLM
run live on the same inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.compare import tflm_run
from tinyml_build.compiler import CompileOptions, compile_model
from tinyml_build.hostbuild import build_host_program

DATA = Path(__file__).resolve().parent / "data" / "tflite"
MODELS = ("cnn", "mlp", "data_ops", "float_io", "residual")

#: the ops each model must contain, so a regenerated model cannot silently lose coverage
EXPECTED_OPS = {
    "cnn": {"CONV_2D", "DEPTHWISE_CONV_2D", "HARD_SWISH", "MEAN", "LOGISTIC", "MUL",
            "MAX_POOL_2D", "AVERAGE_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"},
    "mlp": {"FULLY_CONNECTED", "TANH", "LOGISTIC", "LEAKY_RELU", "RELU6", "RELU"},
    "data_ops": {"CONCATENATION", "PAD", "PADV2", "STRIDED_SLICE", "TRANSPOSE", "MUL", "SUB",
                 "ADD", "MEAN", "RESHAPE", "CONV_2D"},
    "float_io": {"QUANTIZE", "DEQUANTIZE", "CONV_2D", "MAX_POOL_2D", "TANH", "SOFTMAX"},
    "residual": {"PAD", "CONV_2D", "ADD", "QUANTIZE", "CONCATENATION", "MEAN", "LOGISTIC",
                 "MUL", "FULLY_CONNECTED"},
}


@pytest.mark.parametrize("name", MODELS)
def test_model_is_bit_exact(tmp_path, name):
    model = DATA / f"{name}.tflite"
    expected = np.load(DATA / f"{name}.npz")
    result = compile_model(model, CompileOptions(target="host", name=name))
    graph = result.graph
    assert EXPECTED_OPS[name] <= {op.source.op_type for op in graph.ops if op.source}
    runs = expected["input_0"].shape[0]
    input_sets = [[expected[f"input_{i}"][r] for i in range(len(graph.inputs))]
                  for r in range(runs)]
    program = build_host_program(result, tmp_path / "build", sanitize=True)
    ours, _ = program.run(input_sets)
    live = tflm_run(model.read_bytes(), input_sets, len(graph.outputs))
    for r in range(runs):
        for i in range(len(graph.outputs)):
            committed = expected[f"output_{i}"][r]
            assert ours[r][i].dtype == committed.dtype
            assert ours[r][i].tobytes() == committed.tobytes(), f"run {r} output {i}"
            assert np.asarray(live[r][i]).tobytes() == committed.tobytes(), \
                f"TFLM live differs from the committed outputs: run {r} output {i}"
