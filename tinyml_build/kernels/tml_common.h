/*
 * tinyml-build portable kernels: common definitions.
 *
 * Compiler portability macros and the integer requantisation helpers every int8 kernel
 * uses. The helpers reproduce TFLite's double-rounding MultiplyByQuantizedMultiplier
 * (gemmlowp's SaturatingRoundingDoublingHighMul followed by RoundingDivideByPOT) bit for
 * bit, which is what makes the kernels' results identical to the TFLite reference kernels.
 * They assume arithmetic right shifts of negative values (also of int64_t), which every
 * target compiler we support (GCC, Clang, IAR, Arm Compiler) provides.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_COMMON_H
#define TML_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define TML_ALIGNED(n) __attribute__((aligned(n)))
#define TML_SECTION(name) __attribute__((section(name)))
#define TML_UNUSED __attribute__((unused))
#else
#define TML_ALIGNED(n)
#define TML_SECTION(name)
#define TML_UNUSED
#endif

/* the most dimensions a tensor may have in the shape-generic kernels */
#define TML_MAX_DIMS 6

#define TML_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TML_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Saturating rounding doubling high multiply: gemmlowp computes round((a * b) / 2^31) as
 * (a*b + nudge) / 2^31 with C's truncating division and nudge = 2^30 for a non-negative
 * product, 1 - 2^30 for a negative one. That equals floor((a*b + 2^30) / 2^31) for every
 * product (for a*b < 0 write u = a*b + 2^30: trunc((u + 1 - 2^31) / 2^31) =
 * ceil((u + 1) / 2^31) - 1 = floor(u / 2^31)), i.e. one multiply-accumulate and an
 * arithmetic shift, with the single overflow case (INT32_MIN * INT32_MIN) saturated. */
static inline int32_t tml_srdhm(int32_t a, int32_t b)
{
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* Rounding arithmetic right shift by exponent (0..31), ties away from zero. */
static inline int32_t tml_rdbpot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^shift with multiplier in Q31: TFLite's MultiplyByQuantizedMultiplier.
 * The left shift is done in unsigned arithmetic: the reference does the same multiply and
 * its callers guarantee it does not overflow, so the results agree. */
static inline int32_t tml_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    /* tml_srdhm without its saturation test: multipliers are never negative, so the
     * INT32_MIN * INT32_MIN case cannot occur */
    const int32_t high =
        (int32_t)(((int64_t)shifted * (int64_t)multiplier + ((int64_t)1 << 30)) >> 31);
    return tml_rdbpot(high, right);
}

/* Armv7E-M / Armv8-M DSP extension: four int8 values per 32-bit load, widened in pairs
 * with SXTB16 and multiplied-accumulated in pairs with SMLAD. The sums are the same
 * integers the scalar loops compute. */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && \
    (defined(__GNUC__) || defined(__clang__)) && !defined(TML_NO_DSP)
#define TML_ARM_DSP 1
#include <arm_acle.h>
#include <string.h>

static inline uint32_t tml_load4(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v); /* an unaligned LDR on these cores */
    return v;
}

/* bytes 0 and 2 (lo) and bytes 1 and 3 (hi) of v, sign-extended to two int16 each */
static inline int16x2_t tml_sx_lo(uint32_t v)
{
    return __sxtb16((int8x4_t)v);
}

static inline int16x2_t tml_sx_hi(uint32_t v)
{
    return __sxtb16((int8x4_t)((v >> 8) | (v << 24)));
}

static inline int16x2_t tml_pair16(int32_t x)
{
    return (int16x2_t)(((uint32_t)x & 0xFFFFu) | ((uint32_t)x << 16));
}
#else
#define TML_ARM_DSP 0
#endif

static inline int8_t tml_clamp_s8(int32_t x, int32_t lo, int32_t hi)
{
    return (int8_t)(x < lo ? lo : (x > hi ? hi : x));
}

#endif /* TML_COMMON_H */
