"""The `size` command's plumbing: map discovery, files written even when a budget fails."""

from __future__ import annotations

import json

from tinyml_build.size.run import SizeOptions, find_map, run_size


def test_find_map(tmp_path):
    elf = tmp_path / "app.elf"
    elf.write_bytes(b"")
    assert find_map(elf) is None
    (tmp_path / "app.map").write_text("")
    assert find_map(elf) == tmp_path / "app.map"
    (tmp_path / "app.elf.map").write_text("")
    assert find_map(elf) == tmp_path / "app.elf.map"


def test_reports_are_written_when_a_budget_fails(m4_kws, tmp_path):
    out, md = tmp_path / "r" / "size.json", tmp_path / "size.md"
    outcome = run_size(SizeOptions(elf=m4_kws.elf, manifests=[m4_kws.manifest], json_out=out,
                                   markdown_out=md, budgets=["FLASH=1K"]))
    assert outcome.error and outcome.error.startswith("FLASH budget exceeded: ")
    data = json.loads(out.read_text())
    assert data["status"] == "error" and data["inputs"]["map"] == str(m4_kws.map)
    assert "❌ exceeded" in md.read_text()
    assert "FLASH" in outcome.table


def test_elf_without_map_still_reports(m4_kws, tmp_path):
    lonely = tmp_path / "fw.elf"
    lonely.write_bytes(m4_kws.elf.read_bytes())
    outcome = run_size(SizeOptions(elf=lonely, manifests=[m4_kws.manifest],
                                   budgets=["flash=1MiB"]))
    assert outcome.error is None
    assert any("no map file" in w for w in outcome.warnings)
    report = outcome.report
    assert set(report["regions"]) == {"flash", "ram"}
    assert report["models"]["kws"]["weights"] >= 22_016
    assert report["models"]["kws"]["arena"] == 16_000


def test_a_foreign_map_found_beside_the_elf_is_ignored_but_a_given_one_fails(m4_kws, tmp_path):
    import pytest

    from tinyml_build.errors import SizeReportError

    elf = tmp_path / "app.elf"
    elf.write_bytes(m4_kws.elf.read_bytes())
    lld = tmp_path / "app.map"
    lld.write_text("             VMA              LMA     Size Align Out     In      Symbol\n")
    outcome = run_size(SizeOptions(elf=elf, manifests=[m4_kws.manifest]))
    assert outcome.warnings[0].startswith(f"ignoring {lld}: is an LLVM lld map")
    assert outcome.report["inputs"]["map"] is None
    with pytest.raises(SizeReportError, match="not supported yet"):
        run_size(SizeOptions(elf=elf, map=lld))
