/* AP start-up (Intel SDM vol. 3A 9.4.4.1, "Typical BSP Initialization Sequence": INIT,
 * 10 ms, Start-up IPI, 200 us, Start-up IPI) through the trampoline page efi_main reserved
 * below 1 MiB. APs run one at a time and share one stack: the next AP starts only after the
 * previous one halted (cli; hlt, touching nothing; NMIs would use its own IST stack) or was
 * sent INIT. Only the boot CPU prints. */
#include "smp.h"
#include "ap_trampoline.h"
#include "acpi.h"
#include "cpu.h"
#include "cpuid.h"
#include "io.h"
#include "ipi.h"
#include "../../time/wait.h"
#include "../../lib/fmt.h"
#include "../../lib/mem.h"
#include "../../lib/report.h"

_Static_assert(sizeof(struct ap_tramp_params) == AP_P_CLAIM + 4, "trampoline parameter layout");
_Static_assert(offsetof(struct ap_tramp_params, gdtr_limit) == AP_P_GDTR, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, pm32) == AP_P_PM32, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, lm64) == AP_P_LM64, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, cr3) == AP_P_CR3, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, cr4) == AP_P_CR4, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, efer) == AP_P_EFER, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, cr0) == AP_P_CR0, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, stack_top) == AP_P_STACK, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, entry) == AP_P_ENTRY, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, arg) == AP_P_ARG, "trampoline layout");
_Static_assert(offsetof(struct ap_tramp_params, stage) == AP_P_STAGE, "trampoline layout");
_Static_assert(AP_TRAMP_PARAMS + sizeof(struct ap_tramp_params) <= AP_TRAMP_PAGE_BYTES, "page");

#define SMP_INIT_DELAY_US     10000   /* SDM 9.4.4.1: after INIT, before the first SIPI */
#define SMP_SIPI_DELAY_US     200     /* SDM 9.4.4.1: after each Start-up IPI */
#define SMP_SIPI_COUNT        2       /* SDM: a second SIPI in case the first was lost */
/* AP in C after the last SIPI. Under TCG with more vCPU threads than host cores a vCPU may
 * wait for a core for tens of ms; Linux allows 10 s. A missing AP costs this once. */
#define SMP_START_TIMEOUT_US  1000000
/* AP back from its work and halted: the work's own waits are bounded well below this. */
#define SMP_PARK_TIMEOUT_US   2000000
#define SMP_AP_STACK_BYTES    (32 * 1024)
#define SMP_WHY_LEN           200
#define FOUR_GIB              0x100000000ull
/* A Start-up IPI's vector VV starts the AP at 0xVV000; vectors 0xA0-0xBF are reserved
 * (Intel SDM vol. 3A, MP initialization), so the page must lie below 0xA0000. */
#define SIPI_VECTOR_RESERVED_FROM 0xa0000u

/* Trampoline GDT: flat 32-bit code and data, 64-bit code (SDM 3A 3.4.5). */
#define GDT_CODE32 0x00cf9a000000ffffull
#define GDT_DATA   0x00cf92000000ffffull
#define GDT_CODE64 0x00af9a000000ffffull

enum ap_state { AP_OFF, AP_RUNNING, AP_PARKED };

struct smp_cpu {
	uint32_t apic_id;         /* from the MADT */
	uint32_t cpuid_apic_id;   /* what this CPU's CPUID says (written by the AP itself) */
	uint32_t long_mode;       /* EFER.LMA as the AP read it */
	uint32_t state;           /* enum ap_state, written by the AP */
	uint32_t stage;           /* trampoline stage reached (AP_STAGE_*) */
	uint64_t start_cycles;    /* first INIT to the AP running C */
	bool tried, started, parked;
	char why[SMP_WHY_LEN];    /* why it did not start, or what is wrong with it */
	void (*work)(void *);
	void *arg;
};

static struct smp_cpu cpus[MAX_CPUS];
static unsigned ncpus = 1;
static uint8_t ap_stack[SMP_AP_STACK_BYTES] __attribute__((aligned(16)));
static struct {
	bool enabled, ready;
	uint64_t page;
	unsigned not_started_listed;  /* MADT CPUs beyond MAX_CPUS or beyond the IDs listed */
	char why[SMP_WHY_LEN];        /* why nothing can be started */
} smp;

static volatile uint32_t *param32(unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(smp.page + AP_TRAMP_PARAMS + off);
}

uint32_t smp_cpuid_apic_id(void)
{
	uint32_t r[4];

	cpuid_count(0, 0, r);
	if (r[0] >= 0xb) {
		cpuid_count(0xb, 0, r);
		if (r[1]) /* EBX = 0: leaf 0xB not implemented at this level */
			return r[3];
	}
	cpuid_count(1, 0, r);
	return r[1] >> 24;
}

unsigned smp_cpus(void)
{
	return ncpus;
}

const char *smp_unavailable(void)
{
	return smp.ready ? 0 : smp.why;
}

static void list_cpus(void)
{
	unsigned i;

	ncpus = 1;
	cpus[0].apic_id = smp_cpuid_apic_id();
	cpus[0].cpuid_apic_id = cpus[0].apic_id;
	cpus[0].started = true;
	cpus[0].long_mode = 1;
	for (i = 0; i < acpi.apic_ids_listed; i++) {
		if (acpi.apic_ids[i] == cpus[0].apic_id)
			continue;
		if (ncpus == MAX_CPUS) {
			smp.not_started_listed++;
			continue;
		}
		memset(&cpus[ncpus], 0, sizeof(cpus[ncpus]));
		cpus[ncpus++].apic_id = acpi.apic_ids[i];
	}
	smp.not_started_listed += acpi.cpu_count - acpi.apic_ids_listed;
}

/* The parts of the parameter block that are the same for every AP. */
static bool prepare_page(void)
{
	struct ap_tramp_params p;
	uint64_t cr3 = read_cr3(), cr4 = read_cr4(), efer = 0;
	uint32_t base = (uint32_t)smp.page;
	size_t code = (size_t)(ap_trampoline_end - ap_trampoline_start);
	int f;

	if (cr3 >= FOUR_GIB) {
		cp_snprintf(smp.why, sizeof(smp.why), "BSP CR3 0x%llx above 4 GiB: the 32-bit trampoline "
			    "cannot load it", (unsigned long long)cr3);
		return false;
	}
	f = rdmsr_safe(MSR_IA32_EFER, &efer);
	if (f) {
		cp_snprintf(smp.why, sizeof(smp.why), "reading IA32_EFER raised %s",
			    exception_name(FAULT_VECTOR(f)));
		return false;
	}
	memset(&p, 0, sizeof(p));
	p.gdt[1] = GDT_CODE32;
	p.gdt[2] = GDT_DATA;
	p.gdt[3] = GDT_CODE64;
	p.gdtr_limit = sizeof(p.gdt) - 1;
	p.gdtr_base = base + AP_TRAMP_PARAMS;
	p.pm32.offset = base + (uint32_t)(ap_trampoline_pm32 - ap_trampoline_start);
	p.pm32.sel = AP_TRAMP_SEL_CODE32;
	p.lm64.offset = base + (uint32_t)(ap_trampoline_lm64 - ap_trampoline_start);
	p.lm64.sel = AP_TRAMP_SEL_CODE64;
	/* With PCIDE the low 12 bits are a PCID the AP (PCIDE off) must not load as PWT/PCD. */
	p.cr3 = (uint32_t)(cr4 & X86_CR4_PCIDE ? cr3 & ~0xfffull : cr3);
	p.cr4 = (uint32_t)(cr4 & AP_CR4_COPIED) | X86_CR4_PAE;
	/* NXE as on the BSP: its page tables may set XD bits, reserved without NXE. */
	p.efer = ((uint32_t)efer & ~EFER_LMA) | EFER_LME;
	p.cr0 = ((uint32_t)read_cr0() | X86_CR0_PG | X86_CR0_PE) & ~(X86_CR0_CD | X86_CR0_NW);
	p.stack_top = (uint64_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
	f = memcpy_safe((void *)(uintptr_t)smp.page, ap_trampoline_start, code);
	if (!f)
		f = memcpy_safe((void *)(uintptr_t)(smp.page + AP_TRAMP_PARAMS), &p, sizeof(p));
	if (f) {
		cp_snprintf(smp.why, sizeof(smp.why), "writing the trampoline page 0x%llx raised %s",
			    (unsigned long long)smp.page, exception_name(FAULT_VECTOR(f)));
		return false;
	}
	return true;
}

void smp_setup(uint64_t page, const char *page_why, bool enabled)
{
	memset(&smp, 0, sizeof(smp));
	smp.enabled = enabled;
	smp.page = page;
	list_cpus();
	if (!enabled)
		cp_snprintf(smp.why, sizeof(smp.why), "disabled by smp=0");
	else if (!acpi.madt_present)
		cp_snprintf(smp.why, sizeof(smp.why), "no trusted MADT: APIC IDs unknown");
	else if (ncpus == 1)
		cp_snprintf(smp.why, sizeof(smp.why), "the MADT lists one enabled CPU");
	else if (!page)
		cp_snprintf(smp.why, sizeof(smp.why), "no page below 1 MiB for the trampoline (%s)",
			    page_why && page_why[0] ? page_why : "none given");
	else if (page >= SIPI_VECTOR_RESERVED_FROM || (page & (AP_TRAMP_PAGE_BYTES - 1)))
		cp_snprintf(smp.why, sizeof(smp.why), "trampoline page 0x%llx not a page below 0x%x "
			    "(Start-up IPI vectors 0xA0-0xBF are reserved)", (unsigned long long)page,
			    SIPI_VECTOR_RESERVED_FROM);
	else if (!ipi_setup(smp.why, sizeof(smp.why)))
		;
	else if (prepare_page())
		smp.ready = true;
}

/* First code in C on the AP, on the shared AP stack. */
static void ap_entry(void *arg)
{
	struct smp_cpu *c = arg;
	uint64_t efer = 0;

	cpu_init((unsigned)(c - cpus));
	c->cpuid_apic_id = smp_cpuid_apic_id();
	c->long_mode = !rdmsr_safe(MSR_IA32_EFER, &efer) && (efer & EFER_LMA);
	__atomic_store_n(&c->state, AP_RUNNING, __ATOMIC_RELEASE);
	c->work(c->arg);
	/* The last write to shared memory: the boot CPU may reuse the stack after this. */
	__atomic_store_n(&c->state, AP_PARKED, __ATOMIC_RELEASE);
	halt_forever();
}

static bool ap_running(void *arg)
{
	return __atomic_load_n(&((struct smp_cpu *)arg)->state, __ATOMIC_ACQUIRE) != AP_OFF;
}

static bool ap_parked(void *arg)
{
	return __atomic_load_n(&((struct smp_cpu *)arg)->state, __ATOMIC_ACQUIRE) == AP_PARKED;
}

static const char *stage_name(uint32_t stage)
{
	static const char *const names[] = { "no instruction executed", "real mode",
					     "protected mode", "64-bit mode in the trampoline" };

	return stage < sizeof(names) / sizeof(names[0]) ? names[stage] : "unknown stage";
}

/* Stop an AP that misbehaved: INIT holds it in wait-for-SIPI (SDM 9.4.2). If even the INIT
 * cannot be sent, the AP may still be running on the shared stack and page: start no more. */
static void stop_ap(struct smp_cpu *c)
{
	char why[SMP_WHY_LEN];

	if (ipi_send(c->apic_id, APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT, why, sizeof(why)))
		return;
	smp.ready = false;
	diag("smp: could not stop APIC ID %u (%s): no further APs are started", c->apic_id, why);
}

bool smp_start_ap(unsigned i, void (*work)(void *), void *arg)
{
	struct smp_cpu *c = &cpus[i];
	uint64_t entry = (uint64_t)(uintptr_t)ap_entry, t0;
	uint32_t vector = (uint32_t)(smp.page >> 12);
	unsigned k;

	if (!smp.ready || i == 0 || i >= ncpus)
		return false;
	c->tried = true;
	c->work = work;
	c->arg = arg;
	c->state = AP_OFF;
	memcpy((void *)(uintptr_t)(smp.page + AP_TRAMP_PARAMS + AP_P_ENTRY), &entry, sizeof(entry));
	memcpy((void *)(uintptr_t)(smp.page + AP_TRAMP_PARAMS + AP_P_ARG), &c, sizeof(c));
	*param32(AP_P_STAGE) = AP_STAGE_NONE;
	*param32(AP_P_CLAIM) = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	t0 = rdtsc_ordered();
	if (!ipi_send(c->apic_id, APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT, c->why, sizeof(c->why)))
		return false;
	delay_us(SMP_INIT_DELAY_US);
	for (k = 0; k < SMP_SIPI_COUNT; k++) {
		if (!ipi_send(c->apic_id, APIC_ICR_DM_STARTUP | vector, c->why, sizeof(c->why))) {
			stop_ap(c);
			return false;
		}
		delay_us(SMP_SIPI_DELAY_US);
	}
	if (!wait_until("smp.ap", ap_running, c, SMP_START_TIMEOUT_US)) {
		c->stage = *param32(AP_P_STAGE);
		stop_ap(c);
		cp_snprintf(c->why, sizeof(c->why), "no answer to INIT-SIPI-SIPI (reached %s; %s)",
			    stage_name(c->stage), wait_last_failure());
		return false;
	}
	c->start_cycles = rdtsc_ordered() - t0;
	c->stage = *param32(AP_P_STAGE);
	c->started = true;
	if (c->cpuid_apic_id != c->apic_id)
		cp_snprintf(c->why, sizeof(c->why), "CPUID APIC ID %u, the MADT and the IPI said %u",
			    c->cpuid_apic_id, c->apic_id);
	else if (!c->long_mode)
		cp_snprintf(c->why, sizeof(c->why), "EFER.LMA clear in 64-bit code");
	return true;
}

bool smp_park_ap(unsigned i)
{
	struct smp_cpu *c = &cpus[i];

	if (i == 0 || i >= ncpus || !c->started)
		return false;
	if (wait_until("smp.park", ap_parked, c, SMP_PARK_TIMEOUT_US)) {
		c->parked = true;
		return true;
	}
	stop_ap(c);
	if (!c->why[0])
		cp_snprintf(c->why, sizeof(c->why), "did not halt after its work (%s); sent INIT",
			    wait_last_failure());
	return false;
}

void smp_report(void)
{
	char failed[400];
	size_t n = 0;
	unsigned i, started = 0, bad = 0;

	metric_u64("smp.cpus_expected", ncpus + smp.not_started_listed, "count");
	if (smp.page)
		metric_hex("smp.trampoline", smp.page, "addr");
	failed[0] = '\0';
	for (i = 0; i < ncpus; i++) {
		const struct smp_cpu *c = &cpus[i];
		char name[40];

		if (i && !c->tried)
			continue;
		cp_snprintf(name, sizeof(name), "smp.cpu%u.apic_id", i);
		metric_u64(name, c->started ? c->cpuid_apic_id : c->apic_id, "index");
		cp_snprintf(name, sizeof(name), "smp.cpu%u.long_mode", i);
		metric_u64(name, c->started && c->long_mode, "bool");
		if (i) {
			cp_snprintf(name, sizeof(name), "smp.cpu%u.start_cycles", i);
			if (c->started)
				metric_u64(name, c->start_cycles, "cycles");
		}
		started += c->started;
		if (i && (!c->started || c->why[0])) {
			bad++;
			if (n + 1 < sizeof(failed))
				n += (size_t)cp_snprintf(failed + n, sizeof(failed) - n, "%scpu%u (APIC %u): %s",
							 n ? "; " : "", i, c->apic_id, c->why);
		}
	}
	metric_u64("smp.cpus_started", started, "count");
	/* Our limit, not the platform's: noted, not judged. */
	if (smp.not_started_listed)
		info("smp.not_tried", "%u MADT CPUs beyond the %u supported (MAX_CPUS) or listed",
		     smp.not_started_listed, MAX_CPUS);
	if (n)
		info("smp.failed", "%s", failed);
	if (!smp.ready)
		check_skip("smp.start", "%s", smp.why);
	else
		check(!bad, "smp.start", "%u of %u CPUs started: %s", started, ncpus, failed);
}
