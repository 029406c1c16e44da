/*
 * tinyml-build portable kernels: float32 pooling (see tml_pool_f32.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_pool_f32.h"

static void pool(const tml_pool2d_f32_params *p, const float *input, float *output, int is_max)
{
    int32_t b, oy, ox, c, ky, kx;
    for (b = 0; b < p->batches; ++b) {
        const float *in_batch = input + (size_t)b * p->in_h * p->in_w * p->channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int32_t inside = 0, padded = 0;
                for (ky = 0; ky < p->filter_h; ++ky) {
                    const int32_t iy = iy0 + ky * p->dilation_h;
                    for (kx = 0; kx < p->filter_w; ++kx) {
                        const int32_t ix = ix0 + kx * p->dilation_w;
                        if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                            ++inside;
                        }
                        if (iy >= -p->pad_top && iy < p->in_h + p->pad_bottom &&
                            ix >= -p->pad_left && ix < p->in_w + p->pad_right) {
                            ++padded;
                        }
                    }
                }
                for (c = 0; c < p->channels; ++c) {
                    float acc = 0.0f;
                    int32_t any = 0;
                    for (ky = 0; ky < p->filter_h; ++ky) {
                        const int32_t iy = iy0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->filter_w; ++kx) {
                            const int32_t ix = ix0 + kx * p->dilation_w;
                            float v;
                            if (ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            v = in_batch[((size_t)iy * p->in_w + ix) * p->channels + c];
                            if (is_max) {
                                acc = (!any || v > acc) ? v : acc;
                            } else {
                                acc += v;
                            }
                            any = 1;
                        }
                    }
                    if (!is_max) {
                        const int32_t count = p->count_include_pad ? padded : inside;
                        acc = count > 0 ? acc / (float)count : 0.0f;
                    }
                    *output++ = tml_act_apply(&p->act, acc);
                }
            }
        }
    }
}

void tml_avg_pool2d_f32(const tml_pool2d_f32_params *p, const float *input, float *output)
{
    pool(p, input, output, 0);
}

void tml_max_pool2d_f32(const tml_pool2d_f32_params *p, const float *input, float *output)
{
    pool(p, input, output, 1);
}

void tml_max_pool2d_int(const tml_pool2d_f32_params *p, const void *input, void *output,
                        int32_t is_signed)
{
    int32_t b, oy, ox, c, ky, kx;
    size_t out = 0;
    for (b = 0; b < p->batches; ++b) {
        const size_t in_batch = (size_t)b * p->in_h * p->in_w * p->channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                for (c = 0; c < p->channels; ++c) {
                    int32_t best = is_signed ? -128 : 0;
                    for (ky = 0; ky < p->filter_h; ++ky) {
                        const int32_t iy = iy0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= p->in_h) {
                            continue;
                        }
                        for (kx = 0; kx < p->filter_w; ++kx) {
                            const int32_t ix = ix0 + kx * p->dilation_w;
                            size_t at;
                            int32_t v;
                            if (ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            at = in_batch + ((size_t)iy * p->in_w + ix) * p->channels + c;
                            v = is_signed ? ((const int8_t *)input)[at]
                                          : ((const uint8_t *)input)[at];
                            best = v > best ? v : best;
                        }
                    }
                    if (is_signed) {
                        ((int8_t *)output)[out++] = (int8_t)best;
                    } else {
                        ((uint8_t *)output)[out++] = (uint8_t)best;
                    }
                }
            }
        }
    }
}
