/*
 * SPDX-License-Identifier: Apache-2.0
 */
#include "sample_util.h"

#include <stdio.h>

__attribute__((noinline)) void bench_marker(int id)
{
    __asm volatile("" : : "r"(id) : "memory");
}

void sample_print_output(const char *model, const int8_t *data, size_t n)
{
    size_t i;
    printf("%s: output", model);
    for (i = 0; i < n; ++i) {
        printf(" %d", (int)data[i]);
    }
    printf("\n");
}

size_t sample_argmax(const int8_t *data, size_t n)
{
    size_t i, best = 0;
    for (i = 1; i < n; ++i) {
        if (data[i] > data[best]) {
            best = i;
        }
    }
    return best;
}

int sample_check(const char *model, const int8_t *data, const int8_t *expected, size_t n)
{
    size_t i, differ = 0;
    for (i = 0; i < n; ++i) {
        if (data[i] != expected[i]) {
            ++differ;
        }
    }
    if (differ == 0) {
        printf("%s: output matches the TFLM reference (%u values)\n", model, (unsigned)n);
        return 0;
    }
    printf("%s: MISMATCH: %u of %u values differ from the TFLM reference\n", model,
           (unsigned)differ, (unsigned)n);
    return 1;
}
