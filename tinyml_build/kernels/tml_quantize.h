/*
 * tinyml-build portable kernels: QUANTIZE and DEQUANTIZE.
 *
 * Conversions between float32 and the integer types, and requantisation between integer
 * types that cannot be tabulated (16-bit inputs). 8-bit -> 8/16-bit requantisation runs
 * as a 256-entry table built by the generator (tml_lut_* below and tml_lut_s8 in
 * tml_elementwise.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_QUANTIZE_H
#define TML_QUANTIZE_H

#include "tml_common.h"

typedef struct {
    int32_t size;       /* elements */
    float scale;        /* the quantised tensor's scale */
    int32_t zero_point; /* the quantised tensor's zero point */
} tml_affine_params;

/* q = clamp(round_half_away(x / scale) + zero_point) */
void tml_quantize_f32_s8(const tml_affine_params *p, const float *input, int8_t *output);
void tml_quantize_f32_s16(const tml_affine_params *p, const float *input, int16_t *output);

/* x = scale * (q - zero_point) */
void tml_dequantize_s8_f32(const tml_affine_params *p, const int8_t *input, float *output);
void tml_dequantize_u8_f32(const tml_affine_params *p, const uint8_t *input, float *output);
void tml_dequantize_s16_f32(const tml_affine_params *p, const int16_t *input, float *output);

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

#endif /* TML_QUANTIZE_H */
