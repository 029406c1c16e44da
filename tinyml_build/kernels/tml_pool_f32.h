/*
 * tinyml-build portable kernels: float32 pooling (and integer max pooling), channels last.
 *
 * Up to three spatial dimensions: [N, D, H, W, C] (2-D pooling has D = 1). The window of
 * output (od, oy, ox) starts at (od * stride_d - pad_front, oy * stride_h - pad_top,
 * ox * stride_w - pad_left) and has filter_d x filter_h x filter_w taps, dilation apart.
 * Taps outside the input never take part in the max or the sum. The average divides by
 * the taps inside the input, or with count_include_pad by the taps inside the padded
 * area [-pad_front, in_d + pad_back) x ... (ONNX AveragePool; ceil-mode windows that run
 * past the end padding are clipped).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_POOL_F32_H
#define TML_POOL_F32_H

#include "tml_float.h"

typedef struct {
    int32_t batches, channels;
    int32_t in_d, in_h, in_w, out_d, out_h, out_w;
    int32_t filter_d, filter_h, filter_w;
    int32_t stride_d, stride_h, stride_w;
    int32_t dilation_d, dilation_h, dilation_w;
    int32_t pad_front, pad_top, pad_left, pad_back, pad_bottom, pad_right;
    int32_t count_include_pad;
    tml_act_f32 act;
} tml_pool_f32_params;

void tml_avg_pool_f32(const tml_pool_f32_params *p, const float *input, float *output);
void tml_max_pool_f32(const tml_pool_f32_params *p, const float *input, float *output);

/* Max pooling of int8 (is_signed) or uint8 values, quantised or not: the maximum of the
 * stored integers is the maximum of the values whenever input and output share one
 * quantisation. The activation field is ignored. */
void tml_max_pool_int(const tml_pool_f32_params *p, const void *input, void *output,
                      int32_t is_signed);

#endif /* TML_POOL_F32_H */
