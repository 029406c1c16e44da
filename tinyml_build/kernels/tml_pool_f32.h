/*
 * tinyml-build portable kernels: float32 pooling (and integer max pooling), NHWC.
 *
 * The window of output (oy, ox) starts at (oy * stride - pad_top, ox * stride - pad_left)
 * and has filter_h x filter_w taps, dilation apart. Taps outside the image never take
 * part in the max or the sum. The average divides by the taps inside the image, or with
 * count_include_pad by the taps inside the padded area [-pad_top, in_h + pad_bottom)
 * (ONNX AveragePool; ceil-mode windows that run past the end padding are clipped).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_POOL_F32_H
#define TML_POOL_F32_H

#include "tml_float.h"

typedef struct {
    int32_t batches, in_h, in_w, channels, out_h, out_w;
    int32_t filter_h, filter_w, stride_h, stride_w, dilation_h, dilation_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t count_include_pad;
    tml_act_f32 act;
} tml_pool2d_f32_params;

void tml_avg_pool2d_f32(const tml_pool2d_f32_params *p, const float *input, float *output);
void tml_max_pool2d_f32(const tml_pool2d_f32_params *p, const float *input, float *output);

/* Max pooling of int8 (is_signed) or uint8 values, quantised or not: the maximum of the
 * stored integers is the maximum of the values whenever input and output share one
 * quantisation. The activation field is ignored. */
void tml_max_pool2d_int(const tml_pool2d_f32_params *p, const void *input, void *output,
                        int32_t is_signed);

#endif /* TML_POOL_F32_H */
