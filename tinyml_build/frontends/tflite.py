"""TFLite flatbuffer -> IR.

All validation of a .tflite file happens here: the flatbuffer is read with the `tflite`
package (generated from TFLite's own schema), every index and size is checked before it is
used, and ops, op versions, options and tensor types we cannot compile are rejected with the
node index, the op name and its version. Ops come out framework-neutral: explicit paddings,
fused activation names, resolved strided-slice bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tflite

from ..errors import ModelError, UnsupportedOpError
from ..ir import DTYPE_SIZES, NUMPY_DTYPES, Graph, Op, OpSource, QuantParams, Tensor

_OPCODE_NAMES: dict[int, str] = {
    v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")
}

_TENSOR_TYPES: dict[int, str] = {
    tflite.TensorType.FLOAT32: "float32",
    tflite.TensorType.INT32: "int32",
    tflite.TensorType.UINT8: "uint8",
    tflite.TensorType.INT64: "int64",
    tflite.TensorType.BOOL: "bool",
    tflite.TensorType.INT16: "int16",
    tflite.TensorType.INT8: "int8",
}
_TENSOR_TYPE_NAMES: dict[int, str] = {
    v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")
}

_ACTIVATIONS: dict[int, str] = {
    tflite.ActivationFunctionType.NONE: "none",
    tflite.ActivationFunctionType.RELU: "relu",
    tflite.ActivationFunctionType.RELU6: "relu6",
    tflite.ActivationFunctionType.RELU_N1_TO_1: "relu_n1_to_1",
}

#: the newest version of each op this front end knows the semantics of (TFLite's
#: op_version.cc); a newer version means a feature we have never seen, so it is rejected
MAX_VERSIONS: dict[str, int] = {
    "CONV_2D": 8,
    "DEPTHWISE_CONV_2D": 7,
    "FULLY_CONNECTED": 13,
    "AVERAGE_POOL_2D": 3,
    "MAX_POOL_2D": 3,
    "ADD": 5,
    "SUB": 5,
    "MUL": 7,
    "SOFTMAX": 3,
    "LOGISTIC": 3,
    "TANH": 3,
    "RELU": 3,
    "RELU6": 3,
    "LEAKY_RELU": 2,
    "HARD_SWISH": 1,
    "RESHAPE": 1,
    "SQUEEZE": 2,
    "PAD": 4,
    "PADV2": 4,
    "CONCATENATION": 4,
    "MEAN": 3,
    "STRIDED_SLICE": 8,
    "TRANSPOSE": 6,
    "QUANTIZE": 4,
    "DEQUANTIZE": 6,
}

#: ops whose weights decide whether the model is "hybrid" (float activations, int8 weights)
_WEIGHTED_OPS = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


class _Parser:
    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.tensors: dict[int, Tensor] = {}
        self.names: dict[int, str] = {}
        self.by_name: dict[str, Tensor] = {}

    # ---- errors --------------------------------------------------------------------

    def fail(self, message: str, hint: str = "") -> ModelError:
        return ModelError(f"{self.path}: {message}", hint)

    def unsupported(self, source: OpSource, message: str, hint: str = "") -> ModelError:
        return UnsupportedOpError(f"{self.path}: {source.describe()}: {message}", hint)

    # ---- top level -----------------------------------------------------------------

    def parse(self, name: str) -> Graph:
        model = tflite.Model.GetRootAs(self.data, 0)
        if model.SubgraphsLength() < 1:
            raise self.fail("model has no subgraph (corrupt or empty model?)")
        self.model = model
        self.buffer_count = model.BuffersLength()
        self.opcodes = [self._opcode(i) for i in range(model.OperatorCodesLength())]
        sg = model.Subgraphs(0)
        self.sg = sg
        self.tensor_count = sg.TensorsLength()
        inputs = [self._tensor_ref(sg.Inputs(i), "graph input") for i in range(sg.InputsLength())]
        outputs = [
            self._tensor_ref(sg.Outputs(i), "graph output") for i in range(sg.OutputsLength())
        ]
        if not inputs or not outputs:
            raise self.fail("subgraph 0 has no inputs or no outputs")
        ops = [self._op(i) for i in range(sg.OperatorsLength())]
        for idx in inputs + outputs:
            self._load_tensor(idx)
        for idx in inputs:
            if self.tensors[idx].is_const:
                raise self.fail(f"graph input '{self.names[idx]}' is a constant")
        self._check_dataflow(ops, inputs, outputs)
        tensors = {self.names[i]: t for i, t in sorted(self.tensors.items())}
        return Graph(
            name=name,
            tensors=tensors,
            ops=ops,
            inputs=[self.names[i] for i in inputs],
            outputs=[self.names[i] for i in outputs],
            source_path=str(self.path),
            framework="tflite",
        )

    def _check_dataflow(self, ops: list[Op], inputs: list[int], outputs: list[int]) -> None:
        """Every op reads constants, graph inputs or earlier ops' outputs; each tensor has
        one producer. (TFLite stores ops in execution order.)"""
        available = {self.names[i] for i in inputs}
        available.update(name for name, t in self.by_name.items() if t.is_const)
        for op in ops:
            for name in op.inputs:
                if name and name not in available:
                    raise self.fail(
                        f"{op.describe()} reads tensor '{name}', which is neither a constant, "
                        "a graph input nor the output of an earlier node (corrupt model?)"
                    )
            for name in op.outputs:
                if name in available:
                    raise self.fail(f"{op.describe()} writes tensor '{name}', which already "
                                    "has a value (corrupt model?)")
                available.add(name)
        for i in outputs:
            if self.names[i] not in available:
                raise self.fail(f"graph output '{self.names[i]}' is never computed")

    def _opcode(self, i: int) -> tuple[str, int, str]:
        oc = self.model.OperatorCodes(i)
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        name = _OPCODE_NAMES.get(code, f"BUILTIN_{code}")
        custom = ""
        if name == "CUSTOM":
            raw = oc.CustomCode()
            custom = raw.decode("utf-8", "replace") if raw else "?"
        return name, oc.Version(), custom

    def _tensor_ref(self, idx: int, what: str) -> int:
        if not 0 <= idx < self.tensor_count:
            raise self.fail(f"{what} refers to tensor {idx}, but the subgraph has "
                            f"{self.tensor_count} tensors (corrupt model?)")
        return idx

    # ---- tensors -------------------------------------------------------------------

    def _load_tensor(self, idx: int) -> Tensor:
        if idx in self.tensors:
            return self.tensors[idx]
        t = self.sg.Tensors(idx)
        raw_name = t.Name()
        base = raw_name.decode("utf-8", "replace") if raw_name else ""
        name = base or f"tensor_{idx}"
        if name in self.by_name:
            name = f"{name}#{idx}"
        self.names[idx] = name
        ttype = t.Type()
        if ttype not in _TENSOR_TYPES:
            type_name = _TENSOR_TYPE_NAMES.get(ttype, str(ttype))
            raise self.fail(
                f"tensor '{name}' has type {type_name}, which is not supported",
                "supported tensor types: " + ", ".join(sorted(set(_TENSOR_TYPES.values()))),
            )
        dtype = _TENSOR_TYPES[ttype]
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        if any(d < 0 for d in shape):
            raise self.fail(f"tensor '{name}' has a dynamic shape {list(shape)}",
                            "export the model with fixed input shapes")
        if t.ShapeSignatureLength():
            sig = [int(d) for d in t.ShapeSignatureAsNumpy()]
            # an unknown batch (-1 in dim 0) is compiled for the batch the shape stores;
            # any other unknown dimension would make the stored shape a guess
            if any(d < 0 for d in sig[1:]) or len(sig) != len(shape):
                raise self.fail(
                    f"tensor '{name}' has a dynamic shape signature {sig}",
                    "export the model with a fixed batch size and input shape",
                )
        size = 1
        for d in shape:
            size *= d
        if size > (1 << 31) // DTYPE_SIZES[dtype]:
            raise self.fail(f"tensor '{name}' is implausibly large ({list(shape)})")
        if t.Sparsity() is not None:
            raise self.fail(f"tensor '{name}' is sparse; sparse weights are not supported",
                            "convert the model without sparsification")
        if t.IsVariable():
            raise self.fail(f"tensor '{name}' is a variable tensor (stateful model)",
                            "stateful models (variables, streaming state) are not supported")
        quant = self._quant(t, name, shape)
        data = self._constant(t, name, dtype, shape)
        tensor = Tensor(name=name, dtype=dtype, shape=shape, quant=quant, data=data,
                        source_index=idx)
        self.tensors[idx] = tensor
        self.by_name[name] = tensor
        return tensor

    def _quant(self, t: Any, name: str, shape: tuple[int, ...]) -> QuantParams | None:
        q = t.Quantization()
        if q is None or q.ScaleLength() == 0:
            return None
        if q.DetailsType() != 0:
            raise self.fail(f"tensor '{name}' uses custom quantisation, which is not supported")
        scale = q.ScaleAsNumpy().astype(np.float32)
        if q.ZeroPointLength() not in (0, scale.size):
            raise self.fail(f"tensor '{name}' has {scale.size} scales but "
                            f"{q.ZeroPointLength()} zero points")
        zp = (q.ZeroPointAsNumpy().astype(np.int64) if q.ZeroPointLength()
              else np.zeros(scale.size, dtype=np.int64))
        if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
            raise self.fail(f"tensor '{name}' has a non-positive or non-finite scale")
        axis: int | None = None
        if scale.size > 1:
            axis = q.QuantizedDimension()
            if not 0 <= axis < len(shape) or shape[axis] != scale.size:
                raise self.fail(f"tensor '{name}' has {scale.size} per-channel scales that do "
                                f"not match its shape {list(shape)}")
        return QuantParams(scale=scale, zero_point=zp, axis=axis)

    def _constant(
        self, t: Any, name: str, dtype: str, shape: tuple[int, ...]
    ) -> np.ndarray | None:
        bidx = t.Buffer()
        if bidx == 0:
            return None
        if not 0 <= bidx < self.buffer_count:
            raise self.fail(f"tensor '{name}' refers to buffer {bidx}, but the model has "
                            f"{self.buffer_count} buffers (corrupt model?)")
        buf = self.model.Buffers(bidx)
        if buf.Offset() > 1:
            raise self.fail(f"tensor '{name}' keeps its data outside the flatbuffer "
                            "(models over 2 GB); that is not supported")
        if buf.DataLength() == 0:
            return None
        raw = buf.DataAsNumpy()
        size = 1
        for d in shape:
            size *= d
        expected = size * DTYPE_SIZES[dtype]
        if raw.size != expected:
            raise self.fail(f"tensor '{name}' holds {raw.size} bytes of data, but its shape "
                            f"{list(shape)} and type {dtype} need {expected} (corrupt model?)")
        return np.frombuffer(raw.tobytes(), dtype=NUMPY_DTYPES[dtype]).reshape(shape).copy()

    # ---- ops -----------------------------------------------------------------------

    def _op(self, index: int) -> Op:
        op = self.sg.Operators(index)
        oc_index = op.OpcodeIndex()
        if not 0 <= oc_index < len(self.opcodes):
            raise self.fail(f"node {index} refers to opcode {oc_index}, but the model has "
                            f"{len(self.opcodes)} (corrupt model?)")
        op_name, version, custom = self.opcodes[oc_index]
        source = OpSource(op_name, version, index)
        if op_name == "CUSTOM":
            raise self.unsupported(
                OpSource(f"CUSTOM '{custom}'", version, index),
                "custom ops are not supported",
                "replace the custom op with builtin TFLite ops",
            )
        if op_name not in MAX_VERSIONS:
            raise self.unsupported(
                source, f"op {op_name} is not supported",
                "supported TFLite ops: " + ", ".join(sorted(MAX_VERSIONS)),
            )
        if version > MAX_VERSIONS[op_name]:
            raise self.unsupported(
                source,
                f"{op_name} version {version} is newer than this compiler knows "
                f"(up to version {MAX_VERSIONS[op_name]})",
                "convert with an older TFLite converter or upgrade tinyml-build",
            )
        ins = []
        for j in range(op.InputsLength()):
            idx = op.Inputs(j)
            if idx < 0:
                ins.append("")
                continue
            self._tensor_ref(idx, f"node {index} input {j}")
            self._load_tensor(idx)
            ins.append(self.names[idx])
        outs = []
        for j in range(op.OutputsLength()):
            idx = self._tensor_ref(op.Outputs(j), f"node {index} output {j}")
            self._load_tensor(idx)
            outs.append(self.names[idx])
        if not outs:
            raise self.fail(f"{source.describe()} has no outputs")
        if op.IntermediatesLength():
            raise self.unsupported(source, "ops with intermediate tensors are not supported")
        self._check_hybrid(source, ins, outs)
        converter = _CONVERTERS[op_name]
        kind, attrs = converter(self, source, op, ins, outs)
        return Op(kind=kind, inputs=ins, outputs=outs, attrs=attrs, name=outs[0], source=source)

    def _check_hybrid(self, source: OpSource, ins: list[str], outs: list[str]) -> None:
        if source.op_type not in _WEIGHTED_OPS or len(ins) < 2 or not ins[1]:
            return
        x = self._by_name(ins[0])
        w = self._by_name(ins[1])
        if x.dtype == "float32" and w.dtype in ("int8", "uint8"):
            raise self.unsupported(
                source,
                "hybrid models (float32 activations with int8 weights) are not supported",
                "convert with full integer quantisation (a representative dataset and "
                "TFLITE_BUILTINS_INT8)",
            )

    def _by_name(self, name: str) -> Tensor:
        return self.by_name[name]

    def options(self, op: Any, cls: type, source: OpSource) -> Any:
        table = op.BuiltinOptions()
        if table is None:
            return None
        opts = cls()
        opts.Init(table.Bytes, table.Pos)
        return opts

    def activation(self, source: OpSource, code: int) -> str:
        if code not in _ACTIVATIONS:
            raise self.unsupported(source, f"fused activation {code} is not supported")
        return _ACTIVATIONS[code]

    def const_input(self, source: OpSource, ins: list[str], j: int, what: str) -> np.ndarray:
        if j >= len(ins) or not ins[j]:
            raise self.fail(f"{source.describe()} is missing its {what} input")
        t = self._by_name(ins[j])
        if t.data is None:
            raise self.unsupported(
                source, f"its {what} input '{t.name}' is computed at run time",
                "an ahead-of-time compiler needs it constant; freeze it in the converter",
            )
        return t.data

    def shape_of(self, name: str) -> tuple[int, ...]:
        return self._by_name(name).shape

    def need_inputs(self, source: OpSource, ins: list[str], lo: int, hi: int) -> None:
        present = len(ins)
        if not lo <= present <= hi or any(not ins[j] for j in range(lo)):
            raise self.fail(f"{source.describe()} has {present} inputs; expected {lo}..{hi}")


# ---- per-op converters ----------------------------------------------------------------

Converter = Callable[[_Parser, OpSource, Any, list[str], list[str]], tuple[str, dict[str, Any]]]


def _same_padding(in_size: int, filter_size: int, stride: int, dilation: int,
                  out_size: int) -> tuple[int, int]:
    """TFLite's ComputePaddingWithOffset: (before, after) for SAME padding."""
    effective = (filter_size - 1) * dilation + 1
    total = max((out_size - 1) * stride + effective - in_size, 0)
    return total // 2, total - total // 2


def _out_size(padding: int, in_size: int, filter_size: int, stride: int, dilation: int) -> int:
    effective = (filter_size - 1) * dilation + 1
    if padding == tflite.Padding.SAME:
        return (in_size + stride - 1) // stride
    return (in_size + stride - effective) // stride


def _window_attrs(
    p: _Parser, source: OpSource, padding: int, in_shape: tuple[int, ...],
    out_shape: tuple[int, ...], filter_hw: tuple[int, int], stride: tuple[int, int],
    dilation: tuple[int, int],
) -> dict[str, Any]:
    if padding not in (tflite.Padding.SAME, tflite.Padding.VALID):
        raise p.unsupported(source, f"padding type {padding} is not supported")
    if min(stride) < 1 or min(dilation) < 1:
        raise p.fail(f"{source.describe()} has a stride or dilation below 1")
    if len(in_shape) != 4 or len(out_shape) != 4:
        raise p.unsupported(source, "only 4-D (NHWC) inputs and outputs are supported")
    pads = []
    for axis in (0, 1):
        in_size, out_size = in_shape[1 + axis], out_shape[1 + axis]
        expect = _out_size(padding, in_size, filter_hw[axis], stride[axis], dilation[axis])
        if expect != out_size:
            raise p.fail(f"{source.describe()}: output size {out_size} along "
                         f"{'HW'[axis]} does not match the {expect} its options give")
        if padding == tflite.Padding.SAME:
            pads.append(_same_padding(in_size, filter_hw[axis], stride[axis], dilation[axis],
                                      out_size))
        else:
            pads.append((0, 0))
    return {
        "stride": stride,
        "dilation": dilation,
        "pads": (pads[0][0], pads[1][0], pads[0][1], pads[1][1]),  # top, left, bottom, right
    }


def _conv2d(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 2, 3)
    o = p.options(op, tflite.Conv2DOptions, s)
    if o is None:
        raise p.fail(f"{s.describe()} has no options")
    w = p.shape_of(ins[1])
    if len(w) != 4:
        raise p.fail(f"{s.describe()}: filter must be 4-D (OHWI), got {list(w)}")
    attrs = _window_attrs(p, s, o.Padding(), p.shape_of(ins[0]), p.shape_of(outs[0]),
                          (w[1], w[2]), (o.StrideH(), o.StrideW()),
                          (o.DilationHFactor(), o.DilationWFactor()))
    attrs["activation"] = p.activation(s, o.FusedActivationFunction())
    return "conv2d", attrs


def _depthwise(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 2, 3)
    o = p.options(op, tflite.DepthwiseConv2DOptions, s)
    if o is None:
        raise p.fail(f"{s.describe()} has no options")
    w = p.shape_of(ins[1])
    x = p.shape_of(ins[0])
    if len(w) != 4 or w[0] != 1:
        raise p.fail(f"{s.describe()}: depthwise filter must be [1, H, W, C], got {list(w)}")
    attrs = _window_attrs(p, s, o.Padding(), x, p.shape_of(outs[0]), (w[1], w[2]),
                          (o.StrideH(), o.StrideW()), (o.DilationHFactor(), o.DilationWFactor()))
    out_c = p.shape_of(outs[0])[3]
    if x[3] == 0 or out_c % x[3]:
        raise p.fail(f"{s.describe()}: output channels {out_c} are not a multiple of "
                     f"input channels {x[3]}")
    attrs["depth_multiplier"] = out_c // x[3]
    attrs["activation"] = p.activation(s, o.FusedActivationFunction())
    return "depthwise_conv2d", attrs


def _fully_connected(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 2, 3)
    o = p.options(op, tflite.FullyConnectedOptions, s)
    activation = "none"
    keep = False
    if o is not None:
        if o.WeightsFormat() != tflite.FullyConnectedOptionsWeightsFormat.DEFAULT:
            raise p.unsupported(s, "shuffled FULLY_CONNECTED weights are not supported")
        activation = p.activation(s, o.FusedActivationFunction())
        keep = bool(o.KeepNumDims())
    w = p.shape_of(ins[1])
    if len(w) != 2:
        raise p.fail(f"{s.describe()}: weights must be 2-D, got {list(w)}")
    x_size = int(np.prod(p.shape_of(ins[0]), dtype=np.int64))
    if w[1] == 0 or x_size % w[1]:
        raise p.fail(f"{s.describe()}: input size {x_size} is not a multiple of the "
                     f"weights' depth {w[1]}")
    return "fully_connected", {"activation": activation, "keep_num_dims": keep}


def _pool(kind: str) -> Converter:
    def convert(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
        p.need_inputs(s, ins, 1, 1)
        o = p.options(op, tflite.Pool2DOptions, s)
        if o is None:
            raise p.fail(f"{s.describe()} has no options")
        fh, fw = o.FilterHeight(), o.FilterWidth()
        if fh < 1 or fw < 1:
            raise p.fail(f"{s.describe()} has an empty pooling window")
        attrs = _window_attrs(p, s, o.Padding(), p.shape_of(ins[0]), p.shape_of(outs[0]),
                              (fh, fw), (o.StrideH(), o.StrideW()), (1, 1))
        attrs["filter"] = (fh, fw)
        attrs["activation"] = p.activation(s, o.FusedActivationFunction())
        return kind, attrs

    return convert


def _binary(kind: str, options_cls: type) -> Converter:
    def convert(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
        p.need_inputs(s, ins, 2, 2)
        o = p.options(op, options_cls, s)
        activation = "none"
        if o is not None:
            activation = p.activation(s, o.FusedActivationFunction())
        a, b, out = p.shape_of(ins[0]), p.shape_of(ins[1]), p.shape_of(outs[0])
        try:
            bshape = np.broadcast_shapes(a, b)
        except ValueError:
            raise p.fail(f"{s.describe()}: input shapes {list(a)} and {list(b)} do not "
                         "broadcast") from None
        if tuple(bshape) != tuple(out):
            raise p.fail(f"{s.describe()}: output shape {list(out)} is not the broadcast "
                         f"shape {list(bshape)}")
        return kind, {"activation": activation}

    return convert


def _softmax(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 1, 1)
    o = p.options(op, tflite.SoftmaxOptions, s)
    beta = float(o.Beta()) if o is not None else 1.0
    return "softmax", {"beta": beta}


def _unary(kind: str) -> Converter:
    def convert(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
        p.need_inputs(s, ins, 1, 1)
        if p.shape_of(ins[0]) != p.shape_of(outs[0]):
            raise p.fail(f"{s.describe()}: output shape differs from the input's")
        return kind, {}

    return convert


def _leaky_relu(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    kind, attrs = _unary("leaky_relu")(p, s, op, ins, outs)
    o = p.options(op, tflite.LeakyReluOptions, s)
    attrs["alpha"] = float(o.Alpha()) if o is not None else 0.2
    return kind, attrs


def _reshape(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    if not ins or not ins[0]:
        raise p.fail(f"{s.describe()} has no input")
    a = int(np.prod(p.shape_of(ins[0]), dtype=np.int64))
    b = int(np.prod(p.shape_of(outs[0]), dtype=np.int64))
    if a != b:
        raise p.fail(f"{s.describe()} changes the element count ({a} -> {b})")
    return "reshape", {}


def _pad(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 2, 3)
    pads = p.const_input(s, ins, 1, "paddings").astype(np.int64)
    x = p.shape_of(ins[0])
    if pads.shape != (len(x), 2) or np.any(pads < 0):
        raise p.fail(f"{s.describe()}: paddings {pads.tolist()} do not fit input {list(x)}")
    out = tuple(int(d + lo + hi) for d, (lo, hi) in zip(x, pads.tolist(), strict=True))
    if out != p.shape_of(outs[0]):
        raise p.fail(f"{s.describe()}: output shape {list(p.shape_of(outs[0]))} is not the "
                     f"padded shape {list(out)}")
    attrs: dict[str, Any] = {"pads": tuple((int(lo), int(hi)) for lo, hi in pads.tolist())}
    if len(ins) == 3 and ins[2]:
        attrs["value_input"] = True
        p.const_input(s, ins, 2, "constant value")
    return "pad", attrs


def _concat(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    if not ins or any(not n for n in ins):
        raise p.fail(f"{s.describe()} has a missing input")
    o = p.options(op, tflite.ConcatenationOptions, s)
    axis = o.Axis() if o is not None else 0
    rank = len(p.shape_of(outs[0]))
    if axis < 0:
        axis += rank
    if not 0 <= axis < rank:
        raise p.fail(f"{s.describe()}: axis {axis} is out of range for rank {rank}")
    activation = p.activation(s, o.FusedActivationFunction()) if o is not None else "none"
    if activation != "none":
        raise p.unsupported(s, "a fused activation on CONCATENATION is not supported")
    total = 0
    for n in ins:
        shape = p.shape_of(n)
        if len(shape) != rank or any(
            shape[d] != p.shape_of(outs[0])[d] for d in range(rank) if d != axis
        ):
            raise p.fail(f"{s.describe()}: input '{n}' {list(shape)} does not fit the "
                         f"output {list(p.shape_of(outs[0]))}")
        total += shape[axis]
    if total != p.shape_of(outs[0])[axis]:
        raise p.fail(f"{s.describe()}: inputs add up to {total} along axis {axis}")
    return "concat", {"axis": axis}


def _mean(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 2, 2)
    axes = p.const_input(s, ins, 1, "axes").astype(np.int64).reshape(-1)
    rank = len(p.shape_of(ins[0]))
    norm = sorted({int(a) + rank if a < 0 else int(a) for a in axes.tolist()})
    if any(not 0 <= a < rank for a in norm):
        raise p.fail(f"{s.describe()}: axes {axes.tolist()} out of range for rank {rank}")
    o = p.options(op, tflite.ReducerOptions, s)
    keep = bool(o.KeepDims()) if o is not None else False
    return "mean", {"axes": tuple(norm), "keep_dims": keep}


def _strided_slice(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 4, 4)
    begin = p.const_input(s, ins, 1, "begin").astype(np.int64).reshape(-1).tolist()
    end = p.const_input(s, ins, 2, "end").astype(np.int64).reshape(-1).tolist()
    strides = p.const_input(s, ins, 3, "strides").astype(np.int64).reshape(-1).tolist()
    o = p.options(op, tflite.StridedSliceOptions, s)
    masks = {"begin": 0, "end": 0, "ellipsis": 0, "new_axis": 0, "shrink": 0}
    offset = False
    if o is not None:
        masks = {"begin": o.BeginMask(), "end": o.EndMask(), "ellipsis": o.EllipsisMask(),
                 "new_axis": o.NewAxisMask(), "shrink": o.ShrinkAxisMask()}
        offset = bool(o.Offset())
    if masks["ellipsis"] or masks["new_axis"]:
        raise p.unsupported(s, "STRIDED_SLICE with an ellipsis or new-axis mask is not "
                            "supported", "express the slice without ellipsis/new axes")
    x = p.shape_of(ins[0])
    n = len(begin)
    if not (len(end) == len(strides) == n) or n > len(x) or n == 0:
        raise p.fail(f"{s.describe()}: begin/end/strides do not match input rank {len(x)}")
    if any(st == 0 for st in strides):
        raise p.fail(f"{s.describe()}: a stride is 0")
    pad = len(x) - n
    begin = [0] * pad + begin
    end = [1] * pad + end
    strides = [1] * pad + strides
    begin_mask = (masks["begin"] << pad) | ((1 << pad) - 1)
    end_mask = (masks["end"] << pad) | ((1 << pad) - 1)
    shrink = masks["shrink"] << pad
    starts, stops, counts = [], [], []
    for axis, size in enumerate(x):
        st = strides[axis]
        start = begin[axis]
        if start < 0:
            start += size
        start = min(max(start, 0), size) if st > 0 else min(max(start, -1), size - 1)
        if begin_mask & (1 << axis):
            start = 0 if st > 0 else size - 1
        if shrink & (1 << axis):
            stop = start if start >= size else start + 1
        else:
            stop = end[axis] + (start if offset else 0)
            if stop < 0:
                stop += size
            stop = min(max(stop, 0), size) if st > 0 else min(max(stop, -1), size - 1)
            if end_mask & (1 << axis):
                stop = size if st > 0 else -1
        count = max(0, (stop - start + st - (1 if st > 0 else -1)) // st)
        starts.append(start)
        stops.append(stop)
        counts.append(count)
    out_size = int(np.prod(p.shape_of(outs[0]), dtype=np.int64))
    if int(np.prod(counts, dtype=np.int64)) != out_size:
        raise p.fail(f"{s.describe()}: the slice has {int(np.prod(counts))} elements but the "
                     f"output tensor {list(p.shape_of(outs[0]))} has {out_size}")
    return "strided_slice", {"begin": tuple(starts), "strides": tuple(strides),
                             "counts": tuple(counts)}


def _transpose(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
    p.need_inputs(s, ins, 2, 2)
    perm = [int(v) for v in p.const_input(s, ins, 1, "perm").reshape(-1).tolist()]
    x = p.shape_of(ins[0])
    if sorted(perm) != list(range(len(x))):
        raise p.fail(f"{s.describe()}: perm {perm} is not a permutation of rank {len(x)}")
    if tuple(x[d] for d in perm) != p.shape_of(outs[0]):
        raise p.fail(f"{s.describe()}: output shape does not match perm {perm}")
    return "transpose", {"perm": tuple(perm)}


def _plain(kind: str, lo: int = 1, hi: int = 1) -> Converter:
    def convert(p: _Parser, s: OpSource, op: Any, ins: list[str], outs: list[str]):
        p.need_inputs(s, ins, lo, hi)
        return kind, {}

    return convert


_CONVERTERS: dict[str, Converter] = {
    "CONV_2D": _conv2d,
    "DEPTHWISE_CONV_2D": _depthwise,
    "FULLY_CONNECTED": _fully_connected,
    "AVERAGE_POOL_2D": _pool("avg_pool2d"),
    "MAX_POOL_2D": _pool("max_pool2d"),
    "ADD": _binary("add", tflite.AddOptions),
    "SUB": _binary("sub", tflite.SubOptions),
    "MUL": _binary("mul", tflite.MulOptions),
    "SOFTMAX": _softmax,
    "LOGISTIC": _unary("logistic"),
    "TANH": _unary("tanh"),
    "RELU": _unary("relu"),
    "RELU6": _unary("relu6"),
    "LEAKY_RELU": _leaky_relu,
    "HARD_SWISH": _unary("hard_swish"),
    "RESHAPE": _reshape,
    "SQUEEZE": _reshape,
    "PAD": _pad,
    "PADV2": _pad,
    "CONCATENATION": _concat,
    "MEAN": _mean,
    "STRIDED_SLICE": _strided_slice,
    "TRANSPOSE": _transpose,
    "QUANTIZE": _plain("quantize"),
    "DEQUANTIZE": _plain("dequantize"),
}


def load_tflite(path: Path, data: bytes, name: str) -> Graph:
    """Parse a .tflite file's bytes into a Graph, or raise ModelError naming the problem."""
    if len(data) < 8 or data[4:8] != b"TFL3":
        raise ModelError(
            f"{path}: not a TFLite model (no 'TFL3' flatbuffer identifier)",
            "pass a .tflite file written by the TFLite converter",
        )
    parser = _Parser(path, data)
    try:
        return parser.parse(name)
    except ModelError:
        raise
    except Exception as exc:  # the flatbuffer reader has no verifier: any failure is corruption
        raise ModelError(
            f"{path}: corrupt or truncated TFLite flatbuffer ({type(exc).__name__}: {exc})",
            "re-export the model; the file does not follow the TFLite schema",
        ) from exc
