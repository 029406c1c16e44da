/*
 * tinyml-build portable kernels: QUANTIZE and DEQUANTIZE.
 *
 * Float -> integer follows TFLite's AffineQuantize: x / scale divided in float (not
 * multiplied by a reciprocal, which would round differently), rounded half away from
 * zero (ONNX QuantizeLinear: half to even), plus the zero point, clamped. The rounding is done here without libm. Where the
 * reference's float-to-int32 conversion is undefined (|x / scale| >= 2^31, NaN) this
 * kernel saturates, and NaN gives the zero point (what Arm's saturating conversion does);
 * the reference's result there depends on the CPU.
 *
 * Integer -> float is TFLite's float(double(scale) * (q - zero_point)). The product of a
 * float scale and an integer of at most 17 bits is exact in double, so rounding it once
 * to float equals the single-precision product computed here: same bits, no double.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_quantize.h"

/* clamp(round(x) + zero_point, lo, hi), rounding halfway cases away from zero (TFLite)
 * or to even (ONNX) */
static inline int32_t quantize_one(float x, int32_t zero_point, int32_t lo, int32_t hi,
                                   int32_t rounding)
{
    int64_t r;
    float frac;
    if (x != x) {
        r = 0;
    } else if (x >= 1073741824.0f) {
        return hi;
    } else if (x <= -1073741824.0f) {
        return lo;
    } else {
        r = (int32_t)x;      /* truncates toward zero */
        frac = x - (float)r; /* exact: the fractional part of a float is a float */
        if (frac > 0.5f || (frac == 0.5f && (rounding == TML_ROUND_HALF_AWAY || (r & 1)))) {
            r += 1;
        } else if (frac < -0.5f ||
                   (frac == -0.5f && (rounding == TML_ROUND_HALF_AWAY || (r & 1)))) {
            r -= 1;
        }
    }
    r += zero_point;
    return r < lo ? lo : (r > hi ? hi : (int32_t)r);
}

static const int32_t qtype_lo[4] = {-128, 0, INT32_MIN, -32768};
static const int32_t qtype_hi[4] = {127, 255, INT32_MAX, 32767};

void tml_quantize_f32(const tml_quantize_params *p, const float *input, void *output)
{
    const int32_t lo = qtype_lo[p->qtype];
    const int32_t hi = qtype_hi[p->qtype];
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t c = p->axis_size > 1 ? (i / p->inner) % p->axis_size : 0;
        const int32_t q = quantize_one(input[i] / p->scales[c], p->zero_points[c], lo, hi,
                                       p->rounding);
        switch (p->qtype) {
        case TML_QTYPE_UINT8:
            ((uint8_t *)output)[i] = (uint8_t)q;
            break;
        case TML_QTYPE_INT16:
            ((int16_t *)output)[i] = (int16_t)q;
            break;
        default:
            ((int8_t *)output)[i] = (int8_t)q;
            break;
        }
    }
}

void tml_dequantize_f32(const tml_dequantize_params *p, const void *input, float *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t c = p->axis_size > 1 ? (i / p->inner) % p->axis_size : 0;
        int32_t q;
        switch (p->qtype) {
        case TML_QTYPE_UINT8:
            q = ((const uint8_t *)input)[i];
            break;
        case TML_QTYPE_INT16:
            q = ((const int16_t *)input)[i];
            break;
        case TML_QTYPE_INT32:
            q = ((const int32_t *)input)[i];
            break;
        default:
            q = ((const int8_t *)input)[i];
            break;
        }
        output[i] = p->scales[c] * (float)(q - p->zero_points[c]);
    }
}

static inline int32_t requantize_one(const tml_requantize_params *p, int32_t x)
{
    return tml_requantize(x + p->input_offset, p->multiplier, p->shift) + p->output_offset;
}

void tml_requantize_s16_s8(const tml_requantize_params *p, const int16_t *input,
                           int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        output[i] = tml_clamp_s8(requantize_one(p, input[i]), -128, 127);
    }
}

void tml_requantize_s16_s16(const tml_requantize_params *p, const int16_t *input,
                            int16_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t v = requantize_one(p, input[i]);
        output[i] = (int16_t)(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
    }
}

void tml_lut_s8_s16(const int16_t *table, const int8_t *input, int16_t *output, int32_t size)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = table[(int32_t)input[i] + 128];
    }
}

void tml_lut_s8_u8(const uint8_t *table, const int8_t *input, uint8_t *output, int32_t size)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = table[(int32_t)input[i] + 128];
    }
}

void tml_lut_u8_s8(const int8_t *table, const uint8_t *input, int8_t *output, int32_t size)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = table[input[i]];
    }
}

void tml_flip_sign_q8(const uint8_t *input, uint8_t *output, int32_t size)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = (uint8_t)(input[i] ^ 0x80u);
    }
}
