/*
 * tinyml-build portable kernels: plain integer arithmetic (see tml_int.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "tml_int.h"

static inline int32_t load(const void *base, ptrdiff_t index, int32_t itype)
{
    if (itype == TML_ITYPE_INT8) {
        return ((const int8_t *)base)[index];
    }
    if (itype == TML_ITYPE_UINT8) {
        return ((const uint8_t *)base)[index];
    }
    return ((const int32_t *)base)[index];
}

static inline void store(void *base, ptrdiff_t index, int32_t itype, uint32_t value)
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
    const int32_t n = p->dims[TML_MAX_DIMS - 1];
    const int32_t sa = p->a_strides[TML_MAX_DIMS - 1];
    const int32_t sb = p->b_strides[TML_MAX_DIMS - 1];
    tml_walk w;
    int32_t i, out = 0;
    if (!p->broadcast) {
        for (i = 0; i < p->size; ++i) {
            store(output, i, p->itype,
                  apply(p->op, load(a, i, p->itype), load(b, i, p->itype)));
        }
        return;
    }
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->dims, p->a_strides, p->b_strides); w.left > 0;
         tml_walk_next(&w)) {
        for (i = 0; i < n; ++i) {
            store(output, out++, p->itype,
                  apply(p->op, load(a, w.a + (ptrdiff_t)i * sa, p->itype),
                        load(b, w.b + (ptrdiff_t)i * sb, p->itype)));
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
