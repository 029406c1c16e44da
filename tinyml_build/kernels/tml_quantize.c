/*
 * tinyml-build portable kernels: affine quantisation (see tml_quantize.h).
 *
 * Rounding is done with floorf and comparisons rather than rintf, so the result does not
 * depend on the floating-point environment's rounding mode.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>

#include "tml_quantize.h"

static inline float round_value(float v, int32_t rounding)
{
    float f;
    float d;
    if (rounding == TML_ROUND_HALF_AWAY) {
        return v >= 0.0f ? floorf(v + 0.5f) : -floorf(-v + 0.5f);
    }
    f = floorf(v);
    d = v - f;
    if (d > 0.5f || (d == 0.5f && fmodf(f, 2.0f) != 0.0f)) {
        f += 1.0f;
    }
    return f;
}

void tml_quantize_f32(const tml_quantize_params *p, const float *input, void *output)
{
    const float qmin = p->qtype == TML_QTYPE_UINT8 ? 0.0f : -128.0f;
    const float qmax = p->qtype == TML_QTYPE_UINT8 ? 255.0f : 127.0f;
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t c = (i / p->inner) % p->axis_size;
        float v = round_value(input[i] / p->scales[c], p->rounding) + (float)p->zero_points[c];
        /* written so that NaN ends up at qmin instead of undefined behaviour */
        v = v >= qmin ? v : qmin;
        v = v <= qmax ? v : qmax;
        if (p->qtype == TML_QTYPE_UINT8) {
            ((uint8_t *)output)[i] = (uint8_t)(int32_t)v;
        } else {
            ((int8_t *)output)[i] = (int8_t)(int32_t)v;
        }
    }
}

void tml_dequantize_f32(const tml_dequantize_params *p, const void *input, float *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t c = (i / p->inner) % p->axis_size;
        int32_t q;
        if (p->qtype == TML_QTYPE_UINT8) {
            q = ((const uint8_t *)input)[i];
        } else if (p->qtype == TML_QTYPE_INT8) {
            q = ((const int8_t *)input)[i];
        } else {
            q = ((const int32_t *)input)[i];
        }
        output[i] = (float)(q - p->zero_points[c]) * p->scales[c];
    }
}

void tml_flip_sign_q8(const uint8_t *input, uint8_t *output, int32_t size)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = (uint8_t)(input[i] ^ 0x80u);
    }
}
