/*
 * tinyml-build portable kernels: pooling (see tml_pool_f32.h).
 *
 * One loop nest serves average, max and integer max pooling; the mode test in the inner
 * loop is the same for every tap, so it costs a predictable branch.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_pool_f32.h"

enum { MODE_AVG, MODE_MAX, MODE_MAX_S8, MODE_MAX_U8 };

/* Taps of one window inside the padded extent [-before, size + after) along one axis. */
static int32_t padded_taps(int32_t start, int32_t filter, int32_t dilation, int32_t size,
                           int32_t before, int32_t after)
{
    int32_t first, last;
    tml_valid_taps(start + before, filter, dilation, before + size + after, &first, &last);
    return last - first;
}

static void pool(const tml_pool_f32_params *p, const void *input, void *output, int mode)
{
    const float *in_f = (const float *)input;
    const int8_t *in_s8 = (const int8_t *)input;
    const uint8_t *in_u8 = (const uint8_t *)input;
    int32_t b, od, oy, ox, c, kd, ky, kx;
    size_t out = 0;
    for (b = 0; b < p->batches; ++b) {
        const size_t in_batch = (size_t)b * p->in_d * p->in_h * p->in_w * p->channels;
        for (od = 0; od < p->out_d; ++od) {
            const tml_window wd = tml_window_of(od, p->stride_d, p->pad_front, p->filter_d,
                                                p->dilation_d, p->in_d);
            for (oy = 0; oy < p->out_h; ++oy) {
                const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h,
                                                    p->dilation_h, p->in_h);
                for (ox = 0; ox < p->out_w; ++ox) {
                    const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w,
                                                        p->dilation_w, p->in_w);
                    for (c = 0; c < p->channels; ++c) {
                        float acc = 0.0f;
                        int32_t best = mode == MODE_MAX_S8 ? -128 : 0;
                        int32_t inside = 0;
                        for (kd = wd.first; kd < wd.last; ++kd) {
                            const int32_t id = wd.origin + kd * p->dilation_d;
                            for (ky = wy.first; ky < wy.last; ++ky) {
                                const int32_t iy = wy.origin + ky * p->dilation_h;
                                for (kx = wx.first; kx < wx.last; ++kx) {
                                    const int32_t ix = wx.origin + kx * p->dilation_w;
                                    const size_t at =
                                        in_batch +
                                        (((size_t)id * p->in_h + iy) * p->in_w + ix) *
                                            p->channels + c;
                                    if (mode == MODE_AVG) {
                                        acc += in_f[at];
                                    } else if (mode == MODE_MAX) {
                                        acc = (inside == 0 || in_f[at] > acc) ? in_f[at] : acc;
                                    } else {
                                        const int32_t v = mode == MODE_MAX_S8 ? in_s8[at]
                                                                              : in_u8[at];
                                        best = v > best ? v : best;
                                    }
                                    ++inside;
                                }
                            }
                        }
                        if (mode == MODE_AVG) {
                            const int32_t count =
                                p->count_include_pad
                                    ? padded_taps(wd.origin, p->filter_d, p->dilation_d, p->in_d,
                                                  p->pad_front, p->pad_back) *
                                          padded_taps(wy.origin, p->filter_h, p->dilation_h,
                                                      p->in_h, p->pad_top, p->pad_bottom) *
                                          padded_taps(wx.origin, p->filter_w, p->dilation_w,
                                                      p->in_w, p->pad_left, p->pad_right)
                                    : inside;
                            acc = count > 0 ? acc / (float)count : 0.0f;
                        }
                        if (mode == MODE_MAX_S8) {
                            ((int8_t *)output)[out++] = (int8_t)best;
                        } else if (mode == MODE_MAX_U8) {
                            ((uint8_t *)output)[out++] = (uint8_t)best;
                        } else {
                            ((float *)output)[out++] = tml_act_apply(&p->act, acc);
                        }
                    }
                }
            }
        }
    }
}

void tml_avg_pool_f32(const tml_pool_f32_params *p, const float *input, float *output)
{
    pool(p, input, output, MODE_AVG);
}

void tml_max_pool_f32(const tml_pool_f32_params *p, const float *input, float *output)
{
    pool(p, input, output, MODE_MAX);
}

void tml_max_pool_int(const tml_pool_f32_params *p, const void *input, void *output,
                      int32_t is_signed)
{
    pool(p, input, output, is_signed ? MODE_MAX_S8 : MODE_MAX_U8);
}
