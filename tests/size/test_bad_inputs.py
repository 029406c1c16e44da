"""Truncated, garbage, foreign and mismatched inputs: one clear error line, exit 1, no traceback."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, run_cli
from tinyml_build.errors import SizeReportError
from tinyml_build.size.elf import read_elf
from tinyml_build.size.mapfile import read_map
from tinyml_build.size.tree import build_report

LLD_MAP = """\
             VMA              LMA     Size Align Out     In      Symbol
               0                0    10000     1 . = 0x10000
           10000            10000       24     4 .text
           10000            10000       24     4         main.o:(.text)
"""
IAR_MAP = """\
###############################################################################
#
# IAR ELF Linker V9.32.1.338/W64 for ARM                  23/Nov/2026  10:12:00
#
###############################################################################

*******************************************************************************
*** PLACEMENT SUMMARY
***
"""
ARMLINK_MAP = """\
Component: Arm Compiler for Embedded 6.19 Tool: armlink [5e73cb00]

==============================================================================

Memory Map of the image

  Image Entry point : 0x08000189

  Load Region LR_IROM1 (Base: 0x08000000, Size: 0x00001234, Max: 0x00080000, ABSOLUTE)
"""


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    return run_cli("size", *args)


@pytest.fixture
def fw(m4_kws):
    return m4_kws


def test_truncated_elf(fw, tmp_path):
    data = fw.elf.read_bytes()
    for cut in (10, 52, 3000, len(data) // 2, len(data) - 1):
        bad = tmp_path / f"cut{cut}.elf"
        bad.write_bytes(data[:cut])
        assert_one_line_error(cli(bad, "--map", fw.map), str(bad))


def test_garbage_and_foreign_elf(fw, tmp_path):
    garbage = tmp_path / "garbage.elf"
    garbage.write_bytes(b"\x7fELF" + random.Random(1).randbytes(4000))
    assert_one_line_error(cli(garbage, "--map", fw.map), "garbage.elf")
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    assert_one_line_error(cli(text), "is not an ELF file")
    # ELF and map swapped: say so
    assert_one_line_error(cli(fw.map, "--map", fw.elf), "looks like a map file")
    assert_one_line_error(cli(tmp_path / "missing.elf"), "cannot read the ELF file")


def test_corrupted_elf_never_shows_a_traceback(fw):
    """Random byte damage anywhere: either a report or a SizeReportError, nothing else."""
    data = bytearray(fw.elf.read_bytes())
    rng = random.Random(5)
    linkmap = read_map(fw.map)
    hot = list(range(0, 64)) + list(range(len(data) - 2000, len(data)))  # headers, shdrs
    for trial in range(150):
        bad = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            pos = rng.choice(hot) if trial % 2 else rng.randrange(len(bad))
            bad[pos] = rng.randrange(256)
        path = fw.elf.parent / "damaged.elf"
        path.write_bytes(bad)
        try:
            build_report(read_elf(path), linkmap, [])
        except SizeReportError:
            pass


def test_truncated_map(fw, tmp_path):
    lines = fw.map.read_text().splitlines(keepends=True)
    marker = next(i for i, line in enumerate(lines) if line.startswith("Linker script and"))
    for cut in (5, marker + 40, (marker + len(lines)) // 2):
        bad = tmp_path / f"cut{cut}.map"
        bad.write_text("".join(lines[:cut]))
        assert_one_line_error(cli(fw.elf, "--map", bad), str(bad))


def test_garbage_and_empty_map(fw, tmp_path):
    garbage = tmp_path / "garbage.map"
    garbage.write_text("".join(random.Random(2).choice("abc 0x12\n.") for _ in range(5000)))
    assert_one_line_error(cli(fw.elf, "--map", garbage), "not a GNU ld map file")
    empty = tmp_path / "empty.map"
    empty.write_text("")
    assert_one_line_error(cli(fw.elf, "--map", empty), "is empty")
    assert_one_line_error(cli(fw.elf, "--map", tmp_path / "none.map"), "cannot read the map")
    binary = tmp_path / "binary.map"
    binary.write_bytes(fw.elf.read_bytes())
    assert_one_line_error(cli(fw.elf, "--map", binary), "binary file")


@pytest.mark.parametrize(("text", "name"), [(LLD_MAP, "LLVM lld"), (IAR_MAP, "IAR"),
                                            (ARMLINK_MAP, "armlink")])
def test_unsupported_map_formats_fail_clearly(fw, tmp_path, text, name):
    path = tmp_path / "other.map"
    path.write_text(text)
    line = assert_one_line_error(cli(fw.elf, "--map", path), name, "not supported")
    assert "GNU ld" in line


def test_map_of_another_link(m4_kws, rv32_kws):
    assert_one_line_error(cli(m4_kws.elf, "--map", rv32_kws.map), "does not describe")


def test_edited_map_that_disagrees_with_the_elf(fw, tmp_path):
    text = fw.map.read_text()
    lines = text.splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if line.startswith(".text "))
    parts = lines[i].split()
    lines[i] = lines[i].replace(parts[2], hex(int(parts[2], 16) + 4))
    bad = tmp_path / "edited.map"
    bad.write_text("".join(lines))
    assert_one_line_error(cli(fw.elf, "--map", bad), "section .text", "does not describe")


def test_bad_manifest_budget_and_baseline(fw, tmp_path):
    bad = tmp_path / "kws.json"
    bad.write_text("{not json")
    assert_one_line_error(cli(fw.elf, "--manifest", bad), "not valid JSON")
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/else"}')
    assert_one_line_error(cli(fw.elf, "--manifest", other), "not a tinyml-build model manifest")
    assert_one_line_error(cli(fw.elf, "--baseline", other), "not a size report")
    assert_one_line_error(cli(fw.elf, "--budget", "FLASH=lots"), "bad budget 'FLASH=lots'")
    assert_one_line_error(cli(fw.elf, "--model-budget", "kws:speed=1"), "bad model budget")


def test_manifest_of_a_model_not_in_the_firmware(fw, m4_fc_pair):
    other = m4_fc_pair[0].manifest  # model 'net', not linked into the KWS firmware
    assert_one_line_error(cli(fw.elf, "--map", fw.map, "--manifest", other),
                     "model 'net'", "is not in")


def test_damaged_map_never_shows_a_traceback(fw):
    """Lines dropped, duplicated or with digits changed: a report or a SizeReportError."""
    from tinyml_build.size.mapfile import parse_map_text

    lines = fw.map.read_text().splitlines()
    elf = read_elf(fw.elf)
    rng = random.Random(9)
    for _ in range(60):
        bad = list(lines)
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(bad))
            action = rng.randrange(3)
            if action == 0:
                del bad[i]
            elif action == 1:
                bad.insert(i, bad[rng.randrange(len(bad))])
            else:
                line = list(bad[i])
                digits = [k for k, c in enumerate(line) if c in "0123456789abcdef"]
                if digits:
                    line[rng.choice(digits)] = rng.choice("0123456789abcdef")
                bad[i] = "".join(line)
        try:
            report = build_report(elf, parse_map_text("\n".join(bad), "damaged.map"), [])
        except SizeReportError:
            continue
        for region in report["regions"].values():
            assert sum(s["size"] for s in region["sections"].values()) == region["used"]
