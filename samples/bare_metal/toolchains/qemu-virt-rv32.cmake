# SPDX-License-Identifier: Apache-2.0
#
# RV32IMAC on QEMU's virt machine (-bios none, M-mode): riscv64-unknown-elf-gcc with
# picolibc and semihosting (Debian has no newlib for RISC-V).
#   cmake -S samples/bare_metal -B build-rv32 -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=samples/bare_metal/toolchains/qemu-virt-rv32.cmake
# Set TINYML_TARGET=rv32imc before including for an RV32IMC core (picolibc then links its
# rv32im multilib).
if(NOT TINYML_TARGET)
    set(TINYML_TARGET rv32imac)
endif()
set(SAMPLE_BOARD qemu-virt)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
string(APPEND CMAKE_C_FLAGS_INIT " --specs=picolibc.specs")
string(APPEND CMAKE_ASM_FLAGS_INIT " --specs=picolibc.specs")
set(CMAKE_EXE_LINKER_FLAGS_INIT "--oslib=semihost -nostartfiles")
_sample_qemu(qemu-system-riscv32 virt -bios none)
