/*
 * tinyml-build portable kernels: int8 convolutions.
 *
 * Same arithmetic as TFLite's reference ConvPerChannel / DepthwiseConvPerChannel: an int32
 * accumulator of (input + input_offset) * filter, plus bias, requantised per channel,
 * offset and clamped. Where the whole filter window lies inside the image, the generator
 * has folded input_offset * sum(filter) into the bias, so the inner loop is a plain int8
 * dot product; the integer sums are the same, so are the results. Windows that cross the
 * border skip the outside taps exactly as the reference does.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_conv.h"

static inline int window_inside(int32_t origin, int32_t taps, int32_t dilation, int32_t size)
{
    return origin >= 0 && origin + (taps - 1) * dilation < size;
}

void tml_conv2d_s8(const tml_conv2d_s8_params *p, const int8_t *input, int8_t *output)
{
    const int32_t fic = p->filter_in_c;
    const int32_t filters_per_group = p->out_c / (p->in_c / fic);
    const int32_t filter_size = p->filter_h * p->filter_w * fic;
    int32_t b, oy, ox, oc, fy, fx, ic;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int inside_y = window_inside(iy0, p->filter_h, p->dilation_h, p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                const int inside = inside_y &&
                                   window_inside(ix0, p->filter_w, p->dilation_w, p->in_w);
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t group_base = (oc / filters_per_group) * fic;
                    const int8_t *w = p->filter + (size_t)oc * filter_size;
                    int32_t acc;
                    if (inside) {
                        acc = p->bias_folded[oc];
                        for (fy = 0; fy < p->filter_h; ++fy) {
                            const int32_t iy = iy0 + fy * p->dilation_h;
                            for (fx = 0; fx < p->filter_w; ++fx) {
                                const int32_t ix = ix0 + fx * p->dilation_w;
                                const int8_t *x =
                                    in_batch + ((size_t)iy * p->in_w + ix) * p->in_c + group_base;
                                for (ic = 0; ic < fic; ++ic) {
                                    acc += (int32_t)x[ic] * w[ic];
                                }
                                w += fic;
                            }
                        }
                    } else {
                        acc = p->bias ? p->bias[oc] : 0;
                        for (fy = 0; fy < p->filter_h; ++fy) {
                            const int32_t iy = iy0 + fy * p->dilation_h;
                            if (iy < 0 || iy >= p->in_h) {
                                w += p->filter_w * fic;
                                continue;
                            }
                            for (fx = 0; fx < p->filter_w; ++fx) {
                                const int32_t ix = ix0 + fx * p->dilation_w;
                                if (ix >= 0 && ix < p->in_w) {
                                    const int8_t *x = in_batch +
                                                      ((size_t)iy * p->in_w + ix) * p->in_c +
                                                      group_base;
                                    for (ic = 0; ic < fic; ++ic) {
                                        acc += ((int32_t)x[ic] + p->input_offset) * w[ic];
                                    }
                                }
                                w += fic;
                            }
                        }
                    }
                    acc = tml_requantize(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
                    *output++ = tml_clamp_s8(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

void tml_depthwise_conv2d_s8(const tml_depthwise_conv2d_s8_params *p, const int8_t *input,
                             int8_t *output)
{
    const int32_t out_c = p->out_c;
    int32_t b, oy, ox, ic, m, fy, fx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int inside_y = window_inside(iy0, p->filter_h, p->dilation_h, p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                const int inside = inside_y &&
                                   window_inside(ix0, p->filter_w, p->dilation_w, p->in_w);
                for (ic = 0; ic < p->in_c; ++ic) {
                    for (m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        int32_t acc;
                        if (inside) {
                            acc = p->bias_folded[oc];
                            for (fy = 0; fy < p->filter_h; ++fy) {
                                const int32_t iy = iy0 + fy * p->dilation_h;
                                const int8_t *x = in_batch + ((size_t)iy * p->in_w + ix0) * p->in_c + ic;
                                const int8_t *w = p->filter + (size_t)fy * p->filter_w * out_c + oc;
                                for (fx = 0; fx < p->filter_w; ++fx) {
                                    acc += (int32_t)x[(size_t)fx * p->dilation_w * p->in_c] *
                                           w[(size_t)fx * out_c];
                                }
                            }
                        } else {
                            acc = p->bias ? p->bias[oc] : 0;
                            for (fy = 0; fy < p->filter_h; ++fy) {
                                const int32_t iy = iy0 + fy * p->dilation_h;
                                if (iy < 0 || iy >= p->in_h) {
                                    continue;
                                }
                                for (fx = 0; fx < p->filter_w; ++fx) {
                                    const int32_t ix = ix0 + fx * p->dilation_w;
                                    if (ix >= 0 && ix < p->in_w) {
                                        const int32_t x =
                                            in_batch[((size_t)iy * p->in_w + ix) * p->in_c + ic];
                                        acc += (x + p->input_offset) *
                                               p->filter[((size_t)fy * p->filter_w + fx) * out_c + oc];
                                    }
                                }
                            }
                        }
                        acc = tml_requantize(acc, p->multiplier[oc], p->shift[oc]) +
                              p->output_offset;
                        output[((((size_t)b * p->out_h + oy) * p->out_w) + ox) * out_c + oc] =
                            tml_clamp_s8(acc, p->act_min, p->act_max);
                    }
                }
            }
        }
    }
}
