"""Small real ONNX models built in the tests: a CNN made with onnx.helper and its int8
versions from onnxruntime.quantization.quantize_static (QDQ and QOperator).

CNN: Conv(8, 3x3, pad 1) -> Relu -> MaxPool 2 -> Conv(16, 3x3, pad 1) -> Relu ->
GlobalAveragePool -> Flatten -> Gemm(10) -> Softmax, input [1, 1, 16, 16] NCHW, opset 17,
seeded random weights (He-scaled so activations keep a useful range).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CNN_INPUT = (1, 1, 16, 16)


def build_cnn(seed: int = 0, opset: int = 17, batchnorm: bool = False):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)

    def init(name: str, shape: tuple[int, ...], fan_in: int) -> onnx.TensorProto:
        data = rng.normal(0, np.sqrt(2.0 / fan_in), size=shape).astype(np.float32)
        return numpy_helper.from_array(data, name)

    inits = [
        init("w1", (8, 1, 3, 3), 9), numpy_helper.from_array(
            rng.normal(0, 0.1, 8).astype(np.float32), "b1"),
        init("w2", (16, 8, 3, 3), 72), numpy_helper.from_array(
            rng.normal(0, 0.1, 16).astype(np.float32), "b2"),
        init("w3", (10, 16), 16), numpy_helper.from_array(
            rng.normal(0, 0.1, 10).astype(np.float32), "b3"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], name="conv1"),
    ]
    first = "c1"
    if batchnorm:
        inits += [numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(np.float32), "g"),
                  numpy_helper.from_array(rng.normal(0, 0.1, 8).astype(np.float32), "be"),
                  numpy_helper.from_array(rng.normal(0, 0.1, 8).astype(np.float32), "mu"),
                  numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(np.float32), "var")]
        nodes.append(helper.make_node("BatchNormalization", ["c1", "g", "be", "mu", "var"],
                                      ["bn1"], name="bn1"))
        first = "bn1"
    nodes += [
        helper.make_node("Relu", [first], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2],
                         name="pool1"),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3], name="conv2"),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g1"], name="gap"),
        helper.make_node("Flatten", ["g1"], ["f1"], name="flatten"),
        helper.make_node("Gemm", ["f1", "w3", "b3"], ["logits"], transB=1, name="fc"),
        helper.make_node("Softmax", ["logits"], ["y"], axis=-1, name="softmax"),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(CNN_INPUT))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def cnn_inputs(n: int, seed: int) -> list[np.ndarray]:
    """Smooth random images in [0, 1): calibration and test data for the CNN."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        img = rng.uniform(0, 1, size=(1, 1, 4, 4)).astype(np.float32)
        img = np.kron(img, np.ones((1, 1, 4, 4), np.float32))
        out.append((img + rng.normal(0, 0.05, CNN_INPUT)).astype(np.float32))
    return out


def quantize_cnn(float_path: Path, out_path: Path, fmt: str, activation: str = "int8",
                 per_channel: bool = True, standard_ops_only: bool = False) -> Path:
    """quantize_static the float CNN; fmt 'qdq' or 'qoperator'."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.data = iter([{"x": x} for x in cnn_inputs(32, seed=100)])

        def get_next(self):
            return next(self.data, None)

    act = QuantType.QInt8 if activation == "int8" else QuantType.QUInt8
    kwargs = {}
    if standard_ops_only:
        kwargs["op_types_to_quantize"] = ["Conv", "MatMul"]
    quantize_static(
        str(float_path), str(out_path), Reader(),
        quant_format=QuantFormat.QDQ if fmt == "qdq" else QuantFormat.QOperator,
        activation_type=act, weight_type=QuantType.QInt8, per_channel=per_channel,
        extra_options={"WeightSymmetric": True}, **kwargs,
    )
    return out_path


def ort_session(path: Path, optimized: bool = False):
    """An onnxruntime session at a pinned optimisation level (default: none, literal QDQ)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimized
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    so.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
