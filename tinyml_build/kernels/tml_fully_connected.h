/*
 * tinyml-build portable kernels: int8 FULLY_CONNECTED.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_FULLY_CONNECTED_H
#define TML_FULLY_CONNECTED_H

#include "tml_common.h"

typedef struct {
    int32_t batches;
    int32_t depth;        /* input features per batch row */
    int32_t out_features;
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel;  /* 1: multiplier/shift per output feature; 0: one for all */
    const int8_t *weights;      /* [out_features, depth] */
    const int32_t *bias_folded; /* bias + input_offset * sum(weights row) */
    const int32_t *multiplier;
    const int32_t *shift;
} tml_fully_connected_s8_params;

void tml_fully_connected_s8(const tml_fully_connected_s8_params *p, const int8_t *input,
                            int8_t *output);

#endif /* TML_FULLY_CONNECTED_H */
