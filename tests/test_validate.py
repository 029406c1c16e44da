"""validate: agreement is reported per run; a wrong kernel is found and named."""

from __future__ import annotations

import numpy as np

from tests.support.models import small_cnn
from tinyml_build.hookspecs import hookimpl
from tinyml_build.kernels import kernel_source
from tinyml_build.plugins import load_plugins
from tinyml_build.registration import Kernel, KernelCall
from tinyml_build.validate import ValidateOptions, validate_model


class _WrongPooling:
    """Registers a higher-priority 'average' pool kernel that really takes the maximum."""

    __name__ = "wrong_pooling"

    @hookimpl
    def tinyml_kernels(self, target):
        def emit(op, graph, ctx):
            params = ctx.params("tml_pool2d_params", {
                "batches": 1, "in_h": 6, "in_w": 6, "channels": 8, "out_h": 1, "out_w": 1,
                "filter_h": 6, "filter_w": 6, "stride_h": 6, "stride_w": 6,
                "pad_top": 0, "pad_left": 0, "act_min": -128, "act_max": 127})
            return KernelCall("tml_max_pool2d_s8",
                              [params, ctx.buffer(op.inputs[0]), ctx.buffer(op.outputs[0])])

        return [Kernel(name="wrong.avg_pool", backend="reference", op="avg_pool2d",
                       check=lambda op, graph: None, emit=emit, priority=100,
                       headers=("tml_pool.h",), sources=(kernel_source("tml_pool.c"),))]


def test_good_model_validates(tmp_path):
    path = tmp_path / "cnn.tflite"
    path.write_bytes(small_cnn())
    report = validate_model(path, ValidateOptions(runs=4))
    assert report.ok and len(report.runs) == 4
    assert all(r.mismatches == 0 for r in report.runs)


def test_wrong_kernel_is_located(tmp_path):
    path = tmp_path / "cnn.tflite"
    path.write_bytes(small_cnn())
    plugins = load_plugins(extra=(_WrongPooling(),))
    report = validate_model(path, ValidateOptions(runs=3), plugins)
    assert not report.ok
    assert "node 2 (AVERAGE_POOL_2D v2)" in report.first_divergence
    assert "wrong.avg_pool" in report.first_divergence
    assert "first diverging op" in report.failure_line()


def test_given_inputs_are_used(tmp_path):
    path = tmp_path / "cnn.tflite"
    path.write_bytes(small_cnn())
    x = np.full((1, 8, 8, 3), 17, dtype=np.int8)
    np.save(tmp_path / "x.npy", x)
    report = validate_model(path, ValidateOptions(inputs=[tmp_path / "x.npy"]))
    assert report.ok and len(report.runs) == 1
