/* Self-test of armed-fault recovery: check cpu.fault_recovery (see fault_selftest.c). */
#ifndef CP_X86_FAULT_SELFTEST_H
#define CP_X86_FAULT_SELFTEST_H

/* Provoke faults every x86-64 implementation raises (TCG included) through the fault-safe
 * accessors and check each comes back as a return value with the right vector. Call once
 * cpu_init() and the crash handler are in place: a lost fault ends the run as a crash. */
void fault_selftest(void);

#endif
