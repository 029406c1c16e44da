/*
 * insnprofile: a QEMU TCG plugin that counts executed guest instructions per address, for
 * a per-function profile of firmware (benchmarks/profile_firmware.py maps the addresses to
 * symbols).
 *
 * Build (host gcc, no QEMU headers needed):
 *   gcc -O2 -shared -fPIC -o libinsnprofile.so insnprofile.c
 * Run:
 *   qemu-system-arm -M mps2-an386 ... \
 *     -plugin ./libinsnprofile.so,base=0x0,size=0x400000,outfile=profile.txt -kernel app.elf
 * Output: one "<hex address> <count>" line per executed instruction address in
 * [base, base + size). Like insncount.c, every instruction gets an inline counter, so the
 * counts are exact and deterministic, and the result is also written from a destructor
 * because semihosting SYS_EXIT ends QEMU with exit(). Addresses are counted in 2-byte
 * steps (Thumb and RISC-V C instructions); the Thumb bit is masked.
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
static uint64_t base, size;
static uint64_t *counts;
static const char *outfile = "profile.txt";
static int written;

static void write_out(void)
{
    FILE *f;
    uint64_t i;
    if (written || !counts) return;
    written = 1;
    f = fopen(outfile, "w");
    if (!f) return;
    for (i = 0; i < size / 2; ++i)
        if (counts[i]) fprintf(f, "%" PRIx64 " %" PRIu64 "\n", base + 2 * i, counts[i]);
    fclose(f);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb), i;
    (void)id;
    for (i = 0; i < n; ++i) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t a = qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1;
        if (a >= base && a < base + size)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       &counts[(a - base) / 2], 1);
    }
}

static void at_exit(qemu_plugin_id_t id, void *p) { (void)id; (void)p; write_out(); }
__attribute__((destructor)) static void fini(void) { write_out(); }

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc, char **argv)
{
    int i;
    (void)info;
    for (i = 0; i < argc; ++i) {
        if (!strncmp(argv[i], "base=", 5)) base = strtoull(argv[i] + 5, NULL, 0);
        else if (!strncmp(argv[i], "size=", 5)) size = strtoull(argv[i] + 5, NULL, 0);
        else if (!strncmp(argv[i], "outfile=", 8)) outfile = strdup(argv[i] + 8);
    }
    counts = calloc(size / 2 + 1, sizeof *counts);
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
