/* Per-CPU state, descriptor tables and fault-safe instruction wrappers.
 * Every CPU gets its own GDT/TSS/stacks and a struct percpu reached through GS,
 * so SMP bring-up only has to call cpu_init() on each AP. */
#ifndef CP_X86_CPU_H
#define CP_X86_CPU_H
#include <stdint.h>
#include <stddef.h>

#define MAX_CPUS 16
#define CPU_STACK_SIZE (64 * 1024)
#define CPU_IST_STACK_SIZE (16 * 1024)

/* Offsets used by arch/x86/entry.asm: keep in sync (checked with _Static_assert). */
#define PCPU_SELF 0
#define PCPU_FIXUP 8
#define PCPU_FAULT 16

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));

struct percpu {
	struct percpu *self;   /* PCPU_SELF */
	uintptr_t fault_fixup; /* PCPU_FIXUP: RIP to resume at if the armed instruction faults */
	uint64_t fault_code;   /* PCPU_FAULT: vector + 1 of the last recovered fault, 0 = none */
	uint64_t fault_error;  /* its error code */
	unsigned index;
	unsigned exception_depth;
	uint64_t gdt[5];
	struct tss64 tss;
};

/* Set up GDT, TSS, IDT and GS for CPU `index` on the current processor. */
void cpu_init(unsigned index);
struct percpu *this_cpu(void);

/* Fault-safe accessors (arch/x86/entry.asm). Return 0, or the fault's vector + 1. */
#define FAULT_VECTOR(code) ((int)(code) - 1)
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);
int memcpy_safe(void *dst, const void *src, size_t n);
/* One 4-byte MMIO load; for probing a device base that may be unmapped or bogus. */
int mmio_read32_safe(uintptr_t addr, uint32_t *val);

/* Used once by the boot path to move onto our own stack; does not return. */
void switch_stack(void *top, void (*fn)(void *), void *arg) __attribute__((noreturn));

/* Exception vectors the probes expect (SDM 3A table 6-1), and names (#GP, ...) for reports. */
#define X86_VECTOR_GP 13
#define X86_VECTOR_PF 14
const char *exception_name(unsigned vector);

#endif
