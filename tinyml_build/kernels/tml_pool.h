/*
 * tinyml-build portable kernels: int8 AVERAGE_POOL_2D and MAX_POOL_2D (NHWC).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_POOL_H
#define TML_POOL_H

#include "tml_common.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} tml_pool2d_params;

void tml_avg_pool2d_s8(const tml_pool2d_params *p, const int8_t *input, int8_t *output);
void tml_max_pool2d_s8(const tml_pool2d_params *p, const int8_t *input, int8_t *output);

#endif /* TML_POOL_H */
