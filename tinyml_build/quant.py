"""Quantisation arithmetic done at build time, bit-for-bit as TFLite's reference kernels do it.

Everything a kernel needs that does not depend on the input data (multipliers, shifts,
activation ranges, lookup tables for element-wise functions) is computed here, in Python
integers, so the device only runs integer multiply-adds. The integer helpers emulate the
C semantics of TFLite's double-rounding `MultiplyByQuantizedMultiplier` and of gemmlowp's
fixed-point functions (int32 wrap-around, arithmetic shifts), so a lookup table built from
them is identical to what the reference kernel computes element by element.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def wrap_int32(x: int) -> int:
    """Two's-complement wrap of a Python int to int32 (what C does on the targets we know)."""
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


def round_half_away(x: float) -> float:
    """C's round(): halfway cases away from zero (TfLiteRound), exact for any double."""
    a = abs(x)
    r = math.floor(a)
    if a - r >= 0.5:
        r += 1
    return math.copysign(r, x)


# --------------------------------------------------------------------------------------
# Multipliers


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: real ~= multiplier * 2^(shift - 31), multiplier in Q31."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(round_half_away(q * (1 << 31)))
    if q_fixed > (1 << 31):
        raise ValueError(f"multiplier {real!r} cannot be quantised")
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if q_fixed > INT32_MAX:
        raise ValueError(f"multiplier {real!r} cannot be quantised")
    if shift < -31:
        shift = 0
        q_fixed = 0
    return q_fixed, shift


def quantize_multiplier_smaller_than_one(real: float) -> tuple[int, int]:
    """QuantizeMultiplierSmallerThanOneExp: 0 < real < 1, shift <= 0."""
    if not 0.0 < real < 1.0:
        raise ValueError(f"multiplier {real!r} is not in (0, 1)")
    multiplier, shift = quantize_multiplier(real)
    if shift > 0:
        raise ValueError(f"multiplier {real!r} gives a positive shift")
    return multiplier, shift


def quantize_multiplier_greater_than_one(real: float) -> tuple[int, int]:
    """QuantizeMultiplierGreaterThanOne: real > 1, shift >= 0."""
    if not real > 1.0:
        raise ValueError(f"multiplier {real!r} is not > 1")
    multiplier, shift = quantize_multiplier(real)
    if shift < 0:
        raise ValueError(f"multiplier {real!r} gives a negative shift")
    return multiplier, shift


def f32(x: float) -> np.float32:
    return np.float32(x)


def conv_output_multipliers(
    input_scale: float, filter_scales: np.ndarray, output_scale: float, channels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (multiplier, shift) as TFLite's PopulateConvolutionQuantizationParams."""
    scales = np.asarray(filter_scales, dtype=np.float32).reshape(-1)
    if scales.size == 1:
        scales = np.repeat(scales, channels)
    mults = np.zeros(channels, dtype=np.int32)
    shifts = np.zeros(channels, dtype=np.int32)
    for c in range(channels):
        real = float(f32(input_scale)) * float(scales[c]) / float(f32(output_scale))
        mults[c], shifts[c] = quantize_multiplier(real)
    return mults, shifts


# --------------------------------------------------------------------------------------
# Activation ranges


def quantize_value(scale: float, zero_point: int, value: float) -> int:
    """TFLite kernel_util's Quantize(): float32 division, C round, then add the zero point."""
    tmp = float(np.float32(np.float32(value) / np.float32(scale)))
    return zero_point + int(round_half_away(tmp))


def activation_range(
    activation: str, scale: float, zero_point: int, qmin: int = -128, qmax: int = 127
) -> tuple[int, int]:
    """CalculateActivationRangeQuantized: the clamp a fused activation turns into."""
    if activation == "none":
        return qmin, qmax
    if activation == "relu":
        return max(qmin, quantize_value(scale, zero_point, 0.0)), qmax
    if activation == "relu6":
        return (
            max(qmin, quantize_value(scale, zero_point, 0.0)),
            min(qmax, quantize_value(scale, zero_point, 6.0)),
        )
    if activation == "relu_n1_to_1":
        return (
            max(qmin, quantize_value(scale, zero_point, -1.0)),
            min(qmax, quantize_value(scale, zero_point, 1.0)),
        )
    raise ValueError(f"unknown fused activation {activation!r}")


# --------------------------------------------------------------------------------------
# Integer helpers with C semantics (gemmlowp fixedpoint + TFLite common.h)


def srdhm(a: int, b: int) -> int:
    """SaturatingRoundingDoublingHighMul for int32 (C++ division truncates toward zero)."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else (1 - (1 << 30))
    num = ab + nudge
    q = abs(num) >> 31
    return wrap_int32(q if num >= 0 else -q)


def rdbpot(x: int, exponent: int) -> int:
    """RoundingDivideByPOT: rounding arithmetic right shift, ties away from zero."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def multiply_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    """TFLite's double-rounding MultiplyByQuantizedMultiplier for an int32 x."""
    left = shift if shift > 0 else 0
    right = 0 if shift > 0 else -shift
    return rdbpot(srdhm(wrap_int32(x * (1 << left)), multiplier), right)


def saturating_rounding_mul_by_pot(x: int, exponent: int) -> int:
    if exponent == 0:
        return x
    if exponent < 0:
        return rdbpot(x, -exponent)
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return wrap_int32(x << exponent)


def rescale(x: int, src_integer_bits: int, dst_integer_bits: int) -> int:
    return saturating_rounding_mul_by_pot(x, src_integer_bits - dst_integer_bits)


def rounding_half_sum(a: int, b: int) -> int:
    """gemmlowp RoundingHalfSum for int32: (a + b) / 2 rounded half away from zero."""
    s = a + b
    v = s + (1 if s >= 0 else -1)
    q = abs(v) // 2
    return q if v >= 0 else -q


_ONE_Q0 = INT32_MAX  # FixedPoint<int32, 0>::One() saturates to the largest raw value


def _one(integer_bits: int) -> int:
    """FixedPoint<int32, N>::One(): 1 << (31 - N), saturated for N == 0."""
    return INT32_MAX if integer_bits == 0 else 1 << (31 - integer_bits)


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: int) -> int:
    constant_term = 1895147668
    constant_1_over_3 = 715827883
    x = wrap_int32(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = saturating_rounding_mul_by_pot(x4, -2)
    inner = wrap_int32(srdhm(wrap_int32(x4_over_4 + x3), constant_1_over_3) + x2)
    x4_over_24_plus = saturating_rounding_mul_by_pot(inner, -1)
    return wrap_int32(constant_term + srdhm(constant_term, wrap_int32(x + x4_over_24_plus)))


_EXP_BARREL = (
    (-2, 1672461947),
    (-1, 1302514674),
    (0, 790015084),
    (1, 290630308),
    (2, 39332535),
    (3, 720401),
    (4, 242),
)


def exp_on_negative_values(a: int, integer_bits: int) -> int:
    """gemmlowp exp_on_negative_values: a is Q(integer_bits) raw, result is Q0 raw."""
    fractional_bits = 31 - integer_bits
    one_quarter = 1 << (fractional_bits - 2)
    mask = one_quarter - 1
    a_mod_quarter_minus_one_quarter = wrap_int32((a & mask) - one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0)
    )
    remainder = wrap_int32(a_mod_quarter_minus_one_quarter - a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent:
            shift_amount = fractional_bits + exponent
            if remainder & (1 << shift_amount):
                result = srdhm(result, multiplier)
    if integer_bits > 5:
        clamp = -(1 << (36 - integer_bits))
        if a < clamp:
            result = 0
    if a == 0:
        result = _ONE_Q0
    return result


def _newton_raphson_reciprocal_half(half_denominator: int) -> int:
    """Shared Newton-Raphson loop of gemmlowp's x-in-(0,1) division helpers (Q2 result)."""
    constant_48_over_17 = 1515870810
    constant_neg_32_over_17 = -1010580540
    one_q2 = _one(2)
    x = wrap_int32(constant_48_over_17 + srdhm(half_denominator, constant_neg_32_over_17))
    for _ in range(3):
        half_denominator_times_x = srdhm(half_denominator, x)
        one_minus = wrap_int32(one_q2 - half_denominator_times_x)
        x = wrap_int32(x + rescale(srdhm(x, one_minus), 2 + 2, 2))
    return x


def one_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    half_denominator = rounding_half_sum(a, _ONE_Q0)
    x = _newton_raphson_reciprocal_half(half_denominator)
    # ExactMulByPot<-1>: Q2 -> Q1 with the same raw, then Rescale<0>
    return rescale(x, 1, 0)


def one_minus_x_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    half_denominator = rounding_half_sum(a, _ONE_Q0)
    x = _newton_raphson_reciprocal_half(half_denominator)
    return rescale(wrap_int32(x - _one(2)), 2, 0)


def logistic_fixed(a: int, integer_bits: int) -> int:
    """gemmlowp::logistic on a Q(integer_bits) raw value, Q0 raw result."""
    if a == 0:
        return 1 << 30
    abs_input = a if a > 0 else wrap_int32(-a)
    result_if_positive = one_over_one_plus_x_for_x_in_0_1(
        exp_on_negative_values(wrap_int32(-abs_input), integer_bits)
    )
    if a > 0:
        return result_if_positive
    return wrap_int32(_ONE_Q0 - result_if_positive)


def tanh_fixed(a: int, integer_bits: int) -> int:
    """gemmlowp::tanh on a Q(integer_bits) raw value, Q0 raw result."""
    if a == 0:
        return 0
    n = a if a < 0 else wrap_int32(-a)
    # ExactMulByPot<1>: same raw, one more integer bit
    t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1))
    return wrap_int32(-t) if a < 0 else t


def calculate_input_radius(integer_bits: int, left_shift: int, total_signed_bits: int = 31) -> int:
    max_input_rescaled = (
        1.0
        * ((1 << integer_bits) - 1)
        * (1 << (total_signed_bits - integer_bits))
        / (1 << left_shift)
    )
    return math.floor(max_input_rescaled)


def preprocess_softmax_scaling(
    beta: float, input_scale: float, input_integer_bits: int
) -> tuple[int, int]:
    max_real_multiplier = float((1 << 31) - 1)
    real = min(beta * input_scale * (1 << (31 - input_integer_bits)), max_real_multiplier)
    return quantize_multiplier_greater_than_one(real)


# --------------------------------------------------------------------------------------
# Lookup tables


def int8_lut(func: Callable[[int], int]) -> np.ndarray:
    """A 256-entry table indexed by (q + 128) for an element-wise int8 -> int8 function."""
    table = np.zeros(256, dtype=np.int8)
    for q in range(-128, 128):
        value = func(q)
        table[q + 128] = min(127, max(-128, value))
    return table
