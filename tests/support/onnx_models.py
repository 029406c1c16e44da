"""Small real ONNX models built in the tests with onnx.helper, and their int8 versions
from onnxruntime.quantization.quantize_static (QDQ and QOperator).

CNN: Conv(8, 3x3, pad 1) -> Relu -> MaxPool 2 -> Conv(16, 3x3, pad 1) -> Relu ->
GlobalAveragePool -> Flatten -> Gemm(10) -> Softmax, input [1, 1, 16, 16] NCHW, opset 17,
seeded random weights (He-scaled so activations keep a useful range).

Mobile block (MobileNetV3 style): Conv(8, stride 2) + BN + Clip(0, 6) -> depthwise Conv +
BN + HardSwish -> squeeze-excite (GlobalAveragePool, 1x1 Conv + Relu, 1x1 Conv +
HardSigmoid, Mul) -> 1x1 Conv + BN -> residual Add -> GlobalAveragePool -> Gemm ->
Softmax, input [1, 3, 16, 16].
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


MOBILE_INPUT = (1, 3, 16, 16)


def build_mobile_block(seed: int = 0):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    inits: list = []

    def weight(name: str, shape: tuple[int, ...], fan_in: int) -> str:
        data = rng.normal(0, np.sqrt(2.0 / fan_in), size=shape).astype(np.float32)
        inits.append(numpy_helper.from_array(data, name))
        return name

    def vector(name: str, n: int, lo: float = -0.1, hi: float = 0.1) -> str:
        inits.append(numpy_helper.from_array(rng.uniform(lo, hi, n).astype(np.float32), name))
        return name

    def bn(x: str, c: int, out: str):
        return helper.make_node(
            "BatchNormalization",
            [x, vector(out + "_g", c, 0.5, 1.5), vector(out + "_b", c),
             vector(out + "_m", c), vector(out + "_v", c, 0.5, 1.5)], [out], name=out)

    inits += [numpy_helper.from_array(np.array(0, np.float32), "zero"),
              numpy_helper.from_array(np.array(6, np.float32), "six")]
    mk = helper.make_node
    nodes = [
        mk("Conv", ["x", weight("w1", (8, 3, 3, 3), 27)], ["c1"], pads=[1, 1, 1, 1],
           strides=[2, 2], name="conv1"), bn("c1", 8, "b1"),
        mk("Clip", ["b1", "zero", "six"], ["r1"], name="relu6"),
        mk("Conv", ["r1", weight("dw", (8, 1, 3, 3), 9)], ["c2"], pads=[1, 1, 1, 1],
           group=8, name="depthwise"), bn("c2", 8, "b2"),
        mk("HardSwish", ["b2"], ["h2"], name="hswish"),
        mk("GlobalAveragePool", ["h2"], ["se0"], name="se_pool"),
        mk("Conv", ["se0", weight("se1_w", (4, 8, 1, 1), 8), vector("se1b", 4)], ["se1"],
           name="se_reduce"),
        mk("Relu", ["se1"], ["se1r"], name="se_relu"),
        mk("Conv", ["se1r", weight("se2_w", (8, 4, 1, 1), 4), vector("se2b", 8)], ["se2"],
           name="se_expand"),
        mk("HardSigmoid", ["se2"], ["se"], alpha=1 / 6, beta=0.5, name="se_gate"),
        mk("Mul", ["h2", "se"], ["m"], name="se_scale"),
        mk("Conv", ["m", weight("pw", (8, 8, 1, 1), 8)], ["c3"], name="project"),
        bn("c3", 8, "b3"),
        mk("Add", ["b3", "r1"], ["res"], name="residual"),
        mk("GlobalAveragePool", ["res"], ["g"], name="pool"),
        mk("Flatten", ["g"], ["f"], name="flatten"),
        mk("Gemm", ["f", weight("fc", (10, 8), 8), vector("fcb", 10)], ["logits"], transB=1,
           name="fc"),
        mk("Softmax", ["logits"], ["y"], name="softmax"),
    ]
    graph = helper.make_graph(
        nodes, "mobile_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(MOBILE_INPUT))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def mobile_inputs(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0, 1, MOBILE_INPUT).astype(np.float32) for _ in range(n)]


def quantize_qdq(float_path: Path, out_path: Path, inputs: list[np.ndarray]) -> Path:
    """quant_pre_process + quantize_static QDQ s8/s8 per-channel, calibrated on inputs."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.data = iter([{"x": x} for x in inputs])

        def get_next(self):
            return next(self.data, None)

    pre = out_path.with_suffix(".pre.onnx")
    quant_pre_process(str(float_path), str(pre), skip_symbolic_shape=True)
    quantize_static(str(pre), str(out_path), Reader(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    per_channel=True)
    return out_path


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
