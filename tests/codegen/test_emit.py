"""Generated code: prefixed symbols, several models in one program, const/aligned data."""

from __future__ import annotations

import re
import subprocess

import numpy as np

from tests.support.models import small_cnn
from tinyml_build.compiler import CompileOptions, compile_model, write_outputs
from tinyml_build.hostbuild import STRICT_FLAGS, find_cc
from tinyml_build.reference_runtime import TflmRuntime

TWO_MODELS_MAIN = r"""
#include <stdio.h>
#include <string.h>
#include "alpha.h"
#include "beta.h"
int main(void)
{
    FILE *in = fopen("inputs.bin", "rb");
    FILE *out = fopen("outputs.bin", "wb");
    if (!in || !out) return 2;
    if (fread(alpha_input(0), 1, alpha_input_size(0), in) != ALPHA_INPUT0_BYTES) return 2;
    if (fread(beta_input(0), 1, beta_input_size(0), in) != BETA_INPUT0_BYTES) return 2;
    if (alpha_invoke() != 0 || beta_invoke() != 0) return 3;
    fwrite(alpha_output(0), 1, alpha_output_size(0), out);
    fwrite(beta_output(0), 1, beta_output_size(0), out);
    fclose(in);
    fclose(out);
    return alpha_input(1) == NULL && beta_output_size(7) == 0 ? 0 : 4;
}
"""


def test_every_external_symbol_carries_the_prefix(tmp_path):
    path = tmp_path / "m.tflite"
    path.write_bytes(small_cnn())
    result = compile_model(path, CompileOptions(name="kws"))
    for name in ("kws.c", "kws_weights.c", "kws_data.h"):
        text = result.files[name]
        for sym in re.findall(r"^(?:extern )?(?:const )?[a-z0-9_]+ \**(\w+)\s*[\[(]", text, re.M):
            assert sym.startswith("kws_"), f"{name}: {sym}"
    assert "TML_ALIGNED(16)" in result.files["kws_weights.c"]
    assert re.search(r"^const int8_t kws_c\d+\[", result.files["kws_weights.c"], re.M)


def test_two_models_link_and_run_side_by_side(tmp_path):
    src = tmp_path / "m.tflite"
    src.write_bytes(small_cnn(seed=1))
    src2 = tmp_path / "m2.tflite"
    src2.write_bytes(small_cnn(seed=2))
    results = []
    for model, name in ((src, "alpha"), (src2, "beta")):
        r = compile_model(model, CompileOptions(name=name))
        write_outputs(r, tmp_path / "gen")
        results.append(r)
    kernels = sorted({s for r in results for s in r.manifest["kernel_sources"]})
    includes = {d for r in results for d in r.manifest["include_dirs"] if d != "."}
    main = tmp_path / "main.c"
    main.write_text(TWO_MODELS_MAIN)
    sources = [str(tmp_path / "gen" / f) for r in results for f in r.manifest["generated_sources"]]
    cmd = [*find_cc(), *STRICT_FLAGS, "-O1", f"-I{tmp_path / 'gen'}",
           *[f"-I{d}" for d in sorted(includes)], *sources, *kernels, str(main),
           "-o", str(tmp_path / "both")]
    subprocess.run(cmd, check=True, capture_output=True)
    rng = np.random.RandomState(3)
    xa = rng.randint(-128, 128, (1, 8, 8, 3)).astype(np.int8)
    xb = rng.randint(-128, 128, (1, 8, 8, 3)).astype(np.int8)
    (tmp_path / "inputs.bin").write_bytes(xa.tobytes() + xb.tobytes())
    subprocess.run([str(tmp_path / "both")], check=True, cwd=tmp_path)
    out = np.frombuffer((tmp_path / "outputs.bin").read_bytes(), dtype=np.int8)
    ref_a = TflmRuntime(src, results[0].graph).run([xa])[0].reshape(-1)
    ref_b = TflmRuntime(src2, results[1].graph).run([xb])[0].reshape(-1)
    assert np.array_equal(out[:4], ref_a) and np.array_equal(out[4:], ref_b)
