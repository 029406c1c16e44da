"""Helpers for the CMake tests: configure and build projects the way a user does.

A user runs `tinyml-build cmake-dir` from an activated environment and passes the folder as
TinyMLBuild_DIR; the tests do the same, with this interpreter's bin folder first on PATH
(an activated venv), and let the config find the interpreter itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "bare_metal"
TOOLCHAINS = SAMPLE / "toolchains"
BIN = Path(sys.executable).parent

#: board toolchain file -> (cross compiler, QEMU)
BOARDS = {
    "mps2-an386": ("arm-none-eabi-gcc", "qemu-system-arm"),
    "mps3-an547": ("arm-none-eabi-gcc", "qemu-system-arm"),
    "mps2-an385": ("arm-none-eabi-gcc", "qemu-system-arm"),
    "mps2-an500": ("arm-none-eabi-gcc", "qemu-system-arm"),
    "mps2-an505": ("arm-none-eabi-gcc", "qemu-system-arm"),
    "qemu-virt-rv32": ("riscv64-unknown-elf-gcc", "qemu-system-riscv32"),
}


def user_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TINYML_BUILD_PYTHON", None)
    return env


def need_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: see docs/cmake.md)")


def need_board(board: str) -> None:
    need_tools("cmake", "ninja", *BOARDS[board])


@dataclass
class Run:
    returncode: int
    out: str  # stdout + stderr


def run(cmd: list[str | Path], cwd: Path | None = None, timeout: float = 600,
        env: dict[str, str] | None = None) -> Run:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env or user_env(), stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout + proc.stderr)


def cmake_dir() -> Path:
    r = run([BIN / "tinyml-build", "cmake-dir"])
    assert r.returncode == 0, r.out
    return Path(r.out.strip())


def configure(src: Path, build: Path, *args: str, board: str | None = None,
              check: bool = True) -> Run:
    cmd: list[str | Path] = ["cmake", "-S", src, "-B", build, "-G", "Ninja",
                             f"-DTinyMLBuild_DIR={cmake_dir()}", "-DCMAKE_BUILD_TYPE=Release",
                             # warnings are errors in everything the tests build
                             "-DCMAKE_C_FLAGS_RELEASE=-O2 -Wall -Wextra -Werror"]
    if board:
        cmd.append(f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAINS / (board + '.cmake')}")
    r = run([*cmd, *args])
    if check:
        assert r.returncode == 0, r.out
    return r


def build(build_dir: Path, *args: str, check: bool = True) -> Run:
    r = run(["ninja", "-C", build_dir, *args])
    if check:
        assert r.returncode == 0, r.out
    return r


def is_noop(build_dir: Path) -> tuple[bool, str]:
    """(True, output) when `ninja -n -d explain` has nothing to do and nothing to explain."""
    r = build(build_dir, "-n", "-d", "explain")
    return ("no work to do" in r.out and "ninja explain" not in r.out), r.out


def emulator(build_dir: Path) -> list[str]:
    """CMAKE_CROSSCOMPILING_EMULATOR of a configured build ([] for host builds)."""
    cache = (build_dir / "CMakeCache.txt").read_text()
    m = re.search(r"^CMAKE_CROSSCOMPILING_EMULATOR:\w+=(.*)$", cache, re.M)
    return m.group(1).split(";") if m and m.group(1) else []


def run_program(build_dir: Path, exe: Path, emu: list[str], timeout: float = 120) -> Run:
    return run([*emu, exe], cwd=build_dir, timeout=timeout)


def parse_outputs(text: str) -> dict[str, np.ndarray]:
    """The '<model>: output v0 v1 ...' lines the sample programs print."""
    found = {}
    for m in re.finditer(r"^(\w+): output((?: -?\d+)+)\s*$", text, re.M):
        found[m.group(1)] = np.array([int(v) for v in m.group(2).split()], dtype=np.int8)
    return found


def tflm():
    """The TFLM Python runtime (the reference), or a skip naming the missing package."""
    module = pytest.importorskip("tflite_micro",
                                 reason="pip tflite-micro (the reference runtime) is missing")
    return module.runtime


def tflm_run(model: Path | bytes, x: np.ndarray) -> np.ndarray:
    runtime = tflm()
    data = model if isinstance(model, bytes) else model.read_bytes()
    interp = runtime.Interpreter.from_bytes(data)
    interp.set_input(x, 0)
    interp.invoke()
    return np.array(interp.get_output(0), dtype=np.int8).reshape(-1)


def tflm_input_shape(model: bytes) -> tuple[int, ...]:
    runtime = tflm()
    return tuple(int(d) for d in
                 runtime.Interpreter.from_bytes(model).get_input_details(0)["shape"])


@pytest.fixture(autouse=True)
def _need_cmake() -> None:
    need_tools("cmake", "ninja")
