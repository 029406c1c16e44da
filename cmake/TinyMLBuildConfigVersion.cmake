# SPDX-License-Identifier: Apache-2.0
#
# Version file of the TinyMLBuild config package. Before 1.0 a minor version may break the
# CMake interface, so find_package(TinyMLBuild X.Y) accepts X.Y.* only; from 1.0 on, any
# version with the same major number and not older than the one asked for.
# Keep PACKAGE_VERSION equal to tinyml_build.__version__ (a test checks it).

set(PACKAGE_VERSION "0.1.0")

if(PACKAGE_FIND_VERSION_RANGE)
    if((PACKAGE_FIND_VERSION_RANGE_MIN STREQUAL "INCLUDE"
            AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MIN)
        OR (PACKAGE_FIND_VERSION_RANGE_MIN STREQUAL "EXCLUDE"
            AND PACKAGE_VERSION VERSION_LESS_EQUAL PACKAGE_FIND_VERSION_MIN)
        OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE"
            AND PACKAGE_VERSION VERSION_GREATER PACKAGE_FIND_VERSION_MAX)
        OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE"
            AND PACKAGE_VERSION VERSION_GREATER_EQUAL PACKAGE_FIND_VERSION_MAX))
        set(PACKAGE_VERSION_COMPATIBLE FALSE)
    else()
        set(PACKAGE_VERSION_COMPATIBLE TRUE)
    endif()
elseif(NOT PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
    string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _tinyml_have "${PACKAGE_VERSION}")
    set(_tinyml_have_major "${CMAKE_MATCH_1}")
    set(_tinyml_have_minor "${CMAKE_MATCH_2}")
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
    if(_tinyml_have_major EQUAL 0)
        if(PACKAGE_FIND_VERSION_MAJOR EQUAL 0
                AND PACKAGE_FIND_VERSION_MINOR EQUAL _tinyml_have_minor)
            set(PACKAGE_VERSION_COMPATIBLE TRUE)
        endif()
    elseif(PACKAGE_FIND_VERSION_MAJOR EQUAL _tinyml_have_major)
        set(PACKAGE_VERSION_COMPATIBLE TRUE)
    endif()
    if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
        set(PACKAGE_VERSION_EXACT TRUE)
    endif()
endif()
