/*
 * tinyml-build portable kernels: plain integer arithmetic (no quantisation).
 *
 * ONNX Add/Sub/Mul/Div/Clip on int8, uint8 and int32 tensors that are not quantised:
 * results wrap around like C unsigned arithmetic truncated to the type, division
 * truncates toward zero and a division by zero gives 0 (the ONNX spec leaves it open).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_INT_H
#define TML_INT_H

#include "tml_common.h"

#define TML_ITYPE_INT8 0
#define TML_ITYPE_UINT8 1
#define TML_ITYPE_INT32 2

typedef struct {
    int32_t size;
    int32_t broadcast;
    int32_t dims[TML_MAX_DIMS];
    int32_t a_strides[TML_MAX_DIMS];
    int32_t b_strides[TML_MAX_DIMS];
    int32_t op;    /* 0 add, 1 sub, 2 mul, 3 div */
    int32_t itype; /* TML_ITYPE_* */
} tml_binary_int_params;

void tml_binary_int(const tml_binary_int_params *p, const void *a, const void *b, void *output);

typedef struct {
    int32_t size;
    int32_t itype;
    int32_t lo, hi;
} tml_clip_int_params;

void tml_clip_int(const tml_clip_int_params *p, const void *input, void *output);

#endif /* TML_INT_H */
