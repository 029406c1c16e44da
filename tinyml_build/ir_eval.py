"""NumPy semantics of the IR's float32 and plain-integer op kinds: the executable spec.

Constant folding evaluates ops whose inputs are all constants with `evaluate_op`, and the
tests run whole IR graphs with `run_graph` to check that a pass kept a graph's meaning.
Quantised arithmetic (int8 kernels with QuantParams) is not modelled here: its reference
is TFLite's kernels; only quantize/dequantize and pure data movement are.

Layouts and attributes of the kinds the ONNX front end produces (TFLite's are the same
where the kinds are shared):

conv2d            x NHWC, w OHWI (groups = C_in / w.shape[3]), bias [O]; stride, dilation,
                  pads (top, left, bottom, right), activation
conv_transpose    x NHWC, w [C_in, kh, kw, C_out / groups], bias [C_out]; stride, dilation,
                  pads (top, left, bottom, right), groups, activation; the output tensor's
                  shape gives the output size (output_padding is already in it)
fully_connected   x [..., K] read as [size / K, K], w [N, K], bias [N]; activation
matmul            numpy.matmul of two >= 2-D tensors with broadcasting of the batch dims
avg_pool2d        NHWC; filter, stride, dilation, pads, count_include_pad, activation
max_pool2d        NHWC; filter, stride, dilation, pads, activation (pads never win the max)
avg_pool3d        NDHWC; the same with 3 spatial dims, pads (front, top, left, back,
max_pool3d        bottom, right)
add sub mul div   numpy broadcasting; integer tensors without quantisation wrap around, div
                  truncates toward zero (C); activation
relu relu6 relu_n1_to_1 clip(min, max) leaky_relu(alpha) hard_swish
hard_sigmoid(alpha, beta) logistic tanh sqrt           element-wise
softmax           over the last axis, logits scaled by beta
reshape           the same elements with the output tensor's shape (a view, no copy)
transpose         perm
concat            axis
strided_slice     begin, strides, counts: resolved per axis (no masks)
pad               pads ((lo, hi) per axis), mode ("constant", "reflect", "edge"), value
mean              axes, keep_dims
batch_norm        inputs x, scale, bias, mean, var; epsilon, axis (the channel axis); passes
                  fold or decompose it, no kernel runs it
quantize          float -> int: round(x / scale) + zero point, saturated; rounding
                  "half_even" (ONNX) or "half_away" (TFLite, the default); per-axis scales
                  follow the output tensor's QuantParams.axis. int -> int: requantise.
dequantize        (q - zero point) * scale, per tensor or per axis
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .ir import CLAMP_ACTIVATIONS, NUMPY_DTYPES, Graph, Op, QuantParams, Tensor, same_quant

#: kinds that only move elements: they are defined for quantised tensors too, as long as
#: the output has the input's quantisation
DATA_MOVEMENT = frozenset({"reshape", "transpose", "concat", "strided_slice", "pad"})


class NotEvaluable(Exception):
    """The op has no NumPy semantics here (quantised arithmetic): do not fold it."""


def apply_activation(y: np.ndarray, op: Op) -> np.ndarray:
    act = op.attrs.get("activation", "none")
    if act in CLAMP_ACTIVATIONS:
        lo, hi = CLAMP_ACTIVATIONS[act]
        return np.minimum(np.maximum(y, np.float32(lo)), np.float32(hi)).astype(y.dtype)
    if act == "clip":
        lo = np.float32(op.attrs["activation_min"])
        hi = np.float32(op.attrs["activation_max"])
        return np.minimum(np.maximum(y, lo), hi).astype(y.dtype)
    if act == "leaky_relu":
        alpha = np.float32(op.attrs["activation_alpha"])
        return np.where(y >= 0, y, y * alpha).astype(y.dtype)
    if act == "hard_swish":
        return _hard_swish(y)
    raise NotEvaluable(f"activation {act!r}")


def _hard_swish(x: np.ndarray) -> np.ndarray:
    return (x * np.clip(x / np.float32(6) + np.float32(0.5), 0, 1)).astype(np.float32)


def _windows(op: Op, x: np.ndarray, out_hw: tuple[int, int], fh: int, fw: int):
    """Yield (oy, ox, taps [N, fh*fw, C], inside-image mask, inside-padded-area mask)."""
    sh, sw = op.attrs["stride"]
    dh, dw = op.attrs.get("dilation", (1, 1))
    top, left, bottom, right = op.attrs["pads"]
    n, h, w, c = x.shape
    for oy in range(out_hw[0]):
        for ox in range(out_hw[1]):
            ys = [oy * sh - top + ky * dh for ky in range(fh)]
            xs = [ox * sw - left + kx * dw for kx in range(fw)]
            taps, inside, padded = [], [], []
            for yy in ys:
                for xx in xs:
                    ok = 0 <= yy < h and 0 <= xx < w
                    inside.append(ok)
                    padded.append(-top <= yy < h + bottom and -left <= xx < w + right)
                    taps.append(x[:, yy, xx, :] if ok else np.zeros((n, c), x.dtype))
            yield oy, ox, np.stack(taps, axis=1), np.array(inside), np.array(padded)


def _conv2d(op: Op, ins: list[np.ndarray | None], out: Tensor) -> np.ndarray:
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    n, _, _, cin = x.shape
    cout, fh, fw, cpg = w.shape
    groups = cin // cpg
    opg = cout // groups
    y = np.zeros(out.shape, np.float64)
    for oy, ox, taps, inside, _ in _windows(op, x, out.shape[1:3], fh, fw):
        taps = taps * inside[None, :, None]
        for g in range(groups):
            t = taps[:, :, g * cpg:(g + 1) * cpg].reshape(n, -1).astype(np.float64)
            wg = w[g * opg:(g + 1) * opg].reshape(opg, -1).astype(np.float64)
            y[:, oy, ox, g * opg:(g + 1) * opg] = t @ wg.T
    if bias is not None:
        y += bias.astype(np.float64)
    return apply_activation(y.astype(np.float32), op)


def _conv_transpose(op: Op, ins: list[np.ndarray | None], out: Tensor) -> np.ndarray:
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    _n, h, wd, cin = x.shape
    _, kh, kw, opg = w.shape
    groups = op.attrs["groups"]
    ipg = cin // groups
    sh, sw = op.attrs["stride"]
    dh, dw = op.attrs["dilation"]
    top, left = op.attrs["pads"][0], op.attrs["pads"][1]
    oh, ow = out.shape[1], out.shape[2]
    y = np.zeros(out.shape, np.float64)
    for iy in range(h):
        for ix in range(wd):
            for ky in range(kh):
                oy = iy * sh - top + ky * dh
                if not 0 <= oy < oh:
                    continue
                for kx in range(kw):
                    ox = ix * sw - left + kx * dw
                    if not 0 <= ox < ow:
                        continue
                    for g in range(groups):
                        xv = x[:, iy, ix, g * ipg:(g + 1) * ipg].astype(np.float64)
                        wv = w[g * ipg:(g + 1) * ipg, ky, kx, :].astype(np.float64)
                        y[:, oy, ox, g * opg:(g + 1) * opg] += xv @ wv
    if bias is not None:
        y += bias.astype(np.float64)
    return apply_activation(y.astype(np.float32), op)


def _pool(op: Op, ins: list[np.ndarray | None], out: Tensor) -> np.ndarray:
    """2-D (NHWC) and 3-D (NDHWC) pooling; pads are all begins then all ends."""
    x = ins[0]
    dims = x.ndim - 2
    filt = tuple(op.attrs["filter"])
    stride = tuple(op.attrs["stride"])
    dilation = tuple(op.attrs.get("dilation", (1,) * dims))
    pads = tuple(op.attrs["pads"])
    before, after = pads[:dims], pads[dims:]
    is_max = op.kind.startswith("max_pool")
    y = np.zeros(out.shape, np.float64 if not is_max else x.dtype)
    for o in itertools.product(*(range(n) for n in out.shape[1:-1])):
        taps, padded = [], 1
        for d in range(dims):
            starts = [o[d] * stride[d] - before[d] + k * dilation[d] for k in range(filt[d])]
            taps.append([i for i in starts if 0 <= i < x.shape[1 + d]])
            padded *= sum(1 for i in starts if -before[d] <= i < x.shape[1 + d] + after[d])
        if not all(taps):
            continue
        grid = np.ix_(*[np.array(t, dtype=np.int64) for t in taps])
        values = x[(slice(None), *grid, slice(None))].reshape(x.shape[0], -1, x.shape[-1])
        if is_max:
            y[(slice(None), *o, slice(None))] = values.max(axis=1)
        else:
            count = padded if op.attrs.get("count_include_pad") else values.shape[1]
            y[(slice(None), *o, slice(None))] = values.astype(np.float64).sum(axis=1) / count
    if x.dtype.kind in "iu":
        return y.astype(x.dtype)
    return apply_activation(y.astype(np.float32), op)


def _fully_connected(op: Op, ins: list[np.ndarray | None], out: Tensor) -> np.ndarray:
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    y = x.reshape(-1, w.shape[1]).astype(np.float64) @ w.astype(np.float64).T
    if bias is not None:
        y += bias.astype(np.float64)
    return apply_activation(y.astype(np.float32).reshape(out.shape), op)


def _binary(op: Op, ins: list[np.ndarray | None], out: Tensor) -> np.ndarray:
    a, b = ins[0], ins[1]
    if a.dtype.kind in "iu":
        a64, b64 = a.astype(np.int64), b.astype(np.int64)
        if op.kind == "div":
            if np.any(b64 == 0):
                raise NotEvaluable("integer division by zero")
            r = np.abs(a64) // np.abs(b64) * np.sign(a64) * np.sign(b64)
        else:
            r = {"add": np.add, "sub": np.subtract, "mul": np.multiply}[op.kind](a64, b64)
        return r.astype(a.dtype)
    fn = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}[op.kind]
    with np.errstate(all="ignore"):
        y = fn(a, b).astype(np.float32)
    return apply_activation(y, op)


def _unary(op: Op, x: np.ndarray) -> np.ndarray:
    k = op.kind
    if k in CLAMP_ACTIVATIONS:
        lo, hi = CLAMP_ACTIVATIONS[k]
        if x.dtype.kind in "iu":
            info = np.iinfo(x.dtype)
            return np.clip(x, max(lo, info.min), min(hi, info.max)).astype(x.dtype)
        return np.minimum(np.maximum(x, np.float32(lo)), np.float32(hi)).astype(x.dtype)
    if k == "clip":
        lo, hi = op.attrs["min"], op.attrs["max"]
        if x.dtype.kind in "iu":
            info = np.iinfo(x.dtype)
            lo, hi = max(lo, info.min), min(hi, info.max)
            return np.minimum(np.maximum(x, int(np.ceil(lo))), int(np.floor(hi))).astype(x.dtype)
        return np.minimum(np.maximum(x, np.float32(lo)), np.float32(hi)).astype(np.float32)
    if x.dtype != np.float32:
        raise NotEvaluable(f"{k} on {x.dtype}")
    with np.errstate(all="ignore"):
        if k == "leaky_relu":
            return np.where(x >= 0, x, x * np.float32(op.attrs["alpha"])).astype(np.float32)
        if k == "hard_swish":
            return _hard_swish(x)
        if k == "hard_sigmoid":
            alpha, beta = np.float32(op.attrs["alpha"]), np.float32(op.attrs["beta"])
            return np.clip(x * alpha + beta, 0, 1).astype(np.float32)
        if k == "logistic":
            return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
        if k == "tanh":
            return np.tanh(x).astype(np.float32)
        if k == "sqrt":
            return np.sqrt(x).astype(np.float32)
    raise NotEvaluable(k)


def _softmax(op: Op, x: np.ndarray) -> np.ndarray:
    z = x.astype(np.float64) * float(op.attrs.get("beta", 1.0))
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return (z / z.sum(axis=-1, keepdims=True)).astype(np.float32)


def _strided_slice(op: Op, x: np.ndarray) -> np.ndarray:
    index = tuple(
        slice(b, b + s * c if b + s * c >= 0 else None, s) if c else slice(0, 0)
        for b, s, c in zip(op.attrs["begin"], op.attrs["strides"], op.attrs["counts"],
                           strict=True)
    )
    return x[index]


def _pad(op: Op, ins: list[np.ndarray | None]) -> np.ndarray:
    x = ins[0]
    pads = [tuple(p) for p in op.attrs["pads"]]
    mode = op.attrs.get("mode", "constant")
    if mode == "constant":
        value = op.attrs.get("value", 0)
        if op.attrs.get("value_input") and len(ins) > 2 and ins[2] is not None:
            value = ins[2].reshape(-1)[0]
        return np.pad(x, pads, constant_values=value)
    return np.pad(x, pads, mode={"reflect": "reflect", "edge": "edge"}[mode])


def _mean(op: Op, x: np.ndarray) -> np.ndarray:
    y = x.astype(np.float64).mean(axis=tuple(op.attrs["axes"]),
                                  keepdims=bool(op.attrs["keep_dims"]))
    return y.astype(np.float32)


def _batch_norm(op: Op, ins: list[np.ndarray | None]) -> np.ndarray:
    x, scale, bias, mean, var = ins[:5]
    shape = [1] * x.ndim
    shape[op.attrs["axis"]] = -1
    eps = np.float32(op.attrs["epsilon"])
    inv = (scale / np.sqrt(var + eps)).reshape(shape)
    return ((x - mean.reshape(shape)) * inv + bias.reshape(shape)).astype(np.float32)


def _axis_shape(q: QuantParams, ndim: int) -> list[int]:
    shape = [1] * ndim
    if q.per_channel:
        shape[q.axis if q.axis is not None else 0] = -1
    return shape


def quantize_array(x: np.ndarray, q: QuantParams, dtype: str, rounding: str) -> np.ndarray:
    shape = _axis_shape(q, x.ndim)
    scale = q.scale.astype(np.float32).reshape(shape)
    zp = q.zero_point.astype(np.int64).reshape(shape)
    v = x.astype(np.float32) / scale
    if rounding == "half_even":
        r = np.rint(v)
    else:
        r = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))
    info = np.iinfo(NUMPY_DTYPES[dtype])
    return np.clip(r.astype(np.float64) + zp, info.min, info.max).astype(NUMPY_DTYPES[dtype])


def dequantize_array(x: np.ndarray, q: QuantParams) -> np.ndarray:
    shape = _axis_shape(q, x.ndim)
    scale = q.scale.astype(np.float32).reshape(shape)
    zp = q.zero_point.astype(np.int64).reshape(shape)
    return ((x.astype(np.int64) - zp).astype(np.float32) * scale).astype(np.float32)


def evaluate_op(op: Op, graph: Graph, ins: list[np.ndarray | None]) -> list[np.ndarray]:
    """Run one op on NumPy inputs; raise NotEvaluable where the IR has no NumPy meaning."""
    in_t = [graph.tensors[n] if n else None for n in op.inputs]
    out_t = [graph.tensors[n] for n in op.outputs]
    quantised = [t for t in in_t + out_t if t is not None and t.quant is not None]
    k = op.kind
    if quantised and k not in ("quantize", "dequantize"):
        if k not in DATA_MOVEMENT:
            raise NotEvaluable(f"quantised {k}")
        first = in_t[0]
        same_type = [t for t in in_t[1:] if t is not None and t.dtype == out_t[0].dtype]
        if any(not same_quant(first.quant if first else None, t.quant)
               for t in out_t + same_type):
            raise NotEvaluable(f"{k} changes the quantisation")
        if k == "pad" and op.attrs.get("mode", "constant") == "constant" and first.quant:
            if float(op.attrs.get("value", 0)) != 0.0 and not op.attrs.get("value_input"):
                raise NotEvaluable("quantised pad with a non-zero value")
    out = out_t[0]
    x = ins[0]
    if k == "conv2d":
        return [_conv2d(op, ins, out)]
    if k == "conv_transpose":
        return [_conv_transpose(op, ins, out)]
    if k == "fully_connected":
        return [_fully_connected(op, ins, out)]
    if k == "matmul":
        return [np.matmul(ins[0].astype(np.float64), ins[1].astype(np.float64))
                .astype(np.float32)]
    if k in ("avg_pool2d", "max_pool2d", "avg_pool3d", "max_pool3d"):
        return [_pool(op, ins, out)]
    if k in ("add", "sub", "mul", "div"):
        return [_binary(op, ins, out)]
    if k == "softmax":
        return [_softmax(op, x)]
    if k == "reshape":
        return [x.reshape(out.shape)]
    if k == "transpose":
        return [np.transpose(x, op.attrs["perm"])]
    if k == "concat":
        return [np.concatenate([a for a in ins if a is not None], axis=op.attrs["axis"])]
    if k == "strided_slice":
        return [_strided_slice(op, x)]
    if k == "pad":
        return [_pad(op, ins)]
    if k == "mean":
        return [_mean(op, x)]
    if k == "batch_norm":
        return [_batch_norm(op, ins)]
    if k == "quantize":
        if out.quant is None:
            raise NotEvaluable("quantize without output quantisation")
        src = x
        if in_t[0] is not None and in_t[0].quant is not None:
            src = dequantize_array(x, in_t[0].quant)
        return [quantize_array(src, out.quant, out.dtype,
                               op.attrs.get("rounding", "half_away"))]
    if k == "dequantize":
        if in_t[0] is None or in_t[0].quant is None:
            raise NotEvaluable("dequantize without input quantisation")
        return [dequantize_array(x, in_t[0].quant)]
    return [_unary(op, x)]


def run_graph(graph: Graph, inputs: list[np.ndarray],
              keep: Callable[[str], bool] | None = None) -> dict[str, np.ndarray]:
    """Evaluate a whole graph; returns graph outputs (and tensors `keep` accepts) by name."""
    values: dict[str, np.ndarray] = {}
    for name, arr in zip(graph.inputs, inputs, strict=True):
        values[name] = np.asarray(arr, dtype=NUMPY_DTYPES[graph.tensors[name].dtype])
    for name, t in graph.tensors.items():
        if t.is_const:
            values[name] = t.data
    for op in graph.ops:
        ins = [values[n] if n else None for n in op.inputs]
        for name, arr in zip(op.outputs, evaluate_op(op, graph, ins), strict=True):
            values[name] = np.asarray(arr).reshape(graph.tensors[name].shape)
    wanted = set(graph.outputs)
    return {n: v for n, v in values.items() if n in wanted or (keep is not None and keep(n))}
