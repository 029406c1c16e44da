# SPDX-License-Identifier: Apache-2.0
#
# sample_board_executable(<executable>): turn an executable into firmware for the board the
# toolchain file chose (samples/bare_metal/toolchains/*.cmake), or leave it a host program.
#
# On a cross build it adds the board's startup code, links with its linker script whose
# MEMORY regions come from the tinyml-build target (TINYML_TARGET_MEMORY_FLASH_* / _RAM_*,
# set by TinyMLBuildToolchain.cmake), garbage-collects unused sections and writes
# <executable>.map next to the ELF. The benchmarks reuse it.
#
# SAMPLE_STACK_SIZE / SAMPLE_HEAP_SIZE (cache, bytes): reservations in RAM, default 16 KiB.

include_guard(GLOBAL)

set(SAMPLE_BOARDS_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(SAMPLE_STACK_SIZE 16384 CACHE STRING "bytes of RAM reserved for the stack")
set(SAMPLE_HEAP_SIZE 16384 CACHE STRING "bytes of RAM reserved for the heap (libc stdio)")

function(sample_board_executable exe)
    if(NOT CMAKE_CROSSCOMPILING)
        return()
    endif()
    if(TINYML_TARGET_ARCH STREQUAL "arm")
        set(dir "${SAMPLE_BOARDS_DIR}/cortex_m")
        target_sources(${exe} PRIVATE "${dir}/startup.c")
        set(script "${dir}/cortex_m.ld")
    elseif(TINYML_TARGET_ARCH STREQUAL "riscv")
        set(dir "${SAMPLE_BOARDS_DIR}/riscv")
        target_sources(${exe} PRIVATE "${dir}/start.S")
        set(script "${dir}/riscv.ld")
    else()
        message(FATAL_ERROR "sample_board_executable(${exe}): no board support for "
            "architecture '${TINYML_TARGET_ARCH}'")
    endif()
    foreach(region FLASH RAM)
        if(NOT DEFINED TINYML_TARGET_MEMORY_${region}_ORIGIN)
            message(FATAL_ERROR "sample_board_executable(${exe}): target ${TINYML_TARGET} "
                "declares no ${region} memory region")
        endif()
    endforeach()
    target_link_options(${exe} PRIVATE
        "-T${script}"
        "-Wl,--gc-sections"
        "-Wl,-Map=$<TARGET_FILE:${exe}>.map"
        "-Wl,--defsym=__flash_origin=${TINYML_TARGET_MEMORY_FLASH_ORIGIN}"
        "-Wl,--defsym=__flash_size=${TINYML_TARGET_MEMORY_FLASH_LENGTH}"
        "-Wl,--defsym=__ram_origin=${TINYML_TARGET_MEMORY_RAM_ORIGIN}"
        "-Wl,--defsym=__ram_size=${TINYML_TARGET_MEMORY_RAM_LENGTH}"
        "-Wl,--defsym=__stack_size=${SAMPLE_STACK_SIZE}"
        "-Wl,--defsym=__heap_size=${SAMPLE_HEAP_SIZE}")
    set_property(TARGET ${exe} APPEND PROPERTY LINK_DEPENDS "${script}")
    set_target_properties(${exe} PROPERTIES SUFFIX ".elf")
endfunction()
