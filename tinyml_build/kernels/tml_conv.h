/*
 * tinyml-build portable kernels: int8 convolutions (CONV_2D, DEPTHWISE_CONV_2D).
 *
 * Layouts are TFLite's: activations NHWC, conv filters OHWI, depthwise filters
 * [1, H, W, C_out]. Requantisation is per output channel. All parameters are
 * computed by the generator and live in const structs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_CONV_H
#define TML_CONV_H

#include "tml_common.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t filter_h, filter_w, filter_in_c; /* filter_in_c = in_c / groups */
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* +output zero point */
    int32_t act_min, act_max;
    const int8_t *filter;
    const int32_t *bias;        /* model bias, or NULL: used where the window leaves the image */
    const int32_t *bias_folded; /* bias + input_offset * sum(filter): used inside the image */
    const int32_t *multiplier;  /* per output channel, Q31 */
    const int32_t *shift;       /* per output channel */
} tml_conv2d_s8_params;

void tml_conv2d_s8(const tml_conv2d_s8_params *p, const int8_t *input, int8_t *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c; /* out_c = in_c * depth_multiplier */
    int32_t depth_multiplier;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t input_offset;
    int32_t output_offset;
    int32_t act_min, act_max;
    const int8_t *filter;
    const int32_t *bias;
    const int32_t *bias_folded;
    const int32_t *multiplier;
    const int32_t *shift;
} tml_depthwise_conv2d_s8_params;

void tml_depthwise_conv2d_s8(const tml_depthwise_conv2d_s8_params *p, const int8_t *input,
                             int8_t *output);

#endif /* TML_CONV_H */
