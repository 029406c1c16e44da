/*
 * tinyml-build portable kernels: float32 element-wise ops (see tml_elementwise_f32.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>

#include "tml_elementwise_f32.h"

void tml_unary_f32(const tml_unary_f32_params *p, const float *input, float *output)
{
    int32_t i;
    switch (p->op) {
    case TML_UNARY_CLAMP:
        for (i = 0; i < p->size; ++i) {
            float v = input[i] < p->lo ? p->lo : input[i];
            output[i] = v > p->hi ? p->hi : v;
        }
        break;
    case TML_UNARY_LEAKY_RELU:
        for (i = 0; i < p->size; ++i) {
            output[i] = input[i] >= 0.0f ? input[i] : input[i] * p->alpha;
        }
        break;
    case TML_UNARY_HARD_SWISH:
        for (i = 0; i < p->size; ++i) {
            float t = input[i] * (1.0f / 6.0f) + 0.5f;
            t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
            output[i] = input[i] * t;
        }
        break;
    case TML_UNARY_HARD_SIGMOID:
        for (i = 0; i < p->size; ++i) {
            float t = input[i] * p->alpha + p->beta;
            output[i] = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        }
        break;
    case TML_UNARY_LOGISTIC:
        for (i = 0; i < p->size; ++i) {
            output[i] = 1.0f / (1.0f + expf(-input[i]));
        }
        break;
    case TML_UNARY_TANH:
        for (i = 0; i < p->size; ++i) {
            output[i] = tanhf(input[i]);
        }
        break;
    case TML_UNARY_SQRT:
        for (i = 0; i < p->size; ++i) {
            output[i] = sqrtf(input[i]);
        }
        break;
    default:
        break;
    }
}

static inline float binary_one(int32_t op, float a, float b)
{
    switch (op) {
    case TML_BINARY_ADD:
        return a + b;
    case TML_BINARY_SUB:
        return a - b;
    case TML_BINARY_MUL:
        return a * b;
    default:
        return a / b;
    }
}

void tml_binary_f32(const tml_binary_f32_params *p, const float *a, const float *b,
                    float *output)
{
    const int32_t n = p->dims[TML_MAX_DIMS - 1];
    const int32_t sa = p->a_strides[TML_MAX_DIMS - 1];
    const int32_t sb = p->b_strides[TML_MAX_DIMS - 1];
    tml_walk w;
    int32_t i;
    if (!p->broadcast) {
        for (i = 0; i < p->size; ++i) {
            output[i] = tml_act_apply(&p->act, binary_one(p->op, a[i], b[i]));
        }
        return;
    }
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->dims, p->a_strides, p->b_strides); w.left > 0;
         tml_walk_next(&w)) {
        const float *pa = a + w.a;
        const float *pb = b + w.b;
        for (i = 0; i < n; ++i) {
            *output++ = tml_act_apply(&p->act, binary_one(p->op, pa[i * sa], pb[i * sb]));
        }
    }
}

void tml_softmax_f32(const tml_softmax_f32_params *p, const float *input, float *output)
{
    int32_t r, i;
    for (r = 0; r < p->rows; ++r) {
        const float *x = input + (size_t)r * p->depth;
        float *y = output + (size_t)r * p->depth;
        float max = x[0];
        float sum = 0.0f;
        for (i = 1; i < p->depth; ++i) {
            max = x[i] > max ? x[i] : max;
        }
        for (i = 0; i < p->depth; ++i) {
            y[i] = expf((x[i] - max) * p->beta);
            sum += y[i];
        }
        for (i = 0; i < p->depth; ++i) {
            y[i] = y[i] / sum;
        }
    }
}

void tml_mean_f32(const tml_mean_f32_params *p, const float *input, float *output)
{
    const int32_t n = p->dims[TML_MAX_DIMS - 1];
    const int32_t so = p->out_strides[TML_MAX_DIMS - 1];
    tml_walk w;
    int32_t i;
    for (i = 0; i < p->out_size; ++i) {
        output[i] = 0.0f;
    }
    /* every input element, in order, adds to the output its kept coordinates select */
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->dims, p->out_strides, NULL); w.left > 0;
         tml_walk_next(&w)) {
        float *o = output + w.a;
        for (i = 0; i < n; ++i) {
            o[i * so] += *input++;
        }
    }
    for (i = 0; i < p->out_size; ++i) {
        output[i] = p->count > 0 ? output[i] / (float)p->count : 0.0f;
    }
}
