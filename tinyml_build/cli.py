"""The `tinyml-build` command: argument parsing only; each subcommand calls one function.

Errors the user can fix print one line, `tinyml-build: error: ...`, and exit 1; bad usage
exits 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import TinymlError

PROG = "tinyml-build"


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def _add_compile_options(p: argparse.ArgumentParser, target_default: str | None) -> None:
    p.add_argument("model", type=Path, help="the .tflite (or .onnx) model file")
    p.add_argument("--target", default=target_default, required=target_default is None,
                   help="target to compile for (see `tinyml-build plugins`)")
    p.add_argument("--backend", help="kernel back end (default: the target's preferred one)")
    p.add_argument("--name", help="C prefix of every symbol (default: the file name)")
    p.add_argument("--arena-section", help="linker section for the activation arena")
    p.add_argument("--weights-section", help="linker section for weights and tables")
    p.add_argument("--alignment", type=int, default=None,
                   help="alignment of arena buffers in bytes (power of two, default 16)")
    p.add_argument("--options", type=Path,
                   help="a .tinyml.toml options file; options given here take precedence")
    _add_freeze_option(p)


def _add_freeze_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--freeze", action="append", default=[], metavar="NAME=FILE.npy",
                   help="compile ONNX graph input NAME as a constant with the value in "
                        "FILE.npy (repeatable); for inputs such as a Reshape's shape")


def _freeze(specs: list[str]) -> dict:
    """--freeze NAME=FILE.npy options -> {name: array}."""
    from .freeze import load_freeze_specs

    return load_freeze_specs(specs)


def _compile_options(args: argparse.Namespace):  # -> CompileOptions
    from .compiler import CompileOptions
    from .options_file import ModelOptions, load_options

    file = load_options(args.options) if args.options else ModelOptions()

    def pick(given, from_file, default=None):
        return given if given is not None else (from_file if from_file is not None else default)

    return CompileOptions(
        target=args.target,
        backend=pick(args.backend, file.backend),
        name=pick(args.name, file.name),
        arena_section=pick(args.arena_section, file.arena_section),
        weights_section=pick(args.weights_section, file.weights_section),
        alignment=pick(args.alignment, file.alignment, 16),
        freeze=_freeze(args.freeze),
    )


def cmd_compile(args: argparse.Namespace) -> int:
    from .compiler import compile_model, write_outputs

    result = compile_model(args.model, _compile_options(args))
    written = write_outputs(result, args.out)
    if not args.quiet:
        m = result.manifest
        print(
            f"{result.graph.name}: {len(result.graph.ops)} ops, arena {m['arena_bytes']} B "
            f"(lower bound {m['plan']['lower_bound']} B), weights and tables "
            f"{m['sizes']['weights_bytes'] + m['sizes']['derived_bytes']} B -> "
            f"{len(written)} files in {args.out}"
        )
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .compiler import compile_model
    from .report import inspect_text, lifetimes_svg, write_text_atomic

    result = compile_model(args.model, _compile_options(args))
    print(inspect_text(result), end="")
    if args.svg:
        write_text_atomic(args.svg, lifetimes_svg(result))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import ValidateOptions, validate_model

    report = validate_model(
        args.model,
        ValidateOptions(
            runs=args.runs,
            seed=args.seed,
            inputs=args.inputs,
            cc=args.cc,
            name=args.name,
            keep=args.keep,
            sanitize=args.sanitize,
            freeze=_freeze(args.freeze),
        ),
    )
    print(report.summary(), end="")
    if not report.ok:
        return _error(report.failure_line())
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    from .plugins import load_plugins

    plugins = load_plugins()
    print("plugins:")
    for info in plugins.list():
        dist = f"{info.distribution} {info.version}".strip()
        print(f"  {info.name:<12} {info.module}  {dist}")
    print("targets:")
    for target in plugins.targets().values():
        print(f"  {target.name:<14} [{', '.join(target.backends)}] {target.description} "
              f"(plugin {target.plugin})")
        if args.kernels:
            for kernel in plugins.kernels(target):
                print(f"      {kernel.name:<36} op {kernel.op:<18} {kernel.backend}")
    return 0


def cmd_size(args: argparse.Namespace) -> int:
    from .size.run import SizeOptions, run_size

    outcome = run_size(SizeOptions(
        elf=args.elf,
        map=args.map,
        budgets=args.budget,
        soft_budgets=args.soft_budget,
        model_budgets=args.model_budget,
        soft_model_budgets=args.soft_model_budget,
        manifests=args.manifest,
        json_out=args.json,
        markdown_out=args.markdown,
        baseline=args.baseline,
        top=args.top,
    ))
    if not args.quiet:
        print(outcome.table, end="")
    for warning in outcome.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    return _error(outcome.error) if outcome.error else 0


def cmd_cmake_dir(args: argparse.Namespace) -> int:
    from .buildinfo import cmake_dir

    print(cmake_dir())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Compile TFLite/ONNX models ahead of time into plain C for microcontrollers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("compile", help="generate C sources and a manifest for a model")
    _add_compile_options(p, target_default=None)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("inspect", help="show ops, shapes, MACs, kernels and the arena plan")
    _add_compile_options(p, target_default="host")
    p.add_argument("--svg", type=Path, help="also draw tensor lifetimes vs arena offsets")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("validate",
                       help="compile for the host, run, and compare with the reference runtime")
    p.add_argument("model", type=Path)
    p.add_argument("--runs", type=int, default=10, help="random inputs to try (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed of the first random input")
    p.add_argument("--inputs", type=Path, nargs="*", help=".npy files, one per model input")
    p.add_argument("--cc", default=None, help="host C compiler (default: $CC or cc)")
    p.add_argument("--name", help="C prefix (default: the file name)")
    p.add_argument("--keep", type=Path, help="keep the generated sources and binary here")
    p.add_argument("--sanitize", action="store_true",
                   help="build with AddressSanitizer and UndefinedBehaviorSanitizer")
    _add_freeze_option(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("size", help="flash/RAM per region, section, object and model; budgets")
    p.add_argument("elf", type=Path, metavar="ELF", help="the linked firmware")
    p.add_argument("--map", type=Path, help="its GNU ld map (default: ELF.map or ELF with .map)")
    p.add_argument("--budget", action="extend", nargs="+", default=[], metavar="REGION=SIZE",
                   help="hard limit: fail when the region uses more (256KiB, 0x40000, 90%%)")
    p.add_argument("--soft-budget", action="extend", nargs="+", default=[],
                   metavar="REGION=SIZE", help="soft limit: warn when the region uses more")
    p.add_argument("--model-budget", action="extend", nargs="+", default=[],
                   metavar="NAME:flash=SIZE,ram=SIZE",
                   help="hard limit on a model's flash, ram, weights, tables, kernels, arena, code")
    p.add_argument("--soft-model-budget", action="extend", nargs="+", default=[],
                   metavar="NAME:flash=SIZE,ram=SIZE", help="soft limit on a model's figures")
    p.add_argument("--manifest", action="extend", nargs="+", default=[], type=Path,
                   metavar="MANIFEST.json", help="<name>.json of a model linked into the firmware")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the report as JSON")
    p.add_argument("--markdown", type=Path, metavar="OUT", help="write a Markdown summary")
    p.add_argument("--baseline", type=Path, metavar="OLD.json",
                   help="a JSON report of an earlier build: show and judge deltas")
    p.add_argument("--top", type=int, default=10, help="contributors listed per region")
    p.add_argument("-q", "--quiet", action="store_true", help="print no table")
    p.set_defaults(func=cmd_size)

    p = sub.add_parser("plugins", help="list plugins, targets and kernels")
    p.add_argument("--kernels", action="store_true", help="also list every kernel")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("cmake-dir",
                       help="print the folder of TinyMLBuildConfig.cmake (for TinyMLBuild_DIR)")
    p.set_defaults(func=cmd_cmake_dir)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except TinymlError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        return _error("interrupted")


if __name__ == "__main__":
    sys.exit(main())
