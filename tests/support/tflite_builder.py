"""Build small TFLite flatbuffers in tests, with the `tflite` package's schema builders.

Lets a test describe a graph (tensors with quantisation, ops with builtin options) and get
the bytes of a .tflite file that TFLM runs as the reference, without TensorFlow.

    b = ModelBuilder()
    x = b.tensor("x", [1, 8], "int8", scale=0.1, zero_point=3)
    y = b.tensor("y", [1, 8], "int8", scale=1 / 256, zero_point=-128)
    b.op("LOGISTIC", [x], [y], version=2)
    data = b.build(inputs=[x], outputs=[y])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import flatbuffers
import numpy as np
import tflite

_TYPES = {
    "float32": tflite.TensorType.FLOAT32,
    "int32": tflite.TensorType.INT32,
    "uint8": tflite.TensorType.UINT8,
    "int64": tflite.TensorType.INT64,
    "bool": tflite.TensorType.BOOL,
    "int16": tflite.TensorType.INT16,
    "int8": tflite.TensorType.INT8,
    "float16": tflite.TensorType.FLOAT16,
}

#: builtin options table each op uses (name of the tflite schema table)
OPTIONS_TABLE = {
    "CONV_2D": "Conv2DOptions",
    "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "FULLY_CONNECTED": "FullyConnectedOptions",
    "AVERAGE_POOL_2D": "Pool2DOptions",
    "MAX_POOL_2D": "Pool2DOptions",
    "ADD": "AddOptions",
    "SUB": "SubOptions",
    "MUL": "MulOptions",
    "SOFTMAX": "SoftmaxOptions",
    "LEAKY_RELU": "LeakyReluOptions",
    "RESHAPE": "ReshapeOptions",
    "SQUEEZE": "SqueezeOptions",
    "PAD": "PadOptions",
    "PADV2": "PadV2Options",
    "CONCATENATION": "ConcatenationOptions",
    "MEAN": "ReducerOptions",
    "STRIDED_SLICE": "StridedSliceOptions",
    "TRANSPOSE": "TransposeOptions",
    "QUANTIZE": "QuantizeOptions",
    "DEQUANTIZE": "DequantizeOptions",
    "HARD_SWISH": "HardSwishOptions",
}


@dataclass
class _Tensor:
    name: str
    shape: list[int]
    dtype: str
    buffer: int
    scale: list[float] | None
    zero_point: list[int] | None
    axis: int
    shape_signature: list[int] | None = None


@dataclass
class _Op:
    opcode: int
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any] | None
    table: str | None


@dataclass
class ModelBuilder:
    tensors: list[_Tensor] = field(default_factory=list)
    buffers: list[bytes] = field(default_factory=lambda: [b""])
    ops: list[_Op] = field(default_factory=list)
    opcodes: list[tuple[int, int, str]] = field(default_factory=list)

    def tensor(
        self,
        name: str,
        shape: list[int] | tuple[int, ...],
        dtype: str,
        scale: float | list[float] | None = None,
        zero_point: int | list[int] | None = None,
        data: np.ndarray | None = None,
        axis: int = 0,
        shape_signature: list[int] | None = None,
    ) -> int:
        buffer = 0
        if data is not None:
            arr = np.asarray(data).astype(
                {"float32": np.float32, "int32": np.int32, "uint8": np.uint8,
                 "int64": np.int64, "bool": np.bool_, "int16": np.int16,
                 "int8": np.int8, "float16": np.float16}[dtype]
            )
            self.buffers.append(arr.tobytes())
            buffer = len(self.buffers) - 1
        scales = None if scale is None else [float(s) for s in np.atleast_1d(scale)]
        zps = None
        if scales is not None:
            zps = [int(z) for z in np.atleast_1d(zero_point if zero_point is not None else 0)]
            if len(zps) == 1 and len(scales) > 1:
                zps = zps * len(scales)
        self.tensors.append(_Tensor(name, [int(d) for d in shape], dtype, buffer, scales, zps,
                                    axis, shape_signature))
        return len(self.tensors) - 1

    def const(self, name: str, data: np.ndarray, dtype: str, **quant: Any) -> int:
        return self.tensor(name, list(np.asarray(data).shape), dtype, data=data, **quant)

    def op(
        self,
        name: str,
        inputs: list[int],
        outputs: list[int],
        options: dict[str, Any] | None = None,
        version: int = 1,
        custom: str = "",
    ) -> None:
        code = getattr(tflite.BuiltinOperator, name)
        key = (code, version, custom)
        if key not in self.opcodes:
            self.opcodes.append(key)
        table = OPTIONS_TABLE.get(name)
        self.ops.append(_Op(self.opcodes.index(key), list(inputs), list(outputs), options,
                            table))

    # -- serialisation ---------------------------------------------------------------

    def build(self, inputs: list[int], outputs: list[int]) -> bytes:
        b = flatbuffers.Builder(1024)

        def int_vector(start: Any, values: list[int], kind: str = "Int32") -> int:
            start(b, len(values))
            for v in reversed(values):
                getattr(b, f"Prepend{kind}")(v)
            return b.EndVector()

        buffer_offsets = []
        for data in self.buffers:
            vec = None
            if data:
                b.StartVector(1, len(data), 16)
                b.head = b.head - len(data)
                b.Bytes[b.head:b.head + len(data)] = data
                vec = b.EndVector()
            tflite.BufferStart(b)
            if vec is not None:
                tflite.BufferAddData(b, vec)
            buffer_offsets.append(tflite.BufferEnd(b))

        tensor_offsets = []
        for t in self.tensors:
            name = b.CreateString(t.name)
            shape = int_vector(tflite.TensorStartShapeVector, t.shape)
            sig = None
            if t.shape_signature is not None:
                sig = int_vector(tflite.TensorStartShapeSignatureVector, t.shape_signature)
            quant = None
            if t.scale is not None:
                tflite.QuantizationParametersStartScaleVector(b, len(t.scale))
                for s in reversed(t.scale):
                    b.PrependFloat32(s)
                scale_vec = b.EndVector()
                zp_vec = int_vector(tflite.QuantizationParametersStartZeroPointVector,
                                    t.zero_point or [0], "Int64")
                tflite.QuantizationParametersStart(b)
                tflite.QuantizationParametersAddScale(b, scale_vec)
                tflite.QuantizationParametersAddZeroPoint(b, zp_vec)
                tflite.QuantizationParametersAddQuantizedDimension(b, t.axis)
                quant = tflite.QuantizationParametersEnd(b)
            tflite.TensorStart(b)
            tflite.TensorAddShape(b, shape)
            if sig is not None:
                tflite.TensorAddShapeSignature(b, sig)
            tflite.TensorAddType(b, _TYPES[t.dtype])
            tflite.TensorAddBuffer(b, t.buffer)
            tflite.TensorAddName(b, name)
            if quant is not None:
                tflite.TensorAddQuantization(b, quant)
            tensor_offsets.append(tflite.TensorEnd(b))

        op_offsets = []
        for op in self.ops:
            opts = None
            if op.table is not None:
                opts = self._options(b, op.table, op.options or {})
            ins = int_vector(tflite.OperatorStartInputsVector, op.inputs)
            outs = int_vector(tflite.OperatorStartOutputsVector, op.outputs)
            tflite.OperatorStart(b)
            tflite.OperatorAddOpcodeIndex(b, op.opcode)
            tflite.OperatorAddInputs(b, ins)
            tflite.OperatorAddOutputs(b, outs)
            if opts is not None:
                tflite.OperatorAddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, op.table))
                tflite.OperatorAddBuiltinOptions(b, opts)
            op_offsets.append(tflite.OperatorEnd(b))

        def table_vector(start: Any, offsets: list[int]) -> int:
            start(b, len(offsets))
            for o in reversed(offsets):
                b.PrependUOffsetTRelative(o)
            return b.EndVector()

        tensors_vec = table_vector(tflite.SubGraphStartTensorsVector, tensor_offsets)
        ops_vec = table_vector(tflite.SubGraphStartOperatorsVector, op_offsets)
        in_vec = int_vector(tflite.SubGraphStartInputsVector, inputs)
        out_vec = int_vector(tflite.SubGraphStartOutputsVector, outputs)
        sg_name = b.CreateString("main")
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, tensors_vec)
        tflite.SubGraphAddInputs(b, in_vec)
        tflite.SubGraphAddOutputs(b, out_vec)
        tflite.SubGraphAddOperators(b, ops_vec)
        tflite.SubGraphAddName(b, sg_name)
        sg = tflite.SubGraphEnd(b)

        opcode_offsets = []
        for code, version, custom in self.opcodes:
            custom_off = b.CreateString(custom) if custom else None
            tflite.OperatorCodeStart(b)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
            tflite.OperatorCodeAddBuiltinCode(b, code)
            tflite.OperatorCodeAddVersion(b, version)
            if custom_off is not None:
                tflite.OperatorCodeAddCustomCode(b, custom_off)
            opcode_offsets.append(tflite.OperatorCodeEnd(b))

        codes_vec = table_vector(tflite.ModelStartOperatorCodesVector, opcode_offsets)
        sgs_vec = table_vector(tflite.ModelStartSubgraphsVector, [sg])
        bufs_vec = table_vector(tflite.ModelStartBuffersVector, buffer_offsets)
        desc = b.CreateString("tinyml-build test model")
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, 3)
        tflite.ModelAddOperatorCodes(b, codes_vec)
        tflite.ModelAddSubgraphs(b, sgs_vec)
        tflite.ModelAddDescription(b, desc)
        tflite.ModelAddBuffers(b, bufs_vec)
        model = tflite.ModelEnd(b)
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _options(b: flatbuffers.Builder, table: str, values: dict[str, Any]) -> int:
        getattr(tflite, f"{table}Start")(b)
        for key, value in values.items():
            getattr(tflite, f"{table}Add{key}")(b, value)
        return getattr(tflite, f"{table}End")(b)
