"""The QEMU instruction-counting plugin counts exactly: N more instructions, N more counted."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "benchmarks" / "qemu_plugin" / "insncount.c"
BOARDS = REPO / "samples" / "bare_metal" / "boards"

PROGRAM = r"""
#include "sample_util.h"
int main(void)
{
    bench_marker(1);
    __asm volatile(".rept %d\n\tnop\n\t.endr" ::: "memory");
    bench_marker(2);
    return 0;
}
"""

ARCHES = {
    "arm": {
        "cc": "arm-none-eabi-gcc",
        "flags": ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
                  "--specs=nano.specs", "--specs=rdimon.specs", "-nostartfiles",
                  f"-T{BOARDS / 'cortex_m' / 'cortex_m.ld'}",
                  "-Wl,--defsym=__flash_origin=0x0", "-Wl,--defsym=__flash_size=0x400000",
                  "-Wl,--defsym=__ram_origin=0x20000000", "-Wl,--defsym=__ram_size=0x400000"],
        "startup": BOARDS / "cortex_m" / "startup.c",
        "qemu": ["qemu-system-arm", "-M", "mps2-an386"],
    },
    "riscv": {
        "cc": "riscv64-unknown-elf-gcc",
        "flags": ["-march=rv32imac", "-mabi=ilp32", "--specs=picolibc.specs",
                  "--oslib=semihost", "-nostartfiles", f"-T{BOARDS / 'riscv' / 'riscv.ld'}",
                  "-Wl,--defsym=__flash_origin=0x80000000", "-Wl,--defsym=__flash_size=0x400000",
                  "-Wl,--defsym=__ram_origin=0x80400000", "-Wl,--defsym=__ram_size=0x400000"],
        "startup": BOARDS / "riscv" / "start.S",
        "qemu": ["qemu-system-riscv32", "-M", "virt", "-bios", "none"],
    },
}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("no host gcc to build the plugin")
    out = tmp_path_factory.mktemp("plugin") / "libinsncount.so"
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o",
                    str(out), str(PLUGIN)], check=True)
    return out


def counted(arch: str, nops: int, plugin: Path, tmp: Path) -> tuple[list[int], int]:
    cfg = ARCHES[arch]
    src = tmp / f"nops{nops}.c"
    src.write_text(PROGRAM.replace("%d", str(nops)))
    elf = tmp / f"nops{nops}.elf"
    sample_src = REPO / "samples" / "bare_metal" / "src"
    subprocess.run([cfg["cc"], "-O2", *cfg["flags"], f"-I{sample_src}", str(cfg["startup"]),
                    str(sample_src / "sample_util.c"), str(src), "-o", str(elf)], check=True)
    nm = subprocess.run([cfg["cc"].replace("gcc", "nm"), str(elf)], capture_output=True,
                        text=True, check=True).stdout
    marker = re.search(r"^([0-9a-f]+) T bench_marker$", nm, re.M).group(1)  # type: ignore
    out = tmp / f"nops{nops}.txt"
    proc = subprocess.run(
        [*cfg["qemu"], "-display", "none", "-serial", "null", "-monitor", "none",
         "-chardev", "stdio,id=shc", "-semihosting-config", "enable=on,target=native,chardev=shc",
         "-plugin", f"{plugin},outfile={out},marker=0x{marker}", "-kernel", str(elf)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    marks = [int(v) for v in re.findall(r"^marker (\d+)$", text, re.M)]
    total = int(re.search(r"^insns (\d+)$", text, re.M).group(1))  # type: ignore
    return marks, total


@pytest.mark.parametrize("arch", sorted(ARCHES))
def test_counts_are_exact_and_deterministic(tmp_path: Path, plugin: Path, arch: str) -> None:
    cfg = ARCHES[arch]
    for tool in (cfg["cc"], cfg["qemu"][0]):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    marks_a, total_a = counted(arch, 1000, plugin, tmp_path)
    marks_b, total_b = counted(arch, 3000, plugin, tmp_path)
    assert len(marks_a) == len(marks_b) == 2
    # the code between the markers differs by exactly 2000 nops; so must the counts
    assert (marks_b[1] - marks_b[0]) - (marks_a[1] - marks_a[0]) == 2000
    assert total_b - total_a == 2000
    assert counted(arch, 1000, plugin, tmp_path) == (marks_a, total_a)
