/*
 * Reset code for RV32 programs on QEMU's `virt` machine started with `-bios none`
 * (M-mode, entry at _start), linked with picolibc (--oslib=semihost), -nostartfiles
 * and riscv.ld.
 *
 * Sets gp, sp and the trap vector, copies .data and .tdata from flash, zeroes .tbss and
 * .bss, points tp at the thread-local block (picolibc keeps errno there), then calls
 * exit(main()). Any trap ends the program with _exit(1) through semihosting, so a fault
 * gives QEMU exit status 1 instead of a hang.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
    .option arch, +zicsr

    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, trap_handler
    csrw    mtvec, t0

    /* .data and .tdata are contiguous in RAM and in flash */
    la      a0, __data_start
    la      a1, __data_load
    la      a2, __data_end
1:  bgeu    a0, a2, 2f
    lw      t1, 0(a1)
    sw      t1, 0(a0)
    addi    a0, a0, 4
    addi    a1, a1, 4
    j       1b

    /* .tbss and .bss */
2:  la      a0, __bss_start
    la      a2, __bss_end
3:  bgeu    a0, a2, 4f
    sw      zero, 0(a0)
    addi    a0, a0, 4
    j       3b

4:  la      tp, __tls_base
    call    main
    call    exit
5:  j       5b
    .size _start, . - _start

    .balign 4
    .type trap_handler, @function
trap_handler:
    li      a0, 1
    call    _exit
6:  j       6b
    .size trap_handler, . - trap_handler
