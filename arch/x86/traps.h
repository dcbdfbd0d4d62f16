/* Exception handling: armed-fault recovery, else register dump and crash exit. */
#ifndef CP_X86_TRAPS_H
#define CP_X86_TRAPS_H
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* Installed by boot code: ends the run with status crash. */
void traps_set_crash_handler(void (*fn)(void) __attribute__((noreturn)));
void trap_dispatch(struct trap_frame *f);

/* Test-only: raise an exception on purpose ("ud", "pf", "gp", "de"); returns if name is unknown. */
void trigger_exception(const char *name);

#endif
