# SPDX-License-Identifier: Apache-2.0
#
# Cortex-M0+ code (Armv6-M, soft float) on QEMU's mps2-an385 (Cortex-M3) board: QEMU
# has no Cortex-M0+ machine, and Armv6-M code runs unchanged on Armv7-M.
# arm-none-eabi-gcc, newlib-nano, semihosting.
#   cmake -S samples/bare_metal -B build-mps2-an385 -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=samples/bare_metal/toolchains/mps2-an385.cmake
set(TINYML_TARGET cortex-m0plus)
set(SAMPLE_BOARD mps2-an385)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
string(APPEND CMAKE_C_FLAGS_INIT " --specs=nano.specs")
# (CMAKE_C_FLAGS are on the link line too, so nano.specs is not repeated here)
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=rdimon.specs -nostartfiles")
_sample_qemu(qemu-system-arm mps2-an385)
