/*
 * Two models in one firmware: keyword spotting (KWS) and the anomaly-detection autoencoder
 * (AD), generated separately by tinyml_add_model(), linked side by side with one shared
 * kernel library. Each runs on its fixed input and is checked against TFLM's output.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "ad.h"
#include "ad_test_data.h"
#include "kws.h"
#include "kws_test_data.h"
#include "sample_util.h"

typedef char ad_input_matches_test_data[AD_INPUT0_BYTES == sizeof ad_test_input ? 1 : -1];
typedef char kws_input_matches_test_data[KWS_INPUT0_BYTES == sizeof kws_test_input ? 1 : -1];

/* Sum of squared differences between input and reconstruction, in input quantisation
 * steps: the autoencoder's anomaly score (larger = more anomalous). */
static unsigned long ad_score(const int8_t *in, const int8_t *out)
{
    unsigned long sum = 0;
    size_t i;
    for (i = 0; i < AD_INPUT0_BYTES; ++i) {
        const float x = AD_INPUT0_SCALE * (float)(in[i] - AD_INPUT0_ZERO_POINT);
        const float y = AD_OUTPUT0_SCALE * (float)(out[i] - AD_OUTPUT0_ZERO_POINT);
        const float d = (x - y) / AD_INPUT0_SCALE;
        sum += (unsigned long)(d * d);
    }
    return sum;
}

int main(void)
{
    const int8_t *kws_out;
    const int8_t *ad_out;
    int failures = 0;

    printf("kws: arena %u bytes; ad: arena %u bytes\n", (unsigned)KWS_ARENA_SIZE,
           (unsigned)AD_ARENA_SIZE);
    memcpy(kws_input(0), kws_test_input, sizeof kws_test_input);
    memcpy(ad_input(0), ad_test_input, sizeof ad_test_input);
    if (kws_invoke() != 0 || ad_invoke() != 0) {
        printf("invoke failed\n");
        return 2;
    }
    kws_out = (const int8_t *)kws_output(0);
    ad_out = (const int8_t *)ad_output(0);
    sample_print_output("kws", kws_out, KWS_OUTPUT0_BYTES);
    sample_print_output("ad", ad_out, AD_OUTPUT0_BYTES);
    printf("kws: top class %u\n", (unsigned)sample_argmax(kws_out, KWS_OUTPUT0_BYTES));
    printf("ad: anomaly score %lu\n", ad_score(ad_test_input, ad_out));
    failures += sample_check("kws", kws_out, kws_expected_output, KWS_OUTPUT0_BYTES);
    failures += sample_check("ad", ad_out, ad_expected_output, AD_OUTPUT0_BYTES);
    return failures == 0 ? 0 : 1;
}
