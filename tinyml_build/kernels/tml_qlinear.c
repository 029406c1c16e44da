/*
 * tinyml-build portable kernels: int8 products with zero points (see tml_qlinear.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_qlinear.h"

static void matmul_one(const tml_matmul_s8_params *p, const int8_t *a, const int8_t *b,
                       int8_t *out)
{
    int32_t i, j, k;
    for (i = 0; i < p->m; ++i) {
        for (j = 0; j < p->n; ++j) {
            const int32_t c = p->per_channel ? j : 0;
            const int32_t b_off = p->b_offset[c];
            int32_t acc = p->bias ? p->bias[j] : 0;
            int32_t v;
            for (k = 0; k < p->k; ++k) {
                acc += ((int32_t)a[(size_t)i * p->k + k] + p->a_offset) *
                       ((int32_t)b[(size_t)k * p->b_k_stride + (size_t)j * p->b_n_stride] +
                        b_off);
            }
            v = tml_requantize(acc, p->multiplier[c], p->shift[c]) + p->output_offset;
            out[(size_t)i * p->n + j] = tml_clamp_s8(v, p->act_min, p->act_max);
        }
    }
}

void tml_matmul_s8(const tml_matmul_s8_params *p, const int8_t *a, const int8_t *b,
                   int8_t *output)
{
    const size_t out_matrix = (size_t)p->m * p->n;
    tml_walk w;
    for (tml_walk_start(&w, TML_QMATMUL_BATCH_DIMS, p->batch, p->a_stride, p->b_stride);
         w.left > 0; tml_walk_next(&w)) {
        matmul_one(p, a + w.a, b + w.b, output);
        output += out_matrix;
    }
}

void tml_conv2d_s8_asym(const tml_conv2d_s8_asym_params *p, const int8_t *input,
                        int8_t *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t out_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h,
                                                p->dilation_h, p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w,
                                                    p->dilation_w, p->in_w);
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t g = oc / out_per_group;
                    const int8_t *f = p->filter + (size_t)oc * p->filter_h * p->filter_w *
                                                      p->filter_in_c;
                    const int32_t f_off = p->filter_offset[oc];
                    int32_t acc = p->bias ? p->bias[oc] : 0;
                    int32_t v;
                    /* taps outside the image read the input zero point: they add 0 */
                    for (ky = wy.first; ky < wy.last; ++ky) {
                        const int32_t iy = wy.origin + ky * p->dilation_h;
                        for (kx = wx.first; kx < wx.last; ++kx) {
                            const int32_t ix = wx.origin + kx * p->dilation_w;
                            const int8_t *px = in_batch + ((size_t)iy * p->in_w + ix) * p->in_c +
                                               (size_t)g * p->filter_in_c;
                            const int8_t *fk =
                                f + ((size_t)ky * p->filter_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ++ic) {
                                acc += ((int32_t)px[ic] + p->input_offset) *
                                       ((int32_t)fk[ic] + f_off);
                            }
                        }
                    }
                    v = tml_requantize(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
                    *output++ = tml_clamp_s8(v, p->act_min, p->act_max);
                }
            }
        }
    }
}
