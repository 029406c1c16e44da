/*
 * Keyword spotting on a fixed input: runs the MLPerf Tiny KWS model compiled by
 * tinyml_add_model(kws ...), prints the top class and checks all outputs against the
 * bytes TFLM computed for the same input (data/kws_test_data.h). Exit status 0 = match.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "kws.h"
#include "kws_test_data.h"
#include "sample_util.h"

/* the model's classes, in output order */
static const char *const kws_labels[] = {
    "down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown",
};

typedef char kws_input_matches_test_data[KWS_INPUT0_BYTES == sizeof kws_test_input ? 1 : -1];
typedef char kws_output_matches_labels[
    KWS_OUTPUT0_BYTES == sizeof kws_labels / sizeof kws_labels[0] ? 1 : -1];

int main(void)
{
    const int8_t *out;
    size_t top;
    int rc;

    printf("kws: arena %u bytes\n", (unsigned)KWS_ARENA_SIZE);
    memcpy(kws_input(0), kws_test_input, sizeof kws_test_input);
    bench_marker(1);
    rc = kws_invoke();
    bench_marker(2);
    if (rc != 0) {
        printf("kws: invoke failed at op %d\n", rc - 1);
        return 2;
    }
    out = (const int8_t *)kws_output(0);
    sample_print_output("kws", out, KWS_OUTPUT0_BYTES);
    top = sample_argmax(out, KWS_OUTPUT0_BYTES);
    printf("kws: top class %u (%s), score %d\n", (unsigned)top, kws_labels[top], (int)out[top]);
    return sample_check("kws", out, kws_expected_output, KWS_OUTPUT0_BYTES);
}
