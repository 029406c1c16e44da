"""The Cortex-M4 benchmark: its linker-map attribution, and one real run (the AD model)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def bench_module():
    spec = importlib.util.spec_from_file_location(
        "cortex_m4_mlperf", REPO / "benchmarks" / "cortex_m4_mlperf.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["cortex_m4_mlperf"] = module
    spec.loader.exec_module(module)
    return module


MAP = """\
Archive member included to satisfy reference by file (symbol)
Linker script and memory map

.text           0x00000040      0x200
 *(.text .text.*)
 .text.main     0x00000040       0x20 CMakeFiles/bench_ad.dir/bench_main.c.obj
                0x00000040                main
 .text.ad_invoke
                0x00000060       0x80 libad.a(ad.c.obj)
                0x00000060                ad_invoke
 .text.tml_fully_connected_s8
                0x000000e0      0x150 libtinyml_kernels_cortex_m4_reference.a(tml_fc.c.obj)
 *fill*         0x00000230       0x10
.rodata         0x00000240      0x120
 .rodata.ad_c0  0x00000240      0x100 libad.a(ad_weights.c.obj)
 .rodata.ad_p0  0x00000340       0x20 libad.a(ad.c.obj)
.bss            0x20000000      0x310
 .bss.ad_arena  0x20000000      0x300 libad.a(ad.c.obj)
 .bss.x         0x20000300       0x10 /usr/lib/libc_nano.a(lib_a-impure.o)
"""


def test_map_attribution() -> None:
    bench = bench_module()
    inputs, fill = bench.parse_map(MAP)
    by_name = {s.name: s for s in inputs}
    assert by_name[".text.ad_invoke"].size == 0x80
    assert by_name[".text.tml_fully_connected_s8"].output == ".text"
    assert fill == {".text": 0x10}
    cats = {s.name: bench.category("ad", s.file) for s in inputs}
    assert cats == {
        ".text.main": "other", ".text.ad_invoke": "generated",
        ".text.tml_fully_connected_s8": "kernels", ".rodata.ad_c0": "weights",
        ".rodata.ad_p0": "generated", ".bss.ad_arena": "generated", ".bss.x": "other",
    }


@pytest.mark.slow
def test_benchmark_runs_on_the_ad_model(tmp_path: Path, mlperf_models: dict[str, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    for tool in ("cmake", "ninja", "gcc", "arm-none-eabi-gcc", "qemu-system-arm"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    bench = bench_module()
    status = bench.main(["--models", str(mlperf_models["ad"].parent), "--work",
                         str(tmp_path), "--only", "ad", "--json", str(tmp_path / "r.json")])
    out = capsys.readouterr().out
    assert status == 0, out
    row = next(line for line in out.splitlines() if line.startswith("| ad | 264,192 |"))
    assert "bit-exact" in row or "not checked" in row
    import json

    result = json.loads((tmp_path / "r.json").read_text())[0]
    fp = result["footprint"]
    assert fp["flash"]["unattributed"] == 0 and fp["ram"]["unattributed"] == 0
    assert fp["flash"]["weights"] >= 264_192  # the int8 weights, at least
    assert fp["ram"]["arena"] == result["arena_bytes"]
    assert 0 < result["instructions"] < result["tflm"]["instructions"] * 2
