"""Build-time quantisation arithmetic against values TFLite's C++ produces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinyml_build import quant


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
