"""The report as Markdown for a pull-request comment: regions, models, budgets, top changes.

Kept to GitHub-flavoured tables and one <details> block, in the spirit of
arduino/report-size-deltas: the numbers a reviewer needs first, the detail folded away.
"""

from __future__ import annotations

from .attribution import PARTS
from .render_table import bar
from .units import fmt_bytes, fmt_delta


def _d(node: dict, key: str) -> str:
    d = node.get(f"{key}_diff")
    return "" if d is None else fmt_delta(d)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict, top: int = 10) -> str:
    baseline = "baseline" in report
    out = [f"### Firmware size: `{_cell(report['inputs']['elf'])}`", ""]
    if baseline:
        out += [f"Deltas against `{_cell(report['baseline']['path'])}`.", ""]

    out += ["| Region | Used | Size | Use | Δ |" if baseline else "| Region | Used | Size | Use |",
            "|---|---:|---:|---|---:|" if baseline else "|---|---:|---:|---|"]
    for name, r in report["regions"].items():
        size = fmt_bytes(r["size"]) if r.get("size") else "—"
        use = f"`{bar(r['used'], r.get('size'))}` {100.0 * r['used'] / r['size']:.2f}%" \
            if r.get("size") else "—"
        row = f"| {_cell(name)} | {fmt_bytes(r['used'])} | {size} | {use} |"
        out.append(row + (f" {_d(r, 'used')} |" if baseline else ""))

    if report["models"]:
        cols = ["flash", "ram", *PARTS]
        titles = {"flash": "Flash", "ram": "RAM"}
        out += ["", "| Model | " + " | ".join(titles.get(c, c.capitalize()) for c in cols) + " |",
                "|---|" + "---:|" * len(cols)]
        for name, m in report["models"].items():
            cells = []
            for c in cols:
                cell = fmt_bytes(m[c])
                if baseline and m.get(f"{c}_diff"):
                    cell += f" ({_d(m, c)})"
                cells.append(cell)
            out.append(f"| {_cell(name)} | " + " | ".join(cells) + " |")

    if report["budgets"]:
        out += ["", "| Budget | Used | Limit | |", "|---|---:|---:|---|"]
        for b in report["budgets"]:
            what = b["name"] if b["scope"] == "region" else f"{b['name']} {b['metric']}"
            mark = "✅ ok" if not b["exceeded"] else (
                "❌ exceeded" if b["severity"] == "hard" else "⚠️ over soft limit")
            out.append(f"| {_cell(what)} ({b['severity']}) | {fmt_bytes(b['used'])} | "
                       f"{fmt_bytes(b['limit'])} | {mark} |")

    rows = []
    for rname, r in report["regions"].items():
        items = r.get("contributors_diff") if baseline else r.get("contributors")
        for label, n in (items or {}).items():
            if n:
                rows.append((abs(n) if baseline else n, rname, label, n))
    rows.sort(key=lambda t: (-t[0], t[1], t[2]))
    if rows and top > 0:
        title = "Largest changes" if baseline else "Largest contributors"
        out += ["", f"<details><summary>{title}</summary>", "",
                "| Region | What | " + ("Δ" if baseline else "Bytes") + " |", "|---|---|---:|"]
        for _, rname, label, n in rows[:top]:
            out.append(f"| {_cell(rname)} | {_cell(label)} | "
                       f"{fmt_delta(n) if baseline else fmt_bytes(n)} |")
        out += ["", "</details>"]
    if report["messages"]:
        out += [""] + [f"> {_cell(msg)}" for msg in report["messages"]]
    return "\n".join(out) + "\n"
