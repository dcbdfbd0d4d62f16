/* The recovery path behind rdmsr_safe/memcpy_safe/mmio_read32_safe (entry.asm arms a fixup,
 * traps.c resumes there and returns vector + 1) must be exercised, not assumed: probes of
 * MSRs and of MMIO bases taken from ACPI rely on it. msr.fault_recovery covers RDMSR only and
 * TCG does not fault there, so this test provokes faults that every implementation raises:
 *   gp    memcpy_safe from a non-canonical address: #GP(0) (SDM 3A 6.15, "General Protection")
 *   mmio  mmio_read32_safe from the same address: #GP, through the MMIO probe accessor
 *   pf    memcpy_safe from a canonical address whose top-level paging entry is not present:
 *         #PF with CR2 = that address and error code P = 0
 * plus one successful call of each accessor (the no-fault return and the copy). */
#include "fault_selftest.h"
#include "cpu.h"
#include "io.h"
#include "../../lib/report.h"
#include "../../lib/mem.h"
#include "../../lib/fmt.h"

#define PF_ERR_PRESENT (1ull << 0) /* 0: the fault was a not-present entry */
#define CR4_LA57 (1ull << 12)      /* 5-level paging: the top level is PML5 */
#define CR3_ADDR_MASK 0x000ffffffffff000ull
#define PTE_PRESENT 1ull
#define PT_ENTRIES 512
/* Top-level entries 0..255 map the lower canonical half; entry i starts at i << shift. */
#define PT_LOWER_HALF_ENTRIES 256
#define PML4_SHIFT 39
#define PML5_SHIFT 48
/* Bit 63 set, bits 62..47 clear: non-canonical under 4- and 5-level paging alike. */
#define NONCANONICAL_ADDR 0x8000000000000000ull

static const char *const check_name = "cpu.fault_recovery";

struct outcome {
	bool ok;
	char why[160];
};

static void fail(struct outcome *o, const char *what, int rc, int want)
{
	if (!o->ok)
		return; /* keep the first failure: it is the one to look at */
	o->ok = false;
	if (rc)
		cp_snprintf(o->why, sizeof(o->why), "%s raised %s (vector %d), expected %s", what,
			    exception_name((unsigned)FAULT_VECTOR(rc)), FAULT_VECTOR(rc),
			    exception_name((unsigned)want));
	else
		cp_snprintf(o->why, sizeof(o->why), "%s did not fault, expected %s", what,
			    exception_name((unsigned)want));
}

/* Common to every faulting case: the vector, and the fixup disarmed by the handler (an armed
 * fixup left behind would swallow the next real fault). Returns whether the vector matched. */
static bool expect_fault(struct outcome *o, const char *name, const char *what, int rc, int want)
{
	metric_u64(mname(mname(check_name, name), "fault"), rc != 0, "bool");
	if (rc)
		metric_u64(mname(mname(check_name, name), "vector"), (uint64_t)FAULT_VECTOR(rc), "index");
	if (this_cpu()->fault_fixup) {
		if (o->ok)
			cp_snprintf(o->why, sizeof(o->why), "%s left the fixup armed", what);
		o->ok = false;
	}
	if (rc && FAULT_VECTOR(rc) == want)
		return true;
	fail(o, what, rc, want);
	return false;
}

static void case_gp(struct outcome *o)
{
	uint64_t dst = 0;
	int rc = memcpy_safe(&dst, (const void *)(uintptr_t)NONCANONICAL_ADDR, sizeof(dst));

	if (expect_fault(o, "gp", "memcpy_safe from non-canonical 0x8000000000000000", rc,
			 X86_VECTOR_GP) && this_cpu()->fault_error != 0 && o->ok) {
		o->ok = false;
		cp_snprintf(o->why, sizeof(o->why), "#GP on a non-canonical load had error code "
			    "0x%llx, expected 0", (unsigned long long)this_cpu()->fault_error);
	}
}

static void case_mmio(struct outcome *o)
{
	uint32_t v = 0x5a5a5a5a;
	int rc = mmio_read32_safe((uintptr_t)NONCANONICAL_ADDR, &v);

	expect_fault(o, "mmio", "mmio_read32_safe from non-canonical 0x8000000000000000", rc,
		     X86_VECTOR_GP);
	if (rc && v != 0x5a5a5a5a && o->ok) {
		o->ok = false;
		cp_snprintf(o->why, sizeof(o->why), "mmio_read32_safe wrote 0x%x although it faulted",
			    v);
	}
}

/* An address no paging structure maps: a lower-half top-level entry with P = 0. UEFI runs
 * with physical memory identity mapped, so CR3 is readable as is; the read is fault-safe
 * anyway. Entry 0 is skipped (it holds low memory on every firmware). Returns 0 if none. */
static uint64_t unmapped_address(void)
{
	static uint64_t top[PT_LOWER_HALF_ENTRIES];
	uint64_t table = read_cr3() & CR3_ADDR_MASK;
	unsigned shift = (read_cr4() & CR4_LA57) ? PML5_SHIFT : PML4_SHIFT;
	unsigned i;

	if (memcpy_safe(top, (const void *)(uintptr_t)table, sizeof(top)))
		return 0;
	for (i = PT_LOWER_HALF_ENTRIES - 1; i > 0; i--)
		if (!(top[i] & PTE_PRESENT))
			return (uint64_t)i << shift;
	return 0;
}

static void case_pf(struct outcome *o)
{
	uint64_t addr = unmapped_address(), dst = 0, cr2, err;
	int rc;

	if (!addr) {
		info(mname(check_name, "pf"), "not run: every lower-half top-level paging entry is "
		     "present (or CR3 unreadable)");
		return;
	}
	metric_hex(mname(check_name, "pf.addr"), addr, "addr");
	rc = memcpy_safe(&dst, (const void *)(uintptr_t)addr, sizeof(dst));
	/* CR2 is only written by a #PF, and none can happen between the fault and here. */
	cr2 = read_cr2();
	err = this_cpu()->fault_error;
	if (!expect_fault(o, "pf", "memcpy_safe from an address with no top-level paging entry",
			  rc, X86_VECTOR_PF) || !o->ok)
		return;
	if (cr2 != addr || (err & PF_ERR_PRESENT)) {
		o->ok = false;
		cp_snprintf(o->why, sizeof(o->why), "#PF reported cr2=0x%llx error=0x%llx, expected "
			    "cr2=0x%llx and a not-present fault", (unsigned long long)cr2,
			    (unsigned long long)err, (unsigned long long)addr);
	}
}

/* The no-fault path: returns 0 and does the access. */
static void case_ok(struct outcome *o)
{
	static const uint64_t src = 0x0123456789abcdefull;
	uint64_t dst = 0;
	uint32_t word = 0;
	int rc = memcpy_safe(&dst, &src, sizeof(dst));

	if ((rc || dst != src) && o->ok) {
		o->ok = false;
		cp_snprintf(o->why, sizeof(o->why), "memcpy_safe of readable memory returned %d, "
			    "copied 0x%llx", rc, (unsigned long long)dst);
		return;
	}
	rc = mmio_read32_safe((uintptr_t)&src, &word);
	if ((rc || word != (uint32_t)src) && o->ok) {
		o->ok = false;
		cp_snprintf(o->why, sizeof(o->why), "mmio_read32_safe of readable memory returned "
			    "%d, read 0x%x", rc, word);
	}
}

void fault_selftest(void)
{
	struct outcome o = { true, "" };

	case_ok(&o);
	case_gp(&o);
	case_mmio(&o);
	case_pf(&o);
	/* Reaching here at all means no provoked fault was lost: a lost one would have crashed. */
	check(o.ok, check_name, "%s", o.why);
}
