/*
 * tinyml-build portable kernels: data movement (PAD, CONCATENATION, TRANSPOSE,
 * STRIDED_SLICE).
 *
 * These ops copy elements without touching their values, so the kernels work on any
 * element type: sizes are in elements of elem_size bytes. PAD also has ONNX's edge and
 * reflect modes (tml_pad_mirror). The generator resolves every
 * index computation it can (slice bounds, permutations, merged contiguous dimensions) and
 * leaves only loops here.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_DATA_H
#define TML_DATA_H

#include "tml_common.h"

typedef struct {
    int32_t rank;      /* 1..TML_MAX_DIMS */
    int32_t elem_size; /* bytes per element */
    int32_t in_dims[TML_MAX_DIMS];
    int32_t before[TML_MAX_DIMS];    /* padding before, per dimension */
    int32_t after[TML_MAX_DIMS];     /* padding after, per dimension */
    int32_t out_inner[TML_MAX_DIMS]; /* output elements per index of each dimension */
    const void *value;               /* one element: the padding value */
} tml_pad_params;

void tml_pad(const tml_pad_params *p, const void *input, void *output);

#define TML_PAD_REFLECT 1 /* mirror without repeating the edge element (ONNX "reflect") */
#define TML_PAD_EDGE 2    /* repeat the edge element (ONNX "edge") */

/* PAD whose outside elements are copies of inside ones, chosen by mode (TML_PAD_*). */
typedef struct {
    int32_t elem_size;
    int32_t mode;
    int32_t in_dims[TML_MAX_DIMS];  /* left-padded with 1s */
    int32_t out_dims[TML_MAX_DIMS]; /* left-padded with 1s */
    int32_t before[TML_MAX_DIMS];
} tml_pad_mirror_params;

void tml_pad_mirror(const tml_pad_mirror_params *p, const void *input, void *output);

/* One input of a concatenation: the bytes it contributes per outer index. */
typedef struct tml_concat_input_s {
    const void *data;
    int32_t chunk_bytes;
    const struct tml_concat_input_s *next;
} tml_concat_input;

typedef struct {
    int32_t outer; /* product of the dimensions before the axis */
    const tml_concat_input *inputs;
} tml_concat_params;

void tml_concat(const tml_concat_params *p, void *output);

/* output[i0..i5] = input[offset + sum(ik * strides[k])]: TRANSPOSE and STRIDED_SLICE. */
typedef struct {
    int32_t elem_size;
    int32_t offset;               /* input element of the first output element */
    int32_t counts[TML_MAX_DIMS]; /* output shape, left-padded with 1s */
    int32_t strides[TML_MAX_DIMS]; /* input elements to step per output index (may be < 0) */
} tml_gather_params;

void tml_gather(const tml_gather_params *p, const void *input, void *output);

#endif /* TML_DATA_H */
