"""Build generated models for the host with its own C compiler, and run them.

Used by `validate`, the tests and the benchmarks: writes a small harness that feeds inputs
from a file, runs <name>_invoke() and writes outputs (and, when traced, every op's output)
back, then compiles harness + generated sources + kernels as strict C99.
"""

from __future__ import annotations

import os
import shlex
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .compiler import CompileResult, write_outputs
from .errors import ToolchainError
from .ir import NUMPY_DTYPES

STRICT_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function")
SANITIZE_FLAGS = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g")

_HARNESS = r"""/* host harness written by tinyml-build: feeds inputs, runs, writes outputs */
#include <stdio.h>
#include <stdlib.h>
#include "@NAME@.h"

static FILE *trace_file;

void @NAME@_trace(size_t node, const void *data, size_t bytes)
{
    unsigned int header[2];
    if (!trace_file) {
        return;
    }
    header[0] = (unsigned int)node;
    header[1] = (unsigned int)bytes;
    fwrite(header, sizeof header, 1, trace_file);
    fwrite(data, 1, bytes, trace_file);
}

int main(int argc, char **argv)
{
    FILE *in, *out;
    long runs, r;
    size_t i;
    if (argc < 4) {
        fprintf(stderr, "usage: %s INPUTS OUTPUTS RUNS [TRACE]\n", argv[0]);
        return 2;
    }
    in = fopen(argv[1], "rb");
    out = fopen(argv[2], "wb");
    runs = strtol(argv[3], NULL, 10);
    trace_file = argc > 4 ? fopen(argv[4], "wb") : NULL;
    if (!in || !out || (argc > 4 && !trace_file)) {
        fprintf(stderr, "cannot open files\n");
        return 2;
    }
    for (r = 0; r < runs; ++r) {
        for (i = 0; i < @UP@_NUM_INPUTS; ++i) {
            if (fread(@NAME@_input(i), 1, @NAME@_input_size(i), in) != @NAME@_input_size(i)) {
                fprintf(stderr, "short input\n");
                return 2;
            }
        }
        if (@NAME@_invoke() != 0) {
            fprintf(stderr, "invoke failed\n");
            return 3;
        }
        for (i = 0; i < @UP@_NUM_OUTPUTS; ++i) {
            fwrite(@NAME@_output(i), 1, @NAME@_output_size(i), out);
        }
    }
    fclose(in);
    fclose(out);
    if (trace_file) {
        fclose(trace_file);
    }
    return 0;
}
"""


def find_cc(cc: str | None = None) -> list[str]:
    """The host C compiler command: explicit, $CC, or cc/gcc/clang on PATH."""
    candidates = [cc] if cc else ([os.environ["CC"]] if os.environ.get("CC") else [])
    candidates += ["cc", "gcc", "clang"]
    for cand in candidates:
        if not cand:
            continue
        parts = shlex.split(cand)
        if shutil.which(parts[0]):
            return parts
    raise ToolchainError(
        "no host C compiler found (tried $CC, cc, gcc, clang)",
        hint="install one, e.g. `apt-get install gcc`, or pass --cc",
    )


@dataclass
class HostProgram:
    result: CompileResult
    folder: Path
    binary: Path

    def run(self, inputs: list[list[np.ndarray]], trace: bool = False,
            timeout: float = 600) -> tuple[list[list[np.ndarray]], list[tuple[int, bytes]]]:
        """Run the model on each input set; return outputs per run and the op trace."""
        graph = self.result.graph
        in_path = self.folder / "inputs.bin"
        out_path = self.folder / "outputs.bin"
        trace_path = self.folder / "trace.bin"
        with open(in_path, "wb") as f:
            for run in inputs:
                for name, arr in zip(graph.inputs, run, strict=True):
                    t = graph.tensors[name]
                    f.write(np.ascontiguousarray(arr, dtype=NUMPY_DTYPES[t.dtype]).tobytes())
        cmd = [str(self.binary), str(in_path), str(out_path), str(len(inputs))]
        if trace:
            cmd.append(str(trace_path))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise ToolchainError(
                f"the generated program failed (exit {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[:2000]}"
            )
        raw = out_path.read_bytes()
        outputs: list[list[np.ndarray]] = []
        pos = 0
        for _ in inputs:
            run_out = []
            for name in graph.outputs:
                t = graph.tensors[name]
                arr = np.frombuffer(raw[pos:pos + t.nbytes], dtype=NUMPY_DTYPES[t.dtype])
                run_out.append(arr.reshape(t.shape).copy())
                pos += t.nbytes
            outputs.append(run_out)
        records: list[tuple[int, bytes]] = []
        if trace:
            data = trace_path.read_bytes()
            pos = 0
            while pos < len(data):
                node, size = struct.unpack_from("II", data, pos)
                pos += 8
                records.append((node, data[pos:pos + size]))
                pos += size
        return outputs, records


def build_host_program(
    result: CompileResult,
    folder: Path,
    cc: str | None = None,
    opt: str = "-O2",
    sanitize: bool = False,
    extra_flags: tuple[str, ...] = (),
) -> HostProgram:
    """Write the generated files and a harness into folder and compile them strictly."""
    folder.mkdir(parents=True, exist_ok=True)
    write_outputs(result, folder)
    name = result.graph.name
    harness = folder / f"{name}_harness.c"
    harness.write_text(_HARNESS.replace("@NAME@", name).replace("@UP@", name.upper()))
    manifest = result.manifest
    sources = [folder / s for s in manifest["generated_sources"]]
    sources += [Path(s) for s in manifest["kernel_sources"]]
    includes = [f"-I{folder}"] + [f"-I{d}" for d in manifest["include_dirs"] if d != "."]
    defines = [f"-D{d}" for d in manifest["defines"]] + [f"-D{name.upper()}_TRACE"]
    binary = folder / f"{name}_host"
    cmd = [*find_cc(cc), *STRICT_FLAGS, opt, *includes, *defines]
    if sanitize:
        cmd += list(SANITIZE_FLAGS)
    cmd += list(extra_flags)
    cmd += [str(s) for s in sources] + [str(harness), "-o", str(binary)]
    cmd += [f"-l{lib}" for lib in manifest.get("libraries", [])]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolchainError(
            f"compiling the generated C for the host failed:\n{proc.stderr.strip()[:4000]}",
            hint="this is a tinyml-build bug if the model compiled; please report it",
        )
    return HostProgram(result, folder, binary)
