/*
 * tinyml-build portable kernels: int8 element-wise ops.
 *
 * Binary ADD/SUB/MUL with NumPy broadcasting over up to 6 dimensions, and a 256-entry
 * lookup table kernel that runs every int8 -> int8 unary op (LOGISTIC, TANH, RELU, RELU6,
 * LEAKY_RELU, HARD_SWISH, int8 QUANTIZE): the generator evaluates the reference arithmetic
 * for each of the 256 possible inputs at build time.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_ELEMENTWISE_H
#define TML_ELEMENTWISE_H

#include "tml_common.h"

typedef struct {
    int32_t size;       /* output elements */
    int32_t broadcast;  /* 0: both inputs have the output's shape */
    int32_t dims[TML_MAX_DIMS];      /* output shape, left-padded with 1s */
    int32_t a_strides[TML_MAX_DIMS]; /* element strides, 0 where input a is broadcast */
    int32_t b_strides[TML_MAX_DIMS];
    int32_t a_offset, b_offset, output_offset;
    int32_t left_shift;                 /* ADD/SUB only */
    int32_t a_multiplier, a_shift;      /* ADD/SUB only */
    int32_t b_multiplier, b_shift;      /* ADD/SUB only */
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} tml_binary_s8_params;

void tml_add_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b, int8_t *out);
void tml_sub_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b, int8_t *out);
void tml_mul_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b, int8_t *out);

/* out[i] = table[in[i] + 128] */
void tml_lut_s8(const int8_t *table, const int8_t *input, int8_t *output, int32_t size);

#endif /* TML_ELEMENTWISE_H */
