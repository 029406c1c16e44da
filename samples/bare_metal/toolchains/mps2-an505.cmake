# SPDX-License-Identifier: Apache-2.0
#
# Cortex-M33 (Armv8-M) on QEMU's mps2-an505 board, which boots in the secure state: code
# at 0x10000000, data at 0x38000000. arm-none-eabi-gcc, newlib-nano, semihosting.
#   cmake -S samples/bare_metal -B build-mps2-an505 -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=samples/bare_metal/toolchains/mps2-an505.cmake
set(TINYML_TARGET cortex-m33)
set(SAMPLE_BOARD mps2-an505)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
string(APPEND CMAKE_C_FLAGS_INIT " --specs=nano.specs")
# (CMAKE_C_FLAGS are on the link line too, so nano.specs is not repeated here)
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=rdimon.specs -nostartfiles")
_sample_qemu(qemu-system-arm mps2-an505)
