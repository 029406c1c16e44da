"""The human table printed after every link, with PlatformIO-style usage bars.

    FLASH   [==        ]  17.90% (used 46,960 B of 262,144 B)  +120 B

Then one block per model (weights, tables, kernels per backend, arena, code), the largest
contributors per region, and the budgets. Deltas appear wherever the report carries them.
"""

from __future__ import annotations

from .attribution import PARTS
from .units import fmt_bytes, fmt_delta


def bar(used: int, size: int | None, width: int = 10) -> str:
    """`[==        ]`, full when the region is full or over."""
    if not size:
        return "[" + "?" * width + "]"
    filled = max(0, min(width, round(width * used / size)))
    return "[" + "=" * filled + " " * (width - filled) + "]"


def _delta(node: dict, key: str) -> str:
    d = node.get(f"{key}_diff")
    return f"  {fmt_delta(d)}" if d is not None and d != 0 else ""


def render_table(report: dict, top: int = 10) -> str:
    lines: list[str] = []
    inputs = report["inputs"]
    source = f"map {inputs['map']}" if inputs.get("map") else "no map: objects unknown"
    lines.append(f"{inputs['elf']} ({source})")
    if "baseline" in report:
        lines.append(f"deltas against {report['baseline']['path']}")
    lines.append("")

    regions = {k: v for k, v in report["regions"].items() if not v.get("removed")}
    width = max([len(n) for n in regions] + [6])
    for name, r in regions.items():
        if r.get("size"):
            pct = 100.0 * r["used"] / r["size"]
            text = (f"{name:<{width}}  {bar(r['used'], r['size'])} {pct:6.2f}% "
                    f"(used {fmt_bytes(r['used'])} of {fmt_bytes(r['size'])})")
        else:
            text = f"{name:<{width}}  {bar(r['used'], None)}         (used {fmt_bytes(r['used'])})"
        lines.append(text + _delta(r, "used"))
    totals = report["totals"]
    lines.append(f"{'':<{width}}  all sections: flash {fmt_bytes(totals['flash'])}"
                 f"{_delta(totals, 'flash')}, ram {fmt_bytes(totals['ram'])}"
                 f"{_delta(totals, 'ram')}")

    for name, m in report["models"].items():
        if m.get("removed"):
            lines += ["", f"model {name}: gone (was in the baseline)"]
            continue
        lines += ["", f"model {name} ({m['manifest']})",
                  f"  flash {fmt_bytes(m['flash'])}{_delta(m, 'flash')}   "
                  f"ram {fmt_bytes(m['ram'])}{_delta(m, 'ram')}"]
        for part in PARTS:
            extra = ""
            if part == "kernels" and m["kernels_by_backend"]:
                extra = " (" + ", ".join(f"{b} {fmt_bytes(n)}"
                                         for b, n in m["kernels_by_backend"].items()) + ")"
            if part == "arena" and m["arena"] != m.get("arena_expected", m["arena"]):
                extra = f" (manifest: {fmt_bytes(m['arena_expected'])})"
            lines.append(f"    {part:<8} {fmt_bytes(m[part]):>12}{_delta(m, part)}{extra}")

    for name, r in regions.items():
        contributors = r.get("contributors", {})
        if not contributors or top <= 0:
            continue
        diffs = r.get("contributors_diff", {})
        lines += ["", f"largest in {name}"]
        for label, n in list(contributors.items())[:top]:
            d = diffs.get(label)
            tail = f"  {fmt_delta(d)}" if d else ""
            lines.append(f"  {n:>12,}  {label}{tail}")
        rest = list(contributors.items())[top:]
        if rest:
            lines.append(f"  {sum(n for _, n in rest):>12,}  ({len(rest)} more)")
        if diffs:
            gone = [(k, d) for k, d in diffs.items() if k not in contributors and d]
            for label, d in gone:
                lines.append(f"  {0:>12,}  {label}  {fmt_delta(d)} (gone)")

    if report["budgets"]:
        lines += ["", "budgets"]
        for b in report["budgets"]:
            state = ("EXCEEDED" if b["severity"] == "hard" else "over (soft)") \
                if b["exceeded"] else "ok"
            what = b["name"] if b["scope"] == "region" else f"model {b['name']} {b['metric']}"
            lines.append(f"  {what:<24} {b['severity']:<4} {fmt_bytes(b['used']):>12} of "
                         f"{fmt_bytes(b['limit']):>12}  {state}")
    return "\n".join(lines) + "\n"
