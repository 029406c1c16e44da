# SPDX-License-Identifier: Apache-2.0
#
# Cortex-M55 (Helium) on QEMU's mps3-an547 board: arm-none-eabi-gcc, newlib-nano,
# semihosting. Code in the 512 KiB ITCM, data in the 512 KiB DTCM.
#   cmake -S samples/bare_metal -B build-m55 -G Ninja \
#         -DCMAKE_TOOLCHAIN_FILE=samples/bare_metal/toolchains/mps3-an547.cmake
set(TINYML_TARGET cortex-m55)
set(SAMPLE_BOARD mps3-an547)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
string(APPEND CMAKE_C_FLAGS_INIT " --specs=nano.specs")
# (CMAKE_C_FLAGS are on the link line too, so nano.specs is not repeated here)
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=rdimon.specs -nostartfiles")
_sample_qemu(qemu-system-arm mps3-an547)
