/*
 * tinyml-build portable kernels: int8 pooling.
 *
 * As TFLite's reference kernels: the window is clipped to the image, the average is the
 * sum divided by the number of taps inside, rounded half away from zero; input and output
 * share one quantisation, so no requantisation happens.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_pool.h"

void tml_avg_pool2d_s8(const tml_pool2d_params *p, const int8_t *input, int8_t *output)
{
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h, 1,
                                                p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w, 1,
                                                    p->in_w);
                const int32_t count = (wy.last - wy.first) * (wx.last - wx.first);
                for (c = 0; c < p->channels; ++c) {
                    int32_t acc = 0;
                    for (fy = wy.first; fy < wy.last; ++fy) {
                        const int8_t *row = in_batch +
                                            ((size_t)(wy.origin + fy) * p->in_w + wx.origin) *
                                                p->channels + c;
                        for (fx = wx.first; fx < wx.last; ++fx) {
                            acc += row[(size_t)fx * p->channels];
                        }
                    }
                    if (count > 0) {
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    }
                    *output++ = tml_clamp_s8(acc, p->act_min, p->act_max);
                }
            }
        }
    }
}

void tml_max_pool2d_s8(const tml_pool2d_params *p, const int8_t *input, int8_t *output)
{
    int32_t b, oy, ox, c, fy, fx;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->channels;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h, 1,
                                                p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w, 1,
                                                    p->in_w);
                for (c = 0; c < p->channels; ++c) {
                    int32_t best = -128;
                    for (fy = wy.first; fy < wy.last; ++fy) {
                        const int8_t *row = in_batch +
                                            ((size_t)(wy.origin + fy) * p->in_w + wx.origin) *
                                                p->channels + c;
                        for (fx = wx.first; fx < wx.last; ++fx) {
                            const int32_t v = row[(size_t)fx * p->channels];
                            best = v > best ? v : best;
                        }
                    }
                    *output++ = tml_clamp_s8(best, p->act_min, p->act_max);
                }
            }
        }
    }
}
