"""samples/bare_metal built as a user would, for the host and for three QEMU boards.

Each firmware runs KWS (and KWS + AD in one image) on the committed fixed inputs; the
outputs it prints must equal what TFLM computes for the same inputs now.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from .conftest import (
    SAMPLE,
    build,
    configure,
    emulator,
    is_noop,
    need_board,
    parse_outputs,
    run_program,
    tflm,
    tflm_run,
)

MODELS = SAMPLE.parent / "models"


def _test_data_module():
    spec = importlib.util.spec_from_file_location(
        "make_test_data", SAMPLE / "data" / "make_test_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_expected_outputs_are_tflm_outputs() -> None:
    tflm()  # skips when the reference runtime is missing
    data = _test_data_module()
    for path, text in data.expected_headers().items():
        assert path.read_text() == text, f"{path.name} is stale: run make_test_data.py"


@pytest.mark.slow
@pytest.mark.parametrize("board", ["host", "mps2-an386", "mps3-an547", "qemu-virt-rv32"])
def test_sample_runs_and_matches_tflm(tmp_path: Path, board: str) -> None:
    if board != "host":
        need_board(board)
    b = tmp_path / "build"
    configure(SAMPLE, b, board=None if board == "host" else board)
    build(b, "-j8")
    assert is_noop(b)[0]
    emu = emulator(b)
    assert bool(emu) == (board != "host")

    data = _test_data_module()
    expected = {}
    for name, file in data.SAMPLE_MODELS.items():
        model = MODELS / file
        x = data.fixed_input(data.input_shape(model))
        expected[name] = tflm_run(model, x).tolist()

    suffix = "" if board == "host" else ".elf"
    r = run_program(b, b / f"kws_demo{suffix}", emu)
    assert r.returncode == 0, r.out
    outputs = parse_outputs(r.out)
    assert outputs["kws"].tolist() == expected["kws"]
    top = max(range(12), key=lambda i: (expected["kws"][i], -i))
    assert f"kws: top class {top} (" in r.out

    r = run_program(b, b / f"two_models{suffix}", emu)
    assert r.returncode == 0, r.out
    outputs = parse_outputs(r.out)
    assert outputs["kws"].tolist() == expected["kws"]
    assert outputs["ad"].tolist() == expected["ad"]


@pytest.mark.slow
@pytest.mark.parametrize(("board", "target"), [
    ("mps2-an385", "cortex-m0plus"),
    ("mps2-an500", "cortex-m7"),
    ("mps2-an505", "cortex-m33"),
    ("qemu-virt-rv32", "rv32imc"),
])
def test_kws_on_the_other_targets(tmp_path: Path, board: str, target: str) -> None:
    """Every other target's flags and memory map run KWS bit-exactly on its QEMU board."""
    need_board(board)
    b = tmp_path / "build"
    configure(SAMPLE, b, f"-DTINYML_TARGET={target}", board=board)
    build(b, "kws_demo.elf")
    manifest = (b / "tinyml" / "kws" / "kws.json").read_text()
    assert f'"target": "{target}"' in manifest
    r = run_program(b, b / "kws_demo.elf", emulator(b))
    assert r.returncode == 0, r.out
    assert "kws: output matches the TFLM reference" in r.out
