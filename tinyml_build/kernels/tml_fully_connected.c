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

static inline int8_t fc_output(const tml_fully_connected_s8_params *p, int32_t acc, int32_t o)
{
    const int32_t q = p->per_channel ? o : 0;
    acc = tml_requantize(acc, p->multiplier[q], p->shift[q]) + p->output_offset;
    return tml_clamp_s8(acc, p->act_min, p->act_max);
}

void tml_fully_connected_s8(const tml_fully_connected_s8_params *p, const int8_t *input,
                            int8_t *output)
{
    const int32_t depth = p->depth;
    int32_t b, o, k;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *x = input + (size_t)b * depth;
        /* four output features per pass: each input byte is loaded once for four rows */
        for (o = 0; o + 4 <= p->out_features; o += 4) {
            const int8_t *w0 = p->weights + (size_t)o * depth;
            const int8_t *w1 = w0 + depth;
            const int8_t *w2 = w1 + depth;
            const int8_t *w3 = w2 + depth;
            int32_t a0 = p->bias_folded[o], a1 = p->bias_folded[o + 1];
            int32_t a2 = p->bias_folded[o + 2], a3 = p->bias_folded[o + 3];
            k = 0;
#if TML_ARM_DSP
            for (; k + 4 <= depth; k += 4) {
                const uint32_t xv = tml_load4(x + k);
                const int16x2_t xl = tml_sx_lo(xv);
                const int16x2_t xh = tml_sx_hi(xv);
                uint32_t wv;
                wv = tml_load4(w0 + k);
                a0 = __smlad(xh, tml_sx_hi(wv), __smlad(xl, tml_sx_lo(wv), a0));
                wv = tml_load4(w1 + k);
                a1 = __smlad(xh, tml_sx_hi(wv), __smlad(xl, tml_sx_lo(wv), a1));
                wv = tml_load4(w2 + k);
                a2 = __smlad(xh, tml_sx_hi(wv), __smlad(xl, tml_sx_lo(wv), a2));
                wv = tml_load4(w3 + k);
                a3 = __smlad(xh, tml_sx_hi(wv), __smlad(xl, tml_sx_lo(wv), a3));
            }
#endif
            for (; k < depth; ++k) {
                const int32_t v = x[k];
                a0 += v * w0[k];
                a1 += v * w1[k];
                a2 += v * w2[k];
                a3 += v * w3[k];
            }
            output[o] = fc_output(p, a0, o);
            output[o + 1] = fc_output(p, a1, o + 1);
            output[o + 2] = fc_output(p, a2, o + 2);
            output[o + 3] = fc_output(p, a3, o + 3);
        }
        for (; o < p->out_features; ++o) {
            const int8_t *w = p->weights + (size_t)o * depth;
            int32_t acc = p->bias_folded[o];
            for (k = 0; k < depth; ++k) {
                acc += (int32_t)x[k] * w[k];
            }
            output[o] = fc_output(p, acc, o);
        }
        output += p->out_features;
    }
}
