# SPDX-License-Identifier: Apache-2.0
#
# TinyMLBuildConfig.cmake: the CMake front door of tinyml-build.
#
#   cmake -S . -B build -DTinyMLBuild_DIR="$(tinyml-build cmake-dir)"
#
#   find_package(TinyMLBuild 0.1 REQUIRED)
#   tinyml_add_model(kws MODEL models/kws.tflite TARGET cortex-m4)
#   target_link_libraries(app PRIVATE kws)          # then #include "kws.h" in app
#
# The repository also works through add_subdirectory(<checkout>) or FetchContent; the
# Python that runs the generator must then have that checkout installed (pip install -e).
#
# \brief\ tinyml_add_model(<name> MODEL <file> TARGET <target> [BACKEND <backend>]
#                         [OPTIONS <file>] [ARENA_SECTION <section>] [WEIGHTS_SECTION <section>]
#                         [FREEZE <input>=<file.npy> ...])
#
#   Creates the STATIC library <name> from C code generated from the model, with the folder
#   of the generated <name>.h as a PUBLIC include directory. <name> is also the C prefix of
#   every symbol (<name>_invoke(), <NAME>_ARENA_SIZE, ...), so it must be a C identifier and
#   several models link side by side.
#
#   The generator runs at build time (add_custom_command, output in
#   ${CMAKE_CURRENT_BINARY_DIR}/tinyml/<name>) with the interpreter found at configure time
#   (TinyMLBuild_PYTHON, see TinyMLBuildPython.cmake). It reruns when the model, the options
#   file or any Python source of tinyml-build or of a loaded plugin changes, and never
#   otherwise. Nothing generated is meant to be checked in.
#
#   Kernels: every kernel source of <target> is compiled once per build into one static
#   library per kernel back end, tinyml_kernels_<target>_<backend>, shared by all models of
#   that target and linked PUBLIC by <name>. Archive semantics and -ffunction-sections +
#   --gc-sections keep only the kernels a model calls in the final image.
#
#   \param\ MODEL the model file (.tflite int8), relative to CMAKE_CURRENT_SOURCE_DIR.
#   \param\ TARGET a target of a tinyml-build plugin (`tinyml-build plugins` lists them):
#     host, cortex-m0plus, cortex-m4, cortex-m7, cortex-m33, cortex-m55, rv32imc, rv32imac.
#     A target other than host needs a cross compiler: configure with a toolchain file
#     (TinyMLBuildToolchain.cmake in this folder, or your own that passes the target's flags).
#   \param\ BACKEND kernel back end (default: the options file's, else the target's first).
#   \param\ OPTIONS a .tinyml.toml options file (backend, alignment, [sections]
#     arena/weights; its name key is not used: <name> is the prefix); arguments given here
#     take precedence over it. Format: docs/cmake.md.
#   \param\ ARENA_SECTION linker section of the model's activation arena.
#   \param\ WEIGHTS_SECTION linker section of the model's weights and build-time tables.
#   \param\ FREEZE ONNX graph inputs compiled as constants (a Reshape's shape, Pad's pads,
#     ...), each with the value in a .npy file (relative to CMAKE_CURRENT_SOURCE_DIR); the
#     generator reruns when one of these files changes.
#
#   Target properties set on <name> (read them with get_target_property):
#     TINYML_MODEL, TINYML_TARGET, TINYML_BACKEND, TINYML_MANIFEST (the generated
#     <name>.json: arena bytes, I/O, per-op kernels, sizes), TINYML_GENERATED_DIR.
#
# \brief\ tinyml_check_budget(<executable> [FLASH <size>] [RAM <size>] [<REGION> <size>...]
#                            [SOFT <REGION> <size>...]
#                            [MODEL <name> [FLASH <size>] [RAM <size>] [ARENA <size>] ...]
#                            [REPORT <json>] [MARKDOWN <md>] [BASELINE <json>])
#
#   After every link of <executable>, runs `tinyml-build size` on the ELF and its GNU ld map
#   (the link gets -Wl,-Map=<executable file>.map) and fails the build with one line,
#   `tinyml-build: error: FLASH budget exceeded: ...`, when a hard budget is exceeded. The
#   failed step is not recorded, so the build stays failed until the budget is met.
#
#   \param\ <REGION> <size> a hard budget for a MEMORY region of the linker script (FLASH,
#     RAM, DTCM, ...; matched case-insensitively; flash/ram fall back to the totals of all
#     flash or RAM sections when no region has that name). Sizes take units: 256KiB,
#     0x40000, 262144, 1.5MiB, 90% (of the region).
#   \param\ SOFT the <REGION> <size> pairs that follow only warn.
#   \param\ MODEL <name> the pairs that follow are budgets of the model <name> (a
#     tinyml_add_model() library linked into <executable>): FLASH, RAM, WEIGHTS, TABLES,
#     KERNELS, ARENA, CODE. A later SOFT makes the following model pairs soft.
#   \param\ REPORT write the JSON report ("schema": "tinyml-build.size/1") here.
#   \param\ MARKDOWN write a Markdown summary (for a pull-request comment) here.
#   \param\ BASELINE a JSON report of an earlier build: deltas, and the largest growth named
#     in a failure.
#   Every tinyml_add_model() library linked into <executable> (directly or through other
#   libraries) is attributed: its weights, tables, kernels, arena and generated code.
#
# Variables: TinyMLBuild_VERSION, TinyMLBuild_DIR, TinyMLBuild_PYTHON (the generator's
# interpreter), TINYML_BUILD_PYTHON (set it to choose the interpreter), and
# TINYML_SKIP_COMPILER_CHECK (ON skips the check that a non-host TARGET is cross-compiled
# by a compiler named with the target's toolchain prefix, e.g. for a clang cross build).
#
# Requires CMake 3.21 and a C compiler enabled in the project.

if(CMAKE_VERSION VERSION_LESS 3.21)
    message(FATAL_ERROR "TinyMLBuild needs CMake 3.21 or newer (this is ${CMAKE_VERSION})")
endif()

# set in every scope that calls find_package(TinyMLBuild); the rest runs once per configure
set(TinyMLBuild_VERSION 0.1.0)
set(TinyMLBuild_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
include_guard(GLOBAL)
cmake_policy(PUSH)
cmake_policy(VERSION 3.21)  # the functions keep these policies, whatever the project sets
# The functions below use only cache entries and CMAKE_CURRENT_FUNCTION_LIST_DIR, never
# variables of this file's scope, so they also work after add_subdirectory(<checkout>).

include("${CMAKE_CURRENT_LIST_DIR}/TinyMLBuildPython.cmake")
_tinyml_find_python()
if(_TINYML_PYTHON_ERROR)
    _tinyml_fatal(${_TINYML_PYTHON_ERROR})
endif()

define_property(TARGET PROPERTY TINYML_MODEL
    BRIEF_DOCS "Absolute path of the model a tinyml_add_model() library is generated from")
define_property(TARGET PROPERTY TINYML_TARGET
    BRIEF_DOCS "The tinyml-build target a model library was generated for")
define_property(TARGET PROPERTY TINYML_BACKEND
    BRIEF_DOCS "The kernel back end a model library was generated with")
define_property(TARGET PROPERTY TINYML_MANIFEST
    BRIEF_DOCS "The generated <name>.json manifest of a model library")
define_property(TARGET PROPERTY TINYML_GENERATED_DIR
    BRIEF_DOCS "The folder holding a model library's generated sources and header")

# Keep each function and datum in its own section so --gc-sections drops what is unused.
function(_tinyml_section_flags lib)
    target_compile_options(${lib} PRIVATE
        $<$<C_COMPILER_ID:GNU,Clang,AppleClang>:-ffunction-sections -fdata-sections>)
endfunction()

# Runs `python -m tinyml_build.buildinfo cmake ...` and includes its set() commands into the
# caller's scope (TINYML_Q_* variables). Fails configure with the generator's one-line error.
macro(_tinyml_query context out_file)
    execute_process(
        COMMAND "${TinyMLBuild_PYTHON}" -P -m tinyml_build.buildinfo cmake ${ARGN}
                --out "${out_file}"
        RESULT_VARIABLE _tinyml_rc ERROR_VARIABLE _tinyml_err OUTPUT_QUIET)
    if(NOT _tinyml_rc EQUAL 0)
        string(STRIP "${_tinyml_err}" _tinyml_err)
        string(REGEX REPLACE "^tinyml-build: error: " "" _tinyml_err "${_tinyml_err}")
        message(FATAL_ERROR "${context}: ${_tinyml_err}")
    endif()
    include("${out_file}")
endmacro()

# The shared kernel library of one back end for the target in TINYML_Q_*; created once per
# build. Non-fallback back ends link the fallback (reference) library, whose kernels every
# model may use for ops the back end does not claim.
function(_tinyml_kernel_library out_var key)
    set(lib "tinyml_kernels_${TINYML_Q_TARGET_KEY}_${key}")
    if(NOT TARGET ${lib})
        set(sources ${TINYML_Q_KERNELS_${key}_SOURCES})
        if(sources)
            add_library(${lib} STATIC ${sources})
            set(scope PUBLIC)
            set_target_properties(${lib} PROPERTIES
                C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
            _tinyml_section_flags(${lib})
        else()
            add_library(${lib} INTERFACE)
            set(scope INTERFACE)
        endif()
        target_include_directories(${lib} ${scope} ${TINYML_Q_KERNELS_${key}_INCLUDE_DIRS})
        target_compile_definitions(${lib} ${scope} ${TINYML_Q_KERNELS_${key}_DEFINES})
        # system libraries the kernels call into (libm for float math); the archive
        # semantics keep them out of images that call no such kernel
        target_link_libraries(${lib} ${scope} ${TINYML_Q_KERNELS_${key}_LIBRARIES})
        if(NOT TINYML_Q_KERNELS_${key}_BACKEND STREQUAL "reference")
            target_link_libraries(${lib} ${scope} tinyml_kernels_${TINYML_Q_TARGET_KEY}_reference)
        endif()
    endif()
    set(${out_var} ${lib} PARENT_SCOPE)
endfunction()

# Fails configure when the C compiler cannot build for the model's target.
function(_tinyml_check_compiler context)
    if(TINYML_Q_ARCH STREQUAL "host" OR TINYML_SKIP_COMPILER_CHECK)
        return()
    endif()
    set(cc "${TINYML_Q_TOOLCHAIN_PREFIX}gcc")
    set(fix "configure a new build folder with a toolchain file, e.g. "
        "-DCMAKE_TOOLCHAIN_FILE=${CMAKE_CURRENT_FUNCTION_LIST_DIR}/TinyMLBuildToolchain.cmake "
        "-DTINYML_TARGET=${TINYML_Q_TARGET}")
    string(JOIN "" fix ${fix})
    if(NOT CMAKE_CROSSCOMPILING)
        message(FATAL_ERROR "${context}: TARGET ${TINYML_Q_TARGET} needs a cross compiler "
            "(${cc}), but this build compiles for the host with ${CMAKE_C_COMPILER}; ${fix}")
    endif()
    get_filename_component(cc_name "${CMAKE_C_COMPILER}" NAME)
    string(FIND "${cc_name}" "${TINYML_Q_TOOLCHAIN_PREFIX}" at)
    if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND NOT at EQUAL 0)
        message(FATAL_ERROR "${context}: TARGET ${TINYML_Q_TARGET} needs ${cc}, but the C "
            "compiler is ${CMAKE_C_COMPILER}; ${fix} (or set TINYML_SKIP_COMPILER_CHECK=ON)")
    endif()
endfunction()

function(tinyml_add_model name)
    set(ctx "tinyml_add_model(${name})")
    cmake_parse_arguments(PARSE_ARGV 1 arg ""
        "MODEL;TARGET;BACKEND;OPTIONS;ARENA_SECTION;WEIGHTS_SECTION" "FREEZE")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "${ctx}: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
    endif()
    if(arg_KEYWORDS_MISSING_VALUES)
        message(FATAL_ERROR "${ctx}: ${arg_KEYWORDS_MISSING_VALUES} needs a value")
    endif()
    if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
        message(FATAL_ERROR "${ctx}: the name is the C prefix of the model's symbols, so it "
            "must be a C identifier (letters, digits, underscores)")
    endif()
    if(TARGET ${name})
        message(FATAL_ERROR "${ctx}: a target named '${name}' already exists")
    endif()
    if(NOT arg_MODEL)
        message(FATAL_ERROR "${ctx}: MODEL <file> is required")
    endif()
    if(NOT arg_TARGET)
        message(FATAL_ERROR "${ctx}: TARGET <target> is required (host, cortex-m4, rv32imac, "
            "...; `tinyml-build plugins` lists them)")
    endif()
    get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
    if(NOT "C" IN_LIST languages)
        message(FATAL_ERROR "${ctx}: the project must enable C (project(... LANGUAGES C))")
    endif()

    get_filename_component(model "${arg_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_source_file_property(model_generated "${model}" GENERATED)
    if(NOT model_generated AND NOT EXISTS "${model}")
        message(FATAL_ERROR "${ctx}: MODEL file not found: ${model}")
    endif()
    set(query --target "${arg_TARGET}" --name "${name}")
    set(gen_args "${model}" --target "${arg_TARGET}" --name "${name}")
    set(options_file)
    if(arg_OPTIONS)
        get_filename_component(options_file "${arg_OPTIONS}" ABSOLUTE
            BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        if(NOT EXISTS "${options_file}")
            message(FATAL_ERROR "${ctx}: OPTIONS file not found: ${options_file}")
        endif()
        list(APPEND query --options "${options_file}")
        list(APPEND gen_args --options "${options_file}")
        # the back end it names decides which kernel libraries to link
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${options_file}")
    endif()
    if(arg_BACKEND)
        list(APPEND query --backend "${arg_BACKEND}")
        list(APPEND gen_args --backend "${arg_BACKEND}")
    endif()
    if(arg_ARENA_SECTION)
        list(APPEND gen_args --arena-section "${arg_ARENA_SECTION}")
    endif()
    if(arg_WEIGHTS_SECTION)
        list(APPEND gen_args --weights-section "${arg_WEIGHTS_SECTION}")
    endif()
    set(freeze_files)
    foreach(spec IN LISTS arg_FREEZE)
        if(NOT spec MATCHES "^([^=]+)=(.+)$")
            message(FATAL_ERROR "${ctx}: FREEZE takes <input>=<file.npy>, not '${spec}'")
        endif()
        set(input "${CMAKE_MATCH_1}")
        get_filename_component(value "${CMAKE_MATCH_2}" ABSOLUTE
            BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        if(NOT EXISTS "${value}")
            message(FATAL_ERROR "${ctx}: FREEZE ${input}: file not found: ${value}")
        endif()
        list(APPEND gen_args --freeze "${input}=${value}")
        list(APPEND freeze_files "${value}")
    endforeach()

    set(out "${CMAKE_CURRENT_BINARY_DIR}/tinyml/${name}")
    _tinyml_query("${ctx}" "${out}/configure.cmake" ${query})
    _tinyml_check_compiler("${ctx}")
    # A plugin or core edit may change the kernel set: configure again when one happens.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${TINYML_Q_GENERATOR_FILES})

    set(kernel_libs)
    foreach(key IN LISTS TINYML_Q_KERNEL_LIBS)
        _tinyml_kernel_library(lib ${key})
        if(key IN_LIST TINYML_Q_LINK_BACKENDS)
            list(APPEND kernel_libs ${lib})
            list(APPEND kernel_sources ${TINYML_Q_KERNELS_${key}_SOURCES})
        endif()
    endforeach()
    # The generator checks the model's kernels against this list (written only on change).
    list(JOIN kernel_sources "\n" kernel_list)
    set(old_list)
    if(EXISTS "${out}/kernel_sources.txt")
        file(READ "${out}/kernel_sources.txt" old_list)
    endif()
    if(NOT old_list STREQUAL "${kernel_list}\n")
        file(WRITE "${out}/kernel_sources.txt" "${kernel_list}\n")
    endif()

    list(TRANSFORM TINYML_Q_GENERATED_SOURCES PREPEND "${out}/" OUTPUT_VARIABLE sources)
    list(TRANSFORM TINYML_Q_GENERATED_HEADERS PREPEND "${out}/" OUTPUT_VARIABLE headers)
    set(manifest "${out}/${TINYML_Q_GENERATED_MANIFEST}")
    file(RELATIVE_PATH model_rel "${CMAKE_SOURCE_DIR}" "${model}")
    set(comment "tinyml-build: generating ${name} for ${TINYML_Q_TARGET} "
        "(${TINYML_Q_BACKEND} kernels) from ${model_rel}")
    string(JOIN "" comment ${comment})
    add_custom_command(
        OUTPUT ${sources} ${headers} "${manifest}"
        COMMAND "${TinyMLBuild_PYTHON}" -P -m tinyml_build.buildinfo generate
                --config-dir "${CMAKE_CURRENT_FUNCTION_LIST_DIR}"
                --kernel-list "${out}/kernel_sources.txt"
                --manifest "${manifest}"
                -- ${gen_args} --out "${out}"
        DEPENDS "${model}" ${options_file} ${freeze_files} ${TINYML_Q_GENERATOR_FILES}
        COMMENT "${comment}"
        VERBATIM)

    add_library(${name} STATIC ${sources} ${headers})
    target_include_directories(${name} PUBLIC "${out}")
    target_link_libraries(${name} PUBLIC ${kernel_libs})
    _tinyml_section_flags(${name})
    set_target_properties(${name} PROPERTIES
        C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
        TINYML_MODEL "${model}"
        TINYML_TARGET "${TINYML_Q_TARGET}"
        TINYML_BACKEND "${TINYML_Q_BACKEND}"
        TINYML_MANIFEST "${manifest}"
        TINYML_GENERATED_DIR "${out}")
endfunction()

# Every tinyml_add_model() library <target> links, directly or through other libraries.
function(_tinyml_linked_models target out_var)
    set(seen)
    set(models)
    set(queue ${target})
    while(queue)
        list(POP_FRONT queue item)
        if(NOT TARGET ${item} OR item IN_LIST seen)
            continue()
        endif()
        list(APPEND seen ${item})
        get_target_property(manifest ${item} TINYML_MANIFEST)
        if(manifest)
            list(APPEND models ${item})
        endif()
        get_target_property(type ${item} TYPE)
        set(deps)
        if(NOT type STREQUAL "INTERFACE_LIBRARY")
            get_target_property(direct ${item} LINK_LIBRARIES)
            if(direct)
                list(APPEND deps ${direct})
            endif()
        endif()
        get_target_property(iface ${item} INTERFACE_LINK_LIBRARIES)
        if(iface)
            list(APPEND deps ${iface})
        endif()
        foreach(dep IN LISTS deps)
            # static libraries list their private dependencies as $<LINK_ONLY:dep>
            if(dep MATCHES "^\\$<LINK_ONLY:(.+)>$")
                set(dep "${CMAKE_MATCH_1}")
            endif()
            # plain names only: other generator expressions and link flags are not targets
            if(dep MATCHES "^[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)*$")
                list(APPEND queue ${dep})
            endif()
        endforeach()
    endwhile()
    set(${out_var} ${models} PARENT_SCOPE)
endfunction()

function(tinyml_check_budget executable)
    set(ctx "tinyml_check_budget(${executable})")
    if(NOT TARGET ${executable})
        message(FATAL_ERROR "${ctx}: no target named '${executable}'")
    endif()
    get_target_property(type ${executable} TYPE)
    if(NOT type STREQUAL "EXECUTABLE")
        message(FATAL_ERROR "${ctx}: '${executable}' is a ${type}, not an executable")
    endif()
    set(args ${ARGN})
    set(cli)
    set(soft FALSE)
    set(model "")
    set(model_keys FLASH RAM WEIGHTS TABLES KERNELS ARENA CODE)
    set(hard_models)
    set(soft_models)
    while(args)
        list(POP_FRONT args key)
        if(key MATCHES "^(REPORT|MARKDOWN|BASELINE)$")
            if(NOT args)
                message(FATAL_ERROR "${ctx}: ${key} needs a file")
            endif()
            list(POP_FRONT args file)
            get_filename_component(file "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
            string(TOLOWER "${key}" flag)
            if(key STREQUAL "REPORT")
                set(flag "json")
            endif()
            list(APPEND cli "--${flag}" "${file}")
        elseif(key STREQUAL "SOFT")
            set(soft TRUE)
        elseif(key STREQUAL "MODEL")
            if(NOT args)
                message(FATAL_ERROR "${ctx}: MODEL needs a model name")
            endif()
            list(POP_FRONT args model)
            set(soft FALSE)
            if(NOT TARGET ${model})
                message(FATAL_ERROR "${ctx}: MODEL ${model} is not a tinyml_add_model() library")
            endif()
        else()
            if(NOT args)
                message(FATAL_ERROR "${ctx}: ${key} needs a size (e.g. 256KiB)")
            endif()
            list(POP_FRONT args size)
            if(model)
                if(NOT key IN_LIST model_keys)
                    string(JOIN ", " known ${model_keys})
                    message(FATAL_ERROR "${ctx}: MODEL ${model}: unknown budget ${key} "
                        "(known: ${known})")
                endif()
                string(TOLOWER "${key}" key)
                if(soft)
                    list(APPEND soft_models "${model}:${key}=${size}")
                else()
                    list(APPEND hard_models "${model}:${key}=${size}")
                endif()
            elseif(soft)
                list(APPEND cli --soft-budget "${key}=${size}")
            else()
                list(APPEND cli --budget "${key}=${size}")
            endif()
        endif()
    endwhile()
    foreach(spec IN LISTS hard_models)
        list(APPEND cli --model-budget "${spec}")
    endforeach()
    foreach(spec IN LISTS soft_models)
        list(APPEND cli --soft-model-budget "${spec}")
    endforeach()

    # The models are known only when the whole project is configured: finish then.
    set_property(TARGET ${executable} PROPERTY _TINYML_BUDGET_ARGS "${cli}")
    cmake_language(EVAL CODE "
        cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]]
            CALL _tinyml_finish_budget [[${executable}]])")
endfunction()

function(_tinyml_finish_budget executable)
    get_target_property(cli ${executable} _TINYML_BUDGET_ARGS)
    _tinyml_linked_models(${executable} models)
    set(manifests)
    foreach(m IN LISTS models)
        get_target_property(manifest ${m} TINYML_MANIFEST)
        list(APPEND manifests --manifest "${manifest}")
    endforeach()
    set(map "$<TARGET_FILE:${executable}>.map")
    target_link_options(${executable} PRIVATE "LINKER:-Map=${map}")
    add_custom_command(TARGET ${executable} POST_BUILD
        COMMAND "${TinyMLBuild_PYTHON}" -P -m tinyml_build size "$<TARGET_FILE:${executable}>"
                --map "${map}" ${manifests} ${cli} -q
        COMMENT "tinyml-build: checking the flash/RAM budget of ${executable}"
        VERBATIM)
endfunction()

cmake_policy(POP)
