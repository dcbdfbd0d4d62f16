/* i8254 PIT counter 2 as a clock source: a 16-bit down counter at 1.193182 MHz, mode 2 with
 * the full 65536 reload, read with the Counter Latch Command. There is no firmware table for
 * the PIT, so presence is probed: the latched count must move (a floating bus reads 0xffff
 * forever; microVMs have no PIT). Discover also checks that OUT2 (port 0x61 bit 5) rises at
 * terminal count, because Hyper-V Gen1 never raises it and loops waiting for it hang there. */
#include "pit.h"
#include "clocksource.h"
#include "wait.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"

/* One tick is 838 ns; 10 ms leaves room for VM exits and TCG translation. */
#define PIT_ADVANCE_TIMEOUT_US 10000
/* Mode 0 count for the OUT2 probe: 1193 ticks = 1 ms, short enough not to slow the run. */
#define PIT_OUT2_PROBE_COUNT 1193u
/* 20x the expected 1 ms: a late OUT2 is still one that rises. */
#define PIT_OUT2_TIMEOUT_US 20000

static uint16_t read_latched(void)
{
	uint8_t lo, hi;

	outb(PIT_CONTROL, PIT_LATCH_COUNTER2);
	lo = inb(PIT_COUNTER2);
	hi = inb(PIT_COUNTER2);
	return pit_latch_value(lo, hi);
}

static uint64_t read_raw(struct clocksource *cs)
{
	(void)cs;
	return read_latched();
}

static void program(uint8_t control_word, uint16_t count)
{
	outb(PIT_CONTROL, control_word);
	outb(PIT_COUNTER2, (uint8_t)count);
	outb(PIT_COUNTER2, (uint8_t)(count >> 8));
}

static bool out2_high(void)
{
	return (inb(PIT_NMI_SC) & PIT_NMI_SC_TMR2_OUT_STS) != 0;
}

struct advance {
	uint16_t first;
};

static bool advanced(void *arg)
{
	return read_latched() != ((struct advance *)arg)->first;
}

static bool out2_rose(void *arg)
{
	(void)arg;
	return out2_high();
}

/* Mode 0 drives OUT low when the control word is written and high at terminal count. */
static void probe_out2(void)
{
	bool was_low, rose;

	program(PIT_CW2_MODE0, PIT_OUT2_PROBE_COUNT);
	was_low = !out2_high();
	rose = wait_until("pit.out", out2_rose, 0, PIT_OUT2_TIMEOUT_US);
	metric_u64("pit.out_toggles", was_low && rose, "bool");
	if (!rose)
		check_fail("pit.out2", "OUT2 never rose within %u us of a mode 0 count of %u ticks: "
			   "loops that wait for it would hang (%s)", PIT_OUT2_TIMEOUT_US,
			   PIT_OUT2_PROBE_COUNT, wait_last_failure());
	else if (!was_low)
		check_fail("pit.out2", "OUT2 was already high right after mode 0 was programmed%s: "
			   "loops that wait for it would end at once",
			   inb(PIT_NMI_SC) == 0xff ? " (port 0x61 reads 0xff: no NMI status and control "
			   "port to read OUT2 from, as on QEMU's microvm)" : "");
	else
		check_pass("pit.out2");
}

void pit_discover(struct clocksource *cs)
{
	struct advance a;

	outb(PIT_NMI_SC, pit_nmi_sc_gate_on(inb(PIT_NMI_SC)));
	program(PIT_CW2_MODE2, PIT_RELOAD_FULL);
	a.first = read_latched();
	if (!wait_until("pit", advanced, &a, PIT_ADVANCE_TIMEOUT_US)) {
		/* All ones is what a port with no device behind it reads (QEMU -machine pit=off,
		 * Cloud Hypervisor): say so, without claiming more than the reads show. */
		cs_set_absent(cs, "PIT counter does not move (counter 2 latched 0x%04x%s): %s", a.first,
			      a.first == 0xffff && inb(PIT_NMI_SC) == 0xff ?
			      ", port 0x61 reads 0xff: nothing answers at the PIT's ports" : "",
			      wait_last_failure());
		return;
	}

	probe_out2();
	/* Back to counting: the OUT2 probe left counter 2 in mode 0, which does not reload. */
	program(PIT_CW2_MODE2, PIT_RELOAD_FULL);

	cs->present = true;
	cs->nominal_uhz = (uint64_t)PIT_FREQ_HZ * 1000000u;
	cs->width = PIT_COUNTER_BITS;
	cs->down = true;
	cs->read_raw = read_raw;
	cs_provenance(cs, "counter 2 at ports 0x42/0x43, gate in port 0x61 (PC convention); mode 2, "
		      "reload 65536; %u Hz by i8254 spec", PIT_FREQ_HZ);
}
