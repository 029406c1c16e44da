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
    int32_t i0, i1, i2, i3, i4, i5;
    if (!p->broadcast) {
        int32_t i;
        for (i = 0; i < p->size; ++i) {
            output[i] = tml_act_apply(&p->act, binary_one(p->op, a[i], b[i]));
        }
        return;
    }
    for (i0 = 0; i0 < p->dims[0]; ++i0) {
        for (i1 = 0; i1 < p->dims[1]; ++i1) {
            for (i2 = 0; i2 < p->dims[2]; ++i2) {
                for (i3 = 0; i3 < p->dims[3]; ++i3) {
                    for (i4 = 0; i4 < p->dims[4]; ++i4) {
                        const float *pa = a + i0 * p->a_strides[0] + i1 * p->a_strides[1] +
                                          i2 * p->a_strides[2] + i3 * p->a_strides[3] +
                                          i4 * p->a_strides[4];
                        const float *pb = b + i0 * p->b_strides[0] + i1 * p->b_strides[1] +
                                          i2 * p->b_strides[2] + i3 * p->b_strides[3] +
                                          i4 * p->b_strides[4];
                        for (i5 = 0; i5 < p->dims[5]; ++i5) {
                            *output++ = tml_act_apply(
                                &p->act, binary_one(p->op, pa[i5 * p->a_strides[5]],
                                                    pb[i5 * p->b_strides[5]]));
                        }
                    }
                }
            }
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
    int32_t i, i0, i1, i2, i3, i4, i5;
    for (i = 0; i < p->out_size; ++i) {
        output[i] = 0.0f;
    }
    for (i0 = 0; i0 < p->dims[0]; ++i0) {
        for (i1 = 0; i1 < p->dims[1]; ++i1) {
            for (i2 = 0; i2 < p->dims[2]; ++i2) {
                for (i3 = 0; i3 < p->dims[3]; ++i3) {
                    for (i4 = 0; i4 < p->dims[4]; ++i4) {
                        float *o = output + i0 * p->out_strides[0] + i1 * p->out_strides[1] +
                                   i2 * p->out_strides[2] + i3 * p->out_strides[3] +
                                   i4 * p->out_strides[4];
                        for (i5 = 0; i5 < p->dims[5]; ++i5) {
                            o[i5 * p->out_strides[5]] += *input++;
                        }
                    }
                }
            }
        }
    }
    for (i = 0; i < p->out_size; ++i) {
        output[i] = p->count > 0 ? output[i] / (float)p->count : 0.0f;
    }
}
