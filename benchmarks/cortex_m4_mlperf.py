"""MLPerf Tiny on an emulated Cortex-M4: flash, RAM and executed instructions per inference.

    python benchmarks/cortex_m4_mlperf.py [--models DIR] [--work DIR] [--json FILE]

For each of the four MLPerf Tiny int8 models this builds, through the CMake front door
(find_package(TinyMLBuild) + tinyml_add_model(TARGET cortex-m4)) and the bare-metal
sample's mps2-an386 toolchain and board files, one firmware that runs one inference on a
fixed input (numpy RandomState(0), as the TFLM baseline) between two bench_marker() calls,
at -O2. Then it

* runs it in qemu-system-arm -M mps2-an386 with the instruction-counting TCG plugin from
  benchmarks/qemu_plugin (compiled here with the host gcc; QEMU's count is exact and
  deterministic) and reports the instructions between the two markers;
* checks the output against TFLM's for the same input when pip tflite-micro is installed;
* splits flash (.isr_vector, .text, .rodata, .tinyml_weights, .ARM.*, .init_array and the
  .data load image) by the linker map into the model's weights and build-time tables
  (<name>_weights.c), its generated code and parameters (<name>.c), the kernels (the
  shared kernel library) and everything else (startup, harness, test data, libc), plus
  alignment padding; and RAM into the model's arena and other static data, with the stack
  and heap reservations apart. Every byte is attributed; nothing is estimated.

Next to each figure it prints TFLM's for the same board, compiler, flags and counting
method with reference kernels (TFLM 90b983c2, measured 2026-11-23; see benchmarks/README.md):
instructions per inference, flash (text + rodata + data, model flatbuffer included) and
arena_used_bytes(). Instructions are not cycles: QEMU models no timing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "bare_metal"
PLUGIN_SOURCE = REPO / "benchmarks" / "qemu_plugin" / "insncount.c"
BOARD = "mps2-an386"
TARGET = "cortex-m4"

MODELS = {  # C prefix -> file in the MLPerf Tiny folder
    "kws": "kws_ds_cnn_int8.tflite",
    "vww": "vww_mobilenet_v1_025_int8.tflite",
    "ic": "ic_resnet8_int8.tflite",
    "ad": "ad_autoencoder_int8.tflite",
}

#: TFLM with reference kernels on the same QEMU board, -O2, same plugin method
#: (instructions in Invoke(); flash = text + rodata + data incl. the model flatbuffer and
#: test data; arena_used_bytes()).
TFLM_REFERENCE = {
    "kws": {"instructions": 43_112_639, "flash": 109_076, "arena": 22_772},
    "vww": {"instructions": 100_482_542, "flash": 415_580, "arena": 100_660},
    "ic": {"instructions": 107_487_598, "flash": 160_752, "arena": 54_340},
    "ad": {"instructions": 1_953_961, "flash": 311_688, "arena": 2_260},
}

FLASH_SECTIONS = (".isr_vector", ".text", ".rodata", ".tinyml_weights", ".ARM.extab",
                  ".ARM.exidx", ".init_array")
RAM_STATIC = (".data", ".bss", ".tinyml_arena")
RAM_RESERVED = (".heap", ".stack")


class BenchError(Exception):
    """A tool is missing or a step failed: reported as one line."""


def run(cmd: list, cwd: Path | None = None, timeout: float = 900) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(str(c) for c in cmd[:3])} ... failed "
                         f"(exit {proc.returncode}): {(proc.stdout + proc.stderr)[-1500:]}")
    return proc.stdout


# -- linker map ------------------------------------------------------------------------------

_OUT = re.compile(r"^(\.[\w.]+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+))?")
_IN = re.compile(r"^ (\.\S+|COMMON)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*))?$")
_CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
_FILL = re.compile(r"^ \*fill\*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)")


@dataclass
class InputSection:
    output: str
    name: str
    size: int
    file: str


def parse_map(text: str) -> tuple[list[InputSection], dict[str, int]]:
    """Input sections (with their output section) and fill bytes per output section."""
    body = text.split("Linker script and memory map", 1)[-1]
    inputs: list[InputSection] = []
    fill: dict[str, int] = defaultdict(int)
    current = ""
    pending: str | None = None
    for line in body.splitlines():
        if pending is not None:
            m = _CONT.match(line)
            if m:
                inputs.append(InputSection(current, pending, int(m.group(2), 16), m.group(3)))
            pending = None
            continue
        m = _OUT.match(line)
        if m:
            current = m.group(1)
            continue
        m = _FILL.match(line)
        if m:
            fill[current] += int(m.group(2), 16)
            continue
        m = _IN.match(line)
        if m:
            if m.group(2) is None:
                pending = m.group(1)
            else:
                inputs.append(InputSection(current, m.group(1), int(m.group(3), 16),
                                           m.group(4)))
    return inputs, dict(fill)


def category(model: str, file: str) -> str:
    base = file.replace("\\", "/")
    if base.endswith(f"{model}_weights.c.obj)") or base.endswith(f"/{model}_weights.c.obj"):
        return "weights"
    if base.endswith(f"({model}.c.obj)") or base.endswith(f"/{model}.c.obj"):
        return "generated"
    if "libtinyml_kernels_" in base:
        return "kernels"
    return "other"


def section_sizes(elf: Path, prefix: str) -> dict[str, int]:
    out = run([f"{prefix}size", "-A", elf])
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            sizes[parts[0]] = int(parts[1])
    return sizes


@dataclass
class Footprint:
    flash: dict[str, int] = field(default_factory=dict)
    ram: dict[str, int] = field(default_factory=dict)
    flash_total: int = 0
    ram_static_total: int = 0
    reserved: dict[str, int] = field(default_factory=dict)


def footprint(model: str, elf: Path, map_file: Path, prefix: str) -> Footprint:
    inputs, fill = parse_map(map_file.read_text())
    sizes = section_sizes(elf, prefix)
    fp = Footprint()
    flash: dict[str, int] = defaultdict(int)
    ram: dict[str, int] = defaultdict(int)
    for s in inputs:
        cat = category(model, s.file)
        if s.output in FLASH_SECTIONS:
            flash[cat] += s.size
        elif s.output in RAM_STATIC:
            if s.output == ".data":
                flash[cat] += s.size  # its load image lives in flash
            if cat == "generated" and s.name.endswith(f"{model}_arena"):
                ram["arena"] += s.size
            else:
                ram["other"] += s.size
    flash["padding"] = sum(fill.get(sec, 0) for sec in (*FLASH_SECTIONS, ".data"))
    ram["padding"] = sum(fill.get(sec, 0) for sec in RAM_STATIC)
    fp.flash_total = sum(sizes.get(sec, 0) for sec in (*FLASH_SECTIONS, ".data"))
    fp.ram_static_total = sum(sizes.get(sec, 0) for sec in RAM_STATIC)
    # bytes the map does not explain (section-start alignment) stay visible, never vanish
    flash["unattributed"] = fp.flash_total - sum(flash.values())
    ram["unattributed"] = fp.ram_static_total - sum(ram.values())
    fp.flash = dict(flash)
    fp.ram = dict(ram)
    fp.reserved = {sec: sizes.get(sec, 0) for sec in RAM_RESERVED}
    return fp


# -- build and run ---------------------------------------------------------------------------

def c_array(name: str, values: np.ndarray) -> str:
    flat = [str(int(v)) for v in values.reshape(-1)]
    rows = ",\n    ".join(", ".join(flat[i:i + 20]) for i in range(0, len(flat), 20))
    return f"static const int8_t {name}[{len(flat)}] = {{\n    {rows}\n}};\n"


def tflm_output(model: Path, x: np.ndarray) -> np.ndarray | None:
    try:
        from tflite_micro import runtime
    except ImportError:
        return None
    interp = runtime.Interpreter.from_bytes(model.read_bytes())
    interp.set_input(x, 0)
    interp.invoke()
    return np.array(interp.get_output(0), dtype=np.int8)


def input_shape(model: Path) -> tuple[int, ...]:
    """The int8 input shape, read with tinyml-build's own front end (no TFLM needed)."""
    from tinyml_build.frontends import load_model

    graph = load_model(model, "m")
    return tuple(graph.tensors[graph.inputs[0]].shape)


def write_project(work: Path, models: dict[str, Path]) -> dict[str, bool]:
    src = work / "project"
    src.mkdir(parents=True, exist_ok=True)
    checked = {}
    lines = [
        "cmake_minimum_required(VERSION 3.21)",
        "project(tinyml_bench LANGUAGES C ASM)",
        "find_package(TinyMLBuild 0.1 REQUIRED)",
        f'include("{(SAMPLE / "boards" / "board.cmake").as_posix()}")',
        f'add_library(sample_util STATIC "{(SAMPLE / "src" / "sample_util.c").as_posix()}")',
        f'target_include_directories(sample_util PUBLIC "{(SAMPLE / "src").as_posix()}")',
    ]
    for name, path in models.items():
        x = np.random.RandomState(0).randint(-128, 128, input_shape(path)).astype(np.int8)
        expected = tflm_output(path, x)
        data = "#include <stdint.h>\n" + c_array("bench_input", x)
        if expected is not None:
            data += "#define BENCH_HAVE_EXPECTED 1\n" + c_array("bench_expected", expected)
        checked[name] = expected is not None
        (src / f"{name}_bench_data.h").write_text(data)
        lines += [
            f'tinyml_add_model({name} MODEL "{path.as_posix()}" TARGET {TARGET})',
            f'add_executable(bench_{name} "{(REPO / "benchmarks" / "bench_main.c").as_posix()}")',
            f"target_link_libraries(bench_{name} PRIVATE {name} sample_util)",
            f"target_include_directories(bench_{name} PRIVATE ${{CMAKE_CURRENT_SOURCE_DIR}})",
            f"target_compile_definitions(bench_{name} PRIVATE BENCH_MODEL={name} "
            f'BENCH_HEADER="{name}.h" BENCH_DATA="{name}_bench_data.h")',
            f"sample_board_executable(bench_{name})",
        ]
    (src / "CMakeLists.txt").write_text("\n".join(lines) + "\n")
    return checked


def build_plugin(work: Path) -> Path:
    plugin = work / "libinsncount.so"
    run(["gcc", "-O2", "-shared", "-fPIC", "-o", plugin, PLUGIN_SOURCE])
    return plugin


def count_instructions(elf: Path, plugin: Path, prefix: str, work: Path) -> tuple[int, int]:
    """(instructions between the two markers, exit status) of one run in QEMU."""
    symbols = run([f"{prefix}nm", elf])
    m = re.search(r"^([0-9a-f]+) T bench_marker$", symbols, re.M)
    if not m:
        raise BenchError(f"{elf.name}: no bench_marker symbol")
    counts = work / f"{elf.stem}.count"
    counts.unlink(missing_ok=True)
    cmd = ["qemu-system-arm", "-M", BOARD, "-display", "none", "-serial", "null", "-monitor",
           "none", "-chardev", "stdio,id=shc",
           "-semihosting-config", "enable=on,target=native,chardev=shc",
           "-plugin", f"{plugin},outfile={counts},marker=0x{m.group(1)}", "-kernel", str(elf)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    marks = [int(v) for v in re.findall(r"^marker (\d+)$", counts.read_text(), re.M)]
    if len(marks) != 2:
        raise BenchError(f"{elf.name}: expected 2 marker hits, got {len(marks)}: "
                         f"{proc.stdout[-500:]}{proc.stderr[-500:]}")
    return marks[1] - marks[0], proc.returncode


@dataclass
class Result:
    model: str
    macs: int
    instructions: int
    bit_exact: bool | None
    footprint: Footprint
    arena_bytes: int
    tflm: dict[str, int]


def benchmark(models_dir: Path, work: Path, names: list[str]) -> list[Result]:
    for tool in ("cmake", "ninja", "gcc", "arm-none-eabi-gcc", "qemu-system-arm"):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} not found (Debian: cmake ninja-build gcc "
                             "gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)")
    models = {n: models_dir / MODELS[n] for n in names}
    for path in models.values():
        if not path.is_file():
            raise BenchError(f"{path}: model not found (pass --models)")
    work.mkdir(parents=True, exist_ok=True)
    checked = write_project(work, models)
    plugin = build_plugin(work)
    build = work / "build"
    env_bin = Path(sys.executable).parent
    os.environ["PATH"] = f"{env_bin}{os.pathsep}{os.environ.get('PATH', '')}"
    cmake_dir = run([sys.executable, "-P", "-m", "tinyml_build", "cmake-dir"]).strip()
    run(["cmake", "-S", work / "project", "-B", build, "-G", "Ninja",
         f"-DTinyMLBuild_DIR={cmake_dir}", f"-DTINYML_BUILD_PYTHON={sys.executable}",
         f"-DCMAKE_TOOLCHAIN_FILE={SAMPLE / 'toolchains' / (BOARD + '.cmake')}",
         "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_C_FLAGS_RELEASE=-O2"])
    run(["ninja", "-C", build])
    cache = (build / "CMakeCache.txt").read_text()
    prefix = re.search(r"^CMAKE_AR:FILEPATH=(.*)ar$", cache, re.M).group(1)  # type: ignore
    results = []
    for name in names:
        elf = build / f"bench_{name}.elf"
        instructions, status = count_instructions(elf, plugin, prefix, work)
        if status not in (0, 1):
            raise BenchError(f"{elf.name} failed in QEMU with exit status {status}")
        manifest = json.loads((build / "tinyml" / name / f"{name}.json").read_text())
        results.append(Result(
            model=name,
            macs=manifest["sizes"]["macs"],
            instructions=instructions,
            bit_exact=(status == 0) if checked[name] else None,
            footprint=footprint(name, elf, Path(f"{elf}.map"), prefix),
            arena_bytes=manifest["arena_bytes"],
            tflm=TFLM_REFERENCE[name],
        ))
    return results


def table(results: list[Result]) -> str:
    def n(v: int) -> str:
        return f"{v:,}"

    out = [
        f"Cortex-M4 (QEMU {BOARD}), arm-none-eabi-gcc -O2, reference kernels; "
        "instructions per inference counted exactly by the QEMU plugin.",
        "",
        "| model | MACs | instructions | instr/MAC | TFLM instructions | TFLM / ours "
        "| output == TFLM |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        exact = {True: "bit-exact", False: "DIFFERS", None: "not checked"}[r.bit_exact]
        out.append(f"| {r.model} | {n(r.macs)} | {n(r.instructions)} | "
                   f"{r.instructions / r.macs:.2f} | {n(r.tflm['instructions'])} | "
                   f"{r.tflm['instructions'] / r.instructions:.2f}x | {exact} |")
    out += [
        "",
        "Flash in bytes: .isr_vector + .text + .rodata + .tinyml_weights + .ARM.* + "
        ".init_array + .data image. 'other' is startup, harness, test input and expected "
        "output, newlib-nano and semihosting.",
        "",
        "| model | flash total | weights + tables | kernels | generated code | other "
        "| padding | TFLM flash | RAM: arena | other static | stack + heap reserved "
        "| TFLM arena |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        f, ram = r.footprint.flash, r.footprint.ram
        pad = f.get("padding", 0) + f.get("unattributed", 0)
        other_ram = ram.get("other", 0) + ram.get("padding", 0) + ram.get("unattributed", 0)
        out.append(
            f"| {r.model} | {n(r.footprint.flash_total)} | {n(f.get('weights', 0))} | "
            f"{n(f.get('kernels', 0))} | {n(f.get('generated', 0))} | {n(f.get('other', 0))} | "
            f"{n(pad)} | {n(r.tflm['flash'])} | {n(ram.get('arena', 0))} | {n(other_ram)} | "
            f"{n(sum(r.footprint.reserved.values()))} | {n(r.tflm['arena'])} |")
    return "\n".join(out) + "\n"


def default_models_dir() -> Path:
    """$TINYML_MODELS_DIR, else the shared folder beside the checkout (as tests/conftest.py)."""
    candidates = [Path(os.environ["TINYML_MODELS_DIR"])] if "TINYML_MODELS_DIR" in os.environ \
        else []
    candidates += [REPO.parent / "shared" / "models" / "mlperf_tiny",
                   Path("/work/shared/models/mlperf_tiny")]
    return next((c for c in candidates if (c / MODELS["kws"]).is_file()), candidates[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=Path, default=default_models_dir(),
                        help="folder with the MLPerf Tiny int8 .tflite files (default: "
                             "$TINYML_MODELS_DIR, else the shared models folder)")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "bench-cortex-m4",
                        help="build folder (default: build/bench-cortex-m4)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", default=",".join(MODELS),
                        help="comma-separated subset of kws,vww,ic,ad")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"cortex_m4_mlperf: error: unknown model '{unknown[0]}'", file=sys.stderr)
        return 2
    try:
        results = benchmark(args.models, args.work, names)
    except BenchError as exc:
        print(f"cortex_m4_mlperf: error: {exc}", file=sys.stderr)
        return 1
    print(table(results), end="")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0 if all(r.bit_exact is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
