/*
 * tinyml-build portable kernels: int8 SOFTMAX.
 *
 * TFLite's reference int8 softmax computes exp() of the rescaled difference to the row
 * maximum in gemmlowp fixed point, sums the values in Q12, takes a fixed-point reciprocal
 * (Newton-Raphson) and scales each exp by it. The exp values depend only on the int8
 * difference, so the generator tabulates them; the sum and the reciprocal are computed
 * here with the same fixed-point operations, so the output is identical.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_softmax.h"

static int32_t count_leading_zeros(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return x == 0 ? 32 : __builtin_clz(x);
#else
    int32_t n = 0;
    if (x == 0) {
        return 32;
    }
    while (!(x & 0x80000000u)) {
        x <<= 1;
        ++n;
    }
    return n;
#endif
}

/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent> for a positive compile-time shift */
static int32_t saturating_shift_left(int32_t x, int32_t exponent)
{
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << exponent);
}

static int32_t rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1: a in Q0.31, result in Q0.31 */
static int32_t one_over_one_plus_x(int32_t a)
{
    const int32_t half_denominator = rounding_half_sum(a, INT32_MAX);
    const int32_t one_q2 = 1 << 29;
    int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)tml_srdhm(half_denominator, -1010580540));
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hx = tml_srdhm(half_denominator, x);
        const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)hx);
        x = (int32_t)((uint32_t)x + (uint32_t)saturating_shift_left(tml_srdhm(x, one_minus), 2));
    }
    return saturating_shift_left(x, 1);
}

void tml_softmax_s8(const tml_softmax_s8_params *p, const int8_t *input, int8_t *output)
{
    int32_t r, c;
    for (r = 0; r < p->rows; ++r) {
        const int8_t *x = input + (size_t)r * p->depth;
        int8_t *y = output + (size_t)r * p->depth;
        int32_t max_value = -128;
        int32_t sum = 0;
        int32_t headroom_plus_one, bits_over_unit, exponent, shifted_scale;
        for (c = 0; c < p->depth; ++c) {
            max_value = x[c] > max_value ? x[c] : max_value;
        }
        for (c = 0; c < p->depth; ++c) {
            /* Rescale<12> of a Q0 value: rounding shift right by 12 */
            sum += tml_rdbpot(p->exp_table[x[c] - max_value + 255], 12);
        }
        headroom_plus_one = count_leading_zeros((uint32_t)sum);
        bits_over_unit = 12 - headroom_plus_one;
        shifted_scale = one_over_one_plus_x(
            (int32_t)(((uint32_t)sum << headroom_plus_one) - ((uint32_t)1 << 31)));
        exponent = bits_over_unit + 31 - 8;
        for (c = 0; c < p->depth; ++c) {
            const int32_t e = p->exp_table[x[c] - max_value + 255];
            const int32_t v = tml_rdbpot(tml_srdhm(shifted_scale, e), exponent) - 128;
            y[c] = tml_clamp_s8(v, -128, 127);
        }
    }
}
