"""tml_common.h's integer helpers against gemmlowp's definitions and quant.py's emulation."""

from __future__ import annotations

import subprocess

import numpy as np

from tinyml_build import quant
from tinyml_build.hostbuild import STRICT_FLAGS, find_cc
from tinyml_build.kernels import KERNEL_DIR

PROGRAM = r"""
#include <stdio.h>
#include "tml_common.h"

/* gemmlowp's SaturatingRoundingDoublingHighMul, written as it defines it */
static int32_t gemmlowp_srdhm(int32_t a, int32_t b)
{
    int overflow = a == b && a == INT32_MIN;
    int64_t ab = (int64_t)a * (int64_t)b;
    int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    int32_t r = (int32_t)((ab + nudge) / ((int64_t)1 << 31));
    return overflow ? INT32_MAX : r;
}

int main(void)
{
    long a, b, m, s;
    while (scanf("%ld %ld %ld %ld", &a, &b, &m, &s) == 4) {
        int32_t x = (int32_t)a, y = (int32_t)b;
        printf("%d %d %d\n", tml_srdhm(x, y) == gemmlowp_srdhm(x, y),
               tml_requantize(x, (int32_t)m, (int32_t)s), tml_rdbpot(x, (int32_t)(s < 0 ? -s : s)));
    }
    return 0;
}
"""


def test_helpers_match_gemmlowp_and_tflite(tmp_path):
    src = tmp_path / "t.c"
    src.write_text(PROGRAM)
    exe = tmp_path / "t"
    subprocess.run([*find_cc(), *STRICT_FLAGS, "-O2", f"-I{KERNEL_DIR}", str(src), "-o", str(exe),
                    "-fsanitize=undefined", "-fno-sanitize-recover=all"], check=True)
    rng = np.random.RandomState(5)
    cases = []
    edge = [0, 1, -1, 2, -2, (1 << 30), -(1 << 30), quant.INT32_MAX, quant.INT32_MIN,
            (1 << 30) + 1, -(1 << 30) - 1]
    for a in edge:
        for b in edge:
            cases.append((a, b, 1 << 30, 0))
    for _ in range(20000):
        a = int(rng.randint(quant.INT32_MIN, quant.INT32_MAX, dtype=np.int64))
        b = int(rng.randint(quant.INT32_MIN, quant.INT32_MAX, dtype=np.int64))
        real = float(10 ** rng.uniform(-6, 1.2))
        m, s = quant.quantize_multiplier(real)
        x = int(rng.randint(-(1 << 24), 1 << 24)) if s > 0 else a
        cases.append((x, b, m, s))
    text = "\n".join(f"{a} {b} {m} {s}" for a, b, m, s in cases) + "\n"
    out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True)
    for (a, _b, m, s), line in zip(cases, out.stdout.splitlines(), strict=True):
        same, req, rdb = (int(v) for v in line.split())
        assert same == 1
        assert req == quant.multiply_by_quantized_multiplier(a, m, s)
        assert rdb == quant.rdbpot(a, abs(s))
