"""Deltas against a baseline report, computed once on the structure (as esp-idf-size does).

Every byte figure of the current report gets a sibling `<field>_diff`: regions, sections,
archives, objects, symbols, totals, models and their parts. Name -> bytes maps
(`contributors`, `kernels_by_backend`, a model's per-region parts) get a `<field>_diff` map.
Nodes that exist only in the baseline are added with zero bytes and `"removed": true`, so a
vanished object shows as a negative delta instead of silently dropping out. Renderers and
the budget line read these fields; none of them subtracts anything itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import SizeReportError
from .tree import SCHEMA

# Figures that are bytes and so get a *_diff; addresses, limits and percentages do not.
_BYTE_FIELDS = {"used", "size", "free", "flash", "ram", "weights", "tables", "kernels", "arena",
                "code"}
# Maps of name -> bytes.
_COUNTER_FIELDS = {"contributors", "kernels_by_backend"}
# Maps of name -> node (a node is a dict with byte fields and maybe children).
_NODE_MAPS = {"regions", "sections", "archives", "objects", "symbols", "models"}


def load_baseline(path: str | Path) -> dict:
    """Read a report written earlier with --json; one-line errors for anything else."""
    p = str(path)
    hint = "pass a JSON report written by `tinyml-build size ... --json FILE`"
    try:
        data = json.loads(Path(p).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SizeReportError(f"{p}: cannot read the baseline: {exc.strerror or exc}", hint) \
            from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SizeReportError(f"{p}: the baseline is not valid JSON ({exc})", hint) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else None
        raise SizeReportError(f"{p}: not a size report of schema '{SCHEMA}' (found {found!r})",
                              hint)
    return data


def apply_baseline(report: dict, baseline: dict, label: str) -> dict:
    """A copy of `report` with *_diff fields against `baseline` (both of schema size/1)."""
    out = _diff_node(report, baseline, top=True)
    out["baseline"] = {"path": label, "elf": baseline.get("inputs", {}).get("elf"),
                       "generator": baseline.get("generator")}
    return out


def _is_bytes(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _zeroed(node: Any) -> Any:
    """The baseline-only node as it is now: the same shape with every byte figure at 0."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k.endswith("_diff"):
            continue
        if k in _BYTE_FIELDS and _is_bytes(v):
            out[k] = 0
        elif k in _COUNTER_FIELDS and isinstance(v, dict):
            out[k] = {}
        elif k in _NODE_MAPS and isinstance(v, dict):
            out[k] = {}
        elif isinstance(v, dict):
            out[k] = _zeroed(v)
        else:
            out[k] = v
    return out


def _diff_node(cur: dict, base: dict, top: bool = False) -> dict:
    out: dict[str, Any] = {}
    for k, v in cur.items():
        if k.endswith("_diff") or (top and k in ("baseline", "budgets", "messages", "status")):
            out[k] = v
            continue
        b = base.get(k) if isinstance(base, dict) else None
        if k in _NODE_MAPS and isinstance(v, dict):
            bmap = b if isinstance(b, dict) else {}
            children = {name: _diff_node(child, bmap.get(name) or {})
                        for name, child in v.items() if isinstance(child, dict)}
            for name, old in bmap.items():
                if name not in v and isinstance(old, dict):
                    gone = _diff_node(_zeroed(old), old)
                    gone["removed"] = True
                    children[name] = gone
            out[k] = children
        elif k in _COUNTER_FIELDS and isinstance(v, dict):
            out[k] = v
            bmap = b if isinstance(b, dict) else {}
            names = list(v) + [n for n in bmap if n not in v]
            out[f"{k}_diff"] = {n: int(v.get(n, 0)) - int(bmap.get(n, 0)) for n in names}
        elif isinstance(v, dict):
            out[k] = _diff_node(v, b if isinstance(b, dict) else {})
        else:
            out[k] = v
        if k in _BYTE_FIELDS and _is_bytes(v):
            old = b if _is_bytes(b) else 0
            out[f"{k}_diff"] = v - old
    return out
