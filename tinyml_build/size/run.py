"""`tinyml-build size`: read, merge, diff, check, render, write. The CLI only parses flags.

Budgets are parsed before any file is read so a typo fails in milliseconds; the JSON and
Markdown files are written even when a hard budget fails, so CI can publish the report that
explains the failure.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SizeReportError
from .attribution import load_manifest
from .budget import Budget, check_budgets, failure_line, parse_model_budget, parse_region_budget
from .diff import apply_baseline, load_baseline
from .elf import read_elf
from .mapfile import UnsupportedMapFormat, read_map
from .render_json import render_json
from .render_markdown import render_markdown
from .render_table import render_table
from .tree import build_report


@dataclass
class SizeOptions:
    elf: Path
    map: Path | None = None
    budgets: list[str] = field(default_factory=list)
    soft_budgets: list[str] = field(default_factory=list)
    model_budgets: list[str] = field(default_factory=list)
    soft_model_budgets: list[str] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)
    json_out: Path | None = None
    markdown_out: Path | None = None
    baseline: Path | None = None
    top: int = 10


@dataclass
class SizeOutcome:
    report: dict
    table: str
    warnings: list[str]
    error: str | None  # the one greppable line when a hard budget failed


def find_map(elf: Path) -> Path | None:
    """The map beside the ELF when none was given: app.elf.map, then app.map."""
    for candidate in (Path(f"{elf}.map"), elf.with_suffix(".map")):
        if candidate != elf and candidate.is_file():
            return candidate
    return None


def parse_budgets(options: SizeOptions) -> list[Budget]:
    budgets = [parse_region_budget(b, "hard") for b in options.budgets]
    budgets += [parse_region_budget(b, "soft") for b in options.soft_budgets]
    for spec in options.model_budgets:
        budgets += parse_model_budget(spec, "hard")
    for spec in options.soft_model_budgets:
        budgets += parse_model_budget(spec, "soft")
    return budgets


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so readers never see half a report."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise SizeReportError(f"{path}: cannot write the report: {exc.strerror or exc}") \
            from None


def run_size(options: SizeOptions) -> SizeOutcome:
    budgets = parse_budgets(options)
    models = [load_manifest(p) for p in options.manifests]
    baseline = load_baseline(options.baseline) if options.baseline else None
    elf = read_elf(options.elf)
    notes: list[str] = []
    linkmap = None
    if options.map is not None:
        linkmap = read_map(options.map)
    elif (found := find_map(Path(options.elf))) is not None:
        try:
            linkmap = read_map(found)
        except UnsupportedMapFormat as exc:  # found, not asked for: carry on with the ELF
            notes.append(f"ignoring {exc.message}")

    report = build_report(elf, linkmap, models)
    report["messages"][:0] = notes
    if linkmap is None:
        report["messages"].append(
            f"no map file for {options.elf}: archives and objects are unknown "
            "(link with -Wl,-Map=FILE and pass --map FILE)")
    if baseline is not None:
        report = apply_baseline(report, baseline, str(options.baseline))
    notes = list(report["messages"])
    errors, warnings = check_budgets(report, budgets)
    if notes and report["status"] == "ok":
        report["status"] = "warning"

    if options.json_out:
        write_text_atomic(options.json_out, render_json(report))
    if options.markdown_out:
        write_text_atomic(options.markdown_out, render_markdown(report, options.top))
    return SizeOutcome(report, render_table(report, options.top), notes + warnings,
                       failure_line(errors))
