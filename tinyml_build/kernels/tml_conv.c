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

/* The 2-pixel x 4-channel tile needs 8 accumulators and 6 pointers live at once: a win
 * where there are plenty of registers (64-bit hosts, RISC-V), a loss to spills on the 13
 * usable registers of Thumb-2, where the 1 x 4 tile is faster. */
#ifndef TML_WIDE_TILES
#if defined(__thumb__)
#define TML_WIDE_TILES 0
#else
#define TML_WIDE_TILES 1
#endif
#endif

/* Dot products of one input span with four filter rows at once: every input byte is
 * loaded once for four output channels. */
static inline void dot4(const int8_t *x, int32_t offset, const int8_t *w0, const int8_t *w1,
                        const int8_t *w2, const int8_t *w3, int32_t n, int32_t *acc)
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t k = 0;
#if TML_ARM_DSP
    const int16x2_t off = tml_pair16(offset);
    for (; k + 4 <= n; k += 4) {
        const uint32_t xv = tml_load4(x + k);
        /* x + offset fits in int16 (int8 values, |offset| <= 128) */
        const int16x2_t xl = __sadd16(tml_sx_lo(xv), off);
        const int16x2_t xh = __sadd16(tml_sx_hi(xv), off);
        uint32_t wv;
        wv = tml_load4(w0 + k);
        a0 = __smlad(xl, tml_sx_lo(wv), a0);
        a0 = __smlad(xh, tml_sx_hi(wv), a0);
        wv = tml_load4(w1 + k);
        a1 = __smlad(xl, tml_sx_lo(wv), a1);
        a1 = __smlad(xh, tml_sx_hi(wv), a1);
        wv = tml_load4(w2 + k);
        a2 = __smlad(xl, tml_sx_lo(wv), a2);
        a2 = __smlad(xh, tml_sx_hi(wv), a2);
        wv = tml_load4(w3 + k);
        a3 = __smlad(xl, tml_sx_lo(wv), a3);
        a3 = __smlad(xh, tml_sx_hi(wv), a3);
    }
#endif
    for (; k < n; ++k) {
        const int32_t v = x[k] + offset;
        a0 += v * w0[k];
        a1 += v * w1[k];
        a2 += v * w2[k];
        a3 += v * w3[k];
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

static inline int32_t dot1(const int8_t *x, int32_t offset, const int8_t *w, int32_t n)
{
    int32_t a = 0;
    int32_t k;
    for (k = 0; k < n; ++k) {
        a += ((int32_t)x[k] + offset) * w[k];
    }
    return a;
}

static inline int8_t conv_output(const tml_conv2d_s8_params *p, int32_t acc, int32_t oc)
{
    acc = tml_requantize(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
    return tml_clamp_s8(acc, p->act_min, p->act_max);
}

/* Without groups or horizontal dilation, each filter row meets one contiguous span of
 * input bytes (NHWC) laid out exactly like the filter row (OHWI), so the accumulation is a
 * few plain dot products. Inside the image the input offset is folded into bias_folded;
 * where the window crosses the border it is clipped to the image and the offset is added
 * per tap, which skips the outside taps exactly as the reference does. */
static void conv_dense(const tml_conv2d_s8_params *p, const int8_t *in_batch,
                       const tml_window *wy, const tml_window *wx, int inside, int8_t *out)
{
    const int32_t row = p->filter_w * p->in_c;
    const int32_t filter_size = p->filter_h * row;
    const int32_t offset = inside ? 0 : p->input_offset;
    const int32_t *bias = inside ? p->bias_folded : p->bias;
    const int32_t fx0 = wx->first;
    const int32_t span = (wx->last - fx0) * p->in_c;
    int32_t oc = 0;
    int32_t fy;
    for (; oc + 4 <= p->out_c; oc += 4) {
        const int8_t *w = p->filter + (size_t)oc * filter_size + fx0 * p->in_c;
        int32_t acc[4] = {0, 0, 0, 0};
        if (bias) {
            acc[0] = bias[oc];
            acc[1] = bias[oc + 1];
            acc[2] = bias[oc + 2];
            acc[3] = bias[oc + 3];
        }
        for (fy = wy->first; fy < wy->last; ++fy) {
            const int32_t iy = wy->origin + fy * p->dilation_h;
            const int8_t *x = in_batch + ((size_t)iy * p->in_w + wx->origin + fx0) * p->in_c;
            const int8_t *wr = w + (size_t)fy * row;
            dot4(x, offset, wr, wr + filter_size, wr + 2 * filter_size, wr + 3 * filter_size,
                 span, acc);
        }
        out[oc] = conv_output(p, acc[0], oc);
        out[oc + 1] = conv_output(p, acc[1], oc + 1);
        out[oc + 2] = conv_output(p, acc[2], oc + 2);
        out[oc + 3] = conv_output(p, acc[3], oc + 3);
    }
    for (; oc < p->out_c; ++oc) {
        const int8_t *w = p->filter + (size_t)oc * filter_size + fx0 * p->in_c;
        int32_t acc = bias ? bias[oc] : 0;
        for (fy = wy->first; fy < wy->last; ++fy) {
            const int32_t iy = wy->origin + fy * p->dilation_h;
            acc += dot1(in_batch + ((size_t)iy * p->in_w + wx->origin + fx0) * p->in_c, offset,
                        w + (size_t)fy * row, span);
        }
        out[oc] = conv_output(p, acc, oc);
    }
}

/* Two horizontally adjacent output pixels whose windows both lie inside the image, four
 * output channels at a time: a 2x4 register tile, so each input byte feeds four MACs and
 * each filter byte two. */
static void conv_dense_pair(const tml_conv2d_s8_params *p, const int8_t *in_batch, int32_t iy0,
                            int32_t ix0, int8_t *out)
{
    const int32_t row = p->filter_w * p->in_c;
    const int32_t filter_size = p->filter_h * row;
    const size_t next = (size_t)p->stride_w * p->in_c; /* second pixel's input, in bytes */
    int8_t *out1 = out + p->out_c;
    int32_t oc = 0;
    int32_t fy, k;
    for (; oc + 4 <= p->out_c; oc += 4) {
        const int8_t *w = p->filter + (size_t)oc * filter_size;
        int32_t a0 = p->bias_folded[oc], a1 = p->bias_folded[oc + 1];
        int32_t a2 = p->bias_folded[oc + 2], a3 = p->bias_folded[oc + 3];
        int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        for (fy = 0; fy < p->filter_h; ++fy) {
            const int8_t *x =
                in_batch + ((size_t)(iy0 + fy * p->dilation_h) * p->in_w + ix0) * p->in_c;
            const int8_t *y = x + next;
            const int8_t *w0 = w + (size_t)fy * row;
            const int8_t *w1 = w0 + filter_size;
            const int8_t *w2 = w1 + filter_size;
            const int8_t *w3 = w2 + filter_size;
            for (k = 0; k < row; ++k) {
                const int32_t u = x[k];
                const int32_t v = y[k];
                const int32_t f0 = w0[k], f1 = w1[k], f2 = w2[k], f3 = w3[k];
                a0 += u * f0;
                a1 += u * f1;
                a2 += u * f2;
                a3 += u * f3;
                b0 += v * f0;
                b1 += v * f1;
                b2 += v * f2;
                b3 += v * f3;
            }
        }
        out[oc] = conv_output(p, a0, oc);
        out[oc + 1] = conv_output(p, a1, oc + 1);
        out[oc + 2] = conv_output(p, a2, oc + 2);
        out[oc + 3] = conv_output(p, a3, oc + 3);
        out1[oc] = conv_output(p, b0, oc);
        out1[oc + 1] = conv_output(p, b1, oc + 1);
        out1[oc + 2] = conv_output(p, b2, oc + 2);
        out1[oc + 3] = conv_output(p, b3, oc + 3);
    }
    /* leftover channels (out_c not a multiple of 4) */
    {
        for (; oc < p->out_c; ++oc) {
            const int8_t *w = p->filter + (size_t)oc * filter_size;
            int32_t a = p->bias_folded[oc], b = a;
            for (fy = 0; fy < p->filter_h; ++fy) {
                const int8_t *x =
                    in_batch + ((size_t)(iy0 + fy * p->dilation_h) * p->in_w + ix0) * p->in_c;
                a += dot1(x, 0, w + (size_t)fy * row, row);
                b += dot1(x + next, 0, w + (size_t)fy * row, row);
            }
            out[oc] = conv_output(p, a, oc);
            out1[oc] = conv_output(p, b, oc);
        }
    }
}

/* Grouped or horizontally dilated convolutions: tap by tap over the taps inside the
 * image, skipping the others as the reference does. */
static void conv_general(const tml_conv2d_s8_params *p, const int8_t *in_batch,
                         const tml_window *wy, const tml_window *wx, int inside, int8_t *out)
{
    const int32_t fic = p->filter_in_c;
    const int32_t filters_per_group = p->out_c / (p->in_c / fic);
    const int32_t filter_size = p->filter_h * p->filter_w * fic;
    const int32_t offset = inside ? 0 : p->input_offset;
    int32_t oc, fy, fx, ic;
    for (oc = 0; oc < p->out_c; ++oc) {
        const int32_t group_base = (oc / filters_per_group) * fic;
        const int8_t *filter = p->filter + (size_t)oc * filter_size;
        int32_t acc = inside ? p->bias_folded[oc] : (p->bias ? p->bias[oc] : 0);
        for (fy = wy->first; fy < wy->last; ++fy) {
            const int32_t iy = wy->origin + fy * p->dilation_h;
            for (fx = wx->first; fx < wx->last; ++fx) {
                const int32_t ix = wx->origin + fx * p->dilation_w;
                const int8_t *x = in_batch + ((size_t)iy * p->in_w + ix) * p->in_c + group_base;
                const int8_t *w = filter + ((size_t)fy * p->filter_w + fx) * fic;
                for (ic = 0; ic < fic; ++ic) {
                    acc += ((int32_t)x[ic] + offset) * w[ic];
                }
            }
        }
        out[oc] = conv_output(p, acc, oc);
    }
}

void tml_conv2d_s8(const tml_conv2d_s8_params *p, const int8_t *input, int8_t *output)
{
    const int dense = p->filter_in_c == p->in_c && p->dilation_w == 1;
    int32_t b, oy, ox;
    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h,
                                                p->dilation_h, p->in_h);
            const int inside_y = wy.first == 0 && wy.last == p->filter_h;
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w,
                                                    p->dilation_w, p->in_w);
                const int inside = inside_y && wx.first == 0 && wx.last == p->filter_w;
                if (TML_WIDE_TILES && dense && inside && ox + 1 < p->out_w &&
                    tml_window_inside(wx.origin + p->stride_w, p->filter_w, 1, p->in_w)) {
                    conv_dense_pair(p, in_batch, wy.origin, wx.origin, output);
                    output += 2 * p->out_c;
                    ++ox;
                    continue;
                }
                if (dense) {
                    conv_dense(p, in_batch, &wy, &wx, inside, output);
                } else {
                    conv_general(p, in_batch, &wy, &wx, inside, output);
                }
                output += p->out_c;
            }
        }
    }
}

static inline int8_t dw_output(const tml_depthwise_conv2d_s8_params *p, int32_t acc, int32_t oc)
{
    acc = tml_requantize(acc, p->multiplier[oc], p->shift[oc]) + p->output_offset;
    return tml_clamp_s8(acc, p->act_min, p->act_max);
}

/* channel ic of input pixel (iy, ix) */
static inline const int8_t *dw_input(const tml_depthwise_conv2d_s8_params *p,
                                     const int8_t *in_batch, int32_t iy, int32_t ix, int32_t ic)
{
    return in_batch + ((size_t)iy * p->in_w + ix) * p->in_c + ic;
}

void tml_depthwise_conv2d_s8(const tml_depthwise_conv2d_s8_params *p, const int8_t *input,
                             int8_t *output)
{
    const int32_t out_c = p->out_c;
    const int32_t mult = p->depth_multiplier;
    const size_t x_step = (size_t)p->dilation_w * p->in_c;
    int32_t b, oy, ox, ic, m, fy, fx;

    for (b = 0; b < p->batches; ++b) {
        const int8_t *in_batch = input + (size_t)b * p->in_h * p->in_w * p->in_c;
        for (oy = 0; oy < p->out_h; ++oy) {
            const tml_window wy = tml_window_of(oy, p->stride_h, p->pad_top, p->filter_h,
                                                p->dilation_h, p->in_h);
            const int32_t fy0 = wy.first, fy1 = wy.last;
            for (ox = 0; ox < p->out_w; ++ox) {
                const tml_window wx = tml_window_of(ox, p->stride_w, p->pad_left, p->filter_w,
                                                    p->dilation_w, p->in_w);
                const int32_t fx0 = wx.first, fx1 = wx.last;
                /* inside the image the input offset is folded into bias_folded; at the
                 * border the window is clipped and the offset added per tap, which skips
                 * the outside taps exactly as the reference does */
                const int inside = fy0 == 0 && fy1 == p->filter_h && fx0 == 0 &&
                                   fx1 == p->filter_w;
                const int32_t *bias = inside ? p->bias_folded : p->bias;
                const int32_t offset = inside ? 0 : p->input_offset;
                ic = 0;
                if (mult == 1) {
                    /* four channels per tap: one address computation for four MACs */
                    for (; ic + 4 <= p->in_c; ic += 4) {
                        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        if (bias) {
                            a0 = bias[ic];
                            a1 = bias[ic + 1];
                            a2 = bias[ic + 2];
                            a3 = bias[ic + 3];
                        }
                        for (fy = fy0; fy < fy1; ++fy) {
                            const int8_t *xp = dw_input(p, in_batch, wy.origin + fy * p->dilation_h,
                                                        wx.origin + fx0 * p->dilation_w, ic);
                            const int8_t *wp =
                                p->filter + ((size_t)fy * p->filter_w + fx0) * out_c + ic;
                            for (fx = fx0; fx < fx1; ++fx) {
                                a0 += ((int32_t)xp[0] + offset) * wp[0];
                                a1 += ((int32_t)xp[1] + offset) * wp[1];
                                a2 += ((int32_t)xp[2] + offset) * wp[2];
                                a3 += ((int32_t)xp[3] + offset) * wp[3];
                                xp += x_step;
                                wp += out_c;
                            }
                        }
                        output[ic] = dw_output(p, a0, ic);
                        output[ic + 1] = dw_output(p, a1, ic + 1);
                        output[ic + 2] = dw_output(p, a2, ic + 2);
                        output[ic + 3] = dw_output(p, a3, ic + 3);
                    }
                }
                for (; ic < p->in_c; ++ic) {
                    for (m = 0; m < mult; ++m) {
                        const int32_t oc = ic * mult + m;
                        int32_t acc = bias ? bias[oc] : 0;
                        for (fy = fy0; fy < fy1; ++fy) {
                            const int8_t *xp = dw_input(p, in_batch, wy.origin + fy * p->dilation_h,
                                                        wx.origin + fx0 * p->dilation_w, ic);
                            const int8_t *wp =
                                p->filter + ((size_t)fy * p->filter_w + fx0) * out_c + oc;
                            for (fx = fx0; fx < fx1; ++fx) {
                                acc += ((int32_t)*xp + offset) * *wp;
                                xp += x_step;
                                wp += out_c;
                            }
                        }
                        output[oc] = dw_output(p, acc, oc);
                    }
                }
                output += out_c;
            }
        }
    }
}
