/*
 * tinyml-build portable kernels: float32 convolutions.
 *
 * Activations NHWC. conv2d filters OHWI with groups (filter_in_c = in_c / groups);
 * depthwise filters [1, kh, kw, out_c] (TFLite);
 * conv_transpose filters [in_c, kh, kw, out_c / groups]. Weights and bias are call
 * arguments, so they may live in the arena (computed at run time) or in flash.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_CONV_F32_H
#define TML_CONV_F32_H

#include "tml_float.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t filter_h, filter_w, filter_in_c;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    tml_act_f32 act;
} tml_conv2d_f32_params;

void tml_conv2d_f32(const tml_conv2d_f32_params *p, const float *input, const float *filter,
                    const float *bias, float *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c; /* out_c = in_c * depth_multiplier */
    int32_t depth_multiplier;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    tml_act_f32 act;
} tml_depthwise_conv2d_f32_params;

/* TFLite DEPTHWISE_CONV_2D: filter [1, kh, kw, out_c] */
void tml_depthwise_conv2d_f32(const tml_depthwise_conv2d_f32_params *p, const float *input,
                              const float *filter, const float *bias, float *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t filter_h, filter_w;
    int32_t groups;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    tml_act_f32 act;
} tml_conv_transpose_f32_params;

void tml_conv_transpose_f32(const tml_conv_transpose_f32_params *p, const float *input,
                            const float *filter, const float *bias, float *output);

#endif /* TML_CONV_F32_H */
