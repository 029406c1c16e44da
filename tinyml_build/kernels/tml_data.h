/*
 * tinyml-build portable kernels: data movement for any element type.
 *
 * Transpose, concatenation, strided slice and pad copy elements of 1, 2 or 4 bytes
 * without looking at them, so the same code serves float32, int8 (quantised or not),
 * uint8 and int32 tensors. Shapes are left-padded with 1s to 6 dimensions.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_DATA_H
#define TML_DATA_H

#include "tml_common.h"

#define TML_DATA_MAX_DIMS 6
#define TML_CONCAT_MAX_INPUTS 16

typedef struct {
    int32_t elem_size;
    int32_t out_dims[TML_DATA_MAX_DIMS];
    int32_t in_strides[TML_DATA_MAX_DIMS]; /* input stride of each output dimension */
} tml_transpose_params;

void tml_transpose(const tml_transpose_params *p, const void *input, void *output);

typedef struct {
    int32_t elem_size;
    int32_t outer;      /* product of the dimensions before the axis */
    int32_t num_inputs;
    int32_t chunk[TML_CONCAT_MAX_INPUTS]; /* elements per outer index, per input */
    const void *inputs[TML_CONCAT_MAX_INPUTS];
} tml_concat_params;

void tml_concat(const tml_concat_params *p, void *output);

typedef struct {
    int32_t elem_size;
    int32_t begin_offset;                   /* element offset of the first copied element */
    int32_t counts[TML_DATA_MAX_DIMS];
    int32_t in_steps[TML_DATA_MAX_DIMS];    /* stride * input stride, may be negative */
} tml_strided_slice_params;

void tml_strided_slice(const tml_strided_slice_params *p, const void *input, void *output);

#define TML_PAD_CONSTANT 0
#define TML_PAD_REFLECT 1
#define TML_PAD_EDGE 2

typedef struct {
    int32_t elem_size;
    int32_t mode; /* TML_PAD_* */
    int32_t in_dims[TML_DATA_MAX_DIMS];
    int32_t out_dims[TML_DATA_MAX_DIMS];
    int32_t before[TML_DATA_MAX_DIMS];
    const void *value; /* one element: the constant to pad with */
} tml_pad_params;

void tml_pad(const tml_pad_params *p, const void *input, void *output);

#endif /* TML_DATA_H */
