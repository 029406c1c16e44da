# SPDX-License-Identifier: Apache-2.0
#
# TinyMLBuildToolchain.cmake: a CMake toolchain file for any cross target of tinyml-build.
#
#   cmake -S . -B build-m4 -G Ninja -DTINYML_TARGET=cortex-m4 \
#         -DCMAKE_TOOLCHAIN_FILE="$(tinyml-build cmake-dir)/TinyMLBuildToolchain.cmake"
#
# It asks tinyml-build (with the interpreter TinyMLBuildPython.cmake finds and locks) for the
# target's toolchain prefix and compiler flags (Target.c_flags of the plugin that offers the
# target), so the compiler flags have one source of truth. A board toolchain file sets
# TINYML_TARGET, includes this file, then adds its libc, linker script and emulator
# (samples/bare_metal/toolchains/ has three).
#
# Input:
#   TINYML_TARGET (required): a target other than host, e.g. cortex-m4, cortex-m55, rv32imac.
#   TINYML_TOOLCHAIN_PATH (optional): folder holding <prefix>gcc; when set, only it is
#     searched, else PATH and the system folders.
# Output (normal variables, also forwarded into try_compile projects):
#   TINYML_TARGET_C_FLAGS   the target's flags as a list (also in CMAKE_<LANG>_FLAGS_INIT)
#   TINYML_TARGET_ARCH      arm, riscv, ...
#   TINYML_TOOLCHAIN_PREFIX full path prefix of the binutils, e.g. /usr/bin/arm-none-eabi-
#   TINYML_TARGET_MEMORY_<REGION>_ORIGIN / _LENGTH   each memory region of the target
#   TINYML_TARGET_MEMORY_REGIONS  the region names

include("${CMAKE_CURRENT_LIST_DIR}/TinyMLBuildPython.cmake")

if(NOT TINYML_TARGET)
    _tinyml_fatal("TinyMLBuildToolchain.cmake: set TINYML_TARGET (e.g. "
        "-DTINYML_TARGET=cortex-m4; `tinyml-build plugins` lists the targets)")
endif()

# The first load runs the query; try_compile projects get the answers forwarded instead.
if(NOT _TINYML_TC_TARGET STREQUAL TINYML_TARGET)
    _tinyml_find_python()
    if(_TINYML_PYTHON_ERROR)
        _tinyml_fatal(${_TINYML_PYTHON_ERROR})
    endif()
    set(_tinyml_q "${CMAKE_BINARY_DIR}/tinyml/toolchain-query.cmake")
    execute_process(
        COMMAND "${TinyMLBuild_PYTHON}" -P -m tinyml_build.buildinfo cmake
                --target "${TINYML_TARGET}" --out "${_tinyml_q}"
        RESULT_VARIABLE _tinyml_rc ERROR_VARIABLE _tinyml_err OUTPUT_QUIET)
    if(NOT _tinyml_rc EQUAL 0)
        string(STRIP "${_tinyml_err}" _tinyml_err)
        string(REGEX REPLACE "^tinyml-build: error: " "" _tinyml_err "${_tinyml_err}")
        _tinyml_fatal("TinyMLBuildToolchain.cmake: ${_tinyml_err}")
    endif()
    include("${_tinyml_q}")
    if(TINYML_Q_ARCH STREQUAL "host" OR NOT TINYML_Q_TOOLCHAIN_PREFIX)
        _tinyml_fatal("TinyMLBuildToolchain.cmake: target ${TINYML_TARGET} is built "
            "with the host's own compiler; configure without a toolchain file")
    endif()
    set(_tinyml_cc_name "${TINYML_Q_TOOLCHAIN_PREFIX}gcc")
    if(TINYML_TOOLCHAIN_PATH)
        find_program(_TINYML_TC_CC NAMES ${_tinyml_cc_name} PATHS "${TINYML_TOOLCHAIN_PATH}"
            NO_DEFAULT_PATH NO_CACHE)
        set(_tinyml_where "in TINYML_TOOLCHAIN_PATH=${TINYML_TOOLCHAIN_PATH}")
    else()
        find_program(_TINYML_TC_CC NAMES ${_tinyml_cc_name} NO_CACHE)
        set(_tinyml_where "on PATH")
    endif()
    if(NOT _TINYML_TC_CC)
        _tinyml_fatal("TinyMLBuildToolchain.cmake: the cross compiler ${_tinyml_cc_name} "
            "for target ${TINYML_TARGET} was not found ${_tinyml_where}; install it (Debian: "
            "gcc-arm-none-eabi / gcc-riscv64-unknown-elf) or set TINYML_TOOLCHAIN_PATH to its "
            "folder")
    endif()
    set(_TINYML_TC_TARGET "${TINYML_TARGET}")
    set(TINYML_TARGET_ARCH "${TINYML_Q_ARCH}")
    set(TINYML_TARGET_C_FLAGS ${TINYML_Q_C_FLAGS})
    string(REGEX REPLACE "gcc$" "" TINYML_TOOLCHAIN_PREFIX "${_TINYML_TC_CC}")
    set(TINYML_TARGET_MEMORY_REGIONS)
    foreach(_tinyml_region IN LISTS TINYML_Q_MEMORY)
        string(REPLACE ":" ";" _tinyml_region "${_tinyml_region}")
        list(GET _tinyml_region 0 _tinyml_name)
        list(GET _tinyml_region 2 TINYML_TARGET_MEMORY_${_tinyml_name}_ORIGIN)
        list(GET _tinyml_region 3 TINYML_TARGET_MEMORY_${_tinyml_name}_LENGTH)
        list(APPEND TINYML_TARGET_MEMORY_REGIONS ${_tinyml_name})
        list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES
            TINYML_TARGET_MEMORY_${_tinyml_name}_ORIGIN TINYML_TARGET_MEMORY_${_tinyml_name}_LENGTH)
    endforeach()
endif()

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR "${TINYML_TARGET_ARCH}")
set(CMAKE_C_COMPILER "${TINYML_TOOLCHAIN_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${TINYML_TOOLCHAIN_PREFIX}g++")
set(CMAKE_ASM_COMPILER "${TINYML_TOOLCHAIN_PREFIX}gcc")
set(CMAKE_AR "${TINYML_TOOLCHAIN_PREFIX}ar" CACHE FILEPATH "archiver")
set(CMAKE_RANLIB "${TINYML_TOOLCHAIN_PREFIX}ranlib" CACHE FILEPATH "ranlib")
set(CMAKE_OBJCOPY "${TINYML_TOOLCHAIN_PREFIX}objcopy" CACHE FILEPATH "objcopy")
set(CMAKE_SIZE "${TINYML_TOOLCHAIN_PREFIX}size" CACHE FILEPATH "size")
list(JOIN TINYML_TARGET_C_FLAGS " " _tinyml_flags)
set(CMAKE_C_FLAGS_INIT "${_tinyml_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_tinyml_flags}")
set(CMAKE_ASM_FLAGS_INIT "${_tinyml_flags}")
# bare metal: no executable can be linked before the board adds its startup code
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES
    TINYML_TARGET _TINYML_TC_TARGET TINYML_TARGET_ARCH TINYML_TARGET_C_FLAGS
    TINYML_TOOLCHAIN_PREFIX TINYML_TARGET_MEMORY_REGIONS TinyMLBuild_DIR)
