"""`inspect` output: ops, shapes, MACs, kernel per op, the arena plan, and a lifetimes SVG."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from .compiler import CompileResult
from .errors import TinymlError
from .metrics import op_macs


def _fmt(n: int) -> str:
    return f"{n:,}"


def inspect_text(result: CompileResult) -> str:
    g = result.graph
    plan = result.plan
    m = result.manifest
    lines = [
        f"model {g.name} ({g.framework}, {Path(g.source_path).name}): {len(g.ops)} ops, "
        f"target {result.target.name}, back end {result.backend}",
    ]
    for kind, names in (("input", g.inputs), ("output", g.outputs)):
        for i, n in enumerate(names):
            t = g.tensors[n]
            q = ""
            if t.quant is not None and not t.quant.per_channel:
                q = f" scale {t.quant.scalar_scale:.6g} zero point {t.quant.scalar_zero_point}"
            lines.append(f"  {kind} {i}: '{n}' {t.dtype} {list(t.shape)}{q}")
    lines.append("")
    header = f"{'#':>3} {'node':>4}  {'op':<20} {'output shape':<18} {'MACs':>12}  kernel"
    lines += [header, "-" * len(header)]
    total = 0
    for pos, op_index in enumerate(plan.order):
        lo = result.lowered[op_index]
        op = lo.op
        macs = op_macs(op, g)
        total += macs
        out = g.tensors[op.outputs[0]]
        label = op.source.op_type if op.source else op.kind
        node = op.source.index if op.source else op_index
        lines.append(f"{pos:>3} {node:>4}  {label:<20} {list(out.shape)!s:<18} "
                     f"{_fmt(macs):>12}  {lo.kernel.name}")
    lines.append(f"{'':>3} {'':>4}  {'total':<20} {'':<18} {_fmt(total):>12}")
    lines.append("")
    lines.append(
        f"arena: {_fmt(plan.arena_bytes)} B (live-tensor lower bound {_fmt(plan.lower_bound)} B; "
        f"placement {plan.strategy}, order {plan.order_strategy}, alignment {plan.alignment})"
    )
    lines.append(f"flash: weights {_fmt(m['sizes']['weights_bytes'])} B, build-time tables "
                 f"{_fmt(m['sizes']['derived_bytes'])} B")
    lines.append("")
    lines.append(f"{'offset':>8} {'bytes':>8}  {'live':<9} tensors")
    for b in sorted(plan.buffers, key=lambda b: (b.offset, b.first)):
        names = ", ".join(b.tensors) if b.tensors else b.name
        if len(names) > 70:
            names = names[:67] + "..."
        lines.append(f"{b.offset:>8} {b.size:>8}  {b.first:>3}..{b.last:<4} {names}")
    return "\n".join(lines) + "\n"


_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac"]


def lifetimes_svg(result: CompileResult) -> str:
    """Execution position on x, arena offset on y: one rectangle per buffer."""
    plan = result.plan
    steps = max(len(plan.order), 1)
    arena = max(plan.arena_bytes, 1)
    width, height, left, top, bottom = 900, 480, 70, 30, 40
    plot_w, plot_h = width - left - 20, height - top - bottom
    sx = plot_w / steps
    sy = plot_h / arena
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="18">{escape(result.graph.name)}: arena {arena:,} B, lower bound '
        f"{plan.lower_bound:,} B ({escape(plan.strategy)})</text>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#888"/>',
    ]
    for i, b in enumerate(sorted(plan.buffers, key=lambda b: b.name)):
        x = left + b.first * sx
        w = max((b.last - b.first + 1) * sx - 1, 1)
        y = top + plot_h - (b.offset + b.size) * sy
        h = max(b.size * sy, 1)
        title = escape(f"{', '.join(b.tensors) or b.name}: {b.size} B at {b.offset}, "
                       f"ops {b.first}..{b.last}")
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{_PALETTE[i % len(_PALETTE)]}" fill-opacity="0.8" stroke="#333" '
            f'stroke-width="0.5"><title>{title}</title></rect>'
        )
    step = max(1, steps // 20)
    for pos in range(0, steps, step):
        x = left + (pos + 0.5) * sx
        op = result.lowered[plan.order[pos]].op
        label = escape(op.source.op_type if op.source else op.kind)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{pos}'
                     f"<title>{label}</title></text>")
    for b in plan.buffers:
        w = (b.last - b.first + 1) * sx
        h = b.size * sy
        if w > 60 and h > 14 and b.tensors:
            x = left + b.first * sx + 3
            y = top + plot_h - (b.offset + b.size) * sy + 12
            name = b.tensors[0] if len(b.tensors[0]) * 6 < w else b.tensors[0][: int(w / 6) - 1]
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="9">{escape(name)}</text>')
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h - frac * plot_h
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{int(arena * frac):,}</text>")
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">'
                 f"execution order (op position); arena offset (bytes) upwards</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_text_atomic(path: Path, text: str) -> None:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise TinymlError(f"{path}: cannot write: {exc.strerror}") from exc
