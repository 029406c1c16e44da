"""Build many compiled models into one host program (one C compile for a whole suite).

Each model keeps its own prefix, so their generated sources link side by side; the shared
kernel sources are compiled once. The program's first argument picks the model; inputs and
outputs go through files in the format of tinyml_build.hostbuild's single-model harness.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyml_build.compiler import CompileResult, write_outputs
from tinyml_build.errors import ToolchainError
from tinyml_build.hostbuild import SANITIZE_FLAGS, STRICT_FLAGS, find_cc
from tinyml_build.ir import NUMPY_DTYPES

_HARNESS_HEAD = r"""/* multi-model host harness written by the tinyml-build tests */
#include <stdio.h>
#include <stdlib.h>
"""

_HARNESS_BODY = r"""
typedef struct {
    int (*invoke)(void);
    void *(*input)(size_t);
    const void *(*output)(size_t);
    size_t (*input_size)(size_t);
    size_t (*output_size)(size_t);
    size_t num_inputs, num_outputs;
} model_t;

static const model_t models[] = {
@TABLE@
};

int main(int argc, char **argv)
{
    FILE *in, *out;
    const model_t *m;
    long index;
    size_t i;
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL INPUTS OUTPUTS\n", argv[0]);
        return 2;
    }
    index = strtol(argv[1], NULL, 10);
    if (index < 0 || index >= (long)(sizeof models / sizeof models[0])) {
        fprintf(stderr, "no model %ld\n", index);
        return 2;
    }
    m = &models[index];
    in = fopen(argv[2], "rb");
    out = fopen(argv[3], "wb");
    if (!in || !out) {
        fprintf(stderr, "cannot open files\n");
        return 2;
    }
    for (i = 0; i < m->num_inputs; ++i) {
        if (fread(m->input(i), 1, m->input_size(i), in) != m->input_size(i)) {
            fprintf(stderr, "short input\n");
            return 2;
        }
    }
    if (m->invoke() != 0) {
        fprintf(stderr, "invoke failed\n");
        return 3;
    }
    for (i = 0; i < m->num_outputs; ++i) {
        fwrite(m->output(i), 1, m->output_size(i), out);
    }
    fclose(in);
    fclose(out);
    return 0;
}
"""


def sanitizer_flags(folder: Path) -> tuple[str, ...]:
    """ASan/UBSan flags when the host compiler can link them, else none."""
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / "probe.c"
    probe.write_text("int main(void) { return 0; }\n")
    proc = subprocess.run([*find_cc(), *SANITIZE_FLAGS, str(probe), "-o",
                           str(folder / "probe")], capture_output=True)
    return tuple(SANITIZE_FLAGS) if proc.returncode == 0 else ()


@dataclass
class MultiProgram:
    binary: Path
    folder: Path
    results: list[CompileResult]

    def run(self, index: int, inputs: list[np.ndarray], timeout: float = 60) -> list[np.ndarray]:
        graph = self.results[index].graph
        in_path = self.folder / f"in_{index}.bin"
        out_path = self.folder / f"out_{index}.bin"
        with open(in_path, "wb") as f:
            for name, arr in zip(graph.inputs, inputs, strict=True):
                t = graph.tensors[name]
                f.write(np.ascontiguousarray(arr, dtype=NUMPY_DTYPES[t.dtype]).tobytes())
        proc = subprocess.run([str(self.binary), str(index), str(in_path), str(out_path)],
                              capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise ToolchainError(f"model {index} failed (exit {proc.returncode}): "
                                 f"{(proc.stderr or proc.stdout).strip()[:500]}")
        raw = out_path.read_bytes()
        outputs, pos = [], 0
        for name in graph.outputs:
            t = graph.tensors[name]
            outputs.append(np.frombuffer(raw[pos:pos + t.nbytes], dtype=NUMPY_DTYPES[t.dtype])
                           .reshape(t.shape).copy())
            pos += t.nbytes
        return outputs


def build_many(results: list[CompileResult], folder: Path, opt: str = "-O1",
               jobs: int = 2, extra_flags: tuple[str, ...] = ()) -> MultiProgram:
    """Write every model's files into `folder` and compile them into one program."""
    folder.mkdir(parents=True, exist_ok=True)
    sources: list[Path] = []
    kernels: list[Path] = []
    includes: list[str] = [f"-I{folder}"]
    headers, table = [], []
    for r in results:
        write_outputs(r, folder)
        name = r.graph.name
        sources += [folder / s for s in r.manifest["generated_sources"]]
        for k in r.manifest["kernel_sources"]:
            if Path(k) not in kernels:
                kernels.append(Path(k))
        for d in r.manifest["include_dirs"]:
            flag = f"-I{d}"
            if d != "." and flag not in includes:
                includes.append(flag)
        headers.append(f'#include "{name}.h"')
        up = name.upper()
        table.append(f"    {{{name}_invoke, {name}_input, {name}_output, {name}_input_size, "
                     f"{name}_output_size, {up}_NUM_INPUTS, {up}_NUM_OUTPUTS}},")
    harness = folder / "multi_harness.c"
    harness.write_text(_HARNESS_HEAD + "\n".join(headers) + "\n" +
                       _HARNESS_BODY.replace("@TABLE@", "\n".join(table)))
    all_sources = sources + kernels + [harness]
    cc = find_cc()
    base = [*cc, *STRICT_FLAGS, opt, *includes, *extra_flags, "-c"]
    chunks = [all_sources[i::jobs] for i in range(jobs)]
    objdirs = [folder / f"obj{i}" for i in range(jobs)]

    def compile_chunk(i: int) -> subprocess.CompletedProcess:
        objdirs[i].mkdir(exist_ok=True)
        return subprocess.run(base + [str(s.resolve()) for s in chunks[i]], cwd=objdirs[i],
                              capture_output=True, text=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        procs = list(pool.map(compile_chunk, range(jobs)))
    for proc in procs:
        if proc.returncode != 0:
            raise ToolchainError(f"compiling the generated C failed:\n{proc.stderr[:4000]}")
    objects = [str(o) for d in objdirs for o in sorted(d.glob("*.o"))]
    binary = folder / "multi_host"
    proc = subprocess.run([*cc, *objects, "-o", str(binary), "-lm", *extra_flags],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolchainError(f"linking failed:\n{proc.stderr[:4000]}")
    return MultiProgram(binary, folder, results)
