/*
 * tinyml-build portable kernels: QUANTIZE and DEQUANTIZE (TFLite), QuantizeLinear and
 * DequantizeLinear (ONNX).
 *
 * Conversions between float32 and the integer types, per tensor or per axis, and
 * requantisation between integer types that cannot be tabulated (16-bit inputs). 8-bit ->
 * 8/16-bit requantisation runs as a 256-entry table built by the generator (tml_lut_*
 * below and tml_lut_s8 in tml_elementwise.h); uint8 <-> int8 with one scale and zero
 * points 128 apart is a flip of the top bit.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_QUANTIZE_H
#define TML_QUANTIZE_H

#include "tml_common.h"

#define TML_QTYPE_INT8 0
#define TML_QTYPE_UINT8 1
#define TML_QTYPE_INT32 2
#define TML_QTYPE_INT16 3

#define TML_ROUND_HALF_EVEN 0 /* ONNX QuantizeLinear */
#define TML_ROUND_HALF_AWAY 1 /* TFLite QUANTIZE */

/* Element i uses the parameters of channel (i / inner) % axis_size (axis_size 1: per
 * tensor). */
typedef struct {
    int32_t size, axis_size, inner;
    int32_t qtype;    /* TML_QTYPE_INT8, _UINT8 or _INT16 */
    int32_t rounding; /* TML_ROUND_* */
    const float *scales;
    const int32_t *zero_points;
} tml_quantize_params;

/* q = clamp(round(x / scale) + zero_point) */
void tml_quantize_f32(const tml_quantize_params *p, const float *input, void *output);

typedef struct {
    int32_t size, axis_size, inner;
    int32_t qtype; /* TML_QTYPE_* */
    const float *scales;
    const int32_t *zero_points;
} tml_dequantize_params;

/* x = (q - zero_point) * scale */
void tml_dequantize_f32(const tml_dequantize_params *p, const void *input, float *output);

typedef struct {
    int32_t size;
    int32_t input_offset; /* -input zero point */
    int32_t multiplier, shift;
    int32_t output_offset; /* output zero point */
} tml_requantize_params;

void tml_requantize_s16_s8(const tml_requantize_params *p, const int16_t *input,
                           int8_t *output);
void tml_requantize_s16_s16(const tml_requantize_params *p, const int16_t *input,
                            int16_t *output);

/* out[i] = table[in[i] + 128] (int8 in) or table[in[i]] (uint8 in) */
void tml_lut_s8_s16(const int16_t *table, const int8_t *input, int16_t *output, int32_t size);
void tml_lut_s8_u8(const uint8_t *table, const int8_t *input, uint8_t *output, int32_t size);
void tml_lut_u8_s8(const int8_t *table, const uint8_t *input, int8_t *output, int32_t size);

/* uint8 <-> int8 with equal scales and zero points 128 apart: output = input ^ 0x80 */
void tml_flip_sign_q8(const uint8_t *input, uint8_t *output, int32_t size);

#endif /* TML_QUANTIZE_H */
