"""Deltas on the structure: every byte figure, counters, nodes that appeared or vanished."""

from __future__ import annotations

import copy
import json

import pytest

from tinyml_build.errors import SizeReportError
from tinyml_build.size.attribution import load_manifest
from tinyml_build.size.diff import apply_baseline, load_baseline
from tinyml_build.size.tree import build_report

from .synthetic import elf_image, link_map, write_manifest


@pytest.fixture
def report(tmp_path):
    return build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])


def test_identical_reports_have_zero_deltas(report):
    d = apply_baseline(report, copy.deepcopy(report), "b.json")
    assert d["regions"]["FLASH"]["used_diff"] == 0
    assert d["models"]["m"]["weights_diff"] == 0
    assert set(d["regions"]["FLASH"]["contributors_diff"].values()) == {0}
    assert d["baseline"] == {"path": "b.json", "elf": "fw.elf", "generator": report["generator"]}
    assert "baseline" not in report  # the input is not modified


def test_deltas_at_every_level(report):
    old = copy.deepcopy(report)
    text = old["regions"]["FLASH"]["sections"][".text"]
    text["size"] -= 16
    fc = text["archives"]["libm.a"]["objects"]["tml_fc.c.obj"]
    fc["size"] -= 16
    fc["symbols"]["tml_fc_s8"]["size"] -= 16
    old["regions"]["FLASH"]["used"] -= 16
    old["regions"]["FLASH"]["contributors"]["m kernels"] -= 16
    old["models"]["m"]["kernels"] -= 16
    old["models"]["m"]["kernels_by_backend"]["reference"] -= 16
    old["totals"]["flash"] -= 16
    d = apply_baseline(report, old, "b.json")
    flash = d["regions"]["FLASH"]
    assert flash["used_diff"] == 16 and flash["size_diff"] == 0
    assert flash["contributors_diff"]["m kernels"] == 16
    node = flash["sections"][".text"]["archives"]["libm.a"]["objects"]["tml_fc.c.obj"]
    assert node["size_diff"] == 16 and node["symbols"]["tml_fc_s8"]["size_diff"] == 16
    assert node["symbols"]["(unattributed)"]["size_diff"] == 0
    assert d["models"]["m"]["kernels_diff"] == 16
    assert d["models"]["m"]["kernels_by_backend_diff"] == {"reference": 16}
    assert d["totals"]["flash_diff"] == 16


def test_added_and_removed_nodes(report):
    old = copy.deepcopy(report)
    objs = old["regions"]["FLASH"]["sections"][".text"]["archives"]["libm.a"]["objects"]
    objs["gone.o"] = {"size": 32, "symbols": {"old_fn": {"size": 32}}}
    old["regions"]["FLASH"]["contributors"]["libold.a"] = 32
    old["models"]["legacy"] = copy.deepcopy(old["models"]["m"])
    del old["regions"]["FLASH"]["sections"][".rodata"]
    d = apply_baseline(report, old, "b.json")
    objs = d["regions"]["FLASH"]["sections"][".text"]["archives"]["libm.a"]["objects"]
    assert objs["gone.o"]["removed"] is True and objs["gone.o"]["size"] == 0
    assert objs["gone.o"]["size_diff"] == -32
    assert d["regions"]["FLASH"]["contributors_diff"]["libold.a"] == -32
    assert d["models"]["legacy"]["removed"] is True
    assert d["models"]["legacy"]["flash_diff"] == -report["models"]["m"]["flash"]
    rodata = d["regions"]["FLASH"]["sections"][".rodata"]
    assert rodata["size_diff"] == rodata["size"] == 0x80  # new since the baseline


def test_load_baseline(tmp_path, report):
    p = tmp_path / "base.json"
    p.write_text(json.dumps(report))
    assert load_baseline(p)["schema"] == "tinyml-build.size/1"
    p.write_text("{")
    with pytest.raises(SizeReportError, match="not valid JSON"):
        load_baseline(p)
    p.write_text('{"schema": "tinyml-build.manifest/1"}')
    with pytest.raises(SizeReportError, match="not a size report"):
        load_baseline(p)
    with pytest.raises(SizeReportError, match="cannot read the baseline"):
        load_baseline(tmp_path / "nope.json")
