"""ONNX ModelProto -> IR.

The model is parsed without external data, its external data is read only from inside the
model's folder (onnx_external), then onnx's checker and strict shape inference run, so
every tensor has a static type and shape before conversion. Inputs the user froze
(`--freeze NAME=file.npy`) become initializers first; a symbolic batch dimension on a
graph input is compiled as 1. Nodes whose inputs are all constants are evaluated here with
onnx's reference evaluator (shape arithmetic: Shape, Gather, Concat, Cast...), except
Q/DQ nodes, whose structure the quantisation passes need.

Graph inputs and outputs keep the model's dtype, shape and layout. Inside, each Conv or
pool is wrapped in transposes to NHWC (the kernels' layout); the layout pass moves and
cancels them, so a conv/pool chain pays for one transpose at each end (none when a side is
[N, C, 1, 1] or [N, 1, H, W]). Per-op conversion is in onnx_ops (float) and
onnx_quant_ops (QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import TensorProto, helper, numpy_helper

from ..errors import ModelError, UnsupportedOpError
from ..ir import NUMPY_DTYPES, Graph, Op, OpSource, QuantParams, Tensor, permute_quant, same_quant
from .onnx_external import inline_external_data

#: the newest default-domain opset this front end knows; newer models are rejected
MAX_OPSET = 28
#: opsets from this one on are accepted (older models: onnx.version_converter first)
MIN_OPSET = 10

_ELEM_TYPES: dict[int, str] = {
    TensorProto.FLOAT: "float32",
    TensorProto.INT8: "int8",
    TensorProto.UINT8: "uint8",
    TensorProto.INT16: "int16",
    TensorProto.INT32: "int32",
    TensorProto.INT64: "int64",
    TensorProto.BOOL: "bool",
}

_NO_FOLD = {"QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul",
            "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike",
            "Multinomial", "Bernoulli"}


def _elem_name(elem: int) -> str:
    try:
        return TensorProto.DataType.Name(elem)
    except ValueError:
        return str(elem)


class OnnxBuilder:
    """State of one conversion: the IR tensors and ops made so far, and message helpers.

    Converters (onnx_ops, onnx_quant_ops) read node inputs through `tensor`/`const`/
    `require_const` and emit IR through `add`, `transpose`, `reshape`, `new_tensor`.
    """

    def __init__(self, path: Path, model: onnx.ModelProto, opset: int) -> None:
        self.path = path
        self.model = model
        self.opset = opset
        self.tensors: dict[str, Tensor] = {}
        self.ops: list[Op] = []
        self.value_info: dict[str, onnx.ValueInfoProto] = {}
        self.source: OpSource | None = None
        self.node: onnx.NodeProto | None = None
        self._counter = 0

    # ---- messages --------------------------------------------------------------------

    def where(self) -> str:
        if self.node is None or self.source is None:
            return str(self.path)
        name = f" '{self.node.name}'" if self.node.name else ""
        return f"{self.path}: node {self.source.index} ({self.node.op_type}{name})"

    def fail(self, message: str, hint: str = "") -> ModelError:
        return ModelError(f"{self.where()}: {message}", hint)

    def unsupported(self, message: str, hint: str = "") -> UnsupportedOpError:
        return UnsupportedOpError(f"{self.where()}: {message}", hint)

    # ---- tensors ---------------------------------------------------------------------

    def tensor(self, name: str) -> Tensor:
        if name not in self.tensors:
            raise self.fail(f"input '{name}' is not produced by any earlier node")
        return self.tensors[name]

    def shape(self, name: str) -> tuple[int, ...]:
        return self.tensor(name).shape

    def dtype(self, name: str) -> str:
        return self.tensor(name).dtype

    def const(self, name: str) -> np.ndarray | None:
        if not name:
            return None
        return self.tensor(name).data

    def input(self, i: int) -> str:
        """Name of node input i, or "" when absent."""
        assert self.node is not None
        return self.node.input[i] if i < len(self.node.input) else ""

    def require_const(self, i: int, what: str) -> np.ndarray:
        """Input i's value, which an ahead-of-time compiler needs at build time."""
        name = self.input(i)
        if not name:
            raise self.fail(f"its {what} input is missing")
        t = self.tensor(name)
        if t.data is not None:
            return t.data
        graph_inputs = {vi.name for vi in self.model.graph.input}
        if name in graph_inputs:
            raise self.unsupported(
                f"its {what} input '{name}' is a graph input; an ahead-of-time compiler "
                "needs it constant",
                f"pass --freeze {name}=VALUE.npy with its value, or simplify the model "
                "with onnxsim",
            )
        raise self.unsupported(
            f"its {what} input '{name}' is computed at run time; an ahead-of-time "
            "compiler needs it constant",
            "simplify the model with onnxsim (python -m onnxsim in.onnx out.onnx), or "
            "--freeze the graph inputs it depends on",
        )

    def attr(self, name: str, default: Any = None) -> Any:
        assert self.node is not None
        for a in self.node.attribute:
            if a.name == name:
                value = helper.get_attribute_value(a)
                if isinstance(value, bytes):
                    return value.decode("utf-8", "replace")
                if isinstance(value, list):
                    return [v.decode() if isinstance(v, bytes) else v for v in value]
                return value
        return default

    def check_attrs(self, known: set[str]) -> None:
        assert self.node is not None
        for a in self.node.attribute:
            if a.name not in known:
                raise self.unsupported(f"attribute '{a.name}' is not supported")

    def new_name(self, base: str) -> str:
        while True:
            self._counter += 1
            name = f"{base}:{self._counter}"
            if name not in self.tensors:
                return name

    def new_tensor(self, base: str, dtype: str, shape: tuple[int, ...],
                   quant: QuantParams | None = None, data: np.ndarray | None = None,
                   reference: tuple[str, tuple[int, ...]] | None = None) -> str:
        name = self.new_name(base)
        self.tensors[name] = Tensor(name, dtype, tuple(int(d) for d in shape), quant=quant,
                                    data=data, reference=reference)
        return name

    def const_tensor(self, base: str, array: np.ndarray) -> str:
        arr = np.asarray(array)
        dtype = _numpy_dtype_name(arr.dtype)
        if dtype is None:
            raise self.unsupported(f"constant of type {arr.dtype} is not supported")
        return self.new_tensor(base, dtype, arr.shape, data=arr)

    def output(self, i: int = 0) -> str:
        """Node output i: its IR tensor (type and shape from shape inference)."""
        assert self.node is not None
        name = self.node.output[i]
        if name not in self.tensors:
            self.tensors[name] = self._value_tensor(name)
        return name

    def _value_tensor(self, name: str) -> Tensor:
        vi = self.value_info.get(name)
        if vi is None or not vi.type.HasField("tensor_type"):
            raise self.fail(f"the type of '{name}' could not be inferred",
                            "run onnx.shape_inference on the model and fix what it reports")
        return self.tensor_from_type(name, vi.type.tensor_type)

    def tensor_from_type(self, name: str, tt: onnx.TypeProto.Tensor) -> Tensor:
        dtype = _ELEM_TYPES.get(tt.elem_type)
        if dtype is None:
            raise self.unsupported(
                f"tensor '{name}' has type {_elem_name(tt.elem_type)}, which is not supported",
                "convert the model to float32 (or int8/uint8 quantised)",
            )
        if not tt.HasField("shape"):
            raise self.fail(f"the shape of '{name}' could not be inferred",
                            "export the model with static shapes")
        dims = []
        for d in tt.shape.dim:
            if not d.HasField("dim_value") or d.dim_value < 0:
                raise self.fail(f"tensor '{name}' has a dynamic shape "
                                f"{_dims_text(tt.shape)}",
                                "export the model with static shapes, or --freeze the input "
                                "the shape depends on")
            dims.append(int(d.dim_value))
        return Tensor(name, dtype, tuple(dims))

    def set_quant(self, name: str, quant: QuantParams) -> None:
        """Give a tensor its quantisation; two different ones for one tensor are an error."""
        t = self.tensor(name)
        if t.dtype not in ("int8", "uint8", "int32"):
            raise self.unsupported(
                f"tensor '{name}' is {t.dtype}; only int8 and uint8 quantisation (int32 "
                "for biases) is supported")
        if t.quant is not None:
            if not same_quant(t.quant, quant):
                raise self.unsupported(
                    f"tensor '{name}' is used with two different quantisations",
                    "give each Q/DQ pair its own tensor with one scale and zero point")
            return
        t.quant = quant

    # ---- emitting --------------------------------------------------------------------

    def add(self, kind: str, inputs: list[str], outputs: list[str],
            attrs: dict[str, Any] | None = None) -> Op:
        assert self.node is not None
        op = Op(kind=kind, inputs=list(inputs), outputs=list(outputs), attrs=dict(attrs or {}),
                name=self.node.name or self.node.output[0], source=self.source)
        self.ops.append(op)
        return op

    def transpose(self, src: str, perm: tuple[int, ...], out: str | None = None) -> str:
        t = self.tensor(src)
        perm = tuple(int(p) for p in perm)
        shape = tuple(t.shape[p] for p in perm)
        if out is None:
            out = self.new_tensor(src, t.dtype, shape, quant=permute_quant(t.quant, perm),
                                  reference=t.transposed_reference(perm))
        self.add("transpose", [src], [out], {"perm": perm})
        return out

    def reshape(self, src: str, shape: tuple[int, ...], out: str | None = None) -> str:
        t = self.tensor(src)
        if out is None:
            out = self.new_tensor(src, t.dtype, shape, quant=t.quant)
        self.add("reshape", [src], [out])
        return out


def _numpy_dtype_name(dtype: np.dtype) -> str | None:
    for name, np_type in NUMPY_DTYPES.items():
        if np.dtype(np_type) == dtype:
            return name
    return None


def _dims_text(shape: onnx.TensorShapeProto) -> str:
    parts = []
    for d in shape.dim:
        parts.append(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?"))
    return "[" + ", ".join(parts) + "]"


# ---- loading ----------------------------------------------------------------------------


def parse_model(path: Path, data: bytes) -> onnx.ModelProto:
    """Bytes -> ModelProto, with a one-line error for anything that is not ONNX."""
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise ModelError(f"{path}: not a valid ONNX model (protobuf parse failed: {exc})",
                         "re-export the model; the file is truncated or not ONNX") from None
    if not model.HasField("graph") or model.ir_version <= 0 or not model.graph.output:
        raise ModelError(f"{path}: not a valid ONNX model (no graph, IR version or outputs)",
                         "re-export the model; the file is truncated or not ONNX")
    return model


def default_opset(path: Path, model: onnx.ModelProto) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if not versions:
        raise ModelError(f"{path}: the model imports no default-domain (ai.onnx) opset")
    opset = versions[0]
    if opset < MIN_OPSET:
        raise UnsupportedOpError(
            f"{path}: opset {opset} is older than this compiler supports ({MIN_OPSET}+)",
            "convert it: onnx.version_converter.convert_version(model, 13)")
    if opset > MAX_OPSET:
        raise UnsupportedOpError(
            f"{path}: opset {opset} is newer than this compiler knows (up to {MAX_OPSET})",
            "export with an older opset, or upgrade tinyml-build")
    return opset


def apply_freeze(path: Path, model: onnx.ModelProto, freeze: Mapping[str, np.ndarray]) -> None:
    """Turn the named graph inputs into initializers holding the given values."""
    inputs = {vi.name: vi for vi in model.graph.input}
    initialized = {t.name for t in model.graph.initializer}
    for name, value in freeze.items():
        vi = inputs.get(name)
        if vi is None or name in initialized:
            available = ", ".join(n for n in inputs if n not in initialized) or "none"
            raise ModelError(f"{path}: --freeze {name}: the model has no graph input named "
                             f"'{name}'", f"graph inputs: {available}")
        tt = vi.type.tensor_type
        np_type = helper.tensor_dtype_to_np_dtype(tt.elem_type)
        arr = np.asarray(value)
        declared = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
        if tt.HasField("shape"):
            if len(declared) != arr.ndim or any(
                d is not None and d != s for d, s in zip(declared, arr.shape, strict=False)
            ):
                raise ModelError(f"{path}: --freeze {name}: the value has shape "
                                 f"{list(arr.shape)}, the input is {_dims_text(tt.shape)}")
        if arr.dtype != np_type:
            cast = arr.astype(np_type)
            if not np.array_equal(cast.astype(arr.dtype), arr):
                raise ModelError(f"{path}: --freeze {name}: values do not fit the input's "
                                 f"type {_elem_name(tt.elem_type)}")
            arr = cast
        model.graph.initializer.append(numpy_helper.from_array(arr, name))
    keep = [vi for vi in model.graph.input if vi.name not in freeze]
    del model.graph.input[:]
    model.graph.input.extend(keep)


def _fix_batch_dims(path: Path, model: onnx.ModelProto) -> None:
    """A symbolic first dimension of a graph input is the batch: compile it as 1."""
    initialized = {t.name for t in model.graph.initializer}
    for vi in model.graph.input:
        if vi.name in initialized or not vi.type.HasField("tensor_type"):
            continue
        tt = vi.type.tensor_type
        if not tt.HasField("shape"):
            raise ModelError(f"{path}: graph input '{vi.name}' has no shape",
                             "export the model with static input shapes")
        for axis, d in enumerate(tt.shape.dim):
            if d.HasField("dim_value") and d.dim_value >= 0:
                continue
            if axis == 0:
                d.Clear()
                d.dim_value = 1
                continue
            raise ModelError(
                f"{path}: graph input '{vi.name}' has a dynamic dimension "
                f"'{d.dim_param or '?'}' at axis {axis} ({_dims_text(tt.shape)})",
                "export with a fixed shape, or fix it with python -m "
                "onnxruntime.tools.make_dynamic_shape_fixed")
    # graph outputs: let shape inference decide (drop symbolic dims it would conflict with)
    for vi in model.graph.output:
        if vi.type.HasField("tensor_type") and vi.type.tensor_type.HasField("shape"):
            for d in vi.type.tensor_type.shape.dim:
                if not d.HasField("dim_value"):
                    d.Clear()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_and_infer(path: Path, model: onnx.ModelProto) -> onnx.ModelProto:
    # onnx's C++ checker and inference raise their own types, and UnicodeDecodeError or
    # RuntimeError on damaged files: every failure here is the model's
    try:
        onnx.checker.check_model(model)
    except Exception as exc:
        raise ModelError(f"{path}: the ONNX checker rejects the model: {_first_line(exc)}",
                         "re-export the model; it does not follow the ONNX spec") from None
    try:
        return onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True,
                                                 data_prop=True)
    except Exception as exc:
        raise ModelError(f"{path}: ONNX shape inference fails: {_first_line(exc)}",
                         "export the model with static shapes; check the node it names") \
            from None


def _fold_node(b: OnnxBuilder, node: onnx.NodeProto) -> list[np.ndarray] | None:
    """Evaluate a node whose inputs are all constants, with onnx's reference evaluator."""
    if node.op_type in _NO_FOLD or node.domain not in ("", "ai.onnx"):
        return None
    values = []
    for name in node.input:
        if not name:
            values.append(None)
            continue
        data = b.tensor(name).data if name in b.tensors else None
        if data is None:
            return None
        values.append(data)
    if node.op_type == "Constant":
        return None
    from onnx.reference import ReferenceEvaluator

    inputs = []
    feeds = {}
    for name, value in zip(node.input, values, strict=True):
        if not name:
            continue
        inputs.append(helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(value.dtype), value.shape))
        feeds[name] = value
    outputs = [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None)
               for o in node.output if o]
    graph = helper.make_graph([node], "fold", inputs, outputs)
    tmp = helper.make_model(graph, opset_imports=[helper.make_opsetid("", b.opset)])
    tmp.ir_version = b.model.ir_version
    try:
        results = ReferenceEvaluator(tmp).run(None, feeds)
    except Exception as exc:  # the reference evaluator raises anything on bad input
        raise b.fail(f"evaluating this constant node failed: {type(exc).__name__}: {exc}") \
            from None
    return [np.asarray(r) for r in results]


def _constant_value(b: OnnxBuilder, node: onnx.NodeProto) -> np.ndarray:
    for a in node.attribute:
        if a.name == "value":
            return numpy_helper.to_array(a.t)
        if a.name == "value_float":
            return np.array(a.f, dtype=np.float32)
        if a.name == "value_floats":
            return np.array(list(a.floats), dtype=np.float32)
        if a.name == "value_int":
            return np.array(a.i, dtype=np.int64)
        if a.name == "value_ints":
            return np.array(list(a.ints), dtype=np.int64)
    raise b.unsupported("only dense Constant values (value, value_float(s), value_int(s)) "
                        "are supported")


Converter = Callable[[OnnxBuilder], None]


def _converters() -> dict[str, Converter]:
    from . import onnx_ops, onnx_quant_ops

    table: dict[str, Converter] = {}
    table.update(onnx_ops.CONVERTERS)
    table.update(onnx_quant_ops.CONVERTERS)
    return table


def _min_versions() -> dict[str, int]:
    from . import onnx_ops, onnx_quant_ops

    table: dict[str, int] = {}
    table.update(onnx_ops.MIN_VERSIONS)
    table.update(onnx_quant_ops.MIN_VERSIONS)
    return table


def _add_const(b: OnnxBuilder, name: str, array: np.ndarray) -> None:
    dtype = _numpy_dtype_name(array.dtype)
    if dtype is None:
        raise b.unsupported(f"constant '{name}' has type {array.dtype}, which is not supported",
                            "convert the model to float32")
    b.tensors[name] = Tensor(name, dtype, tuple(int(d) for d in array.shape), data=array)


def load_onnx(path: Path, data: bytes, name: str,
              freeze: Mapping[str, np.ndarray] | None = None) -> Graph:
    """Parse an .onnx file's bytes into a Graph, or raise ModelError naming the problem."""
    model = parse_model(path, data)
    inline_external_data(model, path)
    opset = default_opset(path, model)
    if freeze:
        apply_freeze(path, model, freeze)
    _fix_batch_dims(path, model)
    model = _check_and_infer(path, model)
    g = model.graph
    b = OnnxBuilder(path, model, opset)
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        b.value_info[vi.name] = vi
    initialized = set()
    for init in g.initializer:
        try:
            arr = numpy_helper.to_array(init)
        except Exception as exc:  # malformed raw data
            raise ModelError(f"{path}: initializer '{init.name}' cannot be read: {exc}") \
                from None
        _add_const(b, init.name, np.array(arr))
        initialized.add(init.name)
    if g.sparse_initializer:
        raise UnsupportedOpError(f"{path}: sparse initializers are not supported",
                                 "densify them with onnx before compiling")
    graph_inputs = []
    for vi in g.input:
        if vi.name in initialized:
            continue  # an initializer listed as an input (IR < 4): a constant
        if not vi.type.HasField("tensor_type"):
            raise UnsupportedOpError(f"{path}: graph input '{vi.name}' is not a tensor")
        b.tensors[vi.name] = b.tensor_from_type(vi.name, vi.type.tensor_type)
        graph_inputs.append(vi.name)
    if not graph_inputs:
        raise ModelError(f"{path}: the model has no (non-constant) graph inputs")

    converters = _converters()
    min_versions = _min_versions()
    for index, node in enumerate(g.node):
        b.node = node
        domain = node.domain if node.domain not in ("", "ai.onnx") else ""
        try:
            version = onnx.defs.get_schema(node.op_type, opset, domain).since_version
        except onnx.defs.SchemaError:
            version = 0
        b.source = OpSource(node.op_type, version, index, framework="onnx")
        if domain:
            raise b.unsupported(
                f"op {domain}::{node.op_type} is not supported (only the default ai.onnx "
                "domain is)",
                "quantise with standard ops only (QDQ format, or QOperator restricted to "
                "Conv/MatMul)" if domain == "com.microsoft" else "")
        if node.op_type == "Constant":
            _add_const(b, node.output[0], _constant_value(b, node))
            continue
        folded = _fold_node(b, node)
        if folded is not None:
            for out, arr in zip(node.output, folded, strict=False):
                if out:
                    _add_const(b, out, arr)
            continue
        if node.op_type not in converters:
            raise b.unsupported(f"op {node.op_type} is not supported",
                                "supported ONNX ops: " + ", ".join(sorted(converters)))
        if version < min_versions.get(node.op_type, 0):
            raise b.unsupported(
                f"{node.op_type}-{version} predates opset 11, which this compiler "
                "needs", "convert: onnx.version_converter.convert_version(model, 13)")
        converters[node.op_type](b)
        for out in node.output:
            if out and out not in b.tensors:
                raise b.unsupported(f"output '{out}' is not supported")
    b.node = None
    outputs = []
    for vi in g.output:
        if vi.name not in b.tensors:
            raise ModelError(f"{path}: graph output '{vi.name}' is never produced")
        t = b.tensors[vi.name]
        if t.dtype not in ("float32", "int8", "uint8", "int32"):
            raise UnsupportedOpError(f"{path}: graph output '{vi.name}' is {t.dtype}; "
                                     "outputs must be float32, int8, uint8 or int32")
        outputs.append(vi.name)
    for n in graph_inputs:
        t = b.tensors[n]
        if t.dtype not in ("float32", "int8", "uint8", "int32"):
            raise UnsupportedOpError(
                f"{path}: graph input '{n}' is {t.dtype}; inputs must be float32, int8, "
                "uint8 or int32",
                f"if it is a shape or an index, pass --freeze {n}=VALUE.npy")
    return Graph(name=name, tensors=b.tensors, ops=b.ops, inputs=graph_inputs,
                 outputs=outputs, source_path=str(path), framework="onnx")
