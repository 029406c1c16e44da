"""The portable reference target plugin: plain C99 kernels that run on any CPU.

It offers the host and the RISC-V targets, and its kernels serve every target as the
fallback for ops a vendor back end does not claim. It uses only the public hook contract.
"""

from __future__ import annotations

from collections.abc import Iterable

from tinyml_build.hookspecs import hookimpl
from tinyml_build.registration import Kernel, MemoryRegion, Target

from .ops import (
    activations,
    conv,
    conv_f32,
    data,
    elementwise,
    elementwise_f32,
    fully_connected,
    integer,
    matmul_f32,
    pool,
    pool_f32,
    qlinear,
    quantize,
    reduce,
    softmax,
    views,
)

_KERNEL_MODULES = (conv, fully_connected, pool, elementwise, softmax, views, activations,
                   quantize, data, reduce, conv_f32, matmul_f32, pool_f32, elementwise_f32,
                   integer, qlinear)

_QEMU_VIRT_MEMORY = (
    MemoryRegion("FLASH", 0x80000000, 0x400000, "flash"),
    MemoryRegion("RAM", 0x80400000, 0x400000, "ram"),
)


@hookimpl
def tinyml_targets() -> Iterable[Target]:
    return [
        Target(
            name="host",
            description="the machine's own C compiler (tests, validation, simulation)",
            arch="host",
        ),
        Target(
            name="rv32imc",
            description="RISC-V RV32IMC (e.g. ESP32-C3 class cores)",
            arch="riscv",
            cpu="rv32imc",
            c_flags=("-march=rv32imc", "-mabi=ilp32"),
            toolchain_prefix="riscv64-unknown-elf-",
            memory=_QEMU_VIRT_MEMORY,
        ),
        Target(
            name="rv32imac",
            description="RISC-V RV32IMAC (e.g. ESP32-C6, GD32VF103 class cores)",
            arch="riscv",
            cpu="rv32imac",
            c_flags=("-march=rv32imac", "-mabi=ilp32"),
            toolchain_prefix="riscv64-unknown-elf-",
            memory=_QEMU_VIRT_MEMORY,
        ),
    ]


@hookimpl
def tinyml_kernels(target: Target) -> Iterable[Kernel]:
    kernels: list[Kernel] = []
    for module in _KERNEL_MODULES:
        kernels.extend(module.KERNELS)
    return kernels
