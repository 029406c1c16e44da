/*
 * tinyml-build portable kernels: int8 SOFTMAX over the last dimension.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_SOFTMAX_H
#define TML_SOFTMAX_H

#include "tml_common.h"

typedef struct {
    int32_t rows;  /* product of all but the last dimension */
    int32_t depth; /* last dimension */
    /* exp(beta * scale * d) in Q0.31 for every difference d = x - max(row) in [-255, 0],
     * indexed by d + 255, as TFLite's reference computes it (0 below its diff_min) */
    const int32_t *exp_table;
} tml_softmax_s8_params;

void tml_softmax_s8(const tml_softmax_s8_params *p, const int8_t *input, int8_t *output);

#endif /* TML_SOFTMAX_H */
