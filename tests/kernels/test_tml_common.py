"""tml_common.h: integer helpers against gemmlowp and quant.py, and the index walker."""

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


WALK_PROGRAM = r"""
#include <stdio.h>
#include "tml_common.h"

int main(void)
{
    int32_t dims[TML_MAX_DIMS], sa[TML_MAX_DIMS], sb[TML_MAX_DIMS];
    int rank, with_b, d;
    while (scanf("%d %d", &rank, &with_b) == 2) {
        tml_walk w;
        for (d = 0; d < rank; ++d) {
            if (scanf("%d %d %d", &dims[d], &sa[d], &sb[d]) != 3) {
                return 1;
            }
        }
        for (tml_walk_start(&w, rank, dims, sa, with_b ? sb : NULL); w.left > 0;
             tml_walk_next(&w)) {
            printf("%ld %ld ", (long)w.a, (long)w.b);
        }
        printf("\n");
    }
    return 0;
}
"""


def test_walk_visits_every_index_in_row_major_order(tmp_path):
    """tml_walk's offsets are those of nested loops over dims, with zero and negative
    strides and empty dimensions; without b_strides the b offset stays 0."""
    src = tmp_path / "walk.c"
    src.write_text(WALK_PROGRAM)
    exe = tmp_path / "walk"
    subprocess.run([*find_cc(), *STRICT_FLAGS, "-O2", f"-I{KERNEL_DIR}", str(src), "-o", str(exe),
                    "-fsanitize=undefined", "-fno-sanitize-recover=all"], check=True)
    rng = np.random.RandomState(3)
    cases = [(5, True, [1, 1, 1, 1, 1], [0] * 5, [0] * 5),
             (4, True, [2, 0, 3, 1], [5, 1, 1, 0], [0, 2, 7, 1]),
             (1, False, [4], [3], [9])]
    for _ in range(200):
        rank = int(rng.randint(1, 7))
        dims = [int(v) for v in rng.randint(1, 4, rank)]
        sa = [int(v) for v in rng.randint(-5, 20, rank)]
        sb = [int(v) * int(rng.randint(0, 2)) for v in rng.randint(-5, 20, rank)]
        cases.append((rank, bool(rng.randint(0, 2)), dims, sa, sb))
    text = "".join(f"{rank} {int(with_b)} " + " ".join(f"{d} {a} {b}" for d, a, b
                                                       in zip(dims, sa, sb, strict=True)) + "\n"
                   for rank, with_b, dims, sa, sb in cases)
    out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True)
    for (_rank, with_b, dims, sa, sb), line in zip(cases, out.stdout.splitlines(), strict=True):
        got = [int(v) for v in line.split()]
        want = []
        for index in np.ndindex(*dims):
            want.append(sum(i * s for i, s in zip(index, sa, strict=True)))
            want.append(sum(i * s for i, s in zip(index, sb, strict=True)) if with_b else 0)
        assert got == want


TAPS_PROGRAM = r"""
#include <stdio.h>
#include "tml_common.h"

int main(void)
{
    int origin, taps, dilation, size;
    while (scanf("%d %d %d %d", &origin, &taps, &dilation, &size) == 4) {
        int32_t first, last;
        tml_valid_taps(origin, taps, dilation, size, &first, &last);
        printf("%d %d %d\n", (int)first, (int)last,
               tml_window_inside(origin, taps, dilation, size));
    }
    return 0;
}
"""


def test_valid_taps_are_the_taps_inside(tmp_path):
    """tml_valid_taps gives exactly the taps a per-tap bounds test keeps, also for windows
    partly or wholly outside; tml_window_inside says whether that is all of them."""
    src = tmp_path / "taps.c"
    src.write_text(TAPS_PROGRAM)
    exe = tmp_path / "taps"
    subprocess.run([*find_cc(), *STRICT_FLAGS, "-O2", f"-I{KERNEL_DIR}", str(src), "-o", str(exe),
                    "-fsanitize=undefined", "-fno-sanitize-recover=all"], check=True)
    cases = [(o, t, d, s) for o in range(-12, 14) for t in range(0, 6) for d in range(1, 4)
             for s in range(1, 8)]
    text = "".join(f"{o} {t} {d} {s}\n" for o, t, d, s in cases)
    out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True)
    for (o, t, d, s), line in zip(cases, out.stdout.splitlines(), strict=True):
        first, last, inside = (int(v) for v in line.split())
        kept = [k for k in range(t) if 0 <= o + k * d < s]
        assert list(range(first, last)) == kept, (o, t, d, s)
        if t > 0:  # a window has at least one tap
            assert inside == (len(kept) == t), (o, t, d, s)
