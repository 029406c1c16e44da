"""The four MLPerf Tiny int8 models: generated C built strictly and with ASan/UBSan on the
host, bit-exact with the TFLM interpreter on 10 random full-range inputs each."""

from __future__ import annotations

import numpy as np
import pytest

from tinyml_build.compiler import CompileOptions, compile_model
from tinyml_build.hostbuild import build_host_program
from tinyml_build.reference_runtime import TflmRuntime
from tinyml_build.validate import random_input

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("key", ["kws", "vww", "ic", "ad"])
def test_bit_exact_with_tflm_under_sanitizers(mlperf_models, key, tmp_path):
    path = mlperf_models[key]
    result = compile_model(path, CompileOptions(target="host", name=key))
    program = build_host_program(result, tmp_path, opt="-O1", sanitize=True)
    graph = result.graph
    inputs = []
    for seed in range(10):
        rng = np.random.RandomState(seed)
        inputs.append([random_input(graph.tensors[n], rng) for n in graph.inputs])
    outputs, _ = program.run(inputs)
    reference = TflmRuntime(path, graph)
    for seed, (ins, ours) in enumerate(zip(inputs, outputs, strict=True)):
        theirs = reference.run(ins)
        for a, b in zip(ours, theirs, strict=True):
            assert a.dtype == b.dtype and a.shape == tuple(b.shape)
            assert np.array_equal(a, b), f"{key} seed {seed}: {np.count_nonzero(a != b)} differ"
