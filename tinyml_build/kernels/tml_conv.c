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

/* Dot products of one input span with four filter rows at once: every input byte is
 * loaded once for four output channels. */
static inline void dot4(const int8_t *x, int32_t offset, const int8_t *w0, const int8_t *w1,
                        const int8_t *w2, const int8_t *w3, int32_t n, int32_t *acc)
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t k;
    for (k = 0; k < n; ++k) {
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
static void conv_dense(const tml_conv2d_s8_params *p, const int8_t *in_batch, int32_t iy0,
                       int32_t ix0, int inside, int8_t *out)
{
    const int32_t row = p->filter_w * p->in_c;
    const int32_t filter_size = p->filter_h * row;
    const int32_t fx0 = TML_MAX(0, -ix0);
    const int32_t fx1 = TML_MIN(p->filter_w, p->in_w - ix0);
    const int32_t span = (fx1 - fx0) * p->in_c;
    const int32_t offset = inside ? 0 : p->input_offset;
    const int32_t *bias = inside ? p->bias_folded : p->bias;
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
        for (fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = iy0 + fy * p->dilation_h;
            const int8_t *x;
            const int8_t *wr = w + (size_t)fy * row;
            if (iy < 0 || iy >= p->in_h) {
                continue;
            }
            x = in_batch + ((size_t)iy * p->in_w + ix0 + fx0) * p->in_c;
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
        for (fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = iy0 + fy * p->dilation_h;
            if (iy >= 0 && iy < p->in_h) {
                acc += dot1(in_batch + ((size_t)iy * p->in_w + ix0 + fx0) * p->in_c, offset,
                            w + (size_t)fy * row, span);
            }
        }
        out[oc] = conv_output(p, acc, oc);
    }
}

/* Grouped or horizontally dilated convolutions: tap by tap, skipping taps outside the
 * image as the reference does. */
static void conv_general(const tml_conv2d_s8_params *p, const int8_t *in_batch, int32_t iy0,
                         int32_t ix0, int inside, int8_t *out)
{
    const int32_t fic = p->filter_in_c;
    const int32_t filters_per_group = p->out_c / (p->in_c / fic);
    const int32_t filter_size = p->filter_h * p->filter_w * fic;
    int32_t oc, fy, fx, ic;
    for (oc = 0; oc < p->out_c; ++oc) {
        const int32_t group_base = (oc / filters_per_group) * fic;
        const int8_t *w = p->filter + (size_t)oc * filter_size;
        int32_t acc = inside ? p->bias_folded[oc] : (p->bias ? p->bias[oc] : 0);
        const int32_t offset = inside ? 0 : p->input_offset;
        for (fy = 0; fy < p->filter_h; ++fy) {
            const int32_t iy = iy0 + fy * p->dilation_h;
            if (iy < 0 || iy >= p->in_h) {
                w += p->filter_w * fic;
                continue;
            }
            for (fx = 0; fx < p->filter_w; ++fx) {
                const int32_t ix = ix0 + fx * p->dilation_w;
                if (ix >= 0 && ix < p->in_w) {
                    const int8_t *x =
                        in_batch + ((size_t)iy * p->in_w + ix) * p->in_c + group_base;
                    for (ic = 0; ic < fic; ++ic) {
                        acc += ((int32_t)x[ic] + offset) * w[ic];
                    }
                }
                w += fic;
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
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int inside_y = window_inside(iy0, p->filter_h, p->dilation_h, p->in_h);
            for (ox = 0; ox < p->out_w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                const int inside = inside_y &&
                                   window_inside(ix0, p->filter_w, p->dilation_w, p->in_w);
                if (dense) {
                    conv_dense(p, in_batch, iy0, ix0, inside, output);
                } else {
                    conv_general(p, in_batch, iy0, ix0, inside, output);
                }
                output += p->out_c;
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
