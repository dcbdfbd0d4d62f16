/* kvm-clock driver (Linux Documentation/virt/kvm/x86/msr.rst, arch/x86/kernel/kvmclock.c).
 * Present only when CPUID's KVM block advertises CLOCKSOURCE2 (MSRs 0x4b564d00/01, preferred)
 * or CLOCKSOURCE (0x11/0x12). Each CPU's pvclock_vcpu_time_info sits in one page-aligned
 * static page that holds nothing else (the host writes into it); the guest is identity mapped,
 * so the address written to the MSR is the structure's virtual address. Reads are raw: no
 * clamping to a previous value (Linux clamps without the stable bit; a checker must not). */
#include "kvmclock.h"
#include "pvclock.h"
#include "clocksource.h"
#include "wait.h"
#include "wallclock.h"
#include "../arch/x86/io.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/msr.h"
#include "../lib/report.h"
#include "../lib/fmt.h"

#define PAGE_SIZE 4096
/* The version protocol retries while the host is mid-update; an update takes well under a
 * microsecond, so 1000 retries failing means the structure is being rewritten continuously. */
#define KVMCLOCK_READ_RETRIES 1000
/* KVM fills the structure before the vCPU re-enters the guest after the MSR write. */
#define KVMCLOCK_FILL_TIMEOUT_US 100000
/* A host update that continues the old line exactly still reads up to 1 ns off: both sides
 * truncate their scaled delta (floor(a) + floor(b) vs floor(a + b)). Larger is a step. */
#define KVMCLOCK_UPDATE_ROUNDING_NS 1

static union {
	struct pvclock_vcpu_time_info cpu[MAX_CPUS];
	uint8_t bytes[PAGE_SIZE];
} pvti_page __attribute__((aligned(PAGE_SIZE)));
_Static_assert(sizeof(struct pvclock_vcpu_time_info) * MAX_CPUS <= PAGE_SIZE, "one page");

static union {
	struct pvclock_wall_clock w;
	uint8_t bytes[PAGE_SIZE];
} wall_page __attribute__((aligned(PAGE_SIZE)));

static struct {
	bool present;
	bool stable_honoured; /* CPUID KVM_FEATURE_CLOCKSOURCE_STABLE_BIT */
	uint32_t msr_system_time, msr_wall_clock;
	uint32_t registered;  /* bitmap of CPU indexes */
	uint32_t last_version[MAX_CPUS];
	bool seen[MAX_CPUS];
	uint64_t read_retries, tsc_before_timestamp, read_failures;
	uint64_t last_ns[MAX_CPUS];
	struct pvclock_snapshot last[MAX_CPUS]; /* parameters of last_version, for update jumps */
	struct update_steps updates;            /* version changes and their steps, ns */
	struct clocksource *cs;
	struct clocksource *any_cs;             /* ours even when absent (its reason) */
	bool wall_ok;                           /* the discovery fill worked */
	struct kvmclock_wall wall_first;
	char wall_why[96];                      /* why not */
} kvm;

/* Without the stable bit (KVM has no master clock: the host's clocksource is not the TSC)
 * KVM re-bases kvm-clock per vCPU at updates: steps and backward reads are then allowed. */
#define KVMCLOCK_UNPROMISED "kvm-clock's PVCLOCK_TSC_STABLE_BIT is clear or not advertised (the host has no KVM " \
	"master clock), so it promises no continuity across updates and vCPUs"

static volatile struct pvclock_vcpu_time_info *my_pvti(void)
{
	return &pvti_page.cpu[this_cpu()->index];
}

/* Version protocol: an odd version means the host is writing; read the fields and an
 * ordered TSC between two reads of the version, retry if it changed. */
static bool pvti_read(struct pvclock_snapshot *s, uint64_t *tsc, uint32_t *version)
{
	volatile struct pvclock_vcpu_time_info *p = my_pvti();
	unsigned i;

	for (i = 0; i < KVMCLOCK_READ_RETRIES; i++) {
		uint32_t v = p->version;

		if (v & 1) {
			kvm.read_retries++;
			cpu_relax();
			continue;
		}
		barrier();
		s->tsc_timestamp = p->tsc_timestamp;
		s->system_time = p->system_time;
		s->mul = p->tsc_to_system_mul;
		s->shift = p->tsc_shift;
		s->flags = p->flags;
		*tsc = rdtsc_ordered();
		barrier();
		if (p->version == v) {
			*version = v;
			return true;
		}
		kvm.read_retries++;
	}
	kvm.read_failures++;
	return false;
}

/* A new version: count it, and measure how far the new parameters put kvm-clock from where
 * the old ones would have, at this read's TSC (a host that re-bases system_time from its own
 * clock, or resumes after a pause or migration, steps the guest's clock here). */
static void note_version(uint32_t v, const struct pvclock_snapshot *s, uint64_t tsc)
{
	unsigned c = this_cpu()->index;

	if (kvm.seen[c] && kvm.last_version[c] != v)
		update_steps_note_after(&kvm.updates, pvclock_update_jump(&kvm.last[c], s, tsc), KVMCLOCK_UPDATE_ROUNDING_NS,
					s->system_time > kvm.last[c].system_time ? s->system_time - kvm.last[c].system_time : 0);
	kvm.seen[c] = true;
	kvm.last_version[c] = v;
	kvm.last[c] = *s;
	if (kvm.cs && !(kvm.stable_honoured && (s->flags & PVCLOCK_TSC_STABLE_BIT)))
		kvm.cs->unpromised = KVMCLOCK_UNPROMISED; /* once seen clear, for the whole run */
}

static uint64_t kvmclock_read(struct clocksource *cs)
{
	struct pvclock_snapshot s;
	uint64_t tsc;
	uint32_t v;
	bool before;
	unsigned c = this_cpu()->index;

	(void)cs;
	if (!pvti_read(&s, &tsc, &v))
		return kvm.last_ns[c]; /* counted in read_failures; nothing invented */
	note_version(v, &s, tsc);
	kvm.last_ns[c] = pvclock_ns_at(&s, tsc, &before);
	if (before)
		kvm.tsc_before_timestamp++;
	return kvm.last_ns[c];
}

static bool pvti_filled(void *arg)
{
	volatile struct pvclock_vcpu_time_info *p = arg;

	return p->version && !(p->version & 1) && p->tsc_to_system_mul;
}

bool kvmclock_cpu_init(void)
{
	unsigned c = this_cpu()->index;
	uint64_t phys = (uint64_t)(uintptr_t)&pvti_page.cpu[c];
	int f;

	if (!kvm.msr_system_time)
		return false;
	f = wrmsr_safe(kvm.msr_system_time, phys | KVMCLOCK_MSR_ENABLE);
	if (f)
		return false;
	kvm.registered |= 1u << c;
	return true;
}

void kvmclock_shutdown(void)
{
	unsigned c = this_cpu()->index;

	if (!(kvm.registered & (1u << c)))
		return;
	(void)wrmsr_safe(kvm.msr_system_time, 0);
	kvm.registered &= ~(1u << c);
}

bool kvmclock_scale(uint32_t *mul, int *shift)
{
	struct pvclock_snapshot s;
	uint64_t tsc;
	uint32_t v;

	if (!kvm.present || !pvti_read(&s, &tsc, &v))
		return false;
	*mul = s.mul;
	*shift = s.shift;
	return true;
}

void kvmclock_report_counters(void)
{
	if (!kvm.present)
		return;
	metric_u64("kvmclock.version_changes", kvm.updates.updates, "count");
	metric_u64("kvmclock.read_retries", kvm.read_retries, "count");
	metric_u64("kvmclock.read_failures", kvm.read_failures, "count");
	metric_u64("kvmclock.tsc_before_timestamp", kvm.tsc_before_timestamp, "count");
	metric_u64("kvmclock.update_jumps", kvm.updates.steps, "count");
	metric_i64("kvmclock.update_jump_max_ns", kvm.updates.max, "ns");
	metric_i64("kvmclock.update_jump_net_ns", kvm.updates.net, "ns");
}

static uint64_t kvmclock_scale_tsc_uhz(struct clocksource *cs)
{
	uint32_t mul;
	int shift;

	(void)cs;
	return kvmclock_scale(&mul, &shift) ? pvclock_tsc_uhz(mul, shift) : 0;
}

/* Wall clock: each write of the wall-clock MSR makes the host fill {version, sec, nsec} = wall
 * time at kvm-clock 0 (KVM: its CLOCK_REALTIME minus its kvm-clock, at the write); nothing
 * refreshes it otherwise. Read under the version protocol, then kvm-clock with a TSC bracket. */
static bool wall_read(struct kvmclock_wall *out, char *why, size_t n)
{
	volatile struct pvclock_wall_clock *w = &wall_page.w;
	uint32_t v = 0, sec = 0, nsec = 0;
	unsigned i;

	for (i = 0; i < KVMCLOCK_READ_RETRIES; i++) {
		v = w->version;
		barrier();
		sec = w->sec;
		nsec = w->nsec;
		barrier();
		if (!(v & 1) && w->version == v)
			break;
	}
	if (i == KVMCLOCK_READ_RETRIES) {
		cp_snprintf(why, n, "version never stable (last 0x%x)", v);
		return false;
	}
	out->version = v;
	out->sec = sec;
	out->nsec = nsec;
	out->tsc_lo = rdtsc_ordered();
	out->kvmclock_ns = kvmclock_read(0);
	out->tsc_hi = rdtsc_ordered();
	out->unix_ns = pvclock_wall_unix_ns(sec, nsec, out->kvmclock_ns);
	return true;
}

static bool wall_write(char *why, size_t n)
{
	int f = wrmsr_safe(kvm.msr_wall_clock, (uint64_t)(uintptr_t)&wall_page.w);

	if (f)
		cp_snprintf(why, n, "wrmsr 0x%x faulted (%s)", kvm.msr_wall_clock, exception_name((unsigned)FAULT_VECTOR(f)));
	return !f;
}

static bool wall_refilled(void *arg)
{
	volatile struct pvclock_wall_clock *w = &wall_page.w;
	uint32_t v = w->version;

	return v != *(uint32_t *)arg && !(v & 1);
}

static void report_wall_clock(void)
{
	if (!wall_write(kvm.wall_why, sizeof(kvm.wall_why)) || !wall_read(&kvm.wall_first, kvm.wall_why, sizeof(kvm.wall_why))) {
		info("kvmclock.wall_clock", "%s", kvm.wall_why);
		return;
	}
	kvm.wall_ok = true;
	metric_fixed("kvmclock.wall_unix_s", kvm.wall_first.unix_ns, 9, "s");
	wall_note("kvmclock", kvm.wall_first.unix_ns, kvm.wall_first.unix_ns, kvm.wall_first.tsc_lo, kvm.wall_first.tsc_hi);
	metric_u64("kvmclock.wall_version", kvm.wall_first.version, "count");
}

const char *kvmclock_wall_unavailable(void)
{
	static char why[CS_REASON_LEN + 32];

	if (!kvm.present) {
		cp_snprintf(why, sizeof(why), "kvm-clock absent: %s", kvm.any_cs ? kvm.any_cs->reason : "not probed");
		return why;
	}
	if (!kvm.wall_ok) {
		cp_snprintf(why, sizeof(why), "kvm-clock's wall clock unreadable at discovery: %s", kvm.wall_why);
		return why;
	}
	return 0;
}

uint32_t kvmclock_wall_msr(void)
{
	return kvm.msr_wall_clock;
}

bool kvmclock_wall_first(struct kvmclock_wall *w)
{
	if (kvmclock_wall_unavailable())
		return false;
	*w = kvm.wall_first;
	return true;
}

bool kvmclock_wall_refill(struct kvmclock_wall *w, char *why, size_t n)
{
	uint32_t before = wall_page.w.version;

	if (kvmclock_wall_unavailable()) {
		cp_snprintf(why, n, "%s", kvmclock_wall_unavailable());
		return false;
	}
	if (!wall_write(why, n))
		return false;
	/* KVM refills before the vCPU re-enters the guest; a host that does it later gets a
	 * bounded wait, one that never does is named. */
	if (!wait_until("kvmclock.wall", wall_refilled, &before, KVMCLOCK_FILL_TIMEOUT_US)) {
		cp_snprintf(why, n, "the host did not refill the wall clock after the write (version stayed %u): %s", before,
			    wait_last_failure());
		return false;
	}
	return wall_read(w, why, n);
}

void kvmclock_discover(struct clocksource *cs)
{
	volatile struct pvclock_vcpu_time_info *p;
	struct pvclock_snapshot s;
	uint64_t tsc;
	uint32_t v;
	int f;

	kvm.present = false;
	kvm.any_cs = cs;
	if (!cpu.kvm_base) {
		cs_set_absent(cs, "no KVM signature in CPUID (hypervisor: %s)", cpu.hv_name ? cpu.hv_name : "none");
		return;
	}
	if (cpu.kvm_clocksource2) {
		kvm.msr_system_time = MSR_KVM_SYSTEM_TIME_NEW;
		kvm.msr_wall_clock = MSR_KVM_WALL_CLOCK_NEW;
	} else if (cpu.kvm_clocksource) {
		kvm.msr_system_time = MSR_KVM_SYSTEM_TIME;
		kvm.msr_wall_clock = MSR_KVM_WALL_CLOCK;
	} else {
		cs_set_absent(cs, "CPUID 0x%x EAX=0x%x lacks CLOCKSOURCE bits (0 and 3)",
			      cpu.kvm_base + KVM_CPUID_FEATURES_OFS, cpu.kvm_features);
		return;
	}
	kvm.stable_honoured = cpu.kvm_clocksource_stable;
	p = my_pvti();
	f = wrmsr_safe(kvm.msr_system_time, (uint64_t)(uintptr_t)p | KVMCLOCK_MSR_ENABLE);
	if (f) {
		cs_set_absent(cs, "wrmsr 0x%x faulted (%s)", kvm.msr_system_time,
			      exception_name((unsigned)FAULT_VECTOR(f)));
		return;
	}
	kvm.registered |= 1u << this_cpu()->index;
	if (!wait_until("kvmclock", pvti_filled, (void *)p, KVMCLOCK_FILL_TIMEOUT_US)) {
		kvmclock_shutdown();
		cs_set_absent(cs, "host did not fill the structure: %s", wait_last_failure());
		return;
	}
	kvm.present = true;
	if (!pvti_read(&s, &tsc, &v)) {
		kvmclock_shutdown();
		kvm.present = false;
		cs_set_absent(cs, "version never stable over %u reads", KVMCLOCK_READ_RETRIES);
		return;
	}
	note_version(v, &s, tsc);
	metric_hex("kvmclock.msr_system_time", kvm.msr_system_time, "hex");
	metric_hex("kvmclock.pvti_addr", (uint64_t)(uintptr_t)p, "addr");
	metric_u64("kvmclock.version", v, "count");
	metric_hex("kvmclock.tsc_to_system_mul", s.mul, "hex");
	metric_i64("kvmclock.tsc_shift", s.shift, "count");
	metric_hex("kvmclock.flags", s.flags, "hex");
	metric_u64("kvmclock.flag_tsc_stable", !!(s.flags & PVCLOCK_TSC_STABLE_BIT), "bool");
	metric_u64("kvmclock.stable_bit_honoured", kvm.stable_honoured && (s.flags & PVCLOCK_TSC_STABLE_BIT), "bool");
	metric_u64("kvmclock.flag_guest_stopped", !!(s.flags & PVCLOCK_GUEST_STOPPED), "bool");
	metric_u64("kvmclock.system_time_ns", s.system_time, "ns");
	metric_u64("kvmclock.tsc_timestamp", s.tsc_timestamp, "cycles");
	report_wall_clock();

	cs->present = true;
	cs->nominal_uhz = KVMCLOCK_NOMINAL_UHZ;
	cs->width = 64;
	cs->read_raw = kvmclock_read;
	cs->scale_tsc_uhz = kvmclock_scale_tsc_uhz;
	cs->updates = &kvm.updates;
	cs->update_unit_ns = 1;
	cs->priv = &kvm;
	kvm.cs = cs;
	if (!(kvm.stable_honoured && (s.flags & PVCLOCK_TSC_STABLE_BIT)))
		cs->unpromised = KVMCLOCK_UNPROMISED;
	cs_provenance(cs, "CPUID 0x%x EAX=0x%x: %s MSRs 0x%x/0x%x; stable bit %s; raw reads (no clamping); "
		      "ns = system_time + ((tsc - tsc_timestamp) << shift) * mul >> 32",
		      cpu.kvm_base + KVM_CPUID_FEATURES_OFS, cpu.kvm_features,
		      cpu.kvm_clocksource2 ? "CLOCKSOURCE2" : "CLOCKSOURCE", kvm.msr_wall_clock,
		      kvm.msr_system_time, kvm.stable_honoured ? "advertised (bit 24)" : "not advertised: flag ignored");
}
