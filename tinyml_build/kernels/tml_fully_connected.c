/*
 * tinyml-build portable kernels: int8 FULLY_CONNECTED.
 *
 * TFLite's reference FullyConnected accumulates (input + input_offset) * weight (weights
 * are symmetric, zero point 0) plus bias, then requantises. The generator folds
 * input_offset * sum(row) into the bias, leaving a plain int8 dot product per output.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_fully_connected.h"

void tml_fully_connected_s8(const tml_fully_connected_s8_params *p, const int8_t *input,
                            int8_t *output)
{
    int32_t b, o, k;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * p->depth;
        const int8_t *w = p->weights;
        for (o = 0; o < p->out_features; ++o) {
            const int32_t q = p->per_channel ? o : 0;
            int32_t acc = p->bias_folded[o];
            for (k = 0; k < p->depth; ++k) {
                acc += (int32_t)x[k] * w[k];
            }
            w += p->depth;
            acc = tml_requantize(acc, p->multiplier[q], p->shift[q]) + p->output_offset;
            *output++ = tml_clamp_s8(acc, p->act_min, p->act_max);
        }
    }
}
