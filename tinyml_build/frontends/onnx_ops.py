"""Per-op converters for float32 (and plain integer) ONNX nodes.

Each converter reads one node through the OnnxBuilder and emits IR ops. Shapes come from
onnx shape inference, so view-like ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity,
Dropout) only check their element count and become `reshape`. Convolutions and pools are
emitted in NHWC between two transposes (1-D ones through a [N, C, 1, L] view); weights
get a transpose op too, which constant folding turns into OHWI data at build time.
Inputs that define shapes (Reshape's shape, Slice's starts, Pad's pads, ...) must be
constant; `require_const` names the input and the fix when one is not.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..ir import permute_quant
from .onnx import OnnxBuilder

NCHW_TO_NHWC = (0, 2, 3, 1)
NHWC_TO_NCHW = (0, 3, 1, 2)
MAX_RANK = 6

#: the oldest op version (schema since_version) each converter implements; older versions
#: have other semantics (attributes instead of inputs, legacy broadcasting)
MIN_VERSIONS: dict[str, int] = {
    "Conv": 11, "ConvTranspose": 11, "Gemm": 11, "MatMul": 9, "Relu": 6, "LeakyRelu": 6,
    "Clip": 11, "Sigmoid": 6, "Tanh": 6, "HardSigmoid": 6, "HardSwish": 14, "Softmax": 11,
    "MaxPool": 11, "AveragePool": 11, "GlobalAveragePool": 1, "GlobalMaxPool": 1,
    "Add": 7, "Sub": 7, "Mul": 7, "Div": 7, "BatchNormalization": 9, "Reshape": 5,
    "Flatten": 11, "Squeeze": 11, "Unsqueeze": 11, "Concat": 11, "Transpose": 1, "Pad": 11,
    "ReduceMean": 11, "Slice": 11, "Split": 11, "Identity": 1, "Dropout": 10, "Sqrt": 6, "Cast": 6,
    "Shape": 1,
}



def _require_float(b: OnnxBuilder, *names: str) -> None:
    for n in names:
        if n and b.dtype(n) != "float32":
            raise b.unsupported(f"input '{n}' is {b.dtype(n)}; this op is compiled for "
                                "float32 only", "quantised models use QDQ or QLinear ops")


def _ints(b: OnnxBuilder, name: str, default: list[int] | None) -> list[int] | None:
    value = b.attr(name, None)
    if value is None:
        return default
    return [int(v) for v in value]


# ---- layout helpers --------------------------------------------------------------------


NCDHW_TO_NDHWC = (0, 2, 3, 4, 1)
NDHWC_TO_NCDHW = (0, 4, 1, 2, 3)


def _to_nhwc(b: OnnxBuilder, x: str) -> tuple[str, int]:
    """x in NC[D][H]W -> channels last (1-D: through [N, C, 1, L]); returns (tensor,
    spatial rank)."""
    shape = b.shape(x)
    if len(shape) == 3:
        x = b.reshape(x, (shape[0], shape[1], 1, shape[2]))
        return b.transpose(x, NCHW_TO_NHWC), 1
    if len(shape) == 4:
        return b.transpose(x, NCHW_TO_NHWC), 2
    if len(shape) == 5:
        return b.transpose(x, NCDHW_TO_NDHWC), 3
    raise b.unsupported(f"a {len(shape) - 2}-D spatial input {list(shape)} is not supported")


def _nhwc_out(b: OnnxBuilder, out: str, spatial: int) -> str:
    """A new channels-last tensor for the ONNX NC[D][H]W output `out`."""
    t = b.tensor(out)
    if spatial == 1:
        n, c, length = t.shape
        return b.new_tensor(out, t.dtype, (n, 1, length, c), quant=t.quant)
    perm = NCHW_TO_NHWC if spatial == 2 else NCDHW_TO_NDHWC
    return b.new_tensor(out, t.dtype, tuple(t.shape[p] for p in perm), quant=t.quant,
                        reference=(out, perm))


def _from_nhwc(b: OnnxBuilder, y: str, out: str, spatial: int) -> None:
    if spatial == 1:
        t = b.tensor(out)
        y = b.transpose(y, NHWC_TO_NCHW)
        b.reshape(y, t.shape, out=out)
        return
    b.transpose(y, NHWC_TO_NCHW if spatial == 2 else NDHWC_TO_NCDHW, out=out)


def _weights_ohwi(b: OnnxBuilder, w: str, spatial: int) -> str:
    """[O, I, (H,) W] -> [O, H, W, I] as a transpose op (folded when w is constant)."""
    shape = b.shape(w)
    if spatial == 1:
        w = b.reshape(w, (shape[0], shape[1], 1, shape[2]))
    return b.transpose(w, NCHW_TO_NHWC)


def window_pads(
    b: OnnxBuilder, in_size: list[int], kernel: list[int], strides: list[int],
    dilations: list[int], pads: list[int] | None, auto_pad: str, ceil_mode: bool,
    out_size: list[int],
) -> list[tuple[int, int]]:
    """(begin, end) padding per spatial axis; checks the output size shape inference gave."""
    n = len(in_size)
    result: list[tuple[int, int]] = []
    for i in range(n):
        eff = (kernel[i] - 1) * dilations[i] + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            expect = -(-in_size[i] // strides[i])
            total = max(0, (expect - 1) * strides[i] + eff - in_size[i])
            small = total // 2
            begin = small if auto_pad == "SAME_UPPER" else total - small
            pad = (begin, total - begin)
        elif auto_pad == "VALID":
            pad = (0, 0)
            expect = (in_size[i] - eff) // strides[i] + 1
        elif auto_pad in ("NOTSET", ""):
            p = pads or [0] * (2 * n)
            pad = (p[i], p[i + n])
            span = in_size[i] + pad[0] + pad[1] - eff
            if ceil_mode:
                expect = -(-span // strides[i]) + 1
                if (expect - 1) * strides[i] >= in_size[i] + pad[0]:
                    expect -= 1
            else:
                expect = span // strides[i] + 1
        else:
            raise b.unsupported(f"auto_pad '{auto_pad}' is not supported")
        if min(pad) < 0:
            raise b.unsupported(f"negative padding {list(pad)} is not supported")
        if expect != out_size[i]:
            raise b.fail(f"output size {out_size[i]} along spatial axis {i} does not match "
                         f"the {expect} its attributes give")
        result.append(pad)
    return result


def _window_attrs(pads: list[tuple[int, int]], strides: list[int], dilations: list[int],
                  spatial: int) -> dict[str, object]:
    if spatial == 1:
        return {"stride": (1, strides[0]), "dilation": (1, dilations[0]),
                "pads": (0, pads[0][0], 0, pads[0][1])}
    # pads: all the begins (front/top/left), then all the ends (back/bottom/right)
    return {"stride": tuple(strides), "dilation": tuple(dilations),
            "pads": tuple(p[0] for p in pads) + tuple(p[1] for p in pads)}


# ---- convolutions ----------------------------------------------------------------------


def conv(b: OnnxBuilder) -> None:
    b.check_attrs(CONV_ATTRS)
    x, w, bias = b.input(0), b.input(1), b.input(2)
    _require_float(b, x, w, bias)
    emit_conv(b, x, w, bias, b.output())


CONV_ATTRS = {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}


def emit_conv(b: OnnxBuilder, x: str, w: str, bias: str, out: str) -> None:
    """Conv in NC[H]W as transpose -> conv2d (NHWC, OHWI weights) -> transpose."""
    xs, ws = b.shape(x), b.shape(w)
    ys = b.shape(out)
    spatial = len(xs) - 2
    if spatial not in (1, 2):
        raise b.unsupported(f"{spatial}-D convolution is not supported (1-D and 2-D only)")
    group = int(b.attr("group", 1))
    if len(ws) != len(xs) or group < 1 or xs[1] != ws[1] * group or ws[0] % group:
        raise b.fail(f"weights {list(ws)} do not fit input {list(xs)} with group {group}")
    kernel = list(ws[2:])
    if _ints(b, "kernel_shape", kernel) != kernel:
        raise b.fail(f"kernel_shape {b.attr('kernel_shape')} does not match the weights")
    strides = _ints(b, "strides", [1] * spatial)
    dilations = _ints(b, "dilations", [1] * spatial)
    pads = window_pads(b, list(xs[2:]), kernel, strides, dilations, _ints(b, "pads", None),
                       b.attr("auto_pad", "NOTSET"), False, list(ys[2:]))
    if bias and b.shape(bias) != (ws[0],):
        raise b.fail(f"bias '{bias}' has shape {list(b.shape(bias))}, expected [{ws[0]}]")
    x_nhwc, _ = _to_nhwc(b, x)
    w_ohwi = _weights_ohwi(b, w, spatial)
    y = _nhwc_out(b, out, spatial)
    attrs = _window_attrs(pads, strides, dilations, spatial)
    attrs["activation"] = "none"
    b.add("conv2d", [x_nhwc, w_ohwi] + ([bias] if bias else []), [y], attrs)
    _from_nhwc(b, y, out, spatial)


def conv_transpose(b: OnnxBuilder) -> None:
    b.check_attrs({"auto_pad", "dilations", "group", "kernel_shape", "output_padding",
                   "output_shape", "pads", "strides"})
    x, w, bias = b.input(0), b.input(1), b.input(2)
    _require_float(b, x, w, bias)
    xs, ws = b.shape(x), b.shape(w)
    out = b.output()
    ys = b.shape(out)
    spatial = len(xs) - 2
    if spatial not in (1, 2):
        raise b.unsupported(f"{spatial}-D transposed convolution is not supported "
                            "(1-D and 2-D only)")
    group = int(b.attr("group", 1))
    if len(ws) != len(xs) or group < 1 or ws[0] != xs[1] or xs[1] % group:
        raise b.fail(f"weights {list(ws)} do not fit input {list(xs)} with group {group}")
    kernel = list(ws[2:])
    strides = _ints(b, "strides", [1] * spatial)
    dilations = _ints(b, "dilations", [1] * spatial)
    out_pad = _ints(b, "output_padding", [0] * spatial)
    auto_pad = b.attr("auto_pad", "NOTSET")
    pads = _ints(b, "pads", None)
    out_shape = _ints(b, "output_shape", None)
    begins = []
    for i in range(spatial):
        full = strides[i] * (xs[2 + i] - 1) + out_pad[i] + (kernel[i] - 1) * dilations[i] + 1
        if pads is not None and auto_pad in ("NOTSET", "") and out_shape is None:
            begin, end = pads[i], pads[i + spatial]
            expect = full - begin - end
        elif auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            target = out_shape[i] if out_shape else xs[2 + i] * strides[i]
            total = full - target
            begin = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            expect = target
        else:
            begin = pads[i] if pads else 0
            expect = out_shape[i] if out_shape else full - begin - (pads[i + spatial]
                                                                     if pads else 0)
        if expect != ys[2 + i]:
            raise b.fail(f"output size {ys[2 + i]} along spatial axis {i} does not match "
                         f"the {expect} its attributes give")
        begins.append(begin)
    x_nhwc, _ = _to_nhwc(b, x)
    w_t = _weights_ohwi(b, w, spatial)  # [C_in, kh, kw, C_out / group]
    y = _nhwc_out(b, out, spatial)
    pad_list = [(begins[i], 0) for i in range(spatial)]
    attrs = _window_attrs(pad_list, strides, dilations, spatial)
    attrs.update({"groups": group, "activation": "none"})
    b.add("conv_transpose", [x_nhwc, w_t] + ([bias] if bias else []), [y], attrs)
    _from_nhwc(b, y, out, spatial)


# ---- matrix products -------------------------------------------------------------------


def gemm(b: OnnxBuilder) -> None:
    b.check_attrs({"alpha", "beta", "transA", "transB"})
    a, w, c = b.input(0), b.input(1), b.input(2)
    _require_float(b, a, w, c)
    out = b.output()
    alpha = float(b.attr("alpha", 1.0))
    beta = float(b.attr("beta", 1.0))
    if len(b.shape(a)) != 2 or len(b.shape(w)) != 2:
        raise b.fail("Gemm inputs must be 2-D")
    if int(b.attr("transA", 0)):
        a = b.transpose(a, (1, 0))
    if not int(b.attr("transB", 0)):
        w = b.transpose(w, (1, 0))  # fully_connected wants [N, K]
    n = b.shape(w)[0]
    if alpha != 1.0:
        scaled = b.new_tensor(w, "float32", b.shape(w))
        b.add("mul", [w, b.const_tensor("alpha", np.array(alpha, np.float32))], [scaled],
              {"activation": "none"})
        w = scaled
    bias = ""
    if c and beta != 0.0:
        if beta != 1.0:
            scaled = b.new_tensor(c, "float32", b.shape(c))
            b.add("mul", [c, b.const_tensor("beta", np.array(beta, np.float32))], [scaled],
                  {"activation": "none"})
            c = scaled
        cs = b.shape(c)
        if cs in ((n,), (1, n)):
            bias = c if cs == (n,) else b.reshape(c, (n,))
            c = ""
    else:
        c = ""
    if c:
        y = b.new_tensor(out, "float32", b.shape(out))
        b.add("fully_connected", [a, w], [y], {"activation": "none", "keep_num_dims": True})
        b.add("add", [y, c], [out], {"activation": "none"})
    else:
        b.add("fully_connected", [a, w] + ([bias] if bias else []), [out],
              {"activation": "none", "keep_num_dims": True})


def matmul(b: OnnxBuilder) -> None:
    b.check_attrs(set())
    a, w = b.input(0), b.input(1)
    _require_float(b, a, w)
    emit_matmul(b, a, w, b.output())


def emit_matmul(b: OnnxBuilder, a: str, w: str, out: str) -> None:
    """MatMul: fully_connected when B is 2-D (transposed to [N, K]), else matmul."""
    sa, sw = b.shape(a), b.shape(w)
    dtype = b.dtype(out)
    if len(sw) == 2:
        wt = b.transpose(w, (1, 0))  # [N, K]: folded when w is constant
        b.add("fully_connected", [a, wt], [out], {"activation": "none", "keep_num_dims": True})
        return
    if len(sa) > MAX_RANK or len(sw) > MAX_RANK:
        raise b.unsupported(f"more than {MAX_RANK} dimensions")
    if len(sa) == 1:
        a = b.reshape(a, (1, sa[0]))
    if len(sw) == 1:
        w = b.reshape(w, (sw[0], 1))
    batch = tuple(np.broadcast_shapes(b.shape(a)[:-2], b.shape(w)[:-2]))
    full = (*batch, b.shape(a)[-2], b.shape(w)[-1])
    if full == b.shape(out):
        b.add("matmul", [a, w], [out], {"activation": "none"})
        return
    y = b.new_tensor(out, dtype, full, quant=b.tensor(out).quant)
    b.add("matmul", [a, w], [y], {"activation": "none"})
    b.reshape(y, b.shape(out), out=out)


# ---- element-wise ----------------------------------------------------------------------


def _unary(kind: str, attrs: Callable[[OnnxBuilder], dict[str, object]] | None = None,
           known: frozenset[str] = frozenset()):
    def convert(b: OnnxBuilder) -> None:
        b.check_attrs(set(known))
        x = b.input(0)
        _require_float(b, x)
        b.add(kind, [x], [b.output()], attrs(b) if attrs else {})

    return convert


def clip(b: OnnxBuilder) -> None:
    b.check_attrs(set())
    x = b.input(0)
    dtype = b.dtype(x)
    if dtype not in ("float32", "int8", "uint8"):
        raise b.unsupported(f"Clip on {dtype} is not supported")
    if b.tensor(x).quant is not None:
        raise b.unsupported("Clip on a quantised tensor is not supported")
    lo = b.require_const(1, "min") if b.input(1) else None
    hi = b.require_const(2, "max") if b.input(2) else None
    if dtype == "float32":
        lo_v = float(lo.reshape(-1)[0]) if lo is not None else float("-inf")
        hi_v = float(hi.reshape(-1)[0]) if hi is not None else float("inf")
    else:
        info = np.iinfo(np.dtype(dtype))
        lo_v = float(lo.reshape(-1)[0]) if lo is not None else float(info.min)
        hi_v = float(hi.reshape(-1)[0]) if hi is not None else float(info.max)
    b.add("clip", [x], [b.output()], {"min": lo_v, "max": hi_v})


def binary(kind: str):
    def convert(b: OnnxBuilder) -> None:
        b.check_attrs(set())
        x, y = b.input(0), b.input(1)
        out = b.output()
        dtype = b.dtype(x)
        if dtype != b.dtype(y):
            raise b.fail(f"input types differ ({dtype}, {b.dtype(y)})")
        if dtype not in ("float32", "int8", "uint8", "int32"):
            raise b.unsupported(f"{kind} on {dtype} is not supported")
        if b.tensor(x).quant is not None or b.tensor(y).quant is not None:
            raise b.unsupported("arithmetic on quantised tensors needs DequantizeLinear first")
        if len(b.shape(out)) > MAX_RANK:
            raise b.unsupported(f"more than {MAX_RANK} dimensions")
        b.add(kind, [x, y], [out], {"activation": "none"})

    return convert


def softmax(b: OnnxBuilder) -> None:
    b.check_attrs({"axis"})
    x = b.input(0)
    _require_float(b, x)
    out = b.output()
    shape = b.shape(x)
    rank = len(shape)
    version = b.source.version if b.source else 13
    axis = int(b.attr("axis", -1 if version >= 13 else 1))
    if axis < 0:
        axis += rank
    if not 0 <= axis < max(rank, 1):
        raise b.fail(f"axis {axis} is out of range for rank {rank}")
    if version < 13:  # coerced to 2-D at axis
        outer = int(np.prod(shape[:axis], dtype=np.int64))
        inner = int(np.prod(shape[axis:], dtype=np.int64))
        if (outer, inner) == shape:
            b.add("softmax", [x], [out], {"beta": 1.0})
            return
        flat = b.reshape(x, (outer, inner))
        y = b.new_tensor(out, "float32", (outer, inner))
        b.add("softmax", [flat], [y], {"beta": 1.0})
        b.reshape(y, shape, out=out)
        return
    if axis == rank - 1:
        b.add("softmax", [x], [out], {"beta": 1.0})
        return
    perm = (*tuple(i for i in range(rank) if i != axis), axis)
    inv = tuple(int(i) for i in np.argsort(perm))
    xt = b.transpose(x, perm)
    y = b.new_tensor(out, "float32", b.shape(xt), reference=(out, perm))
    b.add("softmax", [xt], [y], {"beta": 1.0})
    b.transpose(y, inv, out=out)


# ---- pooling ---------------------------------------------------------------------------


def _pool(kind: str):
    def convert(b: OnnxBuilder) -> None:
        known = {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides"}
        if kind == "avg_pool2d":
            known.add("count_include_pad")
        else:
            known.add("storage_order")
        b.check_attrs(known)
        if len(b.node.output) > 1 and b.node.output[1]:
            raise b.unsupported("MaxPool's Indices output is not supported")
        if int(b.attr("storage_order", 0)):
            raise b.unsupported("storage_order=1 is not supported")
        x = b.input(0)
        if kind == "avg_pool2d" or b.dtype(x) not in ("int8", "uint8"):
            _require_float(b, x)
        out = b.output()
        if b.tensor(x).quant is not None:
            b.set_quant(out, b.tensor(x).quant)
        xs, ys = b.shape(x), b.shape(out)
        spatial = len(xs) - 2
        if spatial not in (1, 2, 3):
            raise b.unsupported(f"{spatial}-D pooling is not supported (1-D to 3-D only)")
        kernel = _ints(b, "kernel_shape", None)
        if kernel is None or len(kernel) != spatial:
            raise b.fail("kernel_shape is missing or has the wrong length")
        strides = _ints(b, "strides", [1] * spatial)
        dilations = _ints(b, "dilations", [1] * spatial)
        auto_pad = b.attr("auto_pad", "NOTSET")
        ceil_mode = bool(int(b.attr("ceil_mode", 0))) and auto_pad in ("NOTSET", "")
        pads = window_pads(b, list(xs[2:]), kernel, strides, dilations,
                           _ints(b, "pads", None), auto_pad, ceil_mode, list(ys[2:]))
        x_nhwc, _ = _to_nhwc(b, x)
        y = _nhwc_out(b, out, spatial)
        attrs = _window_attrs(pads, strides, dilations, spatial)
        # ceil_mode windows may run past the end padding: the kernels clip them
        attrs["filter"] = (1, kernel[0]) if spatial == 1 else tuple(kernel)
        attrs["activation"] = "none"
        if kind == "avg_pool2d":
            attrs["count_include_pad"] = bool(int(b.attr("count_include_pad", 0)))
        b.add(kind.replace("2d", "3d") if spatial == 3 else kind, [x_nhwc], [y], attrs)
        _from_nhwc(b, y, out, spatial)

    return convert


def _global_pool(kind: str):
    def convert(b: OnnxBuilder) -> None:
        b.check_attrs(set())
        x = b.input(0)
        _require_float(b, x)
        out = b.output()
        xs = b.shape(x)
        spatial = len(xs) - 2
        if spatial not in (1, 2, 3):
            raise b.unsupported(f"{spatial}-D pooling is not supported (1-D to 3-D only)")
        x_nhwc, _ = _to_nhwc(b, x)
        y = _nhwc_out(b, out, spatial)
        window = tuple(b.shape(x_nhwc)[1:-1])
        dims = len(window)
        attrs: dict[str, object] = {"filter": window, "stride": (1,) * dims,
                                    "dilation": (1,) * dims, "pads": (0,) * (2 * dims),
                                    "activation": "none"}
        if kind == "avg_pool2d":
            attrs["count_include_pad"] = False
        b.add(kind.replace("2d", "3d") if dims == 3 else kind, [x_nhwc], [y], attrs)
        _from_nhwc(b, y, out, spatial)

    return convert


# ---- normalisation ---------------------------------------------------------------------


def batch_norm(b: OnnxBuilder) -> None:
    b.check_attrs({"epsilon", "momentum", "training_mode", "spatial"})
    if int(b.attr("training_mode", 0)) or any(o for o in b.node.output[1:]):
        raise b.unsupported("BatchNormalization in training mode (running statistics "
                            "outputs) is not supported", "export the model in eval mode")
    ins = [b.input(i) for i in range(5)]
    if any(not n for n in ins):
        raise b.fail("BatchNormalization needs 5 inputs")
    _require_float(b, *ins)
    xs = b.shape(ins[0])
    if len(xs) < 2:
        raise b.fail("BatchNormalization input must have a channel axis")
    for n in ins[1:]:
        if b.shape(n) != (xs[1],):
            raise b.fail(f"parameter '{n}' has shape {list(b.shape(n))}, expected [{xs[1]}]")
    b.add("batch_norm", ins, [b.output()],
          {"epsilon": float(b.attr("epsilon", 1e-5)), "axis": 1})


# ---- shapes and data movement -----------------------------------------------------------


def _view(b: OnnxBuilder) -> None:
    x = b.input(0)
    out = b.output()
    if b.tensor(x).size != b.tensor(out).size:
        raise b.fail(f"changes the element count ({list(b.shape(x))} -> "
                     f"{list(b.shape(out))})")
    if b.dtype(x) != b.dtype(out):
        raise b.fail("changes the element type")
    q = b.tensor(x).quant
    if q is not None and q.per_channel:
        raise b.unsupported("reshaping a per-axis quantised tensor is not supported")
    if q is not None:
        b.set_quant(out, q)
    b.add("reshape", [x], [out])


def reshape(b: OnnxBuilder) -> None:
    b.check_attrs({"allowzero"})
    b.require_const(1, "shape")
    _view(b)


def squeeze_unsqueeze(b: OnnxBuilder) -> None:
    b.check_attrs({"axes"})
    if b.input(1):
        b.require_const(1, "axes")
    _view(b)


def flatten(b: OnnxBuilder) -> None:
    b.check_attrs({"axis"})
    _view(b)


def identity(b: OnnxBuilder) -> None:
    b.check_attrs(set())
    _view(b)


def cast(b: OnnxBuilder) -> None:
    b.check_attrs({"to", "saturate", "round_mode"})
    x = b.input(0)
    if b.dtype(x) != b.dtype(b.output()):
        raise b.unsupported(f"Cast from {b.dtype(x)} to {b.dtype(b.output())} at run time "
                            "is not supported (only casts to the same type, which are no-ops)")
    _view(b)


def dropout(b: OnnxBuilder) -> None:
    b.check_attrs({"seed", "ratio"})
    if len(b.node.output) > 1 and b.node.output[1]:
        raise b.unsupported("Dropout's mask output is not supported")
    if b.input(2):
        training = b.require_const(2, "training_mode")
        if bool(training.reshape(-1)[0]):
            raise b.unsupported("Dropout in training mode is not supported")
    _view(b)


def concat(b: OnnxBuilder) -> None:
    b.check_attrs({"axis"})
    ins = list(b.node.input)
    if any(not n for n in ins):
        raise b.fail("Concat has an empty input")
    out = b.output()
    rank = len(b.shape(out))
    axis = int(b.attr("axis"))
    if axis < 0:
        axis += rank
    if not 0 <= axis < rank:
        raise b.fail(f"axis {axis} is out of range for rank {rank}")
    dtypes = {b.dtype(n) for n in ins}
    if len(dtypes) != 1:
        raise b.fail("Concat inputs have different types")
    ins = [n for n in ins if b.tensor(n).size > 0]
    b.add("concat", ins, [out], {"axis": axis})


def transpose(b: OnnxBuilder) -> None:
    b.check_attrs({"perm"})
    x = b.input(0)
    rank = len(b.shape(x))
    perm = _ints(b, "perm", list(range(rank))[::-1])
    if sorted(perm) != list(range(rank)):
        raise b.fail(f"perm {perm} is not a permutation of rank {rank}")
    if rank > MAX_RANK:
        raise b.unsupported(f"more than {MAX_RANK} dimensions")
    t = b.tensor(x)
    if t.quant is not None:
        b.set_quant(b.output(), permute_quant(t.quant, tuple(perm)))
    b.add("transpose", [x], [b.output()], {"perm": tuple(perm)})


def pad(b: OnnxBuilder) -> None:
    b.check_attrs({"mode"})
    x = b.input(0)
    out = b.output()
    rank = len(b.shape(x))
    mode = b.attr("mode", "constant")
    if mode not in ("constant", "reflect", "edge"):
        raise b.unsupported(f"Pad mode '{mode}' is not supported (constant, reflect, edge)")
    pads = [int(v) for v in b.require_const(1, "pads").reshape(-1)]
    value = 0.0
    if b.input(2):
        v = b.require_const(2, "constant_value").reshape(-1)
        value = float(v[0]) if v.size else 0.0
    axes = list(range(rank))
    if b.input(3):
        axes = [int(a) + rank if a < 0 else int(a)
                for a in b.require_const(3, "axes").reshape(-1)]
    if len(pads) != 2 * len(axes):
        raise b.fail(f"{len(pads)} pads for {len(axes)} axes")
    per_axis = [(0, 0)] * rank
    for i, a in enumerate(axes):
        per_axis[a] = (pads[i], pads[i + len(axes)])
    if any(lo < 0 or hi < 0 for lo, hi in per_axis):
        raise b.unsupported("negative pads (cropping) are not supported",
                            "use Slice to crop")
    if b.tensor(x).quant is not None:
        raise b.unsupported("Pad on a quantised tensor needs DequantizeLinear first")
    if rank > MAX_RANK:
        raise b.unsupported(f"more than {MAX_RANK} dimensions")
    b.add("pad", [x], [out], {"pads": tuple(per_axis), "mode": mode, "value": value})


def reduce_mean(b: OnnxBuilder) -> None:
    b.check_attrs({"axes", "keepdims", "noop_with_empty_axes"})
    x = b.input(0)
    _require_float(b, x)
    rank = len(b.shape(x))
    if b.input(1):
        axes = [int(a) for a in b.require_const(1, "axes").reshape(-1)]
    else:
        axes = _ints(b, "axes", []) or []
    if not axes:
        if int(b.attr("noop_with_empty_axes", 0)):
            _view(b)
            return
        axes = list(range(rank))
    norm = sorted({a + rank if a < 0 else a for a in axes})
    if any(not 0 <= a < rank for a in norm):
        raise b.fail(f"axes {axes} are out of range for rank {rank}")
    b.add("mean", [x], [b.output()],
          {"axes": tuple(norm), "keep_dims": bool(int(b.attr("keepdims", 1)))})


def resolve_slice(shape: tuple[int, ...], starts: list[int], ends: list[int],
                  axes: list[int], steps: list[int]) -> tuple[list[int], list[int], list[int]]:
    """ONNX Slice -> (begin, strides, counts) per axis of `shape`."""
    rank = len(shape)
    begin = [0] * rank
    strides = [1] * rank
    counts = list(shape)
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        dim = shape[axis]
        if start < 0:
            start += dim
        if end < 0:
            end += dim
        if step > 0:
            start = min(max(start, 0), dim)
            end = min(max(end, 0), dim)
            count = max(0, -(-(end - start) // step))
        else:
            start = min(max(start, 0), dim - 1)
            end = min(max(end, -1), dim - 1)
            count = max(0, -(-(start - end) // -step))
        begin[axis], strides[axis], counts[axis] = start, step, count
    return begin, strides, counts


def slice_op(b: OnnxBuilder) -> None:
    b.check_attrs(set())
    x = b.input(0)
    shape = b.shape(x)
    rank = len(shape)
    starts = [int(v) for v in b.require_const(1, "starts").reshape(-1)]
    ends = [int(v) for v in b.require_const(2, "ends").reshape(-1)]
    axes = ([int(v) for v in b.require_const(3, "axes").reshape(-1)] if b.input(3)
            else list(range(len(starts))))
    steps = ([int(v) for v in b.require_const(4, "steps").reshape(-1)] if b.input(4)
             else [1] * len(starts))
    axes = [a + rank if a < 0 else a for a in axes]
    if not (len(starts) == len(ends) == len(axes) == len(steps)) or any(
        not 0 <= a < rank for a in axes
    ) or any(s == 0 for s in steps) or len(set(axes)) != len(axes):
        raise b.fail("starts/ends/axes/steps do not describe a slice of rank "
                     f"{rank}")
    ends = [max(min(e, 2**62), -(2**62)) for e in ends]
    begin, strides, counts = resolve_slice(shape, starts, ends, axes, steps)
    out = b.output()
    if tuple(counts) != b.shape(out):
        raise b.fail(f"the slice has shape {counts} but the output is {list(b.shape(out))}")
    if rank > MAX_RANK:
        raise b.unsupported(f"more than {MAX_RANK} dimensions")
    q = b.tensor(x).quant
    if q is not None:
        b.set_quant(out, q)
    b.add("strided_slice", [x], [out],
          {"begin": tuple(begin), "strides": tuple(strides), "counts": tuple(counts)})


def split(b: OnnxBuilder) -> None:
    b.check_attrs({"axis", "split", "num_outputs"})
    x = b.input(0)
    shape = b.shape(x)
    rank = len(shape)
    axis = int(b.attr("axis", 0))
    if axis < 0:
        axis += rank
    if not 0 <= axis < rank:
        raise b.fail(f"axis {axis} is out of range for rank {rank}")
    if b.input(1):
        b.require_const(1, "split")
    outs = [b.output(i) for i in range(len(b.node.output))]
    offset = 0
    for out in outs:
        size = b.shape(out)[axis]
        begin = [0] * rank
        begin[axis] = offset
        counts = list(b.shape(out))
        if tuple(counts[:axis] + counts[axis + 1:]) != shape[:axis] + shape[axis + 1:]:
            raise b.fail(f"output '{out}' does not fit the input {list(shape)}")
        q = b.tensor(x).quant
        if q is not None:
            b.set_quant(out, q)
        b.add("strided_slice", [x], [out],
              {"begin": tuple(begin), "strides": (1,) * rank, "counts": tuple(counts)})
        offset += size
    if offset != shape[axis]:
        raise b.fail(f"the outputs add up to {offset} along axis {axis}, not {shape[axis]}")


def shape_op(b: OnnxBuilder) -> None:
    b.check_attrs({"start", "end"})
    shape = list(b.shape(b.input(0)))
    rank = len(shape)
    start = int(b.attr("start", 0))
    end = int(b.attr("end", rank))
    start = min(max(start + rank if start < 0 else start, 0), rank)
    end = min(max(end + rank if end < 0 else end, 0), rank)
    from .onnx import _add_const

    _add_const(b, b.node.output[0], np.array(shape[start:end], dtype=np.int64))


def _leaky_attrs(b: OnnxBuilder) -> dict[str, object]:
    return {"alpha": float(b.attr("alpha", 0.01))}


def _hard_sigmoid_attrs(b: OnnxBuilder) -> dict[str, object]:
    return {"alpha": float(b.attr("alpha", 0.2)), "beta": float(b.attr("beta", 0.5))}


CONVERTERS: dict[str, Callable[[OnnxBuilder], None]] = {
    "Conv": conv,
    "ConvTranspose": conv_transpose,
    "Gemm": gemm,
    "MatMul": matmul,
    "Relu": _unary("relu"),
    "LeakyRelu": _unary("leaky_relu", _leaky_attrs, frozenset({"alpha"})),
    "Clip": clip,
    "Sigmoid": _unary("logistic"),
    "Tanh": _unary("tanh"),
    "HardSigmoid": _unary("hard_sigmoid", _hard_sigmoid_attrs, frozenset({"alpha", "beta"})),
    "HardSwish": _unary("hard_swish"),
    "Sqrt": _unary("sqrt"),
    "Softmax": softmax,
    "MaxPool": _pool("max_pool2d"),
    "AveragePool": _pool("avg_pool2d"),
    "GlobalAveragePool": _global_pool("avg_pool2d"),
    "GlobalMaxPool": _global_pool("max_pool2d"),
    "Add": binary("add"),
    "Sub": binary("sub"),
    "Mul": binary("mul"),
    "Div": binary("div"),
    "BatchNormalization": batch_norm,
    "Reshape": reshape,
    "Flatten": flatten,
    "Squeeze": squeeze_unsqueeze,
    "Unsqueeze": squeeze_unsqueeze,
    "Identity": identity,
    "Dropout": dropout,
    "Cast": cast,
    "Concat": concat,
    "Transpose": transpose,
    "Pad": pad,
    "ReduceMean": reduce_mean,
    "Slice": slice_op,
    "Split": split,
    "Shape": shape_op,
}

