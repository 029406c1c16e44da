"""What a build system needs from tinyml-build besides the generated files.

The CMake config package (cmake/TinyMLBuildConfig.cmake), and later the Zephyr and ESP-IDF
modules, call this module with the build's own Python:

* ``locate``: where this installation's CMake files are, and its version. CMake accepts an
  interpreter only if it imports the tinyml_build that owns the config being loaded, so the
  generator can never be a different installation from the CMake functions (version lock).
* ``cmake``: for one target, back end and options file, at configure time: the target's
  compiler flags and memory, the kernel libraries to build (one per back end, every kernel
  source of the target: archive semantics and --gc-sections keep only what a model calls),
  the generator's own source files (the custom command DEPENDS on them, as nanopb does) and
  the names of the files a model generates. Written as a CMake script of set() commands.
* ``generate``: at build time, checks the version lock again, runs ``compile`` and checks
  that every kernel source the model needs is in the kernel library CMake configured.

Errors are one line, ``tinyml-build: error: ...``, exit status 1, as in the CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import TinymlError

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_FILE = "TinyMLBuildConfig.cmake"


def cmake_dir() -> Path:
    """The folder holding TinyMLBuildConfig.cmake.

    An installed wheel carries it as package data (tinyml_build/cmake); a source checkout
    (editable install, add_subdirectory, FetchContent) has it at the repository root.
    """
    for candidate in (PACKAGE_DIR / "cmake", PACKAGE_DIR.parent / "cmake"):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise TinymlError(f"{CONFIG_FILE} is missing from this installation ({PACKAGE_DIR})",
                      hint="reinstall tinyml-build")


def generated_files(name: str) -> dict[str, list[str]]:
    """Files `compile --name <name>` writes, by role (codegen/emit.py and manifest.py)."""
    return {
        "sources": [f"{name}.c", f"{name}_weights.c"],
        "headers": [f"{name}.h", f"{name}_data.h"],
        "manifest": [f"{name}.json"],
    }


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def generator_files(plugins) -> list[Path]:  # plugins: tinyml_build.plugins.Plugins
    """The Python sources whose change can change generated code: the core and each plugin."""
    files = _py_files(PACKAGE_DIR)
    for plugin in plugins.pm.get_plugins():
        module_file = getattr(plugin, "__file__", None)
        if not module_file:
            continue
        path = Path(module_file).resolve()
        extra = _py_files(path.parent) if path.name == "__init__.py" else [path]
        files += [p for p in extra if p not in files]
    return files


@dataclass
class KernelLibrary:
    """Every kernel source of one back end for one target: one static library per build."""

    backend: str
    sources: list[Path] = field(default_factory=list)
    include_dirs: list[Path] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)
    libraries: list[str] = field(default_factory=list)


def kernel_libraries(plugins, target) -> list[KernelLibrary]:
    """One library per back end offering kernels for `target`, the fallback one first.

    A source file named by kernels of several back ends goes into the fallback library when
    a fallback kernel names it (every model links that one), else into the first back end
    naming it, so no object is compiled twice.
    """
    from .kernels import KERNEL_DIR
    from .lowering import FALLBACK_BACKEND

    kernels = plugins.kernels(target)
    backends = [FALLBACK_BACKEND, *sorted({k.backend for k in kernels} - {FALLBACK_BACKEND})]
    libs = {b: KernelLibrary(b) for b in backends}
    libs[FALLBACK_BACKEND].include_dirs.append(KERNEL_DIR)
    owner: dict[Path, str] = {}
    for kernel in sorted(kernels, key=lambda k: (backends.index(k.backend), k.name)):
        lib = libs[kernel.backend]
        for src in kernel.sources:
            src = Path(src).resolve()
            if src not in owner:
                owner[src] = kernel.backend
                lib.sources.append(src)
        for inc in kernel.include_dirs:
            if Path(inc) not in lib.include_dirs:
                lib.include_dirs.append(Path(inc))
        for d in kernel.defines:
            if d not in lib.defines:
                lib.defines.append(d)
        for name in kernel.libraries:
            if name not in lib.libraries:
                lib.libraries.append(name)
    for lib in libs.values():
        lib.sources.sort()
    return list(libs.values())


# -- CMake output ---------------------------------------------------------------------------

_UNSAFE = re.compile(r"[;\n\r]")


def _cmake_escape(value: str) -> str:
    if _UNSAFE.search(value):
        raise TinymlError(f"'{value}' contains ';' or a newline, which CMake cannot pass on",
                          hint="rename or move the file")
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")


def _cmake_set(var: str, value: object) -> str:
    """set(VAR "value") for a string, or a ;-separated list for a list of strings."""
    items = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    return f'set({var} "{";".join(_cmake_escape(i) for i in items)}")'


def cmake_key(name: str) -> str:
    """A back end or target name as part of a CMake variable or target name."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def cmake_script(target_name: str, backend: str | None, options: Path | None,
                 name: str | None) -> str:
    """The configure-time answer for one tinyml_add_model() call, as CMake set() commands."""
    from .lowering import backend_order
    from .options_file import load_options
    from .plugins import load_plugins

    plugins = load_plugins()
    target = plugins.target(target_name)
    if backend is None and options is not None:
        backend = load_options(options).backend
    order = backend_order(target, backend)
    libs = kernel_libraries(plugins, target)
    lines = [
        f"# written by tinyml-build {__version__} (python -m tinyml_build.buildinfo cmake)",
        _cmake_set("TINYML_Q_VERSION", __version__),
        _cmake_set("TINYML_Q_CMAKE_DIR", cmake_dir().as_posix()),
        _cmake_set("TINYML_Q_TARGET", target.name),
        _cmake_set("TINYML_Q_TARGET_KEY", cmake_key(target.name)),
        _cmake_set("TINYML_Q_ARCH", target.arch),
        _cmake_set("TINYML_Q_CPU", target.cpu),
        _cmake_set("TINYML_Q_C_FLAGS", list(target.c_flags)),
        _cmake_set("TINYML_Q_TOOLCHAIN_PREFIX", target.toolchain_prefix),
        _cmake_set("TINYML_Q_MEMORY", [f"{m.name}:{m.kind}:{m.origin:#x}:{m.length:#x}"
                                       for m in target.memory]),
        _cmake_set("TINYML_Q_BACKEND", order[0]),
        _cmake_set("TINYML_Q_LINK_BACKENDS", [cmake_key(b) for b in order
                                              if any(lib.backend == b for lib in libs)]),
        _cmake_set("TINYML_Q_KERNEL_LIBS", [cmake_key(lib.backend) for lib in libs]),
    ]
    for lib in libs:
        key = cmake_key(lib.backend)
        lines += [
            _cmake_set(f"TINYML_Q_KERNELS_{key}_BACKEND", lib.backend),
            _cmake_set(f"TINYML_Q_KERNELS_{key}_SOURCES", [s.as_posix() for s in lib.sources]),
            _cmake_set(f"TINYML_Q_KERNELS_{key}_INCLUDE_DIRS",
                       [d.as_posix() for d in lib.include_dirs]),
            _cmake_set(f"TINYML_Q_KERNELS_{key}_DEFINES", lib.defines),
            _cmake_set(f"TINYML_Q_KERNELS_{key}_LIBRARIES", lib.libraries),
        ]
    lines.append(_cmake_set("TINYML_Q_GENERATOR_FILES",
                            [p.as_posix() for p in generator_files(plugins)]))
    if name is not None:
        files = generated_files(name)
        lines += [
            _cmake_set("TINYML_Q_GENERATED_SOURCES", files["sources"]),
            _cmake_set("TINYML_Q_GENERATED_HEADERS", files["headers"]),
            _cmake_set("TINYML_Q_GENERATED_MANIFEST", files["manifest"][0]),
        ]
    return "\n".join(lines) + "\n"


# -- commands -------------------------------------------------------------------------------

def _same_dir(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_lock(config_dir: Path) -> None:
    """Fail unless this tinyml_build owns the CMake config the build was configured with."""
    mine = cmake_dir()
    if not _same_dir(mine, config_dir):
        raise TinymlError(
            f"{sys.executable} imports tinyml-build {__version__} from {PACKAGE_DIR}, "
            f"whose CMake files are in {mine}, but this build was configured with {config_dir}",
            hint="re-run cmake, or point TINYML_BUILD_PYTHON at the matching interpreter",
        )


def cmd_locate(args: argparse.Namespace) -> int:
    print(cmake_dir())
    print(__version__)
    print(sys.executable)
    return 0


def cmd_cmake(args: argparse.Namespace) -> int:
    text = cmake_script(args.target, args.backend, args.options, args.name)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if not args.out.is_file() or args.out.read_text(encoding="utf-8") != text:
            args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from .cli import main as cli_main

    check_lock(args.config_dir)
    allowed = set(args.kernel_list.read_text(encoding="utf-8").split("\n")) - {""}
    status = cli_main(["compile", *args.compile_args, "--quiet"])
    if status != 0:
        return status
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    missing = [s for s in manifest["kernel_sources"] if Path(s).resolve().as_posix() not in allowed]
    if missing:
        folder = args.manifest.parent
        for role in generated_files(manifest["name"]).values():
            for f in role:
                (folder / f).unlink(missing_ok=True)
        raise TinymlError(
            f"model '{manifest['name']}' needs kernel source {missing[0]}, which is not in the "
            "kernel library this build was configured with (the plugins changed)",
            hint="re-run cmake",
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tinyml_build.buildinfo",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("locate", help="print the CMake folder, the version and the interpreter")
    p.set_defaults(func=cmd_locate)
    p = sub.add_parser("cmake", help="configure-time facts for one model, as CMake set()s")
    p.add_argument("--target", required=True)
    p.add_argument("--backend")
    p.add_argument("--options", type=Path)
    p.add_argument("--name", help="the model's C prefix (adds its generated file names)")
    p.add_argument("--out", type=Path, help="write here (only if changed) instead of stdout")
    p.set_defaults(func=cmd_cmake)
    p = sub.add_parser("generate", help="build-time: version lock, compile, kernel check")
    p.add_argument("--config-dir", type=Path, required=True)
    p.add_argument("--kernel-list", type=Path, required=True,
                   help="file listing the configured kernel sources, one per line")
    p.add_argument("--manifest", type=Path, required=True, help="the manifest compile writes")
    p.add_argument("compile_args", nargs=argparse.REMAINDER,
                   help="-- then the arguments of `tinyml-build compile`")
    p.set_defaults(func=cmd_generate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "compile_args", None) and args.compile_args[0] == "--":
        args.compile_args = args.compile_args[1:]
    try:
        return int(args.func(args))
    except TinymlError as exc:
        print(f"tinyml-build: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
