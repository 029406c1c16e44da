"""Layout: move transposes down the graph and cancel them, so a layout change is paid once.

The ONNX front end wraps every NCHW convolution and pool in NCHW->NHWC and NHWC->NCHW
transposes. This pass
  * merges a transpose of a transpose into one, drops one that is the identity, and
    keeps one of two identical transposes of a tensor;
  * sinks a transpose below an op that does not care about the layout (element-wise
    ops, broadcasting arithmetic with a constant or another transpose of the same
    permutation, batch_norm, concat, pad, mean, strided_slice, quantize/dequantize),
    rewriting the op's axes, so that the NHWC->NCHW transpose after one conv meets the
    NCHW->NHWC transpose before the next and both vanish.
Sinking a transpose that has several readers copies it; the pass runs once sinking only
transposes with one (non-transpose) reader and once sinking into every reader that
allows it, and keeps the version whose remaining transposes move fewer elements. What
remains sits at the model's boundary (the user's NCHW input and output); the views pass
then turns transposes that keep the memory order (e.g. NHWC [1, 1, 1, C] -> NCHW
[1, C, 1, 1]) into free reshapes.
"""

from __future__ import annotations

import copy

import numpy as np

from ..ir import Graph, Op
from .dce import eliminate_dead_code
from .rewrite import inverse_perm, new_tensor, permute_quant, replace_uses

UNARY = frozenset({"relu", "relu6", "relu_n1_to_1", "clip", "leaky_relu", "hard_swish",
                   "hard_sigmoid", "logistic", "tanh", "sqrt", "quantize", "dequantize"})
BINARY = frozenset({"add", "sub", "mul", "div"})


def _is_identity(perm: tuple[int, ...]) -> bool:
    return tuple(perm) == tuple(range(len(perm)))


class _Layout:
    def __init__(self, graph: Graph, wide: bool = False) -> None:
        self.g = graph
        self.wide = wide

    # ---- helpers -------------------------------------------------------------------

    def producers(self) -> dict[str, Op]:
        return self.g.producers()

    def transpose_after(self, op: Op, out_index: int, perm: tuple[int, ...]) -> None:
        """Make op write a permuted tensor o', and add `o = transpose(o', perm)` after it."""
        g = self.g
        out = op.outputs[out_index]
        t = g.tensors[out]
        inv = inverse_perm(perm)
        shape = tuple(t.shape[i] for i in inv)
        quant = permute_quant(t.quant, inv)
        inner = new_tensor(g, out, t, shape=shape, quant=quant,
                           reference=t.transposed_reference(inv))
        op.outputs[out_index] = inner
        g.ops.insert(g.ops.index(op) + 1,
                     Op("transpose", [inner], [out], {"perm": tuple(perm)}, name=op.name,
                        source=op.source))

    def const_permuted(self, name: str, perm: tuple[int, ...], rank: int) -> str:
        """A constant laid out so that transpose(result, perm) broadcasts like `name`."""
        g = self.g
        t = g.tensors[name]
        assert t.data is not None
        padded = t.data.reshape((1,) * (rank - t.data.ndim) + t.data.shape)
        data = np.ascontiguousarray(np.transpose(padded, inverse_perm(perm)))
        return new_tensor(g, name, t, shape=data.shape, data=data,
                          quant=permute_quant(t.quant, inverse_perm(perm))
                          if t.quant is not None and t.data.ndim == rank else t.quant)

    # ---- merging -------------------------------------------------------------------

    def dedupe(self) -> bool:
        """Two transposes of one tensor with one permutation: keep the first."""
        g = self.g
        seen: dict[tuple[str, tuple[int, ...]], str] = {}
        changed = False
        for op in list(g.ops):
            if op.kind != "transpose":
                continue
            key = (op.inputs[0], tuple(op.attrs["perm"]))
            if key in seen and op.outputs[0] not in g.outputs:
                replace_uses(g, op.outputs[0], seen[key])
                g.ops.remove(op)
                changed = True
            else:
                seen.setdefault(key, op.outputs[0])
        return changed

    def merge(self) -> bool:
        g = self.g
        changed = self.dedupe()
        producers = self.producers()
        for op in list(g.ops):
            if op.kind != "transpose":
                continue
            src = producers.get(op.inputs[0])
            if src is not None and src.kind == "transpose":
                inner = tuple(src.attrs["perm"])
                op.attrs["perm"] = tuple(inner[p] for p in op.attrs["perm"])
                op.inputs = [src.inputs[0]]
                changed = True
            if _is_identity(tuple(op.attrs["perm"])):
                self.drop_identity(op)
                changed = True
                producers = self.producers()
        return changed

    def drop_identity(self, op: Op) -> None:
        g = self.g
        src, out = op.inputs[0], op.outputs[0]
        if out in g.outputs:
            op.kind, op.attrs = "reshape", {}
            return
        replace_uses(g, out, src)
        g.ops.remove(op)

    # ---- sinking -------------------------------------------------------------------

    def sink(self) -> bool:
        g = self.g
        producers = self.producers()
        consumers = g.consumers()
        for op in list(g.ops):
            if op.kind != "transpose" or op not in g.ops:
                continue
            t_out = op.outputs[0]
            if t_out in g.outputs:
                continue
            users = consumers.get(t_out, [])
            others = list({id(u): u for u in users if u.kind != "transpose"}.values())
            perm = tuple(op.attrs["perm"])
            if self.wide:
                # sink into every reader that allows it; the transpose stays for the rest
                others = [u for u in others if self.can_sink(u, t_out, perm, producers)]
                if not others:
                    continue
            elif len(others) != 1 or not self.can_sink(others[0], t_out, perm, producers):
                continue
            for user in others:
                self.rewrite(user, t_out, op.inputs[0], perm, self.producers())
            for other in users:
                if other.kind == "transpose":
                    other.attrs["perm"] = tuple(perm[p] for p in other.attrs["perm"])
                    other.inputs = [op.inputs[0]]
            return True
        return False

    def _operand_ok(self, name: str, t_out: str, perm: tuple[int, ...], rank: int,
                    producers: dict[str, Op]) -> bool:
        if not name or name == t_out:
            return True
        t = self.g.tensors[name]
        if t.is_const:
            return len(t.shape) <= rank
        src = producers.get(name)
        if src is not None and src.kind == "transpose" and tuple(src.attrs["perm"]) == perm \
                and len(self.g.tensors[name].shape) == rank:
            return True
        return t.size == 1 and len(t.shape) <= rank

    def can_sink(self, user: Op, t_out: str, perm: tuple[int, ...],
                 producers: dict[str, Op]) -> bool:
        g = self.g
        rank = len(perm)
        k = user.kind
        if len(user.outputs) != 1:
            return False
        out_rank = len(g.tensors[user.outputs[0]].shape)
        if k in UNARY:
            return user.inputs[0] == t_out and out_rank == rank
        if k in BINARY:
            if out_rank != rank:
                return False
            return all(self._operand_ok(n, t_out, perm, rank, producers) for n in user.inputs)
        if k == "batch_norm":
            return user.inputs[0] == t_out and user.inputs.count(t_out) == 1
        if k == "concat":
            return all(len(g.tensors[n].shape) == rank
                       and self._operand_ok(n, t_out, perm, rank, producers)
                       and (n == t_out or g.tensors[n].is_const
                            or (producers.get(n) is not None
                            and producers[n].kind == "transpose"))
                       for n in user.inputs)
        if k in ("pad", "strided_slice"):
            return user.inputs[0] == t_out and len(user.inputs) == 1
        if k == "mean":
            return user.inputs[0] == t_out
        return False

    def rewrite(self, user: Op, t_out: str, src: str, perm: tuple[int, ...],
                producers: dict[str, Op]) -> None:
        g = self.g
        rank = len(perm)
        inv = inverse_perm(perm)
        k = user.kind
        new_inputs = []
        for n in user.inputs:
            if n == t_out:
                new_inputs.append(src)
            elif not n:
                new_inputs.append(n)
            elif k in BINARY or k == "concat":
                t = g.tensors[n]
                p = producers.get(n)
                if p is not None and p.kind == "transpose" and tuple(p.attrs["perm"]) == perm \
                        and len(t.shape) == rank:
                    new_inputs.append(p.inputs[0])
                elif t.is_const:
                    new_inputs.append(self.const_permuted(n, perm, rank))
                else:  # a single element broadcasts the same in every layout
                    new_inputs.append(n)
            else:
                new_inputs.append(n)
        user.inputs = new_inputs
        if k == "batch_norm":
            user.attrs["axis"] = perm[user.attrs["axis"]]
        elif k == "concat":
            user.attrs["axis"] = perm[user.attrs["axis"]]
        elif k == "pad":
            pads = user.attrs["pads"]
            user.attrs["pads"] = tuple(pads[inv[j]] for j in range(rank))
        elif k == "strided_slice":
            for key in ("begin", "strides", "counts"):
                vals = user.attrs[key]
                user.attrs[key] = tuple(vals[inv[j]] for j in range(rank))
        elif k == "mean":
            axes = sorted(perm[a] for a in user.attrs["axes"])
            user.attrs["axes"] = tuple(axes)
            if not user.attrs["keep_dims"]:
                kept = [perm[i] for i in range(rank) if i not in set(inv[a] for a in axes)]
                order = sorted(kept)
                q = tuple(order.index(d) for d in kept)
                if not _is_identity(q):
                    self.transpose_after(user, 0, q)
                return
        self.transpose_after(user, 0, perm)


def transpose_cost(graph: Graph) -> int:
    """Elements the remaining transposes move (those keeping memory order are free views)."""
    total = 0
    for op in graph.ops:
        if op.kind == "transpose":
            x = graph.tensors[op.inputs[0]]
            moved = [p for p in op.attrs["perm"] if x.shape[p] != 1]
            if moved != sorted(moved):
                total += x.size
    return total


def _run(graph: Graph, wide: bool) -> Graph:
    layout = _Layout(graph, wide)
    for _ in range(10000):
        changed = layout.merge()
        changed = layout.sink() or changed
        eliminate_dead_code(graph)
        if not changed:
            break
    return graph


def optimize_layout(graph: Graph) -> Graph:
    """Try sinking only where a transpose has one reader, and sinking into every reader
    that allows it (which copies the transpose but lets the copies meet and cancel
    further down, e.g. around a QDQ model's Q/DQ pairs); keep the result that moves
    less data."""
    if not any(op.kind == "transpose" for op in graph.ops):
        return graph
    wide = _run(copy.deepcopy(graph), wide=True)
    narrow = _run(graph, wide=False)
    return wide if transpose_cost(wide) < transpose_cost(narrow) else narrow
