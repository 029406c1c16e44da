"""Budget syntax, checking against a report, and the one greppable failure line."""

from __future__ import annotations

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.attribution import load_manifest
from tinyml_build.size.budget import (
    check_budgets,
    failure_line,
    parse_model_budget,
    parse_region_budget,
)
from tinyml_build.size.diff import apply_baseline
from tinyml_build.size.tree import build_report

from .synthetic import elf_image, link_map, write_manifest


@pytest.fixture
def report(tmp_path):
    return build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])


def test_parse_region_budget():
    b = parse_region_budget("FLASH=256KiB", "hard")
    assert (b.scope, b.name, b.metric, b.limit, b.severity) == ("region", "FLASH", "used",
                                                                262144, "hard")
    assert parse_region_budget("RAM = 0x400", "soft").limit == 1024
    assert parse_region_budget("RAM=90%", "soft").percent == 90.0
    for bad in ("FLASH", "FLASH=", "=1K", "FLASH=ten", "FLASH=0%", "FLASH=x%"):
        with pytest.raises(SizeReportError, match=r"bad budget|percentage"):
            parse_region_budget(bad, "hard")


def test_parse_model_budget():
    bs = parse_model_budget("kws:flash=64KiB,ram=20K,weights=0x6000", "hard")
    assert [(b.name, b.metric, b.limit) for b in bs] == [
        ("kws", "flash", 65536), ("kws", "ram", 20480), ("kws", "weights", 0x6000)]
    for bad in ("kws", "kws:", "kws:speed=1", "kws:flash", "1kws:flash=1", "kws:flash=big"):
        with pytest.raises(SizeReportError, match="bad"):
            parse_model_budget(bad, "hard")


def test_region_budget_pass_and_fail(report):
    errors, warnings = check_budgets(report, [parse_region_budget("FLASH=400", "hard"),
                                              parse_region_budget("RAM=0x100", "hard")])
    assert warnings == []
    assert errors == ["RAM budget exceeded: 384 B used of 256 B (+128 B); "
                      "largest contributor: .stack fill 256 B"]
    assert report["status"] == "error"
    assert [(b["name"], b["exceeded"], b["over"]) for b in report["budgets"]] == [
        ("FLASH", False, 0), ("RAM", True, 128)]


def test_region_names_fold_case_and_percentages_use_the_region_length(report):
    errors, warnings = check_budgets(report, [parse_region_budget("flash=9%", "soft")])
    assert errors == []
    assert warnings == ["FLASH soft budget exceeded: 400 B used of 368 B (+32 B); "
                        "largest contributor: m kernels 144 B"]
    assert report["status"] == "warning"


def test_all_flash_and_ram_totals_when_no_region_has_the_name(report):
    report["regions"] = {k.replace("FLASH", "ROM"): v for k, v in report["regions"].items()}
    errors, _ = check_budgets(report, [parse_region_budget("flash=300", "hard")])
    assert errors[0].startswith("flash (all sections) budget exceeded: 400 B used of 300 B")
    assert "largest contributor: section .text 256 B" in errors[0]


def test_model_budgets(report):
    errors, _ = check_budgets(report, parse_model_budget("m:flash=100,ram=64,arena=63", "hard"))
    assert errors == [
        "model m flash budget exceeded: 336 B used of 100 B (+236 B); "
        "largest part: m kernels 144 B",
        "model m arena budget exceeded: 64 B used of 63 B (+1 B); largest part: m arena 64 B",
    ]
    assert failure_line(errors) == errors[0] + " (also over budget: model m arena)"
    assert failure_line([]) is None


def test_growth_against_a_baseline(report, tmp_path):
    import copy

    old = copy.deepcopy(report)
    old["regions"]["FLASH"]["contributors"]["m weights"] -= 40
    old["regions"]["FLASH"]["used"] -= 40
    old["models"]["m"]["weights"] -= 40
    old["models"]["m"]["by_class"]["flash"]["weights"] -= 40
    diffed = apply_baseline(report, old, "old.json")
    errors, _ = check_budgets(diffed, [parse_region_budget("FLASH=399", "hard"),
                                       *parse_model_budget("m:flash=300", "hard")])
    assert errors[0] == ("FLASH budget exceeded: 400 B used of 399 B (+1 B); "
                         "largest growth: m weights +40 B")
    assert errors[1].endswith("largest growth: m weights +40 B")
    same = apply_baseline(report, report, "same.json")
    errors, _ = check_budgets(same, [parse_region_budget("FLASH=1", "hard")])
    assert errors[0].endswith("nothing grew against the baseline")


def test_unknown_names(report):
    with pytest.raises(SizeReportError, match=r"region 'DTCM'.*regions: FLASH, RAM"):
        check_budgets(report, [parse_region_budget("DTCM=1K", "hard")])
    with pytest.raises(SizeReportError, match="no manifest describes it"):
        check_budgets(report, parse_model_budget("vww:flash=1K", "hard"))
