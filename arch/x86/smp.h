/* Application processor start-up after ExitBootServices: each AP listed in the MADT is
 * started in turn (INIT-SIPI-SIPI into arch/x86/ap_trampoline.asm), runs one piece of work
 * on its own GDT/TSS/GS (cpu_init), then halts with interrupts off for good. Everything is
 * bounded: an AP that does not start or does not halt is a finding (smp.failed, check
 * smp.start), and is sent INIT, which holds it in wait-for-SIPI. */
#ifndef CP_X86_SMP_H
#define CP_X86_SMP_H
#include <stdbool.h>
#include <stdint.h>

/* Once, after acpi_probe and with the TSC rate known (start-up delays are TSC-timed).
 * page: physical address of the page below 1 MiB the boot path reserved (efi_main) or found
 * free in the memory map (pvh_main); 0 = none, page_why says why. enabled = 0 (config smp=0)
 * starts nothing. */
void smp_setup(uint64_t page, const char *page_why, bool enabled);
/* CPUs known: index 0 is the boot CPU, 1..smp_cpus()-1 the APs in MADT order. */
unsigned smp_cpus(void);
/* Why no AP can be started (setup failed, one CPU, disabled), or 0. */
const char *smp_unavailable(void);
/* Start AP `cpu` and have it call work(arg). True once it runs in 64-bit mode on our
 * descriptor tables; false (recorded) if it did not within the start-up timeout. */
bool smp_start_ap(unsigned cpu, void (*work)(void *), void *arg);
/* Wait until AP `cpu` returned from its work and halted; INIT it if it does not. */
bool smp_park_ap(unsigned cpu);
/* The CPUID-visible APIC ID of this CPU (leaf 0xB x2APIC ID when present, else leaf 1). */
uint32_t smp_cpuid_apic_id(void);
/* smp.* metrics and the check smp.start, after every AP was tried. */
void smp_report(void);

#endif
