/* Descriptor tables and per-CPU state. Intel SDM vol. 3A ch. 3 (GDT), 6 (IDT), 8 (TSS). */
#include "cpu.h"
#include "io.h"
#include "../../lib/mem.h"

_Static_assert(offsetof(struct percpu, self) == PCPU_SELF, "entry.asm offset");
_Static_assert(offsetof(struct percpu, fault_fixup) == PCPU_FIXUP, "entry.asm offset");
_Static_assert(offsetof(struct percpu, fault_code) == PCPU_FAULT, "entry.asm offset");
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

#define MSR_GS_BASE 0xc0000101
#define STUB_SIZE 16
#define IDT_VECTORS 256
#define IST_CRITICAL 1 /* #DF, NMI and #MC run on their own stack */

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, rsvd;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char isr_stubs[];
void load_descriptors(const struct desc_ptr *gdtr, const struct desc_ptr *idtr);

static struct percpu cpus[MAX_CPUS];
static struct idt_entry idt[IDT_VECTORS];
static uint8_t ist_stacks[MAX_CPUS][CPU_IST_STACK_SIZE] __attribute__((aligned(16)));

static void idt_build(void)
{
	unsigned v;

	for (v = 0; v < IDT_VECTORS; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(isr_stubs + v * STUB_SIZE);
		struct idt_entry *e = &idt[v];

		e->off_lo = a & 0xffff;
		e->off_mid = (a >> 16) & 0xffff;
		e->off_hi = a >> 32;
		e->sel = 0x08;
		e->type = 0x8e; /* present, DPL0, 64-bit interrupt gate */
		e->ist = (v == 2 || v == 8 || v == 18) ? IST_CRITICAL : 0;
		e->rsvd = 0;
	}
}

void cpu_init(unsigned index)
{
	struct percpu *c = &cpus[index];
	uint64_t tss = (uint64_t)(uintptr_t)&c->tss;
	struct desc_ptr gdtr, idtr;

	memset(c, 0, sizeof(*c));
	c->self = c;
	c->index = index;
	c->tss.ist[IST_CRITICAL - 1] = (uint64_t)(uintptr_t)(ist_stacks[index] + CPU_IST_STACK_SIZE);
	c->tss.iomap_base = sizeof(struct tss64);
	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9a000000ffffULL; /* 0x08: 64-bit code, DPL0 */
	c->gdt[2] = 0x00cf92000000ffffULL; /* 0x10: data */
	c->gdt[3] = (sizeof(struct tss64) - 1) | ((tss & 0xffffff) << 16) | (0x89ULL << 40) |
		    ((tss >> 24) & 0xff) << 56; /* 0x18: available 64-bit TSS */
	c->gdt[4] = tss >> 32;
	if (index == 0)
		idt_build();
	gdtr.limit = sizeof(c->gdt) - 1;
	gdtr.base = (uint64_t)(uintptr_t)c->gdt;
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)idt;
	load_descriptors(&gdtr, &idtr);
	/* GS base last: load_descriptors cleared the GS selector. Plain wrmsr: this MSR exists on
	 * every x86-64 CPU, and the safe accessor itself needs GS. */
	__asm__ volatile("wrmsr" : : "c"(MSR_GS_BASE), "a"((uint32_t)(uintptr_t)c),
			 "d"((uint32_t)((uint64_t)(uintptr_t)c >> 32)));
}

struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

const char *exception_name(unsigned v)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
		"#NP", "#SS", "#GP", "#PF", "rsvd15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
	};

	if (v < 32 && names[v])
		return names[v];
	return v < 32 ? "reserved" : "interrupt";
}
