"""Budgets: hard limits that fail the build, soft limits that warn, per region and per model.

A region budget is `REGION=SIZE` (or `REGION=90%` of the region's length); a model budget
is `NAME:flash=SIZE,ram=SIZE` with any of the model's figures (flash, ram, weights, tables,
kernels, arena, code). Checking writes the results into the report, so the JSON says what
was checked; the failure is one greppable line in the PlatformIO/Arduino style (shown
wrapped here):

    FLASH budget exceeded: 270,336 B used of 262,144 B (+8,192 B);
        largest growth: kws weights +8,192 B

"largest growth" needs a baseline (diff.py has filled the `*_diff` fields); without one the
line names the largest contributor instead, which is what a developer looks at first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SizeReportError
from .attribution import PARTS
from .units import fmt_bytes, fmt_delta, parse_size

MODEL_METRICS = ("flash", "ram", *PARTS)
_REGION_SPEC = re.compile(r"^(?P<name>[^=\s]+)\s*=\s*(?P<size>.+)$")
_MODEL_SPEC = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<items>.+)$")


@dataclass(frozen=True)
class Budget:
    scope: str  # "region" or "model"
    name: str  # region or model name as the user wrote it
    metric: str  # "used" for regions, one of MODEL_METRICS for models
    severity: str  # "hard" (fails) or "soft" (warns)
    limit: int | None  # bytes; None when given as a percentage
    percent: float | None
    spec: str


def parse_region_budget(text: str, severity: str) -> Budget:
    """`FLASH=256KiB`, `RAM=0x10000`, `FLASH=90%`."""
    m = _REGION_SPEC.match(text.strip())
    if not m:
        raise SizeReportError(f"bad budget '{text}'", "write REGION=SIZE, e.g. FLASH=256KiB")
    size = m.group("size").strip()
    if size.endswith("%"):
        try:
            percent = float(size[:-1])
        except ValueError:
            raise SizeReportError(f"bad budget '{text}'", "a percentage looks like FLASH=90%") \
                from None
        if not 0 < percent <= 1000:
            raise SizeReportError(f"bad budget '{text}': the percentage must be above 0")
        return Budget("region", m.group("name"), "used", severity, None, percent, text)
    return Budget("region", m.group("name"), "used", severity,
                  parse_size(size, f"budget '{text}'"), None, text)


def parse_model_budget(text: str, severity: str) -> list[Budget]:
    """`kws:flash=64KiB,ram=20KiB` -> one Budget per figure."""
    m = _MODEL_SPEC.match(text.strip())
    hint = f"write NAME:flash=SIZE,ram=SIZE (figures: {', '.join(MODEL_METRICS)})"
    if not m:
        raise SizeReportError(f"bad model budget '{text}'", hint)
    out = []
    for item in m.group("items").split(","):
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in MODEL_METRICS:
            raise SizeReportError(f"bad model budget '{text}': '{item.strip()}'", hint)
        out.append(Budget("model", m.group("name"), key, severity,
                          parse_size(value.strip(), f"model budget '{text}'"), None, text))
    return out


# -- checking ---------------------------------------------------------------------------------

def _resolve_region(report: dict, name: str) -> tuple[str, dict] | None:
    regions = report["regions"]
    if name in regions:
        return name, regions[name]
    folded = [r for r in regions if r.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0], regions[folded[0]]
    return None


def _subject(report: dict, b: Budget) -> tuple[str, int, int]:
    """(label, used, limit) for one budget; a one-line error if it names nothing we know."""
    if b.scope == "model":
        model = report["models"].get(b.name)
        if model is None:
            known = ", ".join(report["models"]) or "none"
            raise SizeReportError(
                f"model budget '{b.spec}' names model '{b.name}', but no manifest describes it "
                f"(models: {known})", f"pass its manifest: --manifest {b.name}.json")
        assert b.limit is not None
        return f"model {b.name} {b.metric}", int(model[b.metric]), b.limit
    found = _resolve_region(report, b.name)
    if found is None:
        if b.name.lower() in ("flash", "ram"):
            used = int(report["totals"][b.name.lower()])
            if b.limit is None:
                raise SizeReportError(f"budget '{b.spec}': all-{b.name.lower()} totals have no "
                                      "size to take a percentage of", "give a size: 256KiB")
            return f"{b.name} (all sections)", used, b.limit
        known = ", ".join(r for r in report["regions"]) or "none"
        raise SizeReportError(f"budget '{b.spec}' names region '{b.name}', which is not in the "
                              f"map (regions: {known})",
                              "use a MEMORY region name of the linker script, or flash/ram")
    rname, region = found
    limit = b.limit
    if limit is None:
        if region.get("size") is None:
            raise SizeReportError(f"budget '{b.spec}': region {rname} has no known size",
                                  "give a size: 256KiB")
        limit = int(region["size"] * (b.percent or 0) / 100)
    return rname, int(region["used"]), limit


def _growth(report: dict, b: Budget, label: str) -> str:
    """The clause after the ';': what grew most (with a baseline) or what is largest."""
    if b.scope == "model":
        model = report["models"][b.name]
        # flash and ram are sums of parts: look at the parts' bytes of that class only
        figures = model["by_class"][b.metric] if b.metric in ("flash", "ram") else model
        parts = PARTS if b.metric in ("flash", "ram") else (b.metric,)
        if "baseline" in report:
            part, d = max(((p, figures.get(f"{p}_diff", 0)) for p in parts),
                          key=lambda kv: kv[1])
            if d > 0:
                return f"largest growth: {b.name} {part} {fmt_delta(d)}"
            return "no part grew against the baseline"
        part = max(parts, key=lambda p: figures[p])
        return f"largest part: {b.name} {part} {fmt_bytes(figures[part])}"
    region = report["regions"].get(label)
    if region is None:  # an all-flash / all-ram total: name sections instead
        items = {k: v for k, v in report["sections"].items()
                 if b.name.lower() in (v.get("class") or "")}
        if "baseline" in report:
            grown = {f"section {k}": v.get("size_diff", 0) for k, v in items.items()}
        else:
            grown = {f"section {k}": v["size"] for k, v in items.items()}
    elif "baseline" in report:
        grown = dict(region.get("contributors_diff", {}))
    else:
        grown = dict(region["contributors"])
    if not grown:
        return "nothing placed there"
    what, n = max(grown.items(), key=lambda kv: (kv[1], kv[0]))
    if "baseline" in report:
        return f"largest growth: {what} {fmt_delta(n)}" if n > 0 else \
            "nothing grew against the baseline"
    return f"largest contributor: {what} {fmt_bytes(n)}"


def check_budgets(report: dict, budgets: list[Budget]) -> tuple[list[str], list[str]]:
    """Record every check in report["budgets"]; return (hard failures, soft warnings) lines."""
    errors: list[str] = []
    warnings: list[str] = []
    for b in budgets:
        label, used, limit = _subject(report, b)
        over = used - limit
        exceeded = over > 0
        report["budgets"].append({
            "scope": b.scope,
            "name": label if b.scope == "region" else b.name,
            "metric": b.metric,
            "severity": b.severity,
            "limit": limit,
            "used": used,
            "over": over,
            "exceeded": exceeded,
            "spec": b.spec,
        })
        if not exceeded:
            continue
        kind = "budget" if b.severity == "hard" else "soft budget"
        line = (f"{label} {kind} exceeded: {fmt_bytes(used)} used of {fmt_bytes(limit)} "
                f"({fmt_delta(over)}); {_growth(report, b, label)}")
        (errors if b.severity == "hard" else warnings).append(line)
    report["messages"].extend(warnings)
    if errors:
        report["status"] = "error"
        report["messages"].extend(errors)
    elif report["messages"]:
        report["status"] = "warning"
    return errors, warnings


def failure_line(errors: list[str]) -> str | None:
    """One line for the build log, however many hard budgets failed."""
    if not errors:
        return None
    if len(errors) == 1:
        return errors[0]
    others = ", ".join(e.split(" budget exceeded", 1)[0] for e in errors[1:])
    return f"{errors[0]} (also over budget: {others})"
