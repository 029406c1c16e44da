"""tinyml_check_budget(): a post-link size check that fails the build with one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import REPO, build, configure, need_board
from .project import Model, write_project

pytestmark = pytest.mark.slow

KWS = (REPO / "samples" / "models" / "kws_ds_cnn_int8.tflite").read_bytes()


def budget_project(folder: Path, budget_args: str, board: bool = True) -> None:
    write_project(folder, [Model("kws", KWS)], target="cortex-m4" if board else "host")
    text = (folder / "CMakeLists.txt").read_text()
    text += f"tinyml_check_budget(app {budget_args} REPORT size.json MARKDOWN size.md)\n"
    (folder / "CMakeLists.txt").write_text(text)


def error_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("tinyml-build: error:")]


@pytest.fixture(scope="module")
def m4_report(tmp_path_factory):
    """A Cortex-M4 firmware with generous budgets: the build passes and writes the report."""
    need_board("mps2-an386")
    root = tmp_path_factory.mktemp("budget_ok")
    budget_project(root / "src", "FLASH 512KiB RAM 64KiB SOFT RAM 1KiB MODEL kws ARENA 16000")
    configure(root / "src", root / "b", board="mps2-an386")
    r = build(root / "b")
    assert "tinyml-build: warning: RAM soft budget exceeded" in r.out
    return root, json.loads((root / "b" / "size.json").read_text()), r.out


def test_generous_budgets_pass_and_report(m4_report):
    root, report, _ = m4_report
    assert report["schema"] == "tinyml-build.size/1"
    kws = report["models"]["kws"]
    manifest = json.loads((root / "b" / "tinyml" / "kws" / "kws.json").read_text())
    assert kws["arena"] == manifest["arena_bytes"] == 16000
    assert kws["weights"] >= 22016
    assert report["regions"]["FLASH"]["used"] > kws["flash"] > 0
    assert (root / "b" / "size.md").read_text().strip()


@pytest.mark.parametrize("budget,what", [
    ("FLASH 8KiB", "FLASH"),
    ("RAM 4KiB", "RAM"),
    ("MODEL kws ARENA 15KiB", "model kws arena"),
])
def test_exceeded_budget_fails_with_one_line_and_stays_failed(tmp_path, budget, what):
    need_board("mps2-an386")
    budget_project(tmp_path / "src", budget)
    configure(tmp_path / "src", tmp_path / "b", board="mps2-an386")
    first = build(tmp_path / "b", check=False)
    assert first.returncode != 0
    lines = error_lines(first.out)
    assert len(lines) == 1, first.out
    assert re.match(rf"tinyml-build: error: {what} budget exceeded: [\d,]+ B used of "
                    rf"[\d,]+ B \(\+[\d,]+ B\); ", lines[0]), lines[0]
    again = build(tmp_path / "b", check=False)  # nothing changed: still failing
    assert again.returncode != 0 and len(error_lines(again.out)) == 1


def test_host_build_budget_uses_flash_and_ram_classes(tmp_path):
    budget_project(tmp_path / "src", "FLASH 4KiB", board=False)
    configure(tmp_path / "src", tmp_path / "b")
    r = build(tmp_path / "b", check=False)
    assert r.returncode != 0
    assert len(error_lines(r.out)) == 1 and "flash budget exceeded" in r.out.lower()


def test_bad_arguments_fail_configure(tmp_path):
    budget_project(tmp_path / "src", "MODEL kws SPEED 3", board=False)
    r = configure(tmp_path / "src", tmp_path / "b", check=False)
    assert r.returncode != 0 and "unknown budget SPEED" in r.out


def test_models_linked_through_another_library_are_attributed(tmp_path):
    write_project(tmp_path / "src", [Model("kws", KWS)])
    text = (tmp_path / "src" / "CMakeLists.txt").read_text()
    text = text.replace("target_link_libraries(app PRIVATE kws)",
                        "add_library(wrapper STATIC main.c)\n"
                        "target_link_libraries(wrapper PRIVATE kws)\n"
                        "target_link_libraries(app PRIVATE wrapper)")
    text = text.replace("add_executable(app main.c)", "add_executable(app empty.c)")
    text += "tinyml_check_budget(app REPORT size.json)\n"
    (tmp_path / "src" / "CMakeLists.txt").write_text(text)
    (tmp_path / "src" / "empty.c").write_text("int tinyml_test_unused;\n")
    configure(tmp_path / "src", tmp_path / "b")
    build(tmp_path / "b")
    report = json.loads((tmp_path / "b" / "size.json").read_text())
    assert report["models"]["kws"]["arena"] == 16000
