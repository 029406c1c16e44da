/*
 * tinyml-build portable kernels: int8 element-wise ops.
 *
 * ADD and SUB follow TFLite's reference: both inputs are offset, shifted left by
 * left_shift (20) and rescaled to a common scale, summed, then requantised. MUL multiplies
 * the offset inputs and requantises once. All multipliers come from the generator.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_elementwise.h"

static inline int8_t add_one(const tml_binary_s8_params *p, int32_t a, int32_t b, int32_t sign)
{
    const int32_t sa = tml_requantize((a + p->a_offset) * (1 << p->left_shift), p->a_multiplier,
                                      p->a_shift);
    const int32_t sb = tml_requantize((b + p->b_offset) * (1 << p->left_shift), p->b_multiplier,
                                      p->b_shift);
    const int32_t raw = sign > 0 ? sa + sb : sa - sb;
    const int32_t out = tml_requantize(raw, p->output_multiplier, p->output_shift) +
                        p->output_offset;
    return tml_clamp_s8(out, p->act_min, p->act_max);
}

static inline int8_t mul_one(const tml_binary_s8_params *p, int32_t a, int32_t b)
{
    const int32_t prod = (a + p->a_offset) * (b + p->b_offset);
    const int32_t out = tml_requantize(prod, p->output_multiplier, p->output_shift) +
                        p->output_offset;
    return tml_clamp_s8(out, p->act_min, p->act_max);
}

/* The output in row-major order, the inputs through their (possibly zero) strides; `op`
 * is 1 add, -1 sub, 0 mul. Without broadcasting it is one flat loop. */
static void binary_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b,
                      int8_t *out, int32_t op)
{
    const int32_t n = p->dims[TML_MAX_DIMS - 1];
    const int32_t sa = p->a_strides[TML_MAX_DIMS - 1];
    const int32_t sb = p->b_strides[TML_MAX_DIMS - 1];
    tml_walk w;
    int32_t i;
    if (!p->broadcast) {
        for (i = 0; i < p->size; ++i) {
            out[i] = op == 0 ? mul_one(p, a[i], b[i]) : add_one(p, a[i], b[i], op);
        }
        return;
    }
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->dims, p->a_strides, p->b_strides); w.left > 0;
         tml_walk_next(&w)) {
        const int8_t *pa = a + w.a;
        const int8_t *pb = b + w.b;
        for (i = 0; i < n; ++i) {
            const int32_t va = pa[i * sa];
            const int32_t vb = pb[i * sb];
            *out++ = op == 0 ? mul_one(p, va, vb) : add_one(p, va, vb, op);
        }
    }
}

void tml_add_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b, int8_t *out)
{
    binary_s8(p, a, b, out, 1);
}

void tml_sub_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b, int8_t *out)
{
    binary_s8(p, a, b, out, -1);
}

void tml_mul_s8(const tml_binary_s8_params *p, const int8_t *a, const int8_t *b, int8_t *out)
{
    binary_s8(p, a, b, out, 0);
}

void tml_lut_s8(const int8_t *table, const int8_t *input, int8_t *output, int32_t size)
{
    int32_t i;
    for (i = 0; i < size; ++i) {
        output[i] = table[(int32_t)input[i] + 128];
    }
}
