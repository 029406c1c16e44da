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
    const int32_t n = p->red_counts[TML_MAX_DIMS - 1];
    const int32_t step = p->red_strides[TML_MAX_DIMS - 1];
    uint32_t acc = 0;
    tml_walk w;
    int32_t i;
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->red_counts, p->red_strides, NULL); w.left > 0;
         tml_walk_next(&w)) {
        const int8_t *x = base + w.a;
        for (i = 0; i < n; ++i) {
            acc += (uint32_t)(int32_t)x[(ptrdiff_t)i * step];
        }
    }
    return (int32_t)acc;
}

void tml_mean_s8(const tml_mean_s8_params *p, const int8_t *input, int8_t *output)
{
    const int32_t n = p->out_counts[TML_MAX_DIMS - 1];
    const int32_t step = p->out_strides[TML_MAX_DIMS - 1];
    tml_walk w;
    int32_t i;
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->out_counts, p->out_strides, NULL); w.left > 0;
         tml_walk_next(&w)) {
        const int8_t *row = input + w.a;
        for (i = 0; i < n; ++i) {
            const uint32_t sum = (uint32_t)box_sum(p, row + (ptrdiff_t)i * step);
            const int32_t shifted = (int32_t)(sum + (uint32_t)p->sum_offset);
            const int32_t v = tml_requantize(shifted, p->multiplier, p->shift) +
                              p->output_offset;
            *output++ = tml_clamp_s8(v, -128, 127);
        }
    }
}
