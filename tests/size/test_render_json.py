"""The JSON report is the structure itself, versioned, and reads back as a baseline."""

from __future__ import annotations

import json

from tinyml_build.size.attribution import load_manifest
from tinyml_build.size.diff import apply_baseline
from tinyml_build.size.render_json import render_json
from tinyml_build.size.tree import build_report

from .synthetic import elf_image, link_map, write_manifest


def test_json_schema_fields(tmp_path):
    report = build_report(elf_image(), link_map(), [load_manifest(write_manifest(tmp_path))])
    data = json.loads(render_json(report))
    assert data["schema"] == "tinyml-build.size/1"
    assert {k: (v["used"], v["size"]) for k, v in data["regions"].items()} == {
        "FLASH": (400, 4096), "RAM": (384, 1024)}
    assert {k: data["models"]["m"][k] for k in ("flash", "ram", "weights", "kernels", "arena",
                                                "code")} == {
        "flash": 336, "ram": 64, "weights": 64, "kernels": 144, "arena": 64, "code": 80}
    tree = data["regions"]["FLASH"]["sections"][".text"]["archives"]["libm.a"]["objects"]
    assert tree["m.c.obj"]["symbols"]["m_invoke"]["size"] == 48
    # a report read back from JSON works as a baseline
    assert apply_baseline(report, data, "x")["regions"]["RAM"]["used_diff"] == 0
