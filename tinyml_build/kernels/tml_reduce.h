/*
 * tinyml-build portable kernels: int8 MEAN over any set of axes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_REDUCE_H
#define TML_REDUCE_H

#include "tml_common.h"

typedef struct {
    /* kept dimensions in output order, left-padded with count 1: one output each */
    int32_t out_counts[TML_MAX_DIMS];
    int32_t out_strides[TML_MAX_DIMS]; /* input elements per output index */
    /* reduced dimensions, left-padded with count 1: summed for each output */
    int32_t red_counts[TML_MAX_DIMS];
    int32_t red_strides[TML_MAX_DIMS];
    int32_t sum_offset; /* -input_zero_point * elements per output, wrapped to int32 */
    int32_t multiplier, shift; /* scale ratio with 1/elements folded in */
    int32_t output_offset;
} tml_mean_s8_params;

void tml_mean_s8(const tml_mean_s8_params *p, const int8_t *input, int8_t *output);

#endif /* TML_REDUCE_H */
