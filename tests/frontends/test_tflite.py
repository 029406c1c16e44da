"""TFLite front end: what it accepts, and one clear error for everything it cannot read."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.models import small_cnn, with_unsupported_op
from tests.support.tflite_builder import ModelBuilder
from tinyml_build.errors import ModelError, TinymlError, UnsupportedOpError
from tinyml_build.frontends import load_model


def write(tmp_path, data: bytes, name: str = "m.tflite"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_small_cnn_becomes_framework_neutral_ops(tmp_path):
    g = load_model(write(tmp_path, small_cnn()))
    assert [op.kind for op in g.ops] == [
        "conv2d", "depthwise_conv2d", "avg_pool2d", "reshape", "fully_connected", "softmax"]
    conv = g.ops[0]
    assert conv.attrs["pads"] == (1, 1, 1, 1)
    assert conv.attrs["activation"] == "relu"
    assert conv.source.op_type == "CONV_2D" and conv.source.version == 3
    w = g.tensors["conv/w"]
    assert w.is_const and w.quant.per_channel and w.quant.axis == 0
    assert g.ops[1].attrs["depth_multiplier"] == 1
    assert g.inputs == ["input"] and g.outputs == ["probs"]
    assert g.name == "m"


def test_mlperf_models_parse(mlperf_models):
    counts = {"kws": 13, "vww": 31, "ic": 16, "ad": 10}
    for key, path in mlperf_models.items():
        assert len(load_model(path).ops) == counts[key]


def test_same_padding_puts_the_odd_pixel_after(mlperf_models):
    kws = load_model(mlperf_models["kws"])
    # 49x10 input, 10x4 filter, stride 2: TFLite pads 4 before / 5 after rows, 1/1 columns
    assert kws.ops[0].attrs["pads"] == (4, 1, 5, 1)


@pytest.mark.parametrize("data,pattern", [
    (b"", "file is empty"),
    (b"hello, this is not a model at all\n", "not a TFLite model"),
    (b"\x00\x00\x00\x00TFL3", "corrupt"),
])
def test_not_a_model(tmp_path, data, pattern):
    path = write(tmp_path, data, "bad.tflite")
    with pytest.raises(ModelError, match=pattern) as info:
        load_model(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="no such file"):
        load_model(tmp_path / "nope.tflite")


def test_truncated_model(tmp_path):
    data = small_cnn()
    for cut in (12, len(data) // 3, len(data) // 2, len(data) - 40):
        with pytest.raises(ModelError) as info:
            load_model(write(tmp_path, data[:cut]))
        assert "m.tflite" in str(info.value)


def test_root_offset_bit_flip_is_corruption(tmp_path):
    data = bytearray(small_cnn())
    data[2] ^= 0x40  # the root table offset now points far outside the file
    with pytest.raises(ModelError, match="corrupt"):
        load_model(write(tmp_path, bytes(data)))


def test_single_bit_flips_never_escape_as_crashes(tmp_path):
    """Every bit flip either still parses or is one ModelError: never another exception."""
    data = small_cnn()
    rng = np.random.RandomState(7)
    errors = 0
    for _ in range(300):
        flipped = bytearray(data)
        pos = int(rng.randint(0, len(data)))
        flipped[pos] ^= 1 << int(rng.randint(0, 8))
        try:
            load_model(write(tmp_path, bytes(flipped)))
        except ModelError:
            errors += 1
    assert errors > 0  # structural flips are caught, not silently accepted


def test_unsupported_op_names_node_op_and_version(tmp_path):
    path = write(tmp_path, with_unsupported_op(), "exp.tflite")
    with pytest.raises(UnsupportedOpError) as info:
        load_model(path)
    message = str(info.value)
    assert "exp.tflite" in message and "node 1 (EXP v1)" in message


def test_newer_op_version_is_rejected(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "int8", scale=0.1, zero_point=0)
    y = b.tensor("y", [1, 4], "int8", scale=1 / 256, zero_point=-128)
    b.op("LOGISTIC", [x], [y], version=9)
    with pytest.raises(UnsupportedOpError, match=r"LOGISTIC version 9 is newer"):
        load_model(write(tmp_path, b.build([x], [y])))


def test_custom_op_is_rejected(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "int8", scale=0.1, zero_point=0)
    y = b.tensor("y", [1, 4], "int8", scale=0.1, zero_point=0)
    b.op("CUSTOM", [x], [y], custom="MyOp")
    with pytest.raises(UnsupportedOpError, match=r"node 0 \(CUSTOM 'MyOp'.*custom ops"):
        load_model(write(tmp_path, b.build([x], [y])))


def test_hybrid_model_is_rejected(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "float32")
    w = b.const("w", np.ones((2, 4)), "int8", scale=0.1, zero_point=0)
    y = b.tensor("y", [1, 2], "float32")
    b.op("FULLY_CONNECTED", [x, w], [y], {"FusedActivationFunction": 0}, version=3)
    with pytest.raises(UnsupportedOpError, match="hybrid"):
        load_model(write(tmp_path, b.build([x], [y])))


def test_dynamic_shape_is_rejected_but_dynamic_batch_is_not(tmp_path):
    def model(signature):
        b = ModelBuilder()
        x = b.tensor("x", [1, 4], "int8", scale=0.1, zero_point=0, shape_signature=signature)
        y = b.tensor("y", [1, 4], "int8", scale=1 / 256, zero_point=-128)
        b.op("LOGISTIC", [x], [y], version=2)
        return b.build([x], [y])

    assert load_model(write(tmp_path, model([-1, 4]))).tensors["x"].shape == (1, 4)
    with pytest.raises(ModelError, match="dynamic shape"):
        load_model(write(tmp_path, model([1, -1])))


def test_runtime_shape_input_needs_a_constant(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "int8", scale=0.1, zero_point=0)
    pads = b.tensor("pads", [2, 2], "int32")  # not a constant: a second graph input
    y = b.tensor("y", [1, 6], "int8", scale=0.1, zero_point=0)
    b.op("PAD", [x, pads], [y], version=2)
    with pytest.raises(UnsupportedOpError, match="paddings input 'pads' is computed at run time"):
        load_model(write(tmp_path, b.build([x, pads], [y])))


def test_unsupported_tensor_type(tmp_path):
    b = ModelBuilder()
    x = b.tensor("x", [1, 4], "float16")
    y = b.tensor("y", [1, 4], "float32")
    b.op("DEQUANTIZE", [x], [y], version=3)
    with pytest.raises(ModelError, match="tensor 'x' has type FLOAT16, which is not supported"):
        load_model(write(tmp_path, b.build([x], [y])))


def test_errors_are_tinyml_errors():
    assert issubclass(ModelError, TinymlError)
    assert issubclass(UnsupportedOpError, ModelError)
