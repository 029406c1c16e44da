# SPDX-License-Identifier: Apache-2.0
#
# Shared part of the sample's board toolchain files: finds the TinyMLBuild config folder
# and includes its generic TinyMLBuildToolchain.cmake, which sets the cross compiler and
# the target's flags (Target.c_flags of the tinyml-build target named by TINYML_TARGET).
#
# TinyMLBuild_DIR: given with -DTinyMLBuild_DIR=..., from the environment, or asked from
# `tinyml-build cmake-dir` on PATH.

if(NOT TinyMLBuild_DIR AND DEFINED ENV{TinyMLBuild_DIR})
    set(TinyMLBuild_DIR "$ENV{TinyMLBuild_DIR}")
endif()
if(NOT TinyMLBuild_DIR)
    find_program(_sample_tinyml_cli NAMES tinyml-build NO_CACHE)
    if(NOT _sample_tinyml_cli)
        message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE}: pass "
            "-DTinyMLBuild_DIR=\"$(tinyml-build cmake-dir)\" or put tinyml-build on PATH")
    endif()
    execute_process(COMMAND "${_sample_tinyml_cli}" cmake-dir
        OUTPUT_VARIABLE TinyMLBuild_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE _sample_rc)
    if(NOT _sample_rc EQUAL 0)
        message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE}: `tinyml-build cmake-dir` failed")
    endif()
endif()
set(TinyMLBuild_DIR "${TinyMLBuild_DIR}" CACHE PATH "folder of TinyMLBuildConfig.cmake")
include("${TinyMLBuild_DIR}/TinyMLBuildToolchain.cmake")

# _sample_qemu(<qemu program> <machine>): run firmware in QEMU with semihosting on stdio;
# its exit status is the program's. Used by add_test() and the tests as
# CMAKE_CROSSCOMPILING_EMULATOR (the ELF is appended after -kernel).
macro(_sample_qemu program machine)
    find_program(SAMPLE_QEMU NAMES ${program})
    if(SAMPLE_QEMU)
        set(_sample_emulator "${SAMPLE_QEMU}" -M ${machine} ${ARGN}
            -display none -serial null -monitor none -chardev stdio,id=shc
            -semihosting-config enable=on,target=native,chardev=shc -kernel)
        set(CMAKE_CROSSCOMPILING_EMULATOR "${_sample_emulator}" CACHE STRING
            "runs the firmware (the ELF path is appended)")
    endif()
endmacro()
