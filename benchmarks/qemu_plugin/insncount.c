/*
 * insncount: a QEMU TCG plugin that counts executed guest instructions, exactly.
 *
 * Build (host gcc, no QEMU headers needed):
 *   gcc -O2 -shared -fPIC -o libinsncount.so insncount.c
 * Run:
 *   qemu-system-arm -M mps2-an386 ... \
 *     -plugin ./libinsncount.so,outfile=count.txt,marker=0x<address of bench_marker> \
 *     -kernel app.elf
 * Output (outfile, else QEMU's plugin log):
 *   marker <count>     one line per execution of the marker function: the number of
 *                      instructions executed before its first instruction
 *   insns <total>      all instructions executed
 * The instructions between two calls of the marker are the difference of two marker
 * lines; they include the marker's own body and the call of the second one (a few
 * instructions), exactly as the TFLM baseline measurements with the same method.
 *
 * Every instruction gets an inline counter increment at translation time, so the count is
 * exact even when an exception leaves a translation block early, and deterministic.
 *
 * Debian's QEMU 7.2 supports -plugin but ships no qemu-plugin.h: the few declarations of
 * the plugin API (version 1, QEMU 4.2 to 8.x) used here are in qemu_plugin_api.h.
 *
 * The result is also written from a destructor, because semihosting SYS_EXIT ends QEMU
 * with exit() before the plugin's atexit callback would run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

#define MAX_MARKS 4096

static uint64_t insn_count;
static uint64_t marker_addr;
static int have_marker;
static uint64_t marks[MAX_MARKS];
static size_t n_marks;
static char *outfile;
static int reported;

static void on_marker(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    (void)userdata;
    if (n_marks < MAX_MARKS) {
        marks[n_marks++] = insn_count;
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t i, n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        /* the callback is registered first so it sees the count before this insn */
        if (have_marker && (qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1) == marker_addr) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   NULL);
        }
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &insn_count, 1);
    }
}

static void report(void)
{
    char line[64];
    size_t i;
    FILE *f = NULL;
    if (reported) {
        return;
    }
    reported = 1;
    if (outfile) {
        f = fopen(outfile, "w");
    }
    for (i = 0; i < n_marks; ++i) {
        snprintf(line, sizeof line, "marker %" PRIu64 "\n", marks[i]);
        if (f) {
            fputs(line, f);
        } else {
            qemu_plugin_outs(line);
        }
    }
    snprintf(line, sizeof line, "insns %" PRIu64 "\n", insn_count);
    if (f) {
        fputs(line, f);
        fclose(f);
    } else {
        qemu_plugin_outs(line);
    }
}

static void on_exit_cb(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    report();
}

__attribute__((destructor)) static void on_unload(void)
{
    report();
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc, char **argv)
{
    int i;
    (void)info;
    for (i = 0; i < argc; ++i) {
        if (strncmp(argv[i], "outfile=", 8) == 0) {
            outfile = strdup(argv[i] + 8);
        } else if (strncmp(argv[i], "marker=", 7) == 0) {
            marker_addr = strtoull(argv[i] + 7, NULL, 0) & ~(uint64_t)1;
            have_marker = 1;
        } else {
            fprintf(stderr, "insncount: unknown argument '%s' (outfile=, marker=)\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_cb, NULL);
    return 0;
}
