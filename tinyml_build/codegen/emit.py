"""Emits <name>.h, <name>.c, <name>_data.h, <name>_weights.c for a lowered, planned graph.

Kernels describe their call through the EmitContext below; everything they ask for becomes
a const array (in the weights file) or a static const parameter struct (in the .c), named
from the model prefix and a counter, so several models link side by side and the same
model always produces the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..ir import C_TYPES, Graph, Tensor
from ..kernels import KERNEL_DIR
from ..lowering import LoweredOp
from ..planner import Plan
from ..registration import CExpr, KernelCall, Target
from .c_text import array_body, comment, decimal_float, float_literal, int_literal

_NP_TO_C = {
    np.dtype(np.int8): "int8_t",
    np.dtype(np.uint8): "uint8_t",
    np.dtype(np.int16): "int16_t",
    np.dtype(np.int32): "int32_t",
    np.dtype(np.float32): "float",
}


@dataclass
class ConstArray:
    symbol: str
    ctype: str
    data: np.ndarray
    label: str
    kind: str  # "weights" (a model tensor) or "derived" (computed by a kernel at build time)

    @property
    def nbytes(self) -> int:
        return int(self.data.nbytes)


@dataclass
class ParamStruct:
    symbol: str
    ctype: str
    fields: dict[str, Any]


@dataclass
class EmittedOp:
    lowered: LoweredOp
    call: KernelCall | None
    trace_tensor: str


@dataclass
class GeneratedModel:
    name: str
    files: dict[str, str]  # file name -> content
    consts: list[ConstArray]
    params: list[ParamStruct]
    ops: list[EmittedOp]
    kernel_sources: list[Path]
    headers: list[str]
    defines: list[str] = field(default_factory=list)
    include_dirs: list[Path] = field(default_factory=list)
    libraries: list[str] = field(default_factory=list)

    @property
    def weights_bytes(self) -> int:
        return sum(c.nbytes for c in self.consts if c.kind == "weights")

    @property
    def derived_bytes(self) -> int:
        return sum(c.nbytes for c in self.consts if c.kind == "derived")


@dataclass
class CodegenOptions:
    name: str
    model_file: str = ""
    model_sha256: str = ""
    arena_section: str | None = None
    weights_section: str | None = None
    alignment: int = 16
    frozen_inputs: dict[str, str] = field(default_factory=dict)  # input name -> value sha256


class _Context:
    """The EmitContext handed to kernels."""

    def __init__(self, graph: Graph, plan: Plan, target: Target, options: CodegenOptions):
        self.graph = graph
        self.plan = plan
        self.target = target
        self.options = options
        self.model = options.name
        self.consts: list[ConstArray] = []
        self._const_by_key: dict[tuple[str, bytes, tuple[int, ...]], ConstArray] = {}
        self._tensor_consts: dict[str, ConstArray] = {}
        self.params_list: list[ParamStruct] = []
        self.current_op: int = -1

    # -- EmitContext ------------------------------------------------------------------

    def buffer(self, tensor: str) -> CExpr:
        t = self.graph.tensors[tensor]
        if t.is_const:
            return CExpr(self._tensor_const(t).symbol)
        offset = self.plan.offsets[tensor]
        return CExpr(f"(({C_TYPES[t.dtype]} *)({self.model}_arena + {offset}))")

    def const(self, array: np.ndarray, label: str) -> CExpr:
        return CExpr(self._add_const(np.asarray(array), label, "derived").symbol)

    def params(self, ctype: str, fields: dict[str, object]) -> CExpr:
        symbol = f"{self.model}_p{len(self.params_list)}"
        self.params_list.append(ParamStruct(symbol, ctype, dict(fields)))
        return CExpr(f"&{symbol}")

    def scratch(self) -> CExpr:
        offset = self.plan.scratch[self.current_op]
        return CExpr(f"((void *)({self.model}_arena + {offset}))")

    # -- helpers ----------------------------------------------------------------------

    def _tensor_const(self, t: Tensor) -> ConstArray:
        if t.name not in self._tensor_consts:
            assert t.data is not None
            self._tensor_consts[t.name] = self._add_const(t.data, t.name, "weights")
        return self._tensor_consts[t.name]

    def _add_const(self, array: np.ndarray, label: str, kind: str) -> ConstArray:
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        if array.dtype == np.int64:
            if array.size and (array.min() < -(1 << 31) or array.max() >= (1 << 31)):
                raise ValueError(f"constant '{label}' does not fit in int32")
            array = array.astype(np.int32)
        if array.dtype not in _NP_TO_C:
            raise ValueError(f"constant '{label}' has unsupported type {array.dtype}")
        if array.dtype == np.float32 and not np.all(np.isfinite(array)):
            from ..errors import ModelError

            raise ModelError(f"constant '{label}' contains NaN or infinity, which a C "
                             "constant array cannot hold",
                             "replace the non-finite values in the model")
        ctype = _NP_TO_C[array.dtype]
        flat = np.ascontiguousarray(array).reshape(-1)
        key = (ctype, flat.tobytes(), (flat.size,))
        existing = self._const_by_key.get(key)
        if existing is not None:
            if kind == "weights":
                existing.kind = "weights"
            return existing
        const = ConstArray(f"{self.model}_c{len(self.consts)}", ctype, flat, label, kind)
        self.consts.append(const)
        self._const_by_key[key] = const
        return const


def _field_value(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, CExpr):
        return str(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return int_literal(int(value))
    if isinstance(value, (float, np.floating)):
        return float_literal(float(value))
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(_field_value(v) for v in value) + "}"
    raise TypeError(f"cannot render {value!r} as a C initializer")


def _call_text(call: KernelCall) -> str:
    args = ", ".join(_field_value(a) if not isinstance(a, str) else str(a) for a in call.args)
    return f"{call.function}({args})"


def _guard(name: str, suffix: str) -> str:
    return f"{name.upper()}_{suffix}"


def _banner(options: CodegenOptions, what: str) -> str:
    source = f" from {comment(options.model_file)}" if options.model_file else ""
    sha = f"\n * model sha256 {options.model_sha256}" if options.model_sha256 else ""
    for name, digest in options.frozen_inputs.items():
        sha += f"\n * input '{comment(name)}' frozen to a value with sha256 {digest}"
    return (
        f"/*\n * {what}\n * Generated by tinyml-build {__version__}{source}. Do not edit."
        f"{sha}\n */\n"
    )


def _io_macros(prefix: str, kind: str, index: int, t: Tensor) -> list[str]:
    base = f"{prefix}_{kind}{index}"
    lines = [
        f"/* {kind.lower()} {index}: '{comment(t.name)}' {t.dtype} {list(t.shape)} */",
        f"#define {base}_BYTES {t.nbytes}u",
        f"#define {base}_RANK {len(t.shape)}",
        f"#define {base}_SHAPE {{{', '.join(str(d) for d in t.shape) or '1'}}}",
    ]
    if t.quant is not None and not t.quant.per_channel:
        lines.append(f"#define {base}_SCALE {decimal_float(t.quant.scalar_scale)}")
        lines.append(f"#define {base}_ZERO_POINT {t.quant.scalar_zero_point}")
    return lines


def _header(graph: Graph, plan: Plan, options: CodegenOptions) -> str:
    name = options.name
    up = name.upper()
    guard = _guard(name, "H")
    out = [_banner(options, f"{name}.h: the C API of model '{name}'.")]
    out += [
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "/* bytes of RAM the model needs for activations and kernel scratch, planned at build"
        " time */",
        f"#define {up}_ARENA_SIZE {plan.arena_bytes}u",
        f"#define {up}_NUM_INPUTS {len(graph.inputs)}u",
        f"#define {up}_NUM_OUTPUTS {len(graph.outputs)}u",
        "",
    ]
    for i, n in enumerate(graph.inputs):
        out += [*_io_macros(up, "INPUT", i, graph.tensors[n]), ""]
    for i, n in enumerate(graph.outputs):
        out += [*_io_macros(up, "OUTPUT", i, graph.tensors[n]), ""]
    out += [
        "/* Runs one inference. Returns 0 on success. The inputs must be written before each",
        " * call: the model reuses their memory. */",
        f"int {name}_invoke(void);",
        "",
        "/* Input i (NULL when out of range): the model's own type, shape and layout,"
        " row-major. */",
        f"void *{name}_input(size_t i);",
        f"const void *{name}_output(size_t i);",
        f"size_t {name}_input_size(size_t i);",
        f"size_t {name}_output_size(size_t i);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {guard} */",
        "",
    ]
    return "\n".join(out)


def _const_decl(c: ConstArray) -> str:
    return f"extern const {c.ctype} {c.symbol}[{max(c.data.size, 1)}];"


def _data_header(ctx: _Context, options: CodegenOptions) -> str:
    guard = _guard(options.name, "DATA_H")
    out = [_banner(options, f"{options.name}_data.h: constant arrays of model "
                            f"'{options.name}' (internal).")]
    out += [f"#ifndef {guard}", f"#define {guard}", "", '#include "tml_common.h"', ""]
    out += [_const_decl(c) for c in ctx.consts]
    out += ["", f"#endif /* {guard} */", ""]
    return "\n".join(out)


def _weights_file(ctx: _Context, options: CodegenOptions) -> str:
    name = options.name
    attrs = f"TML_ALIGNED({options.alignment})"
    if options.weights_section:
        attrs += f' TML_SECTION("{options.weights_section}")'
    out = [_banner(options, f"{name}_weights.c: weights and build-time tables of model "
                            f"'{name}'.")]
    out += [f'#include "{name}_data.h"', ""]
    for c in ctx.consts:
        out.append(f"/* {c.kind}: {comment(c.label)} */")
        out.append(f"const {c.ctype} {c.symbol}[{max(c.data.size, 1)}] {attrs} = {{")
        out.append(array_body(c.data))
        out.append("};")
        out.append("")
    return "\n".join(out)


def _accessor(name: str, what: str, ret: str, entries: list[str], default: str) -> list[str]:
    out = [f"{ret} {name}_{what}(size_t i)", "{", "    switch (i) {"]
    for i, e in enumerate(entries):
        out.append(f"    case {i}:")
        out.append(f"        return {e};")
    out += ["    default:", f"        return {default};", "    }", "}", ""]
    return out


def _source(graph: Graph, plan: Plan, ctx: _Context, ops: list[EmittedOp],
            headers: list[str], options: CodegenOptions) -> str:
    name = options.name
    up = name.upper()
    out = [_banner(options, f"{name}.c: the inference call sequence of model '{name}'.")]
    out += [f'#include "{name}.h"', f'#include "{name}_data.h"']
    out += [f'#include "{h}"' for h in headers]
    out += [""]
    arena_attrs = f"TML_ALIGNED({options.alignment})"
    if options.arena_section:
        arena_attrs += f' TML_SECTION("{options.arena_section}")'
    out += [
        f"/* activations and scratch: {plan.arena_bytes} bytes, offsets planned at build time */",
        f"static uint8_t {name}_arena[{up}_ARENA_SIZE > 0 ? {up}_ARENA_SIZE : 1] {arena_attrs};",
        "",
        f"#ifdef {up}_TRACE",
        "/* Defined by a test harness: called after every op with the op's output. */",
        f"void {name}_trace(size_t node, const void *data, size_t bytes);",
        f"#define {up}_TRACE_OP(node, data, bytes) {name}_trace((node), (data), (bytes))",
        "#else",
        f"#define {up}_TRACE_OP(node, data, bytes) ((void)0)",
        "#endif",
        "",
    ]
    for p in ctx.params_list:
        out.append(f"static const {p.ctype} {p.symbol} = {{")
        for k, v in p.fields.items():
            out.append(f"    .{k} = {_field_value(v)},")
        out.append("};")
    if ctx.params_list:
        out.append("")
    out += [f"int {name}_invoke(void)", "{"]
    for e in ops:
        op = e.lowered.op
        node = op.source.index if op.source else 0
        out.append(f"    /* {comment(op.describe())} -> {e.lowered.kernel.name} */")
        if e.call is None:
            out.append("    /* no code: the output shares the input's memory */")
        elif e.call.returns_status:
            out.append(f"    if ({_call_text(e.call)} != 0) {{")
            out.append(f"        return {node + 1};")
            out.append("    }")
        else:
            out.append(f"    {_call_text(e.call)};")
        t = graph.tensors[e.trace_tensor]
        out.append(f"    {up}_TRACE_OP({node}u, {ctx.buffer(e.trace_tensor)}, {t.nbytes}u);")
    out += ["    return 0;", "}", ""]

    def io_ptr(tensor: str, const: bool) -> str:
        expr = ctx.buffer(tensor)
        if graph.tensors[tensor].is_const and not const:
            return "NULL"
        return f"(void *){expr}" if graph.tensors[tensor].is_const else expr

    out += _accessor(name, "input", "void *", [io_ptr(n, False) for n in graph.inputs], "NULL")
    out += _accessor(name, "output", "const void *",
                     [io_ptr(n, True) for n in graph.outputs], "NULL")
    out += _accessor(name, "input_size", "size_t",
                     [f"{graph.tensors[n].nbytes}u" for n in graph.inputs], "0u")
    out += _accessor(name, "output_size", "size_t",
                     [f"{graph.tensors[n].nbytes}u" for n in graph.outputs], "0u")
    return "\n".join(out)


def generate(
    graph: Graph, lowered: list[LoweredOp], plan: Plan, target: Target, options: CodegenOptions
) -> GeneratedModel:
    ctx = _Context(graph, plan, target, options)
    emitted: list[EmittedOp] = []
    sources: list[Path] = []
    headers: list[str] = []
    defines: list[str] = []
    include_dirs: list[Path] = [KERNEL_DIR]
    libraries: list[str] = []
    for op_index in plan.order:
        lo = lowered[op_index]
        ctx.current_op = op_index
        try:
            call = lo.kernel.emit(lo.op, graph, ctx)
        except (ValueError, ArithmeticError) as exc:
            from ..errors import UnsupportedOpError

            where = f"{graph.source_path}: " if graph.source_path else ""
            raise UnsupportedOpError(
                f"{where}{lo.op.describe()}: kernel {lo.kernel.name} cannot encode it: {exc}"
            ) from exc
        emitted.append(EmittedOp(lo, call, lo.op.outputs[0]))
        for s in lo.kernel.sources:
            if s not in sources:
                sources.append(s)
        for h in lo.kernel.headers:
            if h not in headers:
                headers.append(h)
        for d in lo.kernel.defines:
            if d not in defines:
                defines.append(d)
        for inc in lo.kernel.include_dirs:
            if inc not in include_dirs:
                include_dirs.append(inc)
        for lib in lo.kernel.libraries:
            if lib not in libraries:
                libraries.append(lib)
    files = {
        f"{options.name}.h": _header(graph, plan, options),
        f"{options.name}.c": _source(graph, plan, ctx, emitted, headers, options),
        f"{options.name}_data.h": _data_header(ctx, options),
        f"{options.name}_weights.c": _weights_file(ctx, options),
    }
    return GeneratedModel(
        name=options.name,
        files=files,
        consts=ctx.consts,
        params=ctx.params_list,
        ops=emitted,
        kernel_sources=sources,
        headers=headers,
        defines=defines,
        include_dirs=include_dirs,
        libraries=libraries,
    )
