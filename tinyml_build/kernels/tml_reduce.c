/*
 * tinyml-build portable kernels: int8 MEAN.
 *
 * TFLite's reference QuantizedMeanOrSum: an int32 sum (wrapping on overflow) of the raw
 * int8 values over the reduced axes, minus input_zero_point * count, requantised with a
 * multiplier that has 1/count folded in (computed by the generator exactly as the
 * reference does), plus the output zero point, clamped. Each output's sum is taken over
 * its own box of the input, so no scratch memory is needed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_reduce.h"

static int32_t box_sum(const tml_mean_s8_params *p, const int8_t *base)
{
    const int32_t *c = p->red_counts;
    const int32_t *s = p->red_strides;
    uint32_t acc = 0;
    int32_t i0, i1, i2, i3, i4, i5;
    for (i0 = 0; i0 < c[0]; ++i0) {
        const int8_t *b0 = base + (ptrdiff_t)i0 * s[0];
        for (i1 = 0; i1 < c[1]; ++i1) {
            const int8_t *b1 = b0 + (ptrdiff_t)i1 * s[1];
            for (i2 = 0; i2 < c[2]; ++i2) {
                const int8_t *b2 = b1 + (ptrdiff_t)i2 * s[2];
                for (i3 = 0; i3 < c[3]; ++i3) {
                    const int8_t *b3 = b2 + (ptrdiff_t)i3 * s[3];
                    for (i4 = 0; i4 < c[4]; ++i4) {
                        const int8_t *x = b3 + (ptrdiff_t)i4 * s[4];
                        for (i5 = 0; i5 < c[5]; ++i5) {
                            acc += (uint32_t)(int32_t)x[(ptrdiff_t)i5 * s[5]];
                        }
                    }
                }
            }
        }
    }
    return (int32_t)acc;
}

void tml_mean_s8(const tml_mean_s8_params *p, const int8_t *input, int8_t *output)
{
    const int32_t *c = p->out_counts;
    const int32_t *s = p->out_strides;
    int32_t i0, i1, i2, i3, i4, i5;
    for (i0 = 0; i0 < c[0]; ++i0) {
        const int8_t *b0 = input + (ptrdiff_t)i0 * s[0];
        for (i1 = 0; i1 < c[1]; ++i1) {
            const int8_t *b1 = b0 + (ptrdiff_t)i1 * s[1];
            for (i2 = 0; i2 < c[2]; ++i2) {
                const int8_t *b2 = b1 + (ptrdiff_t)i2 * s[2];
                for (i3 = 0; i3 < c[3]; ++i3) {
                    const int8_t *b3 = b2 + (ptrdiff_t)i3 * s[3];
                    for (i4 = 0; i4 < c[4]; ++i4) {
                        const int8_t *b4 = b3 + (ptrdiff_t)i4 * s[4];
                        for (i5 = 0; i5 < c[5]; ++i5) {
                            const uint32_t sum = (uint32_t)box_sum(p, b4 + (ptrdiff_t)i5 * s[5]);
                            const int32_t shifted = (int32_t)(sum + (uint32_t)p->sum_offset);
                            const int32_t v = tml_requantize(shifted, p->multiplier, p->shift) +
                                              p->output_offset;
                            *output++ = tml_clamp_s8(v, -128, 127);
                        }
                    }
                }
            }
        }
    }
}
