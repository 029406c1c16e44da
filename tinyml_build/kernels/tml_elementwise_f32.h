/*
 * tinyml-build portable kernels: float32 element-wise ops, softmax and mean.
 *
 * Unary ops run one loop per op code; binary ADD/SUB/MUL/DIV broadcast like NumPy over
 * up to 6 dimensions (the same stride scheme as the int8 kernels). Softmax works on
 * rows of `depth` contiguous values; mean sums every input element into the output
 * element its non-reduced coordinates select, then divides by the reduced count.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_ELEMENTWISE_F32_H
#define TML_ELEMENTWISE_F32_H

#include "tml_float.h"

enum {
    TML_UNARY_CLAMP = 0,       /* lo, hi: relu, relu6, relu_n1_to_1, clip */
    TML_UNARY_LEAKY_RELU = 1,  /* alpha */
    TML_UNARY_HARD_SWISH = 2,
    TML_UNARY_HARD_SIGMOID = 3, /* alpha, beta */
    TML_UNARY_LOGISTIC = 4,
    TML_UNARY_TANH = 5,
    TML_UNARY_SQRT = 6
};

typedef struct {
    int32_t size;
    int32_t op;  /* TML_UNARY_* */
    float lo, hi, alpha, beta;
} tml_unary_f32_params;

void tml_unary_f32(const tml_unary_f32_params *p, const float *input, float *output);

enum { TML_BINARY_ADD = 0, TML_BINARY_SUB = 1, TML_BINARY_MUL = 2, TML_BINARY_DIV = 3 };

typedef struct {
    int32_t size;
    int32_t broadcast;
    int32_t dims[TML_MAX_DIMS];
    int32_t a_strides[TML_MAX_DIMS];
    int32_t b_strides[TML_MAX_DIMS];
    int32_t op; /* TML_BINARY_* */
    tml_act_f32 act;
} tml_binary_f32_params;

void tml_binary_f32(const tml_binary_f32_params *p, const float *a, const float *b,
                    float *output);

typedef struct {
    int32_t rows, depth;
    float beta;
} tml_softmax_f32_params;

void tml_softmax_f32(const tml_softmax_f32_params *p, const float *input, float *output);

typedef struct {
    int32_t dims[TML_MAX_DIMS];        /* input shape, left-padded with 1s */
    int32_t out_strides[TML_MAX_DIMS]; /* 0 on reduced dimensions */
    int32_t out_size;
    int32_t count; /* elements averaged into each output */
} tml_mean_f32_params;

void tml_mean_f32(const tml_mean_f32_params *p, const float *input, float *output);

#endif /* TML_ELEMENTWISE_F32_H */
