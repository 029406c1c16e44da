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

/* Windows of convolution and pooling: tap t of a window that starts at input index
 * `origin` reads index origin + t * dilation (dilation >= 1); taps outside [0, size) are
 * padding. 1 when every one of the `taps` taps lies inside. */
static inline int tml_window_inside(int32_t origin, int32_t taps, int32_t dilation,
                                    int32_t size)
{
    return origin >= 0 && origin + (taps - 1) * dilation < size;
}

/* The taps inside [0, size), a contiguous range [*first, *last) (empty when none is).
 * Looping over it visits the same taps in the same order as testing every tap, so sums,
 * float ones included, do not change. Windows inside the image need no division. */
static inline void tml_valid_taps(int32_t origin, int32_t taps, int32_t dilation, int32_t size,
                                  int32_t *first, int32_t *last)
{
    int32_t f, l;
    if (tml_window_inside(origin, taps, dilation, size)) {
        *first = 0;
        *last = taps;
        return;
    }
    /* the first tap at or past index 0, and the first at or past index size */
    f = origin >= 0 ? 0 : (dilation - 1 - origin) / dilation;
    l = origin >= size ? 0 : (size - origin + dilation - 1) / dilation;
    f = TML_MIN(f, taps);
    l = TML_MIN(l, taps);
    *first = f;
    *last = TML_MAX(l, f);
}

/* The window of output index o along one axis: where it starts in the input and which of
 * its taps read inside [0, size). A scatter (transposed convolution) uses the same for
 * the outputs an input index reaches. */
typedef struct {
    int32_t origin;      /* input index of tap 0 (negative in the leading padding) */
    int32_t first, last; /* the taps inside: [first, last) */
} tml_window;

static inline tml_window tml_window_of(int32_t o, int32_t stride, int32_t pad, int32_t taps,
                                       int32_t dilation, int32_t size)
{
    tml_window w;
    w.origin = o * stride - pad;
    tml_valid_taps(w.origin, taps, dilation, size, &w.first, &w.last);
    return w;
}

/* Row-major walk over the first `rank` (<= TML_MAX_DIMS) dimensions of an index space,
 * tracking the element offsets of up to two operands through their strides (a stride of
 * 0 repeats an operand: broadcasting; b_strides may be NULL). The shape-generic kernels
 * walk all but the innermost dimension this way and loop over that row themselves, so
 * each kernel file holds only its per-row arithmetic:
 *
 *     tml_walk w;
 *     for (tml_walk_start(&w, TML_MAX_DIMS - 1, dims, a_strides, b_strides); w.left > 0;
 *          tml_walk_next(&w)) {
 *         ... the row at a + w.a and b + w.b ...
 *     }
 *
 * Stepping is an odometer: the last index moves, and only a carry touches the others. */
typedef struct {
    const int32_t *dims;
    const int32_t *a_strides;
    const int32_t *b_strides;
    int32_t rank;
    int32_t left;                /* positions still to visit, the current one included */
    int32_t index[TML_MAX_DIMS];
    ptrdiff_t a, b;              /* element offsets of the current position */
} tml_walk;

static inline void tml_walk_start(tml_walk *w, int32_t rank, const int32_t *dims,
                                  const int32_t *a_strides, const int32_t *b_strides)
{
    int32_t d;
    w->dims = dims;
    w->a_strides = a_strides;
    w->b_strides = b_strides;
    w->rank = rank;
    w->left = 1;
    w->a = 0;
    w->b = 0;
    for (d = 0; d < rank; ++d) {
        w->left *= dims[d];
        w->index[d] = 0;
    }
}

static inline void tml_walk_next(tml_walk *w)
{
    int32_t d;
    --w->left;
    for (d = w->rank - 1; d >= 0; --d) {
        w->a += w->a_strides[d];
        if (w->b_strides) {
            w->b += w->b_strides[d];
        }
        if (++w->index[d] < w->dims[d]) {
            return;
        }
        /* carry: back to the start of dimension d */
        w->index[d] = 0;
        w->a -= (ptrdiff_t)w->a_strides[d] * w->dims[d];
        if (w->b_strides) {
            w->b -= (ptrdiff_t)w->b_strides[d] * w->dims[d];
        }
    }
}

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
