"""The Cortex-M target plugin: Arm Cortex-M CPUs built with arm-none-eabi-gcc.

Each target carries the exact compiler flags a toolchain file passes for that CPU (so the
float ABI matches a newlib multilib), the kernel back ends usable on it, preferred first,
and the memory of the QEMU board that emulates it, so a linker script or a size budget can
use real region sizes. The portable reference kernels (from the reference plugin) serve
every target here; vendor back ends such as CMSIS-NN extend `_BACKENDS` and add a
`tinyml_kernels` hook. It uses only the public hook contract.
"""

from __future__ import annotations

from collections.abc import Iterable

from tinyml_build.hookspecs import hookimpl
from tinyml_build.registration import MemoryRegion, Target

TOOLCHAIN_PREFIX = "arm-none-eabi-"

#: kernel back ends every Cortex-M target offers, preferred first (extend for CMSIS-NN)
_BACKENDS: tuple[str, ...] = ("reference",)

# QEMU's MPS2/MPS3 FPGA images (read with `info mtree`). Every region is plain RAM in QEMU;
# "FLASH" is the code memory the vector table is read from at reset.
_MPS2_MEMORY = (  # mps2-an385 (M3), mps2-an386 (M4), mps2-an500 (M7)
    MemoryRegion("FLASH", 0x00000000, 0x400000, "flash"),  # SSRAM1, 4 MiB
    MemoryRegion("RAM", 0x20000000, 0x400000, "ram"),  # SSRAM2/3, 4 MiB
)
_AN505_MEMORY = (  # mps2-an505 (M33, SSE-200), secure aliases: the core boots secure
    MemoryRegion("FLASH", 0x10000000, 0x400000, "flash"),  # SSRAM1, 4 MiB
    MemoryRegion("RAM", 0x38000000, 0x400000, "ram"),  # SSRAM2 + SSRAM3, 2 + 2 MiB
)
_AN547_MEMORY = (  # mps3-an547 (M55, SSE-300)
    MemoryRegion("FLASH", 0x00000000, 0x80000, "flash"),  # ITCM, 512 KiB
    MemoryRegion("RAM", 0x20000000, 0x80000, "ram"),  # DTCM, 512 KiB
    MemoryRegion("SRAM", 0x01000000, 0x200000, "ram"),  # SRAM, 2 MiB
)


def _target(name: str, description: str, cpu: str, flags: tuple[str, ...],
            features: tuple[str, ...], memory: tuple[MemoryRegion, ...]) -> Target:
    return Target(
        name=name,
        description=description,
        arch="arm",
        cpu=cpu,
        features=features,
        c_flags=(f"-mcpu={cpu}", "-mthumb", *flags),
        toolchain_prefix=TOOLCHAIN_PREFIX,
        backends=_BACKENDS,
        memory=memory,
    )


TARGETS: tuple[Target, ...] = (
    _target("cortex-m0plus", "Arm Cortex-M0+ (Armv6-M, no FPU); memory of QEMU mps2-an385",
            "cortex-m0plus", ("-mfloat-abi=soft",), (), _MPS2_MEMORY),
    _target("cortex-m4", "Arm Cortex-M4F (Armv7E-M, DSP, single-precision FPU); "
            "QEMU mps2-an386", "cortex-m4", ("-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"),
            ("dsp", "fpu-sp"), _MPS2_MEMORY),
    _target("cortex-m7", "Arm Cortex-M7 (Armv7E-M, DSP, double-precision FPU); "
            "QEMU mps2-an500", "cortex-m7", ("-mfloat-abi=hard", "-mfpu=fpv5-d16"),
            ("dsp", "fpu-sp", "fpu-dp"), _MPS2_MEMORY),
    _target("cortex-m33", "Arm Cortex-M33 (Armv8-M Mainline, DSP, single-precision FPU); "
            "QEMU mps2-an505", "cortex-m33", ("-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"),
            ("dsp", "fpu-sp"), _AN505_MEMORY),
    _target("cortex-m55", "Arm Cortex-M55 (Armv8.1-M, Helium MVE int+float); "
            "QEMU mps3-an547", "cortex-m55", ("-mfloat-abi=hard",),
            ("dsp", "fpu-sp", "fpu-dp", "mve", "mve-f"), _AN547_MEMORY),
)


@hookimpl
def tinyml_targets() -> Iterable[Target]:
    return list(TARGETS)
