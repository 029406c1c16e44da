/*
 * tinyml-build portable kernels: float32 convolutions.
 *
 * conv2d and depthwise gather: each output is the dot product of its window (taps
 * outside the image are skipped, i.e. zero padding) with the filter, accumulated in float
 * in (ky, kx, ic) order from zero, then the bias is added: the order of TFLite's reference
 * kernels, so float TFLite models can match them exactly. conv_transpose scatters: the
 * output starts as the bias, then every input pixel adds its contribution to the outputs
 * its window reaches.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_conv_f32.h"

void tml_conv2d_f32(const tml_conv2d_f32_params *p, const float *input, const float *filter,
                    const float *bias, float *output)
{
    const int32_t groups = p->in_c / p->filter_in_c;
    const int32_t out_per_group = p->out_c / groups;
    int32_t b, oy, ox, oc, ky, kx, ic;
    for (b = 0; b < p->batches; ++b) {
        const float *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h,
                                                p->dilation_h, p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w,
                                                    p->dilation_w, p->in_w);
                for (oc = 0; oc < p->out_c; ++oc) {
                    const int32_t g = oc / out_per_group;
                    const float *f = filter + (size_t)oc * p->filter_h * p->filter_w *
                                                  p->filter_in_c;
                    float acc = 0.0f;
                    for (ky = wy.first; ky < wy.last; ++ky) {
                        const int32_t iy = wy.origin + ky * p->dilation_h;
                        for (kx = wx.first; kx < wx.last; ++kx) {
                            const int32_t ix = wx.origin + kx * p->dilation_w;
                            const float *px = in_batch + ((size_t)iy * p->in_w + ix) * p->in_c +
                                              (size_t)g * p->filter_in_c;
                            const float *fk = f + ((size_t)ky * p->filter_w + kx) * p->filter_in_c;
                            for (ic = 0; ic < p->filter_in_c; ++ic) {
                                acc += px[ic] * fk[ic];
                            }
                        }
                    }
                    *output++ = tml_act_apply(&p->act, bias ? acc + bias[oc] : acc);
                }
            }
        }
    }
}

void tml_depthwise_conv2d_f32(const tml_depthwise_conv2d_f32_params *p, const float *input,
                              const float *filter, const float *bias, float *output)
{
    int32_t b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < p->batches; ++b) {
        const float *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h,
                                                p->dilation_h, p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w,
                                                    p->dilation_w, p->in_w);
                for (ic = 0; ic < p->in_c; ++ic) {
                    for (m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        float acc = 0.0f;
                        for (ky = wy.first; ky < wy.last; ++ky) {
                            const int32_t iy = wy.origin + ky * p->dilation_h;
                            for (kx = wx.first; kx < wx.last; ++kx) {
                                const int32_t ix = wx.origin + kx * p->dilation_w;
                                acc += in_batch[((size_t)iy * p->in_w + ix) * p->in_c + ic] *
                                       filter[((size_t)ky * p->filter_w + kx) * p->out_c + oc];
                            }
                        }
                        *output++ = tml_act_apply(&p->act, bias ? acc + bias[oc] : acc);
                    }
                }
            }
        }
    }
}

void tml_conv_transpose_f32(const tml_conv_transpose_f32_params *p, const float *input,
                            const float *filter, const float *bias, float *output)
{
    const int32_t in_per_group = p->in_c / p->groups;
    const int32_t out_per_group = p->out_c / p->groups;
    const size_t out_plane = (size_t)p->out_h * p->out_w * p->out_c;
    int32_t b, iy, ix, ic, ky, kx, oc;
    size_t i;
    for (b = 0; b < p->batches; ++b) {
        float *out_batch = output + (size_t)b * out_plane;
        const float *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (i = 0; i < out_plane; ++i) {
            out_batch[i] = bias ? bias[i % (size_t)p->out_c] : 0.0f;
        }
        for (iy = 0; iy < p->in_h; ++iy) {
            /* the input pixel's window over the output, clipped to it */
            const tml_window wy = tml_window_of(iy, p->stride_h, p->pad_top, p->filter_h,
                                                p->dilation_h, p->out_h);
            for (ix = 0; ix < p->in_w; ++ix) {
                const float *px = in_batch + ((size_t)iy * p->in_w + ix) * p->in_c;
                const tml_window wx = tml_window_of(ix, p->stride_w, p->pad_left, p->filter_w,
                                                    p->dilation_w, p->out_w);
                for (ic = 0; ic < p->in_c; ++ic) {
                    const int32_t g = ic / in_per_group;
                    const float v = px[ic];
                    for (ky = wy.first; ky < wy.last; ++ky) {
                        const int32_t oy = wy.origin + ky * p->dilation_h;
                        for (kx = wx.first; kx < wx.last; ++kx) {
                            const int32_t ox = wx.origin + kx * p->dilation_w;
                            const float *fk =
                                filter + (((size_t)ic * p->filter_h + ky) * p->filter_w + kx) *
                                             out_per_group;
                            float *po = out_batch + ((size_t)oy * p->out_w + ox) * p->out_c +
                                        (size_t)g * out_per_group;
                            for (oc = 0; oc < out_per_group; ++oc) {
                                po[oc] += v * fk[oc];
                            }
                        }
                    }
                }
            }
        }
        for (i = 0; i < out_plane; ++i) {
            out_batch[i] = tml_act_apply(&p->act, out_batch[i]);
        }
    }
}
