/* Exception dispatch. An armed fault (rdmsr_safe and friends) is recovered and recorded;
 * anything else is a finding about the platform or a bug in us: dump and end the run. */
#include "traps.h"
#include "cpu.h"
#include "io.h"
#include "../../lib/report.h"
#include "../../lib/mem.h"
#include "../../lib/fmt.h"

static void (*crash_handler)(void) __attribute__((noreturn));

void traps_set_crash_handler(void (*fn)(void) __attribute__((noreturn)))
{
	crash_handler = fn;
}

static void dump(const struct trap_frame *f, const struct percpu *c)
{
	diag("exception %s vector=%llu error=0x%llx cpu=%u", exception_name((unsigned)f->vector),
	     (unsigned long long)f->vector, (unsigned long long)f->error, c->index);
	diag("  rip=0x%016llx cs=0x%llx rflags=0x%llx rsp=0x%016llx ss=0x%llx",
	     (unsigned long long)f->rip, (unsigned long long)f->cs, (unsigned long long)f->rflags,
	     (unsigned long long)f->rsp, (unsigned long long)f->ss);
	diag("  cr0=0x%llx cr2=0x%016llx cr3=0x%llx cr4=0x%llx", (unsigned long long)read_cr0(),
	     (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
	     (unsigned long long)read_cr4());
	diag("  rax=0x%016llx rbx=0x%016llx rcx=0x%016llx rdx=0x%016llx",
	     (unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
	     (unsigned long long)f->rdx);
	diag("  rsi=0x%016llx rdi=0x%016llx rbp=0x%016llx r8=0x%016llx",
	     (unsigned long long)f->rsi, (unsigned long long)f->rdi, (unsigned long long)f->rbp,
	     (unsigned long long)f->r8);
	diag("  r9=0x%016llx r10=0x%016llx r11=0x%016llx r12=0x%016llx",
	     (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11,
	     (unsigned long long)f->r12);
	diag("  r13=0x%016llx r14=0x%016llx r15=0x%016llx", (unsigned long long)f->r13,
	     (unsigned long long)f->r14, (unsigned long long)f->r15);
}

/* What an armed probe may legitimately raise: synchronous faults of the one instruction it
 * runs (#DE, #UD, #TS, #NP, #SS, #GP, #PF, #AC). An NMI, #MC or #DB arriving meanwhile is not
 * the probe's answer: it is reported as unexpected, never swallowed by the fixup. */
static bool recoverable(uint64_t vector)
{
	switch (vector) {
	case 0: case 6: case 10: case 11: case 12: case 13: case 14: case 17:
		return true;
	default:
		return false;
	}
}

void trap_dispatch(struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	char why[96];

	if (c->fault_fixup && recoverable(f->vector)) {
		c->fault_code = f->vector + 1;
		c->fault_error = f->error;
		f->rip = c->fault_fixup;
		c->fault_fixup = 0;
		return;
	}
	if (c->exception_depth++) {
		/* Faulted while reporting a fault: say the least possible and stop. */
		report_bail_out("nested exception");
		if (crash_handler)
			crash_handler();
		halt_forever();
	}
	dump(f, c);
	cp_snprintf(why, sizeof(why), "unexpected exception %s (vector %llu) at rip=0x%llx",
		    exception_name((unsigned)f->vector), (unsigned long long)f->vector,
		    (unsigned long long)f->rip);
	report_bail_out(why);
	if (crash_handler)
		crash_handler();
	halt_forever();
}

void trigger_exception(const char *name)
{
	if (!strcmp(name, "ud"))
		__asm__ volatile("ud2");
	else if (!strcmp(name, "pf"))
		(void)*(volatile uint64_t *)0x00007ffffffff000ULL; /* canonical, assumed unmapped */
	else if (!strcmp(name, "gp"))
		(void)*(volatile uint64_t *)0x8000000000000000ULL; /* non-canonical */
	else if (!strcmp(name, "de")) {
		volatile unsigned zero = 0;
		volatile unsigned x = 1 / zero;
		(void)x;
	}
}
