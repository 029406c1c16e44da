/*
 * tinyml-build portable kernels: data movement (see tml_data.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "tml_data.h"

static inline void copy_elem(void *dst, const void *src, int32_t size)
{
    switch (size) {
    case 1:
        *(uint8_t *)dst = *(const uint8_t *)src;
        break;
    case 2:
        memcpy(dst, src, 2);
        break;
    case 4:
        memcpy(dst, src, 4);
        break;
    default:
        memcpy(dst, src, (size_t)size);
        break;
    }
}

void tml_transpose(const tml_transpose_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t es = (size_t)p->elem_size;
    int32_t i0, i1, i2, i3, i4, i5;
    for (i0 = 0; i0 < p->out_dims[0]; ++i0) {
        for (i1 = 0; i1 < p->out_dims[1]; ++i1) {
            for (i2 = 0; i2 < p->out_dims[2]; ++i2) {
                for (i3 = 0; i3 < p->out_dims[3]; ++i3) {
                    for (i4 = 0; i4 < p->out_dims[4]; ++i4) {
                        const size_t base =
                            (size_t)i0 * p->in_strides[0] + (size_t)i1 * p->in_strides[1] +
                            (size_t)i2 * p->in_strides[2] + (size_t)i3 * p->in_strides[3] +
                            (size_t)i4 * p->in_strides[4];
                        for (i5 = 0; i5 < p->out_dims[5]; ++i5) {
                            copy_elem(out, in + (base + (size_t)i5 * p->in_strides[5]) * es,
                                      p->elem_size);
                            out += es;
                        }
                    }
                }
            }
        }
    }
}

void tml_concat(const tml_concat_params *p, void *output)
{
    uint8_t *out = (uint8_t *)output;
    const size_t es = (size_t)p->elem_size;
    int32_t o, k;
    for (o = 0; o < p->outer; ++o) {
        for (k = 0; k < p->num_inputs; ++k) {
            const size_t bytes = (size_t)p->chunk[k] * es;
            memcpy(out, (const uint8_t *)p->inputs[k] + (size_t)o * bytes, bytes);
            out += bytes;
        }
    }
}

void tml_strided_slice(const tml_strided_slice_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const int32_t es = p->elem_size;
    int32_t i0, i1, i2, i3, i4, i5;
    for (i0 = 0; i0 < p->counts[0]; ++i0) {
        for (i1 = 0; i1 < p->counts[1]; ++i1) {
            for (i2 = 0; i2 < p->counts[2]; ++i2) {
                for (i3 = 0; i3 < p->counts[3]; ++i3) {
                    for (i4 = 0; i4 < p->counts[4]; ++i4) {
                        int32_t idx = p->begin_offset + i0 * p->in_steps[0] +
                                      i1 * p->in_steps[1] + i2 * p->in_steps[2] +
                                      i3 * p->in_steps[3] + i4 * p->in_steps[4];
                        for (i5 = 0; i5 < p->counts[5]; ++i5) {
                            copy_elem(out, in + (ptrdiff_t)idx * es, es);
                            out += es;
                            idx += p->in_steps[5];
                        }
                    }
                }
            }
        }
    }
}

/* Input coordinate for output coordinate o along one dimension, or -1 for the constant. */
static inline int32_t pad_source(int32_t mode, int32_t o, int32_t before, int32_t size)
{
    int32_t i = o - before;
    if (i >= 0 && i < size) {
        return i;
    }
    if (mode == TML_PAD_CONSTANT || size <= 0) {
        return -1;
    }
    if (mode == TML_PAD_EDGE || size == 1) {
        return i < 0 ? 0 : size - 1;
    }
    /* reflect without repeating the edge, folding as often as needed */
    {
        const int32_t period = 2 * (size - 1);
        i = i % period;
        if (i < 0) {
            i += period;
        }
        return i < size ? i : period - i;
    }
}

void tml_pad(const tml_pad_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const int32_t es = p->elem_size;
    int32_t stride[TML_DATA_MAX_DIMS];
    int32_t o[TML_DATA_MAX_DIMS];
    int32_t d;
    stride[TML_DATA_MAX_DIMS - 1] = 1;
    for (d = TML_DATA_MAX_DIMS - 2; d >= 0; --d) {
        stride[d] = stride[d + 1] * p->in_dims[d + 1];
    }
    for (o[0] = 0; o[0] < p->out_dims[0]; ++o[0]) {
        for (o[1] = 0; o[1] < p->out_dims[1]; ++o[1]) {
            for (o[2] = 0; o[2] < p->out_dims[2]; ++o[2]) {
                for (o[3] = 0; o[3] < p->out_dims[3]; ++o[3]) {
                    for (o[4] = 0; o[4] < p->out_dims[4]; ++o[4]) {
                        for (o[5] = 0; o[5] < p->out_dims[5]; ++o[5]) {
                            int32_t offset = 0;
                            for (d = 0; d < TML_DATA_MAX_DIMS; ++d) {
                                const int32_t s =
                                    pad_source(p->mode, o[d], p->before[d], p->in_dims[d]);
                                if (s < 0) {
                                    offset = -1;
                                    break;
                                }
                                offset += s * stride[d];
                            }
                            copy_elem(out, offset < 0 ? p->value : in + (ptrdiff_t)offset * es,
                                      es);
                            out += es;
                        }
                    }
                }
            }
        }
    }
}
