/*
 * tinyml-build portable kernels: plain integer arithmetic (see tml_int.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_int.h"

static inline int32_t load(const void *base, int32_t index, int32_t itype)
{
    if (itype == TML_ITYPE_INT8) {
        return ((const int8_t *)base)[index];
    }
    if (itype == TML_ITYPE_UINT8) {
        return ((const uint8_t *)base)[index];
    }
    return ((const int32_t *)base)[index];
}

static inline void store(void *base, int32_t index, int32_t itype, uint32_t value)
{
    if (itype == TML_ITYPE_INT8) {
        ((int8_t *)base)[index] = (int8_t)(uint8_t)value;
    } else if (itype == TML_ITYPE_UINT8) {
        ((uint8_t *)base)[index] = (uint8_t)value;
    } else {
        ((int32_t *)base)[index] = (int32_t)value;
    }
}

static inline uint32_t apply(int32_t op, int32_t a, int32_t b)
{
    switch (op) {
    case 0:
        return (uint32_t)a + (uint32_t)b;
    case 1:
        return (uint32_t)a - (uint32_t)b;
    case 2:
        return (uint32_t)a * (uint32_t)b;
    default:
        if (b == 0) {
            return 0u;
        }
        if (b == -1) {
            return 0u - (uint32_t)a; /* INT32_MIN / -1 wraps instead of trapping */
        }
        return (uint32_t)(a / b);
    }
}

void tml_binary_int(const tml_binary_int_params *p, const void *a, const void *b, void *output)
{
    int32_t i0, i1, i2, i3, i4, i5, out = 0;
    if (!p->broadcast) {
        int32_t i;
        for (i = 0; i < p->size; ++i) {
            store(output, i, p->itype,
                  apply(p->op, load(a, i, p->itype), load(b, i, p->itype)));
        }
        return;
    }
    for (i0 = 0; i0 < p->dims[0]; ++i0) {
        for (i1 = 0; i1 < p->dims[1]; ++i1) {
            for (i2 = 0; i2 < p->dims[2]; ++i2) {
                for (i3 = 0; i3 < p->dims[3]; ++i3) {
                    for (i4 = 0; i4 < p->dims[4]; ++i4) {
                        const int32_t ia = i0 * p->a_strides[0] + i1 * p->a_strides[1] +
                                           i2 * p->a_strides[2] + i3 * p->a_strides[3] +
                                           i4 * p->a_strides[4];
                        const int32_t ib = i0 * p->b_strides[0] + i1 * p->b_strides[1] +
                                           i2 * p->b_strides[2] + i3 * p->b_strides[3] +
                                           i4 * p->b_strides[4];
                        for (i5 = 0; i5 < p->dims[5]; ++i5) {
                            store(output, out++, p->itype,
                                  apply(p->op, load(a, ia + i5 * p->a_strides[5], p->itype),
                                        load(b, ib + i5 * p->b_strides[5], p->itype)));
                        }
                    }
                }
            }
        }
    }
}

void tml_clip_int(const tml_clip_int_params *p, const void *input, void *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        int32_t v = load(input, i, p->itype);
        v = v < p->lo ? p->lo : v;
        v = v > p->hi ? p->hi : v;
        store(output, i, p->itype, (uint32_t)v);
    }
}
