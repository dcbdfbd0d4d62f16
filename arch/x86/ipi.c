/* Interrupt Command Register access for AP start-up (see ipi.h). BSP only. */
#include "ipi.h"
#include "cpu.h"
#include "io.h"
#include "msr.h"
#include "../../time/apic.h"
#include "../../time/wait.h"
#include "../../lib/fmt.h"

/* The APIC accepts an IPI within microseconds; 10 ms covers a descheduled TCG vCPU thread. */
#define IPI_DELIVERY_TIMEOUT_US 10000

static struct {
	bool ok, x2apic;
	uintptr_t base;
} lapic;

bool ipi_setup(char *why, size_t why_len)
{
	uint64_t msr;
	uint32_t version;
	int f;

	lapic.ok = false;
	f = rdmsr_safe(MSR_IA32_APIC_BASE, &msr);
	if (f) {
		cp_snprintf(why, why_len, "reading IA32_APIC_BASE raised %s", exception_name(FAULT_VECTOR(f)));
		return false;
	}
	if (!(msr & IA32_APIC_BASE_EN)) {
		cp_snprintf(why, why_len, "local APIC globally disabled (IA32_APIC_BASE.EN = 0)");
		return false;
	}
	lapic.x2apic = (msr & IA32_APIC_BASE_EXTD) != 0;
	lapic.base = (uintptr_t)(msr & IA32_APIC_BASE_ADDR_MASK);
	if (!lapic.x2apic) {
		f = mmio_read32_safe(lapic.base + APIC_VERSION, &version);
		if (f) {
			cp_snprintf(why, why_len, "local APIC MMIO read at 0x%llx faulted (%s)",
				    (unsigned long long)(lapic.base + APIC_VERSION),
				    exception_name(FAULT_VECTOR(f)));
			return false;
		}
	}
	lapic.ok = true;
	return true;
}

bool ipi_x2apic(void)
{
	return lapic.x2apic;
}

static bool delivered(void *arg)
{
	(void)arg;
	return !(mmio_read32(lapic.base + APIC_ICR_LOW) & APIC_ICR_DELIVERY_PENDING);
}

bool ipi_send(uint32_t apic_id, uint32_t icr_low, char *why, size_t why_len)
{
	int f;

	if (!lapic.ok) {
		cp_snprintf(why, why_len, "no usable local APIC");
		return false;
	}
	if (lapic.x2apic) {
		f = wrmsr_safe(X2APIC_MSR(APIC_ICR_LOW), (uint64_t)apic_id << X2APIC_ICR_DEST_SHIFT | icr_low);
		if (f)
			cp_snprintf(why, why_len, "x2APIC ICR write raised %s", exception_name(FAULT_VECTOR(f)));
		return !f;
	}
	if (apic_id > XAPIC_MAX_DEST_ID) {
		cp_snprintf(why, why_len, "APIC ID %u not addressable in xAPIC mode", apic_id);
		return false;
	}
	if (!wait_until("ipi.idle", delivered, 0, IPI_DELIVERY_TIMEOUT_US)) {
		cp_snprintf(why, why_len, "ICR busy before sending: %s", wait_last_failure());
		return false;
	}
	mmio_write32(lapic.base + APIC_ICR_HIGH, apic_id << APIC_ICR_XAPIC_DEST_SHIFT);
	mmio_write32(lapic.base + APIC_ICR_LOW, icr_low);
	if (!wait_until("ipi.delivery", delivered, 0, IPI_DELIVERY_TIMEOUT_US)) {
		cp_snprintf(why, why_len, "IPI 0x%x to APIC %u: %s", icr_low, apic_id, wait_last_failure());
		return false;
	}
	return true;
}
