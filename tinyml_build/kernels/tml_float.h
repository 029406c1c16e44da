/*
 * tinyml-build portable kernels: float32 common definitions.
 *
 * The fused activation every float kernel applies to its outputs. A clamp covers
 * none/relu/relu6/relu_n1_to_1/clip (lo and hi are +-FLT_MAX when open); leaky ReLU and
 * hard swish have their own kinds. Float kernels use <math.h> single-precision functions
 * (expf, tanhf, sqrtf, floorf); their tolerances are documented in docs/onnx.md.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef TML_FLOAT_H
#define TML_FLOAT_H

#include "tml_common.h"

#define TML_ACT_CLAMP 0
#define TML_ACT_LEAKY_RELU 1
#define TML_ACT_HARD_SWISH 2

typedef struct {
    int32_t kind;  /* TML_ACT_* */
    float lo, hi;  /* clamp range (TML_ACT_CLAMP) */
    float alpha;   /* negative slope (TML_ACT_LEAKY_RELU) */
} tml_act_f32;

static inline float tml_act_apply(const tml_act_f32 *a, float v)
{
    if (a->kind == TML_ACT_LEAKY_RELU) {
        return v >= 0.0f ? v : v * a->alpha;
    }
    if (a->kind == TML_ACT_HARD_SWISH) {
        float t = v * (1.0f / 6.0f) + 0.5f;
        t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
        return v * t;
    }
    /* min(max(v, lo), hi): with lo > hi every value becomes hi, as ONNX Clip requires */
    v = v < a->lo ? a->lo : v;
    return v > a->hi ? a->hi : v;
}

#endif /* TML_FLOAT_H */
