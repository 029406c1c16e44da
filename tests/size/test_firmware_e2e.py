"""End to end: real Cortex-M4 and rv32imac firmware with KWS linked in, measured by the CLI.

The numbers are checked against the toolchain's own: ld's --print-memory-usage for regions
and `size -A` for sections, to the byte.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, run_cli

from .firmware import (
    ARM_TOOLS,
    Firmware,
    build_cortex_m4,
    build_host,
    compile_model,
    require_tools,
    size_sysv,
)

pytestmark = pytest.mark.slow

KWS_INT8_WEIGHT_BYTES = 22_016  # conv 2,560 + 4 dw 2,304 + 4 pw 16,384 + fc 768


def run_size(*args: str | Path) -> subprocess.CompletedProcess:
    return run_cli("size", *args)


def report_for(fw: Firmware, tmp_path: Path,
               *extra: str) -> tuple[dict, subprocess.CompletedProcess]:
    out = tmp_path / "report.json"
    proc = run_size(fw.elf, "--map", fw.map, "--manifest", fw.manifest, "--json", out, *extra)
    return json.loads(out.read_text()), proc


@pytest.fixture(params=["m4_kws", "rv32_kws"])
def firmware(request) -> Firmware:
    return request.getfixturevalue(request.param)


def _check_sums(node: dict, level: list[str], where: str) -> None:
    """Children add up to their parent at every level of the tree."""
    if not level:
        return
    children = node.get(level[0], {})
    if not children:
        return
    total = sum(c["size"] for c in children.values())
    assert total == node["size"], f"{where}: {level[0]} add up to {total}, node is {node['size']}"
    for name, child in children.items():
        _check_sums(child, level[1:], f"{where}/{name}")


def test_region_totals_equal_ld_print_memory_usage(firmware, tmp_path):
    report, proc = report_for(firmware, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert firmware.ld_usage, "ld printed no memory usage"
    ours = {name: r["used"] for name, r in report["regions"].items()}
    assert ours == firmware.ld_usage


def test_section_totals_equal_size_A(firmware, tmp_path):
    report, _ = report_for(firmware, tmp_path)
    theirs = size_sysv(firmware.size_tool, firmware.elf)
    ours = {name: s["size"] for name, s in report["sections"].items() if name in theirs}
    assert ours == theirs
    # every section size -A lists is in the report, and every non-empty alloc section too
    assert set(theirs) <= set(report["sections"])
    for name, s in report["sections"].items():
        if s["class"] and s["size"]:
            assert name in theirs


def test_every_byte_is_accounted_for(firmware, tmp_path):
    report, _ = report_for(firmware, tmp_path)
    for rname, region in report["regions"].items():
        assert sum(s["size"] for s in region["sections"].values()) == region["used"], rname
        assert sum(region["contributors"].values()) == region["used"], rname
        for sname, sec in region["sections"].items():
            _check_sums(sec, ["archives", "objects", "symbols"], f"{rname}/{sname}")
    # the RAM copy of .data and its flash image are the same bytes in two regions
    data = [r["sections"][".data"] for r in report["regions"].values() if ".data" in r["sections"]]
    assert len(data) == 2 and sum(bool(d.get("load_image")) for d in data) == 1


def test_kws_bytes_are_attributed(firmware, tmp_path):
    report, _ = report_for(firmware, tmp_path)
    manifest = json.loads(firmware.manifest.read_text())
    kws = report["models"]["kws"]
    assert kws["weights"] >= KWS_INT8_WEIGHT_BYTES
    assert kws["weights"] == manifest["sizes"]["weights_bytes"]
    assert kws["tables"] == manifest["sizes"]["derived_bytes"]
    assert kws["arena"] == manifest["arena_bytes"] == 16_000
    assert kws["kernels"] > 1_000 and kws["kernels_by_backend"] == {"reference": kws["kernels"]}
    assert kws["code"] > 0
    assert kws["flash"] == kws["weights"] + kws["tables"] + kws["kernels"] + kws["code"]
    assert kws["ram"] == kws["arena"]
    # the kernels are exactly the objects compiled from the manifest's kernel sources
    kernel_objects = {Path(s).stem for s in manifest["kernel_sources"]}
    text = next(r for r in report["regions"].values() if ".text" in r["sections"])
    tagged = {obj.split(".")[0] for arch in text["sections"][".text"]["archives"].values()
              for obj, node in arch["objects"].items() if node.get("part") == "kernels"}
    assert tagged == kernel_objects
    assert report["status"] == "ok" and report["messages"] == []


def test_arena_in_its_own_region(mlperf_models, tmp_path):
    """--arena-section .ccmram puts the arena in the CCMRAM region; the report follows it."""
    require_tools(*ARM_TOOLS)
    manifest = compile_model(mlperf_models["kws"], tmp_path / "gen", "kws", "host",
                             "--arena-section", ".ccmram")
    fw = build_cortex_m4(manifest, tmp_path / "fw")
    report, proc = report_for(fw, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert {n: r["used"] for n, r in report["regions"].items()} == fw.ld_usage
    assert fw.ld_usage["CCMRAM"] >= 16_000
    assert report["models"]["kws"]["regions"]["CCMRAM"]["arena"] == 16_000
    assert "kws arena" not in report["regions"]["RAM"]["contributors"]


def test_host_gnu_ld(kws_host, tmp_path):
    """A host executable (x86-64/aarch64 GNU ld, no MEMORY regions): flash/ram classes."""
    require_tools("cc", "size", "ld")
    fw = build_host(kws_host, tmp_path / "fw")
    report, proc = report_for(fw, tmp_path, "--budget", "flash=1MiB", "ram=1MiB")
    assert proc.returncode == 0, proc.stderr
    theirs = size_sysv("size", fw.elf)
    assert {n: s["size"] for n, s in report["sections"].items() if n in theirs} == theirs
    assert set(report["regions"]) == {"flash", "ram"}
    assert report["regions"]["flash"]["used"] == report["totals"]["flash"]
    for region in report["regions"].values():
        assert sum(region["contributors"].values()) == region["used"]
        for sname, sec in region["sections"].items():
            _check_sums(sec, ["archives", "objects", "symbols"], sname)
    kws = report["models"]["kws"]
    assert kws["weights"] >= KWS_INT8_WEIGHT_BYTES and kws["arena"] == 16_000
    assert kws["kernels"] > 1_000 and kws["code"] > 0


# -- budgets through the CLI ------------------------------------------------------------------

ERROR_LINE = re.compile(
    r"^tinyml-build: error: (?P<what>.+?) budget exceeded: (?P<used>[\d,]+) B used of "
    r"(?P<limit>[\d,]+) B \(\+(?P<over>[\d,]+) B\); (?P<why>.+)$"
)


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def _one_error(proc: subprocess.CompletedProcess) -> re.Match:
    line = assert_one_line_error(proc)
    m = ERROR_LINE.match(line)
    assert m, line
    return m


def test_flash_budget_below_the_firmware_fails_with_one_line(m4_kws, tmp_path):
    used = m4_kws.ld_usage["FLASH"]
    limit = used - 1000
    proc = run_size(m4_kws.elf, "--map", m4_kws.map, "--manifest", m4_kws.manifest,
                    "--budget", f"FLASH={limit}", "-q")
    m = _one_error(proc)
    assert m["what"] == "FLASH"
    assert (_n(m["used"]), _n(m["limit"]), _n(m["over"])) == (used, limit, 1000)
    assert re.fullmatch(r"largest contributor: kws weights [\d,]+ B", m["why"])
    assert proc.stdout == ""


def test_generous_budgets_pass(m4_kws, tmp_path):
    report, proc = report_for(m4_kws, tmp_path, "--budget", "FLASH=512KiB", "RAM=0x20000",
                              "--model-budget", "kws:flash=64KiB,ram=16000", "-q")
    assert proc.returncode == 0 and proc.stderr == ""
    assert report["status"] == "ok"
    assert [b["exceeded"] for b in report["budgets"]] == [False] * 4
    assert {(b["name"], b["metric"]) for b in report["budgets"]} == {
        ("FLASH", "used"), ("RAM", "used"), ("kws", "flash"), ("kws", "ram")}


def test_ram_budget_fails_the_same_way(m4_kws, tmp_path):
    used = m4_kws.ld_usage["RAM"]
    proc = run_size(m4_kws.elf, "--map", m4_kws.map, "--manifest", m4_kws.manifest,
                    "--budget", "ram=16KiB", "-q")
    m = _one_error(proc)
    assert m["what"] == "RAM" and _n(m["used"]) == used and _n(m["limit"]) == 16384
    assert re.fullmatch(r"largest contributor: kws arena 16,000 B", m["why"])


def test_soft_budget_warns_and_passes(m4_kws, tmp_path):
    report, proc = report_for(m4_kws, tmp_path, "--soft-budget", "FLASH=5%", "-q")
    assert proc.returncode == 0
    assert proc.stderr.startswith("tinyml-build: warning: FLASH soft budget exceeded: ")
    assert report["status"] == "warning"
    assert report["budgets"][0]["limit"] == 524288 * 5 // 100


def test_model_budget(m4_kws, tmp_path):
    report, _ = report_for(m4_kws, tmp_path)
    flash = report["models"]["kws"]["flash"]
    proc = run_size(m4_kws.elf, "--map", m4_kws.map, "--manifest", m4_kws.manifest,
                    "--model-budget", f"kws:flash={flash - 8},ram=16000", "-q")
    m = _one_error(proc)
    assert m["what"] == "model kws flash" and _n(m["over"]) == 8
    weights = report["models"]["kws"]["weights"]
    assert m["why"] == f"largest part: kws weights {weights:,} B"
    proc = run_size(m4_kws.elf, "--map", m4_kws.map, "--manifest", m4_kws.manifest,
                    "--model-budget", "kws:arena=15KiB", "-q")
    assert _one_error(proc)["what"] == "model kws arena"


def test_budget_naming_an_unknown_region_or_model_is_one_error(m4_kws):
    for flag, spec, needle in (("--budget", "DTCM=1K", "region 'DTCM'"),
                               ("--model-budget", "vww:flash=1K", "model 'vww'")):
        proc = run_size(m4_kws.elf, "--manifest", m4_kws.manifest, flag, spec, "-q")
        assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
        assert needle in proc.stderr and "Traceback" not in proc.stderr


# -- baseline ---------------------------------------------------------------------------------

def test_baseline_deltas_per_region_and_model(m4_fc_pair, tmp_path):
    small, big = m4_fc_pair
    base = tmp_path / "base.json"
    proc = run_size(small.elf, "--map", small.map, "--manifest", small.manifest, "--json", base,
                    "-q")
    assert proc.returncode == 0, proc.stderr
    out, md = tmp_path / "new.json", tmp_path / "new.md"
    limit = big.ld_usage["FLASH"] - 100
    proc = run_size(big.elf, "--map", big.map, "--manifest", big.manifest, "--baseline", base,
                    "--json", out, "--markdown", md, "--budget", f"FLASH={limit}")
    m = _one_error(proc)
    assert m["what"] == "FLASH" and m["why"] == "largest growth: net weights +8,192 B"
    report = json.loads(out.read_text())
    old = json.loads(base.read_text())
    net = report["models"]["net"]
    assert net["weights_diff"] == 8192 and net["weights"] == 64 * 160
    assert net["arena_diff"] == report["models"]["net"]["arena"] - old["models"]["net"]["arena"]
    flash = report["regions"]["FLASH"]
    assert flash["used_diff"] == big.ld_usage["FLASH"] - small.ld_usage["FLASH"]
    assert flash["contributors_diff"]["net weights"] == 8192
    assert report["regions"]["RAM"]["used_diff"] == big.ld_usage["RAM"] - small.ld_usage["RAM"]
    assert report["baseline"]["path"] == str(base)
    # the table (stdout) and the Markdown show the same deltas
    assert "+8,192 B" in proc.stdout and "+8,192 B" in md.read_text()
