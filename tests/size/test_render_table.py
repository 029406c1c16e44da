"""The human table: usage bars, model blocks, contributors, budgets, deltas when present."""

from __future__ import annotations

import copy

import pytest

from tinyml_build.size.attribution import load_manifest
from tinyml_build.size.budget import check_budgets, parse_region_budget
from tinyml_build.size.diff import apply_baseline
from tinyml_build.size.render_table import bar, render_table
from tinyml_build.size.tree import build_report

from .synthetic import elf_image, link_map, write_manifest


@pytest.fixture
def report(tmp_path):
    return build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])


def test_bar():
    assert bar(0, 100) == "[          ]"
    assert bar(168, 1000) == "[==        ]"
    assert bar(2000, 1000) == "[==========]"
    assert bar(5, None) == "[??????????]"


def test_table(report):
    check_budgets(report, [parse_region_budget("RAM=256", "hard")])
    text = render_table(report, top=3)
    lines = text.splitlines()
    assert lines[0] == "fw.elf (map fw.map)"
    assert "FLASH   [=         ]   9.77% (used 400 B of 4,096 B)" in lines
    assert "RAM     [====      ]  37.50% (used 384 B of 1,024 B)" in lines
    assert "model m (" in text and "    kernels         144 B (reference 144 B)" in lines
    assert "largest in RAM" in lines and "           256  .stack fill" in lines
    assert any(line.strip().endswith("more)") for line in lines)
    assert "  RAM                      hard        384 B of        256 B  EXCEEDED" in lines


def test_table_with_deltas(report):
    old = copy.deepcopy(report)
    old["regions"]["FLASH"]["used"] += 8
    old["models"]["m"]["weights"] -= 4
    text = render_table(apply_baseline(report, old, "old.json"))
    assert "deltas against old.json" in text
    assert "(used 400 B of 4,096 B)  -8 B" in text
    assert "    weights          64 B  +4 B" in text
