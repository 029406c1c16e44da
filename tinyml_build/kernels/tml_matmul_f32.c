/*
 * tinyml-build portable kernels: float32 matrix products (see tml_matmul_f32.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_matmul_f32.h"

void tml_fully_connected_f32(const tml_fully_connected_f32_params *p, const float *input,
                             const float *weights, const float *bias, float *output)
{
    int32_t b, n, k;
    for (b = 0; b < p->batches; ++b) {
        const float *x = input + (size_t)b * p->depth;
        for (n = 0; n < p->out_features; ++n) {
            const float *w = weights + (size_t)n * p->depth;
            float acc = 0.0f;
            for (k = 0; k < p->depth; ++k) {
                acc += x[k] * w[k];
            }
            /* bias after the sum, in TFLite's reference order */
            *output++ = tml_act_apply(&p->act, bias ? acc + bias[n] : acc);
        }
    }
}

static void matmul_one(const tml_matmul_f32_params *p, const float *a, const float *b,
                       float *out)
{
    int32_t i, j, k;
    for (i = 0; i < p->m; ++i) {
        for (j = 0; j < p->n; ++j) {
            float acc = 0.0f;
            for (k = 0; k < p->k; ++k) {
                acc += a[(size_t)i * p->k + k] * b[(size_t)k * p->n + j];
            }
            out[(size_t)i * p->n + j] = tml_act_apply(&p->act, acc);
        }
    }
}

void tml_matmul_f32(const tml_matmul_f32_params *p, const float *a, const float *b,
                    float *output)
{
    const size_t out_matrix = (size_t)p->m * p->n;
    tml_walk w;
    for (tml_walk_start(&w, TML_MATMUL_BATCH_DIMS, p->batch, p->a_stride, p->b_stride);
         w.left > 0; tml_walk_next(&w)) {
        matmul_one(p, a + w.a, b + w.b, output);
        output += out_matrix;
    }
}
