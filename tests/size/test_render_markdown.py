"""The pull-request comment: tables a reviewer reads first, details folded."""

from __future__ import annotations

import copy

from tinyml_build.size.attribution import load_manifest
from tinyml_build.size.budget import check_budgets, parse_model_budget
from tinyml_build.size.diff import apply_baseline
from tinyml_build.size.render_markdown import render_markdown
from tinyml_build.size.tree import build_report

from .synthetic import elf_image, link_map, write_manifest


def test_markdown(tmp_path):
    report = build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])
    check_budgets(report, parse_model_budget("m:ram=32", "hard"))
    md = render_markdown(report)
    assert md.startswith("### Firmware size: `fw.elf`\n")
    assert "| FLASH | 400 B | 4,096 B | `[=         ]` 9.77% |" in md
    assert "| Model | Flash | RAM | Weights | Tables | Kernels | Arena | Code |" in md
    assert "| m | 336 B | 64 B | 64 B | 48 B | 144 B | 64 B | 80 B |" in md
    assert "| m ram (hard) | 64 B | 32 B | ❌ exceeded |" in md
    assert "<summary>Largest contributors</summary>" in md
    assert "> model m ram budget exceeded" in md


def test_markdown_deltas(tmp_path):
    report = build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])
    old = copy.deepcopy(report)
    old["regions"]["FLASH"]["used"] -= 64
    old["regions"]["FLASH"]["contributors"]["m weights"] -= 64
    old["models"]["m"]["weights"] -= 64
    md = render_markdown(apply_baseline(report, old, "main.json"))
    assert "Deltas against `main.json`." in md
    assert "| FLASH | 400 B | 4,096 B | `[=         ]` 9.77% | +64 B |" in md
    assert "| 64 B (+64 B) |" in md
    assert "| FLASH | m weights | +64 B |" in md
