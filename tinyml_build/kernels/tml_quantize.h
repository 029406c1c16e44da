/*
 * tinyml-build portable kernels: affine quantisation between float32 and int8/uint8.
 *
 * quantize: q = saturate(round(x / scale) + zero_point), rounding half to even (ONNX
 * QuantizeLinear) or half away from zero (TFLite QUANTIZE); per tensor or per axis
 * (channel c of element i is (i / inner) % axis_size). dequantize: (q - zp) * scale.
 * uint8 <-> int8 with the same scale is a flip of the top bit (zero point moves by 128).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_QUANTIZE_H
#define TML_QUANTIZE_H

#include "tml_common.h"

#define TML_ROUND_HALF_EVEN 0
#define TML_ROUND_HALF_AWAY 1

#define TML_QTYPE_INT8 0
#define TML_QTYPE_UINT8 1
#define TML_QTYPE_INT32 2

typedef struct {
    int32_t size, axis_size, inner;
    int32_t qtype;    /* TML_QTYPE_INT8 or TML_QTYPE_UINT8 */
    int32_t rounding; /* TML_ROUND_* */
    const float *scales;        /* axis_size entries */
    const int32_t *zero_points; /* axis_size entries */
} tml_quantize_params;

void tml_quantize_f32(const tml_quantize_params *p, const float *input, void *output);

typedef struct {
    int32_t size, axis_size, inner;
    int32_t qtype; /* TML_QTYPE_* */
    const float *scales;
    const int32_t *zero_points;
} tml_dequantize_params;

void tml_dequantize_f32(const tml_dequantize_params *p, const void *input, float *output);

/* uint8 <-> int8 with equal scales: output = input ^ 0x80 */
void tml_flip_sign_q8(const uint8_t *input, uint8_t *output, int32_t size);

#endif /* TML_QUANTIZE_H */
