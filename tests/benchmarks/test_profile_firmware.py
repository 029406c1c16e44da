"""benchmarks/profile_firmware.py counts each function's instructions exactly."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .test_insncount import ARCHES, REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import profile_firmware

PROGRAM = r"""
#include "sample_util.h"
__attribute__((noinline)) void many(void) { __asm volatile(".rept 1000\n\tnop\n\t.endr"); }
__attribute__((noinline)) void few(void) { __asm volatile(".rept 300\n\tnop\n\t.endr"); }
int main(void)
{
    many();
    few();
    few();
    return 0;
}
"""

MACHINE = {"arm": "mps2-an386", "riscv": "virt"}


@pytest.mark.parametrize("arch", ["arm", "riscv"])
def test_per_function_counts_are_exact(arch, tmp_path):
    cfg = ARCHES[arch]
    qemu = profile_firmware.MACHINES[MACHINE[arch]][0]
    for tool in (cfg["cc"], qemu, "gcc"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    src = tmp_path / "p.c"
    src.write_text(PROGRAM)
    elf = tmp_path / "p.elf"
    sample_src = REPO / "samples" / "bare_metal" / "src"
    subprocess.run([cfg["cc"], "-O2", *cfg["flags"], f"-I{sample_src}", str(cfg["startup"]),
                    str(sample_src / "sample_util.c"), str(src), "-o", str(elf)], check=True)
    counts = profile_firmware.run_profile(elf, MACHINE[arch], tmp_path)
    starts, syms = profile_firmware.functions(elf)
    totals = profile_firmware.by_function(counts, starts, syms)
    assert totals["many"] == 1000 + 1  # the nops and the return
    assert totals["few"] == 2 * (300 + 1)
