# SPDX-License-Identifier: Apache-2.0
#
# TinyMLBuildPython.cmake: finds the Python interpreter that runs the generator, and locks it
# to this config: an interpreter is accepted only if `import tinyml_build` there is the very
# installation that owns the folder this file is in (compared as real paths, not as version
# numbers), so the CMake functions and the generator can never come from two installations.
#
# Python always runs with -P (3.11+: the current folder is not put on sys.path), so a
# checkout in the folder cmake runs from can never shadow the installed package.
#
# Used by TinyMLBuildConfig.cmake and TinyMLBuildToolchain.cmake; not meant to be included
# on its own.
#
# PICO_CMAKE_CONFIG-style knobs:
#   TINYML_BUILD_PYTHON (cache or environment), FILEPATH: the interpreter to use. When set,
#     it is the only one tried, and configure fails if it does not match this config.
#   TinyMLBuild_PYTHON (cache, read-only): the interpreter that was found and checked.
#
# Search order without TINYML_BUILD_PYTHON: Python3_EXECUTABLE (if the project found one),
# the interpreter in the `#!` line of the `tinyml-build` command on PATH (the command that
# printed this folder for TinyMLBuild_DIR), a virtual environment holding this folder,
# $VIRTUAL_ENV and $CONDA_PREFIX, then python3 and python on PATH.

include_guard(GLOBAL)

set(_TINYML_CONFIG_DIR "${CMAKE_CURRENT_LIST_DIR}")

# _tinyml_fatal(<message>...): fail configure with exactly one error. Inside a toolchain
# file (no compiler chosen yet) CMake would follow a FATAL_ERROR with errors of its own
# about the missing build program and compilers; naming placeholders first prevents that.
macro(_tinyml_fatal)
    if(NOT CMAKE_C_COMPILER_LOADED AND NOT CMAKE_C_COMPILER_ID)
        if(NOT CMAKE_MAKE_PROGRAM)
            find_program(CMAKE_MAKE_PROGRAM NAMES ninja make gmake nmake)
        endif()
        foreach(_tinyml_lang C CXX ASM)
            if(NOT CMAKE_${_tinyml_lang}_COMPILER)
                set(CMAKE_${_tinyml_lang}_COMPILER "tinyml-build-toolchain-error")
            endif()
        endforeach()
    endif()
    string(JOIN "" _tinyml_message ${ARGN})
    message(FATAL_ERROR "${_tinyml_message}")
endmacro()

# _tinyml_python_matches(<python> <ok_var> <why_var>): does <python> import our tinyml_build?
function(_tinyml_python_matches python ok_var why_var)
    set(${ok_var} FALSE PARENT_SCOPE)
    if(NOT EXISTS "${python}")
        set(${why_var} "${python}: not found" PARENT_SCOPE)
        return()
    endif()
    execute_process(
        COMMAND "${python}" -P -m tinyml_build.buildinfo locate
        RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
        OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0)
        set(${why_var} "${python}: cannot run tinyml_build" PARENT_SCOPE)
        return()
    endif()
    string(REPLACE "\n" ";" lines "${out}")
    list(GET lines 0 dir)
    list(GET lines 1 version)
    file(REAL_PATH "${dir}" dir_real)
    file(REAL_PATH "${_TINYML_CONFIG_DIR}" mine_real)
    if(NOT dir_real STREQUAL mine_real)
        set(${why_var} "${python}: imports tinyml-build ${version} whose CMake files are ${dir}"
            PARENT_SCOPE)
        return()
    endif()
    set(${ok_var} TRUE PARENT_SCOPE)
    set(${why_var} "${version}" PARENT_SCOPE)
endfunction()

# _tinyml_find_python(): sets the cache entry TinyMLBuild_PYTHON, or explains in
# _TINYML_PYTHON_ERROR why no interpreter fits (the caller fails with _tinyml_fatal, at its
# own scope, so the failure stays one error inside toolchain files too).
function(_tinyml_find_python)
    set(_TINYML_PYTHON_ERROR "" PARENT_SCOPE)
    if(DEFINED TINYML_BUILD_PYTHON AND NOT TINYML_BUILD_PYTHON STREQUAL "")
        set(explicit "${TINYML_BUILD_PYTHON}")
    elseif(DEFINED ENV{TINYML_BUILD_PYTHON} AND NOT "$ENV{TINYML_BUILD_PYTHON}" STREQUAL "")
        set(explicit "$ENV{TINYML_BUILD_PYTHON}")
    endif()
    if(DEFINED explicit)
        _tinyml_python_matches("${explicit}" ok why)
        if(NOT ok)
            set(_TINYML_PYTHON_ERROR "TinyMLBuild: TINYML_BUILD_PYTHON=${why}, not the "
                "tinyml-build of ${_TINYML_CONFIG_DIR}. Use the Python of the environment "
                "where `tinyml-build cmake-dir` prints that folder." PARENT_SCOPE)
            return()
        endif()
        set(TinyMLBuild_PYTHON "${explicit}" CACHE INTERNAL "generator interpreter")
        return()
    endif()
    if(TinyMLBuild_PYTHON)
        _tinyml_python_matches("${TinyMLBuild_PYTHON}" ok why)
        if(ok)
            return()
        endif()
    endif()

    set(candidates)
    if(Python3_EXECUTABLE)
        list(APPEND candidates "${Python3_EXECUTABLE}")
    endif()
    find_program(_tinyml_cli NAMES tinyml-build NO_CACHE)
    if(_tinyml_cli)
        file(STRINGS "${_tinyml_cli}" shebang LIMIT_COUNT 1 REGEX "^#!")
        string(REGEX REPLACE "^#![ \t]*" "" shebang "${shebang}")
        if(shebang AND NOT shebang MATCHES "[ \t]")
            list(APPEND candidates "${shebang}")
        endif()
    endif()
    set(dir "${_TINYML_CONFIG_DIR}")
    foreach(level RANGE 6)
        if(EXISTS "${dir}/pyvenv.cfg")
            list(APPEND candidates "${dir}/bin/python3" "${dir}/Scripts/python.exe")
            break()
        endif()
        get_filename_component(dir "${dir}" DIRECTORY)
    endforeach()
    foreach(env VIRTUAL_ENV CONDA_PREFIX)
        if(DEFINED ENV{${env}})
            list(APPEND candidates "$ENV{${env}}/bin/python3" "$ENV{${env}}/python.exe")
        endif()
    endforeach()
    foreach(name python3 python)
        find_program(_tinyml_py NAMES ${name} NO_CACHE)
        if(_tinyml_py)
            list(APPEND candidates "${_tinyml_py}")
        endif()
        unset(_tinyml_py)
    endforeach()
    list(REMOVE_DUPLICATES candidates)

    set(tried)
    foreach(python IN LISTS candidates)
        if(NOT EXISTS "${python}")
            continue()
        endif()
        _tinyml_python_matches("${python}" ok why)
        if(ok)
            set(TinyMLBuild_PYTHON "${python}" CACHE INTERNAL "generator interpreter")
            return()
        endif()
        list(APPEND tried "${why}")
    endforeach()
    list(JOIN tried ", " tried)
    set(_TINYML_PYTHON_ERROR "TinyMLBuild: no Python imports the tinyml-build that owns "
        "${_TINYML_CONFIG_DIR} (tried: ${tried}). Install it (pip install tinyml-build, or "
        "pip install -e <checkout>) or pass -DTINYML_BUILD_PYTHON=<python> naming the "
        "interpreter where `tinyml-build cmake-dir` prints that folder." PARENT_SCOPE)
endfunction()
