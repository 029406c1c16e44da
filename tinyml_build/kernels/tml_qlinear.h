/*
 * tinyml-build portable kernels: int8 products with zero points on both operands.
 *
 * The TFLite-style kernels (tml_conv, tml_fully_connected) need symmetric int8 weights.
 * ONNX allows asymmetric ones (uint8 weights, QLinearMatMul with a run-time B, per-column
 * zero points), so these kernels compute sum((a - za) * (b - zb)) directly, add the int32
 * bias and requantise with the same per-channel fixed-point multiplier as TFLite
 * (tml_requantize). The arithmetic is integer only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_QLINEAR_H
#define TML_QLINEAR_H

#include "tml_common.h"

#define TML_QMATMUL_BATCH_DIMS 4

typedef struct {
    int32_t batch[TML_QMATMUL_BATCH_DIMS];    /* output batch dims, left-padded with 1s */
    int32_t a_stride[TML_QMATMUL_BATCH_DIMS]; /* matrix strides (elements), 0 = broadcast */
    int32_t b_stride[TML_QMATMUL_BATCH_DIMS];
    int32_t m, k, n;
    int32_t b_k_stride, b_n_stride; /* element (k, n) of B is at k * b_k_stride + n * b_n_stride */
    int32_t a_offset;               /* -zero point of A */
    int32_t per_channel;            /* b_offset, multiplier, shift have n entries (else 1) */
    const int32_t *b_offset;        /* -zero point(s) of B */
    const int32_t *bias;            /* n entries, or NULL */
    int32_t output_offset;
    int32_t act_min, act_max;
    const int32_t *multiplier;
    const int32_t *shift;
} tml_matmul_s8_params;

void tml_matmul_s8(const tml_matmul_s8_params *p, const int8_t *a, const int8_t *b,
                   int8_t *output);

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t filter_h, filter_w, filter_in_c;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t input_offset;
    int32_t output_offset;
    int32_t act_min, act_max;
    const int8_t *filter;          /* OHWI */
    const int32_t *filter_offset;  /* per output channel: -filter zero point */
    const int32_t *bias;           /* or NULL */
    const int32_t *multiplier;
    const int32_t *shift;
} tml_conv2d_s8_asym_params;

void tml_conv2d_s8_asym(const tml_conv2d_s8_asym_params *p, const int8_t *input,
                        int8_t *output);

#endif /* TML_QLINEAR_H */
