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


# --------------------------------------------------------------------------------------
# int8 element-wise functions, entry by entry as TFLM's Prepare + reference Eval compute
# them. Each *_table returns the 256-entry table int8_lut builds; the kernels' C code is
# then a plain table lookup.
#
# Float or double? The TFLM sources at hand compute some scale ratios in float32
# (`static_cast<double>(a / b)` on float scales), but the pinned tflite-micro wheel, our
# oracle, behaves as if they were computed in double for RELU, LEAKY_RELU, HARD_SWISH (and
# SUB, FULLY_CONNECTED): for quantisations where the two differ it matches the double
# results every time (tests/test_quant.py keeps such cases). FloatToQuantizedType (RELU6),
# CalculateActivationRangeQuantized and AffineQuantize do use float32 in the wheel too.


def wrap_int16(x: int) -> int:
    x &= 0xFFFF
    return x - (1 << 16) if x & 0x8000 else x


def requantize_table(in_scale: float, in_zp: int, out_scale: float, out_zp: int,
                     qmin: int = -128, qmax: int = 127) -> np.ndarray:
    """QUANTIZE int8 -> int8 (and RELU's core): reference_ops::Requantize with
    effective_scale = double(in_scale) / double(out_scale), values for inputs -128..127."""
    real = float(f32(in_scale)) / float(f32(out_scale))
    mult, shift = quantize_multiplier(real)
    values = np.zeros(256, dtype=np.int64)
    for q in range(-128, 128):
        out = multiply_by_quantized_multiplier(q - in_zp, mult, shift) + out_zp
        values[q + 128] = min(qmax, max(qmin, out))
    return values


def relu_table(in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> np.ndarray:
    """RELU: CalculateReluOpData (multiplier from the ratio of the scales in double, lower
    clamp at the output zero point) and ReluQuantized."""
    real = float(f32(in_scale)) / float(f32(out_scale))
    mult, shift = quantize_multiplier(real)
    lo = max(-128, out_zp)  # zero_point + roundf(0.0f / scale)

    def f(q: int) -> int:
        return max(lo, out_zp + multiply_by_quantized_multiplier(q - in_zp, mult, shift))

    return int8_lut(f)


def float_to_quantized_s8(value: float, scale: float, zero_point: int) -> int:
    """TFLM's FloatToQuantizedType<int8_t>: round(value / scale) in float32, clamped."""
    r = round_half_away(float(f32(f32(value) / f32(scale)))) + zero_point
    return int(min(127, max(-128, r)))


def relu6_table(in_scale: float, in_zp: int) -> np.ndarray:
    """RELU6 as TFLM runs it: a clamp to [zero, six] in the *input's* quantisation
    (Relu6Prepare reads only the input tensor; the output's parameters are not used)."""
    six = float_to_quantized_s8(6.0, in_scale, in_zp)
    return int8_lut(lambda q: min(six, max(in_zp, q)))


def leaky_relu_table(in_scale: float, in_zp: int, out_scale: float, out_zp: int,
                     alpha: float) -> np.ndarray:
    """LEAKY_RELU: CalculateOpDataLeakyRelu (both multipliers in double) and
    reference_ops::QuantizeLeakyRelu, including its handling of a negative alpha."""
    fin, fout = float(f32(in_scale)), float(f32(out_scale))
    alpha_mult, alpha_shift = quantize_multiplier(fin * float(f32(alpha)) / fout)
    id_mult, id_shift = quantize_multiplier(fin / fout)
    negative = alpha_mult < 0
    safe_alpha = wrap_int32(-alpha_mult) if negative else alpha_mult

    def f(q: int) -> int:
        x = q - in_zp
        if x >= 0:
            return out_zp + multiply_by_quantized_multiplier(x, id_mult, id_shift)
        scaled = multiply_by_quantized_multiplier(x, safe_alpha, alpha_shift)
        return out_zp + (-scaled if negative else scaled)

    return int8_lut(f)


def _logistic_tanh_input(in_scale: float) -> tuple[int, int, int]:
    """Input rescaling shared by int8 LOGISTIC and TANH Prepare: (multiplier, left shift,
    input range radius) for a Q4.27 fixed-point input."""
    input_integer_bits = 4
    real = float(f32(in_scale)) * float(1 << (31 - input_integer_bits))
    q, left_shift = math.frexp(real)
    if left_shift < 0:
        raise ValueError(f"input scale {in_scale!r} is too small for the int8 kernel")
    mult = int(round_half_away(q * (1 << 31)))
    if mult > INT32_MAX:
        raise ValueError(f"input scale {in_scale!r} gives an input multiplier out of range")
    radius = calculate_input_radius(input_integer_bits, left_shift, 31)
    return mult, left_shift, radius


def _sigmoid_like_table(in_scale: float, in_zp: int,
                        fixed: Callable[[int, int], int], out_shift: int,
                        out_offset: int) -> np.ndarray:
    """The int8 LUT of reference_integer_ops::Logistic and ::Tanh: saturate outside the
    input radius, else rescale to Q4.27, apply the gemmlowp fixed-point function and round
    its Q0.31 result to 8 bits (shift right by out_shift, add out_offset)."""
    mult, left_shift, radius = _logistic_tanh_input(in_scale)

    def f(q: int) -> int:
        x = q - in_zp
        if x <= -radius:
            return -128
        if x >= radius:
            return 127
        q4 = multiply_by_quantized_multiplier(x, mult, left_shift)
        return rdbpot(fixed(q4, 4), out_shift) + out_offset

    return int8_lut(f)


def logistic_table(in_scale: float, in_zp: int) -> np.ndarray:
    """LOGISTIC int8: reference_integer_ops::Logistic. The output is always on the scale
    1/256 with zero point -128 (TFLM checks the zero point and ignores the scale)."""
    return _sigmoid_like_table(in_scale, in_zp, logistic_fixed, 31 - 8, -128)


def tanh_table(in_scale: float, in_zp: int) -> np.ndarray:
    """TANH int8: reference_integer_ops::Tanh. The output is always on the scale 1/128 with
    zero point 0 (TFLM does not read the output's parameters)."""
    return _sigmoid_like_table(in_scale, in_zp, tanh_fixed, 31 - 7, 0)


def _srdhm16(a: int, b: int) -> int:
    """gemmlowp SaturatingRoundingDoublingHighMul for int16."""
    if a == b == -(1 << 15):
        return (1 << 15) - 1
    ab = a * b
    nudge = (1 << 14) if ab >= 0 else 1 - (1 << 14)
    num = ab + nudge
    q = abs(num) >> 15
    return wrap_int16(q if num >= 0 else -q)


def _sdhm16(a: int, b: int) -> int:
    """TFLite's SaturatingDoublingHighMul for int16 (truncates toward zero)."""
    if a == b == -(1 << 15):
        return (1 << 15) - 1
    ab = a * b
    q = abs(ab) >> 15
    return wrap_int16(q if ab >= 0 else -q)


def _rdbpot16(x: int, exponent: int) -> int:
    """gemmlowp RoundingDivideByPOT instantiated for int16 (masks truncated to int16)."""
    mask = wrap_int16((1 << exponent) - 1)
    remainder = wrap_int16(x & mask)
    threshold = wrap_int16((mask >> 1) + (1 if x < 0 else 0))
    return wrap_int16((x >> exponent) + (1 if remainder > threshold else 0))


def _saturating_left_shift16(x: int, amount: int) -> int:
    return min((1 << 15) - 1, max(-(1 << 15), x * (1 << amount)))


def _downscale_multiplier_to_int16(m: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    if m >= INT32_MAX - (1 << 15):
        return (1 << 15) - 1
    return (m + (1 << 15)) >> 16


def hard_swish_table(in_scale: float, in_zp: int, out_scale: float, out_zp: int) -> np.ndarray:
    """HARD_SWISH int8: HardSwishPrepare (scale ratios in double, 16-bit multipliers) and
    reference_ops::HardSwish's int16 fixed-point evaluation."""
    hires_input_scale = float(f32(1.0 / 128.0) * f32(in_scale))  # exact: a power of two
    reluish_scale = float(f32(3.0) / f32(32768.0))  # exact
    out_m32, out_exp = quantize_multiplier(hires_input_scale / float(f32(out_scale)))
    if out_exp > 0:
        raise ValueError("output scale is too small relative to the input scale for "
                         "int8 HARD_SWISH (TFLite requires a non-positive output shift)")
    out_m16 = _downscale_multiplier_to_int16(out_m32)
    rel_m32, rel_exp = quantize_multiplier(hires_input_scale / reluish_scale)
    rel_m16 = _downscale_multiplier_to_int16(rel_m32)

    def f(q: int) -> int:
        x = wrap_int16(q - in_zp)
        hires = wrap_int16(x * 128)
        preshift = _srdhm16(hires, out_m16)
        reluish = hires
        if rel_exp > 0:
            reluish = _saturating_left_shift16(reluish, rel_exp - 1)
        reluish = _srdhm16(reluish, rel_m16)
        if rel_exp > 0:
            reluish = _saturating_left_shift16(reluish, 1)
        if rel_exp < 0:
            reluish = _rdbpot16(reluish, -rel_exp)
        reluish = wrap_int16((reluish + (1 << 15)) >> 1)
        out = _sdhm16(reluish, preshift)
        out = _rdbpot16(out, -out_exp)
        out = wrap_int16(out + out_zp)
        return out  # int8_lut clamps to [-128, 127] as the reference does

    return int8_lut(f)


def dequantize_value(q: int, scale: float, zero_point: int) -> np.float32:
    """reference_ops::Dequantize: float(double(scale) * (q - zero_point))."""
    return np.float32(float(f32(scale)) * (q - zero_point))


def mean_multiplier(in_scale: float, out_scale: float, count: int) -> tuple[int, int]:
    """QuantizedMeanOrSum's multiplier: double(in_scale) / double(out_scale) quantised,
    then 1/count folded in with up to 32 extra bits of precision, as the reference does."""
    real = float(f32(in_scale)) / float(f32(out_scale))
    mult, shift = quantize_multiplier(real)
    if count <= 0:
        raise ValueError("MEAN over an empty axis")
    extra = min(count.bit_length() - 1, 32, 31 + shift)  # >= 0: shift is >= -31
    return (mult << extra) // count, shift - extra
