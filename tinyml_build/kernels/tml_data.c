/*
 * tinyml-build portable kernels: data movement (PAD, CONCATENATION, TRANSPOSE,
 * STRIDED_SLICE).
 *
 * TFLite's reference kernels for these ops copy values unchanged (for int8, PAD and
 * STRIDED_SLICE and TRANSPOSE do not requantise; CONCATENATION requires equal
 * quantisation), so byte copies give the same results. Contiguous runs are copied with
 * memcpy; single elements with fixed-size memcpy, which compilers turn into one load and
 * store without breaking aliasing rules.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "tml_data.h"

static uint8_t *fill(uint8_t *out, const tml_pad_params *p, int32_t count)
{
    const size_t bytes = (size_t)count * (size_t)p->elem_size;
    if (p->elem_size == 1) {
        memset(out, *(const uint8_t *)p->value, bytes);
    } else {
        size_t i;
        for (i = 0; i < bytes; i += (size_t)p->elem_size) {
            memcpy(out + i, p->value, (size_t)p->elem_size);
        }
    }
    return out + bytes;
}

static void pad_dim(const tml_pad_params *p, int32_t d, const uint8_t **in, uint8_t **out)
{
    *out = fill(*out, p, p->before[d] * p->out_inner[d]);
    if (d == p->rank - 1) {
        const size_t bytes = (size_t)p->in_dims[d] * (size_t)p->elem_size;
        memcpy(*out, *in, bytes);
        *in += bytes;
        *out += bytes;
    } else {
        int32_t i;
        for (i = 0; i < p->in_dims[d]; ++i) {
            pad_dim(p, d + 1, in, out);
        }
    }
    *out = fill(*out, p, p->after[d] * p->out_inner[d]);
}

void tml_pad(const tml_pad_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    pad_dim(p, 0, &in, &out);
}

void tml_concat(const tml_concat_params *p, void *output)
{
    uint8_t *out = (uint8_t *)output;
    int32_t o;
    for (o = 0; o < p->outer; ++o) {
        const tml_concat_input *in;
        for (in = p->inputs; in != NULL; in = in->next) {
            const size_t chunk = (size_t)in->chunk_bytes;
            memcpy(out, (const uint8_t *)in->data + (size_t)o * chunk, chunk);
            out += chunk;
        }
    }
}

/* the innermost dimension of tml_gather, for one element size */
#define TML_GATHER_ROW(SIZE)                                                   \
    do {                                                                       \
        for (i = 0; i < count; ++i) {                                          \
            memcpy(out, src + (ptrdiff_t)i * step, SIZE);                      \
            out += SIZE;                                                       \
        }                                                                      \
    } while (0)

void tml_gather(const tml_gather_params *p, const void *input, void *output)
{
    const size_t es = (size_t)p->elem_size;
    const uint8_t *base = (const uint8_t *)input + (ptrdiff_t)p->offset * (ptrdiff_t)es;
    uint8_t *out = (uint8_t *)output;
    const int32_t count = p->counts[TML_MAX_DIMS - 1];
    const ptrdiff_t step = (ptrdiff_t)p->strides[TML_MAX_DIMS - 1] * (ptrdiff_t)es;
    tml_walk w;
    int32_t i;
    for (tml_walk_start(&w, TML_MAX_DIMS - 1, p->counts, p->strides, NULL); w.left > 0;
         tml_walk_next(&w)) {
        const uint8_t *src = base + w.a * (ptrdiff_t)es;
        if (p->strides[TML_MAX_DIMS - 1] == 1) {
            memcpy(out, src, (size_t)count * es);
            out += (size_t)count * es;
        } else if (es == 1) {
            TML_GATHER_ROW(1);
        } else if (es == 2) {
            TML_GATHER_ROW(2);
        } else if (es == 4) {
            TML_GATHER_ROW(4);
        } else {
            TML_GATHER_ROW(es);
        }
    }
}

/* The input index an output index o of one dimension reads in edge/reflect mode. */
static inline int32_t mirror_source(int32_t mode, int32_t o, int32_t before, int32_t size)
{
    int32_t i = o - before;
    int32_t period;
    if (i >= 0 && i < size) {
        return i;
    }
    if (mode == TML_PAD_EDGE || size == 1) {
        return i < 0 ? 0 : size - 1;
    }
    /* reflect, folding as often as the padding needs */
    period = 2 * (size - 1);
    i %= period;
    if (i < 0) {
        i += period;
    }
    return i < size ? i : period - i;
}

void tml_pad_mirror(const tml_pad_mirror_params *p, const void *input, void *output)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    const size_t es = (size_t)p->elem_size;
    int32_t stride[TML_MAX_DIMS];
    int32_t o[TML_MAX_DIMS];
    int32_t d;
    stride[TML_MAX_DIMS - 1] = 1;
    for (d = TML_MAX_DIMS - 2; d >= 0; --d) {
        stride[d] = stride[d + 1] * p->in_dims[d + 1];
    }
    for (o[0] = 0; o[0] < p->out_dims[0]; ++o[0]) {
        for (o[1] = 0; o[1] < p->out_dims[1]; ++o[1]) {
            for (o[2] = 0; o[2] < p->out_dims[2]; ++o[2]) {
                for (o[3] = 0; o[3] < p->out_dims[3]; ++o[3]) {
                    for (o[4] = 0; o[4] < p->out_dims[4]; ++o[4]) {
                        for (o[5] = 0; o[5] < p->out_dims[5]; ++o[5]) {
                            size_t offset = 0;
                            for (d = 0; d < TML_MAX_DIMS; ++d) {
                                offset += (size_t)mirror_source(p->mode, o[d], p->before[d],
                                                                p->in_dims[d]) *
                                          (size_t)stride[d];
                            }
                            memcpy(out, in + offset * es, es);
                            out += es;
                        }
                    }
                }
            }
        }
    }
}
