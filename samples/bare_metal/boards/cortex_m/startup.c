/*
 * Reset code and vector table for Cortex-M boards emulated by QEMU (mps2-an386, mps2-an500,
 * mps2-an505, mps3-an547), for programs linked with newlib-nano, rdimon semihosting,
 * -nostartfiles and cortex_m.ld.
 *
 * Reset: copy .data from flash, zero .bss, enable the FPU/MVE when the code is built for
 * one, open the semihosting stdio handles, run constructors, then exit(main()). The exit
 * status reaches QEMU's own exit status through semihosting. A fault or an unexpected
 * exception ends the program through semihosting too (status 1) instead of hanging.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>

/* from cortex_m.ld */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

/* from newlib / librdimon */
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);

#define CPACR (*(volatile uint32_t *)0xE000ED88u)

/* The 16 system exception entries; the sample enables no interrupts. */
__attribute__((section(".isr_vector"), used))
const uintptr_t vector_table[16] = {
    (uintptr_t)__stack_top,
    (uintptr_t)Reset_Handler,
    (uintptr_t)Default_Handler, /* NMI */
    (uintptr_t)Default_Handler, /* HardFault */
    (uintptr_t)Default_Handler, /* MemManage */
    (uintptr_t)Default_Handler, /* BusFault */
    (uintptr_t)Default_Handler, /* UsageFault */
    (uintptr_t)Default_Handler, /* SecureFault (Armv8-M) */
    0, 0, 0,
    (uintptr_t)Default_Handler, /* SVCall */
    (uintptr_t)Default_Handler, /* DebugMonitor */
    0,
    (uintptr_t)Default_Handler, /* PendSV */
    (uintptr_t)Default_Handler, /* SysTick */
};

void Reset_Handler(void)
{
    uint32_t *src = __data_load;
    uint32_t *dst = __data_start;
    while (dst < __data_end) {
        *dst++ = *src++;
    }
    for (dst = __bss_start; dst < __bss_end; ++dst) {
        *dst = 0;
    }
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    CPACR |= 0xFu << 20; /* full access to CP10/CP11: FPU and MVE */
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
    initialise_monitor_handles();
    __libc_init_array();
    exit(main());
}

/* Semihosting SYS_EXIT with ADP_Stopped_RunTimeErrorUnknown: QEMU exits with status 1. */
void Default_Handler(void)
{
    register uint32_t op __asm("r0") = 0x18u;
    register uint32_t reason __asm("r1") = 0x20023u;
    __asm volatile("bkpt 0xab" : : "r"(op), "r"(reason) : "memory");
    for (;;) {
    }
}

/* -nostartfiles drops crti.o/crtn.o, which newlib's __libc_init_array expects. */
void _init(void)
{
}

void _fini(void)
{
}
