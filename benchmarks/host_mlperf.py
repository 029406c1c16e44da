#!/usr/bin/env python3
"""MLPerf Tiny int8 models on the host: tinyml-build vs the TFLM interpreter, side by side.

Prints, per model: arena bytes (ours, TFLM's recorded total, TFLM's smallest working arena,
and the live-tensor lower bound), host latency per inference (our generated C at -O2 vs the
tflite-micro Python interpreter's invoke(), same inputs, median of repeated runs, CPU time),
and generation time (load -> C files on disk). Also checks the outputs are bit-exact.

    python benchmarks/host_mlperf.py [--models DIR] [--reps 200]

Needs the test extra (tflite-micro) and a host C compiler. Latency numbers depend on the
machine and its load; rerun to compare, and compare columns of one run with each other.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tinyml_build.compiler import CompileOptions, compile_model, write_outputs
from tinyml_build.hostbuild import STRICT_FLAGS, find_cc
from tinyml_build.validate import random_input

MODELS = {
    "KWS": "kws_ds_cnn_int8.tflite",
    "VWW": "vww_mobilenet_v1_025_int8.tflite",
    "IC": "ic_resnet8_int8.tflite",
    "AD": "ad_autoencoder_int8.tflite",
}

TIMING_MAIN = r"""
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "@NAME@.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    FILE *in = argc > 3 ? fopen(argv[1], "rb") : NULL;
    FILE *out = argc > 3 ? fopen(argv[2], "wb") : NULL;
    int reps = argc > 3 ? atoi(argv[3]) : 1, r;
    double *t = malloc(sizeof(double) * (size_t)reps);
    static unsigned char x[@UP@_INPUT0_BYTES];
    if (argc < 4 || !in || !out || !t || fread(x, 1, sizeof x, in) != sizeof x) {
        return 2;
    }
    /* the model reuses its input memory, so the input is written before every run */
    for (r = 0; r < 10; ++r) {
        memcpy(@NAME@_input(0), x, sizeof x);
        @NAME@_invoke();
    }
    for (r = 0; r < reps; ++r) {
        double t0;
        memcpy(@NAME@_input(0), x, sizeof x);
        t0 = now();
        @NAME@_invoke();
        t[r] = now() - t0;
    }
    qsort(t, (size_t)reps, sizeof(double), cmp);
    fwrite(@NAME@_output(0), 1, @NAME@_output_size(0), out);
    printf("%.3f\n", t[reps / 2]);
    return 0;
}
"""


@contextlib.contextmanager
def captured_fd2():
    """Capture what C++ code writes to file descriptor 2 (TFLM's allocation report)."""
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        saved = os.dup(2)
        os.dup2(tmp.fileno(), 2)
        box: dict[str, str] = {}
        try:
            yield box
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            box["text"] = tmp.read().decode(errors="replace")


def tflm_recorded_arena(data: bytes) -> int:
    from tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(data)
    with captured_fd2() as box:
        interp.print_allocations()
    match = re.search(r"Arena allocation total (\d+) bytes", box["text"])
    return int(match.group(1)) if match else -1


def tflm_min_arena(data: bytes, x: np.ndarray) -> int:
    """Smallest arena (to 8 bytes) with which TFLM allocates and invokes."""
    from tflite_micro import runtime

    def works(size: int) -> bool:
        with captured_fd2():
            try:
                interp = runtime.Interpreter.from_bytes(data, arena_size=size)
                interp.set_input(x, 0)
                interp.invoke()
                return True
            except RuntimeError:
                return False

    lo, hi = 0, 1 << 20
    while hi - lo > 8:
        mid = (lo + hi) // 2
        if works(mid):
            hi = mid
        else:
            lo = mid
    return hi


def tflm_latency(data: bytes, x: np.ndarray, reps: int) -> tuple[float, np.ndarray]:
    from tflite_micro import runtime

    interp = runtime.Interpreter.from_bytes(data)
    for _ in range(10):
        interp.set_input(x, 0)
        interp.invoke()
    times = []
    for _ in range(reps):
        interp.set_input(x, 0)
        t0 = time.thread_time()
        interp.invoke()
        times.append((time.thread_time() - t0) * 1e6)
    return statistics.median(times), np.array(interp.get_output(0))


def ours(path: Path, x: np.ndarray, reps: int, folder: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    result = compile_model(path, CompileOptions(target="host", name="model"))
    write_outputs(result, folder)
    gen_s = time.perf_counter() - t0
    main = folder / "timing_main.c"
    main.write_text(TIMING_MAIN.replace("@NAME@", "model").replace("@UP@", "MODEL"))
    m = result.manifest
    cmd = [*find_cc(), *STRICT_FLAGS, "-O2", f"-I{folder}",
           *[f"-I{d}" for d in m["include_dirs"] if d != "."],
           *[str(folder / s) for s in m["generated_sources"]], *m["kernel_sources"],
           str(main), "-o", str(folder / "timing")]
    subprocess.run(cmd, check=True)
    (folder / "in.bin").write_bytes(x.tobytes())
    proc = subprocess.run([str(folder / "timing"), str(folder / "in.bin"),
                           str(folder / "out.bin"), str(reps)],
                          check=True, capture_output=True, text=True)
    out = np.frombuffer((folder / "out.bin").read_bytes(), dtype=np.int8)
    return {"arena": m["arena_bytes"], "bound": m["plan"]["lower_bound"], "gen_s": gen_s,
            "us": float(proc.stdout.strip()), "out": out}


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path,
                        default=Path(os.environ.get("TINYML_MODELS_DIR",
                                                    here.parent.parent / "shared" / "models"
                                                    / "mlperf_tiny")))
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args(argv)
    if not (args.models / MODELS["KWS"]).is_file():
        print(f"MLPerf Tiny models not found in {args.models} (use --models)", file=sys.stderr)
        return 1

    rows = []
    for label, file in MODELS.items():
        path = args.models / file
        data = path.read_bytes()
        result = compile_model(path, CompileOptions(target="host"))
        t = result.graph.tensors[result.graph.inputs[0]]
        x = random_input(t, np.random.RandomState(0))
        with tempfile.TemporaryDirectory() as tmp:
            o = ours(path, x, args.reps, Path(tmp))
        tflm_us, tflm_out = tflm_latency(data, x, args.reps)
        rows.append({
            "model": label, "ops": len(result.graph.ops), "bound": o["bound"],
            "ours": o["arena"], "tflm": tflm_recorded_arena(data),
            "tflm_min": tflm_min_arena(data, x), "us": o["us"], "tflm_us": tflm_us,
            "gen_s": o["gen_s"],
            "exact": bool(np.array_equal(o["out"], tflm_out.reshape(-1))),
        })

    print("MLPerf Tiny int8 on the host (x86-64), tinyml-build vs tflite-micro interpreter")
    print(f"{'model':<5} {'ops':>3} | {'arena ours':>10} {'TFLM total':>10} {'TFLM min':>9} "
          f"{'bound':>7} | {'ours us':>8} {'TFLM us':>9} {'speed-up':>8} | {'gen s':>6} | exact")
    for r in rows:
        print(f"{r['model']:<5} {r['ops']:>3} | {r['ours']:>10,} {r['tflm']:>10,} "
              f"{r['tflm_min']:>9,} {r['bound']:>7,} | {r['us']:>8.1f} {r['tflm_us']:>9.1f} "
              f"{r['tflm_us'] / r['us']:>7.1f}x | {r['gen_s']:>6.2f} | {r['exact']}")
    print("arena: bytes of RAM for activations (+ TFLM's runtime structures in its total); "
          "latency: median CPU time per inference over "
          f"{args.reps} runs after 10 warm-up runs, same input (seed 0)")
    return 0 if all(r["exact"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
