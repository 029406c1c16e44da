"""Build-time emulations of TFLM's int8 arithmetic (tinyml_build.quant) against TFLM itself.

No C is compiled here: each table is compared with what the TFLM interpreter outputs for
all 256 int8 inputs of a one-op model. Besides random quantisations, the tests keep
quantisations found by search where computing a scale ratio in float32 instead of double
(or the reverse) changes the table, which pins down what the pinned wheel does.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support import quant_params as qp
from tests.support.compare import tflm_run
from tests.support.tflite_builder import ModelBuilder
from tinyml_build import quant

f32 = np.float32


def tflm_table(op: str, x: tuple[float, int], y: tuple[float, int],
               options: dict | None = None) -> np.ndarray:
    """TFLM's output for inputs -128..127 of a one-op int8 model."""
    b = ModelBuilder()
    xi = b.tensor("x", [256], "int8", scale=x[0], zero_point=x[1])
    yi = b.tensor("y", [256], "int8", scale=y[0], zero_point=y[1])
    b.op(op, [xi], [yi], options)
    return tflm_run(b.build([xi], [yi]), [[qp.ALL_INT8]], 1)[0][0].reshape(-1)


def _random_cases(seed: int, n: int, lo: float, hi: float):
    rng = np.random.RandomState(seed)
    for _ in range(n):
        yield (qp.scale(rng, lo, hi), qp.zero_point(rng)), \
              (qp.scale(rng, lo, hi), qp.zero_point(rng)), rng


@pytest.mark.parametrize(("lo", "hi"), [(1e-3, 1.0), (1e-5, 100.0)])
def test_tables_match_tflm_for_random_quantisations(lo, hi):
    for x, y, rng in _random_cases(int(lo * 1e5), 40, lo, hi):
        alpha = float(f32(rng.uniform(-1.0, 1.5)))
        expected = {
            "RELU": quant.relu_table(*x, *y),
            "RELU6": quant.relu6_table(*x),
            "LEAKY_RELU": quant.leaky_relu_table(*x, *y, alpha),
            "LOGISTIC": quant.logistic_table(*x),
            "TANH": quant.tanh_table(*x),
            "QUANTIZE": quant.requantize_table(*x, *y),
        }
        for op, table in expected.items():
            out_q = (1 / 256, -128) if op == "LOGISTIC" else y
            options = {"Alpha": alpha} if op == "LEAKY_RELU" else None
            np.testing.assert_array_equal(tflm_table(op, x, out_q, options), table,
                                          err_msg=f"{op} {x} -> {out_q}")
        try:
            table = quant.hard_swish_table(*x, *y)
        except ValueError:
            continue
        np.testing.assert_array_equal(tflm_table("HARD_SWISH", x, y), table,
                                      err_msg=f"HARD_SWISH {x} -> {y}")


# (input scale, input zero point, output scale, output zero point[, alpha]) where the
# double-precision ratio gives a different multiplier, and a different table, than float32
RELU_DOUBLE_CASES = [
    (0.037414226680994034, -18, 0.16218975186347961, -108),
    (0.001420812914147973, -128, 0.013945457525551319, -100),
    (0.14872552454471588, -128, 0.24301555752754211, -100),
    (0.007708062883466482, -128, 0.004338206257671118, -100),
]
LEAKY_DOUBLE_CASES = [
    (0.003052682150155306, 127, 0.0021615244913846254, 0, 0.5351721048355103),
    (0.009483741596341133, 127, 0.014803839847445488, 0, 0.8771824836730957),
    (0.1583770513534546, 127, 0.1347152441740036, 0, 0.27186843752861023),
    (0.34003597497940063, -128, 0.02885153703391552, 0, 0.5916810035705566),
    (0.0014629814540967345, -128, 0.0026216628029942513, 0, 0.32057130336761475),
    (0.037414226680994034, -18, 0.16218975186347961, -108, 0.8658276796340942),
]
HARD_SWISH_DOUBLE_CASES = [
    (0.08561242371797562, -88, 0.7004504799842834, -92),
    (0.3381795883178711, -77, 0.07149150222539902, 19),
]


@pytest.mark.parametrize("case", RELU_DOUBLE_CASES)
def test_relu_multiplier_is_computed_in_double(case):
    si, zi, so, zo = case
    assert quant.quantize_multiplier(float(f32(si) / f32(so))) != \
        quant.quantize_multiplier(float(f32(si)) / float(f32(so)))
    np.testing.assert_array_equal(tflm_table("RELU", (si, zi), (so, zo)),
                                  quant.relu_table(si, zi, so, zo))


@pytest.mark.parametrize("case", LEAKY_DOUBLE_CASES)
def test_leaky_relu_multipliers_are_computed_in_double(case):
    si, zi, so, zo, alpha = case
    np.testing.assert_array_equal(tflm_table("LEAKY_RELU", (si, zi), (so, zo), {"Alpha": alpha}),
                                  quant.leaky_relu_table(si, zi, so, zo, alpha))


@pytest.mark.parametrize("case", HARD_SWISH_DOUBLE_CASES)
def test_hard_swish_multipliers_are_computed_in_double(case):
    si, zi, so, zo = case
    hires = f32(1 / 128) * f32(si)
    in_float = quant.quantize_multiplier(float(hires / f32(so)))[0]
    in_double = quant.quantize_multiplier(float(hires) / float(f32(so)))[0]
    rel_float = quant.quantize_multiplier(float(hires / f32(3 / 32768)))[0]
    rel_double = quant.quantize_multiplier(float(hires) / float(f32(3 / 32768)))[0]
    down = quant._downscale_multiplier_to_int16
    assert (down(in_float), down(rel_float)) != (down(in_double), down(rel_double))
    np.testing.assert_array_equal(tflm_table("HARD_SWISH", (si, zi), (so, zo)),
                                  quant.hard_swish_table(si, zi, so, zo))


def test_relu6_bound_is_rounded_in_float32():
    """FloatToQuantizedType divides 6.0f by the scale in float: scales just around
    6 / (k + 0.5) where float32 and double disagree on the rounding."""
    checked = 0
    for k in range(1, 127):
        for direction in (np.inf, 0.0):
            s = f32(6.0 / (k + 0.5))
            for _ in range(40):
                s = np.nextafter(s, f32(direction))
                as_float = quant.round_half_away(float(f32(6.0) / s))
                if as_float == quant.round_half_away(6.0 / float(s)):
                    continue
                table = quant.relu6_table(float(s), -128)
                assert table.max() == min(127, -128 + int(as_float))
                np.testing.assert_array_equal(tflm_table("RELU6", (float(s), -128),
                                                         (float(s), -128)), table)
                checked += 1
                break
        if checked >= 4:
            break
    assert checked >= 4


def test_mean_multiplier_folds_count_like_the_reference():
    # count 1: no change; count 49 (a 7x7 global pool): 5 extra bits
    assert quant.mean_multiplier(0.5, 0.5, 1) == quant.quantize_multiplier(1.0)
    m, s = quant.quantize_multiplier(0.02 / 0.01)
    assert quant.mean_multiplier(0.02, 0.01, 49) == ((m << 5) // 49, s - 5)
    # the extra shift never takes the total below -31
    m, s = quant.mean_multiplier(1e-9, 1.0, 1 << 20)
    assert s >= -31


# ---- exact integer helpers against values TFLite's C++ produces ----


@pytest.mark.parametrize("real,expected", [
    (0.0, (0, 0)),
    (0.5, (1 << 30, 0)),
    (1.0, (1 << 30, 1)),
    (0.75, (1610612736, 0)),
    (1e-12, (0, 0)),  # below 2^-31: flushed to zero like TFLite
])
def test_quantize_multiplier(real, expected):
    assert quant.quantize_multiplier(real) == expected


def test_quantize_multiplier_round_trips():
    rng = np.random.RandomState(0)
    for real in rng.uniform(1e-6, 100.0, 500):
        m, s = quant.quantize_multiplier(float(real))
        assert (1 << 30) <= m < (1 << 31)
        assert math.isclose(m * 2.0 ** (s - 31), real, rel_tol=1e-9)


def test_round_half_away_from_zero():
    assert quant.round_half_away(2.5) == 3 and quant.round_half_away(-2.5) == -3
    assert quant.round_half_away(0.49999999999999994) == 0
    assert quant.round_half_away(-0.5) == -1


def test_srdhm_and_rounding_shift_match_the_c_definitions():
    assert quant.srdhm(quant.INT32_MIN, quant.INT32_MIN) == quant.INT32_MAX
    assert quant.srdhm(1 << 30, 1 << 30) == 1 << 29
    assert quant.srdhm(-3, 1 << 30) == -1  # -1.5 rounds away from zero
    assert quant.rdbpot(5, 1) == 3 and quant.rdbpot(-5, 1) == -3 and quant.rdbpot(-4, 1) == -2
    assert quant.rdbpot(7, 0) == 7


def test_multiply_by_quantized_multiplier_matches_float_math():
    rng = np.random.RandomState(1)
    for _ in range(2000):
        real = float(rng.uniform(1e-4, 4.0))
        x = int(rng.randint(-(1 << 20), 1 << 20))
        m, s = quant.quantize_multiplier(real)
        assert abs(quant.multiply_by_quantized_multiplier(x, m, s) - x * real) <= 1.0


def test_activation_range_relu6():
    lo, hi = quant.activation_range("relu6", 0.05, -10)
    assert lo == -10 and hi == -10 + 120
    assert quant.activation_range("none", 0.05, -10) == (-128, 127)
    assert quant.activation_range("relu", 0.05, -128) == (-128, 127)


def test_exp_and_logistic_fixed_point_are_close_to_the_real_functions():
    for x in np.linspace(-7.9, 0, 60):
        raw = round(x * (1 << 26))  # Q5.26
        got = quant.exp_on_negative_values(raw, 5) / 2**31
        assert abs(got - math.exp(raw / (1 << 26))) < 1e-6
    for x in np.linspace(-7.9, 7.9, 60):
        raw = round(x * (1 << 27))  # Q4.27
        assert abs(quant.logistic_fixed(raw, 4) / 2**31 - 1 / (1 + math.exp(-x))) < 1e-6
        assert abs(quant.tanh_fixed(raw, 4) / 2**31 - math.tanh(x)) < 1e-5


def test_int8_lut_is_indexed_by_value_plus_128():
    table = quant.int8_lut(lambda q: q + 1)
    assert table[0] == -127 and table[255] == 127  # saturated
