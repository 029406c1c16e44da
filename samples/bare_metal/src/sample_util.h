/*
 * Helpers shared by the sample programs: printing and checking model outputs.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef SAMPLE_UTIL_H
#define SAMPLE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* An empty function called around each inference: the QEMU instruction-counting plugin
 * (benchmarks/qemu_plugin) snapshots its counter whenever this function runs. */
void bench_marker(int id);

/* Prints "<model>: output v0 v1 ..." (the line the tests parse). */
void sample_print_output(const char *model, const int8_t *data, size_t n);

/* Index of the largest value (the first one on ties). */
size_t sample_argmax(const int8_t *data, size_t n);

/* Compares the output with the expected bytes, prints the verdict, returns 0 if equal. */
int sample_check(const char *model, const int8_t *data, const int8_t *expected, size_t n);

#endif /* SAMPLE_UTIL_H */
