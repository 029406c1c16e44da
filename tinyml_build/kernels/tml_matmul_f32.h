/*
 * tinyml-build portable kernels: float32 matrix products.
 *
 * fully_connected: y[b, n] = act(sum_k x[b, k] * w[n, k] + bias[n]) with w [N, K].
 * matmul: numpy.matmul of a [..., M, K] and b [..., K, N] with the batch dimensions
 * broadcast (up to 4 of them; a stride of 0 repeats an operand).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_MATMUL_F32_H
#define TML_MATMUL_F32_H

#include "tml_float.h"

#define TML_MATMUL_BATCH_DIMS 4

typedef struct {
    int32_t batches, depth, out_features;
    tml_act_f32 act;
} tml_fully_connected_f32_params;

void tml_fully_connected_f32(const tml_fully_connected_f32_params *p, const float *input,
                             const float *weights, const float *bias, float *output);

typedef struct {
    int32_t batch[TML_MATMUL_BATCH_DIMS];     /* output batch dims, left-padded with 1s */
    int32_t a_stride[TML_MATMUL_BATCH_DIMS];  /* matrix strides (elements), 0 = broadcast */
    int32_t b_stride[TML_MATMUL_BATCH_DIMS];
    int32_t m, k, n;
    tml_act_f32 act;
} tml_matmul_f32_params;

void tml_matmul_f32(const tml_matmul_f32_params *p, const float *a, const float *b,
                    float *output);

#endif /* TML_MATMUL_F32_H */
