"""Builds real test firmware with the cross toolchains, the way a user's build would.

Cortex-M4: newlib-nano + rdimon, our own startup and linker script (fixtures/), the model's
sources compiled CMake-style (`kws.c.obj`) into a static library `lib<name>.a`.
rv32imac: picolibc's crt0 and its stock picolibc.ld, objects compiled make-style (`kws.o`)
and linked loose. Both links print ld's --print-memory-usage, which the tests compare with.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"

ARM_CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
RV_CPU = ["-march=rv32imac", "-mabi=ilp32", "-mcmodel=medany"]
COMMON = ["-O2", "-g", "-ffunction-sections", "-fdata-sections", "-std=c99", "-Wall", "-Wextra"]


@dataclass
class Firmware:
    elf: Path
    map: Path
    manifest: Path
    ld_usage: dict[str, int]  # region -> bytes used, as ld printed it
    size_tool: str


ARM_TOOLS = ("arm-none-eabi-gcc", "arm-none-eabi-ar", "arm-none-eabi-size")
RV_TOOLS = ("riscv64-unknown-elf-gcc", "riscv64-unknown-elf-size")


def require_tools(*tools: str) -> None:
    """Skip (with the packages to install) when a cross toolchain is missing."""
    import pytest

    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"cross toolchain not installed: {', '.join(missing)} (Debian: "
                    "gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf "
                    "picolibc-riscv64-unknown-elf)")


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def compile_model(model: Path, out: Path, name: str, target: str, *extra: str) -> Path:
    """`tinyml-build compile` as a user runs it; returns the manifest path."""
    _run([sys.executable, "-m", "tinyml_build", "compile", str(model), "--target", target,
          "--name", name, "--out", str(out), "-q", *extra], cwd=out.parent)
    return out / f"{name}.json"


_USAGE_RE = re.compile(
    r"^\s*(?P<name>\S+):\s+(?P<used>\d+)\s*(?P<uu>B|KB|MB|GB)\s+(?P<size>\d+)\s*(?P<su>B|KB|MB|GB)"
)
_UNIT = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


def parse_memory_usage(text: str) -> dict[str, int]:
    """ld's --print-memory-usage table -> {region: used bytes} (KB/MB/GB are exact there)."""
    out = {}
    for line in text.splitlines():
        m = _USAGE_RE.match(line)
        if m:
            out[m.group("name")] = int(m.group("used")) * _UNIT[m.group("uu")]
    return out


def size_sysv(tool: str, elf: Path) -> dict[str, int]:
    """`size -A` -> {section: bytes} (without the Total line)."""
    text = _run([tool, "-A", "-d", str(elf)], cwd=elf.parent).stdout
    out = {}
    for line in text.splitlines()[2:]:
        parts = line.split()
        if len(parts) == 3 and parts[0] != "Total":
            out[parts[0]] = int(parts[1])
    return out


def _model_sources(manifest: Path) -> tuple[list[Path], list[Path], str]:
    m = json.loads(manifest.read_text())
    base = manifest.parent
    sources = [base / s if not Path(s).is_absolute() else Path(s) for s in m["sources"]]
    includes = [base / d if not Path(d).is_absolute() else Path(d) for d in m["include_dirs"]]
    return sources, includes, m["name"]


def _app_flags(name: str) -> list[str]:
    return [f"-DMODEL={name}", f'-DMODEL_HEADER="{name}.h"']


def build_cortex_m4(manifest: Path, out: Path, ldflags: tuple[str, ...] = ()) -> Firmware:
    out.mkdir(parents=True, exist_ok=True)
    gcc = "arm-none-eabi-gcc"
    sources, includes, name = _model_sources(manifest)
    inc = [f"-I{d}" for d in includes]
    objs = []
    for src in sources:
        obj = out / f"{src.name}.obj"
        _run([gcc, *ARM_CPU, *COMMON, *inc, "-c", str(src), "-o", str(obj)], cwd=out)
        objs.append(obj)
    lib = out / f"lib{name}.a"
    lib.unlink(missing_ok=True)
    _run(["arm-none-eabi-ar", "rcs", str(lib), *map(str, objs)], cwd=out)
    _run([gcc, *ARM_CPU, *COMMON, *inc, *_app_flags(name), "-c", str(FIXTURES / "app.c"),
          "-o", "app.o"], cwd=out)
    _run([gcc, *ARM_CPU, *COMMON, "-c", str(FIXTURES / "startup_cortex_m4.c"), "-o",
          "startup.o"], cwd=out)
    link = _run([gcc, *ARM_CPU, *COMMON, "--specs=nano.specs", "--specs=rdimon.specs",
                 "-nostartfiles", "-T", str(FIXTURES / "cortex_m4.ld"), "-Wl,--gc-sections",
                 "-Wl,-Map=app.map", "-Wl,--print-memory-usage", *ldflags,
                 "startup.o", "app.o", lib.name, "-o", "app.elf"], cwd=out)
    return Firmware(out / "app.elf", out / "app.map", manifest,
                    parse_memory_usage(link.stdout), "arm-none-eabi-size")


def build_rv32imac(manifest: Path, out: Path, ldflags: tuple[str, ...] = ()) -> Firmware:
    out.mkdir(parents=True, exist_ok=True)
    gcc = "riscv64-unknown-elf-gcc"
    base = [*RV_CPU, *COMMON, "--specs=picolibc.specs"]
    sources, includes, name = _model_sources(manifest)
    inc = [f"-I{d}" for d in includes]
    objs = []
    for src in sources:
        obj = out / f"{src.stem}.o"
        _run([gcc, *base, *inc, "-c", str(src), "-o", str(obj)], cwd=out)
        objs.append(obj.name)
    _run([gcc, *base, *inc, *_app_flags(name), "-c", str(FIXTURES / "app.c"), "-o", "app.o"],
         cwd=out)
    link = _run([gcc, *base, "--oslib=semihost", "--crt0=semihost",
                 "-Wl,--defsym=__flash=0x20000000", "-Wl,--defsym=__flash_size=0x40000",
                 "-Wl,--defsym=__ram=0x80000000", "-Wl,--defsym=__ram_size=0x10000",
                 "-Wl,--gc-sections", "-Wl,-Map=app.map", "-Wl,--print-memory-usage", *ldflags,
                 "app.o", *objs, "-o", "app.elf"], cwd=out)
    return Firmware(out / "app.elf", out / "app.map", manifest,
                    parse_memory_usage(link.stdout), "riscv64-unknown-elf-size")


def build_host(manifest: Path, out: Path) -> Firmware:
    """The same app for the build machine with the host's cc and GNU ld (no MEMORY regions)."""
    out.mkdir(parents=True, exist_ok=True)
    sources, includes, name = _model_sources(manifest)
    inc = [f"-I{d}" for d in includes]
    objs = []
    for src in sources:
        obj = out / f"{src.stem}.o"
        _run(["cc", *COMMON, *inc, "-c", str(src), "-o", str(obj)], cwd=out)
        objs.append(obj.name)
    _run(["cc", *COMMON, *inc, *_app_flags(name), "-c", str(FIXTURES / "app.c"), "-o", "app.o"],
         cwd=out)
    _run(["cc", "-Wl,--gc-sections", "-Wl,-Map=app.map", "app.o", *objs, "-o", "app"], cwd=out)
    return Firmware(out / "app", out / "app.map", manifest, {}, "size")
