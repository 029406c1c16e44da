#!/usr/bin/env python3
"""Where a firmware's instructions go: exact per-function counts from QEMU.

    python benchmarks/profile_firmware.py app.elf [--machine mps2-an386] [--top 15]
                                          [--annotate FUNCTION]

Runs the ELF once in QEMU (semihosting, as the bare-metal sample's boards) with the
insnprofile TCG plugin, maps every executed address to the ELF symbol containing it
(pyelftools) and prints the functions by executed instructions. --annotate prints the
function's disassembly (objdump from the target's binutils) with the count of each
instruction, to see which loop costs what. Counts are instructions, not cycles.
"""

from __future__ import annotations

import argparse
import bisect
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "qemu_plugin" / "insnprofile.c"

MACHINES = {  # -M value -> (QEMU binary, extra arguments, objdump)
    "mps2-an385": ("qemu-system-arm", [], "arm-none-eabi-objdump"),
    "mps2-an386": ("qemu-system-arm", [], "arm-none-eabi-objdump"),
    "mps2-an500": ("qemu-system-arm", [], "arm-none-eabi-objdump"),
    "mps2-an505": ("qemu-system-arm", [], "arm-none-eabi-objdump"),
    "mps3-an547": ("qemu-system-arm", [], "arm-none-eabi-objdump"),
    "virt": ("qemu-system-riscv32", ["-bios", "none"], "riscv64-unknown-elf-objdump"),
}


def functions(elf: Path) -> tuple[list[int], list[tuple[int, int, str]]]:
    """Sorted (start, size, name) of the ELF's function symbols, Thumb bit cleared."""
    syms = []
    with elf.open("rb") as f:
        for section in ELFFile(f).iter_sections():
            if not isinstance(section, SymbolTableSection):
                continue
            for s in section.iter_symbols():
                if s["st_info"]["type"] == "STT_FUNC" and s["st_size"] > 0:
                    syms.append((s["st_value"] & ~1, s["st_size"], s.name))
    syms = sorted(set(syms))
    return [s[0] for s in syms], syms


def run_profile(elf: Path, machine: str, work: Path) -> dict[int, int]:
    qemu, extra, _ = MACHINES[machine]
    lib = work / "libinsnprofile.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(PLUGIN)], check=True)
    with elf.open("rb") as f:
        segments = [s for s in ELFFile(f).iter_segments()
                    if s["p_type"] == "PT_LOAD" and s["p_flags"] & 1]  # executable
    base = min(s["p_vaddr"] for s in segments)
    top = max(s["p_vaddr"] + s["p_memsz"] for s in segments)
    out = work / "profile.txt"
    subprocess.run(
        [qemu, "-M", machine, *extra, "-display", "none", "-serial", "null", "-monitor", "none",
         "-chardev", "stdio,id=shc", "-semihosting-config", "enable=on,target=native,chardev=shc",
         "-plugin", f"{lib},base={base:#x},size={top - base:#x},outfile={out}",
         "-kernel", str(elf)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=600, check=False)
    counts = {}
    for line in out.read_text().splitlines():
        address, count = line.split()
        counts[int(address, 16)] = int(count)
    return counts


def by_function(counts: dict[int, int], starts: list[int],
                syms: list[tuple[int, int, str]]) -> Counter:
    totals: Counter = Counter()
    for address, count in counts.items():
        i = bisect.bisect_right(starts, address) - 1
        inside = i >= 0 and address < syms[i][0] + syms[i][1]
        totals[syms[i][2] if inside else "(no symbol)"] += count
    return totals


def annotate(elf: Path, machine: str, name: str, counts: dict[int, int],
             syms: list[tuple[int, int, str]]) -> str:
    match = [s for s in syms if s[2] == name]
    if not match:
        return f"no function named {name}\n"
    start, size, _ = match[0]
    objdump = MACHINES[machine][2]
    text = subprocess.run([objdump, "-d", f"--start-address={start:#x}",
                           f"--stop-address={start + size:#x}", str(elf)],
                          capture_output=True, text=True, check=True).stdout
    lines = []
    for line in text.splitlines():
        head = line.strip().split(":", 1)[0]
        try:
            address = int(head, 16)
        except ValueError:
            continue
        lines.append(f"{counts.get(address, 0):>12,}  {line.strip()}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("elf", type=Path)
    parser.add_argument("--machine", default="mps2-an386", choices=sorted(MACHINES))
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--annotate", metavar="FUNCTION")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        counts = run_profile(args.elf, args.machine, Path(tmp))
    starts, syms = functions(args.elf)
    totals = by_function(counts, starts, syms)
    total = sum(totals.values())
    print(f"{args.elf.name} on {args.machine}: {total:,} instructions executed")
    for name, count in totals.most_common(args.top):
        print(f"{count:>14,} {100 * count / max(total, 1):6.2f}%  {name}")
    if args.annotate:
        print()
        print(annotate(args.elf, args.machine, args.annotate, counts, syms), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
