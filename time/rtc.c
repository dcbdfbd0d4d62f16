/* CMOS RTC driver: discovery, a UIP-safe consistent read, a cheap clock source read, and
 * second-edge timing. The RTC's only sub-second signal is the moment its seconds register
 * changes, so everything here is built to see that moment with the fewest port accesses.
 * Presence: the FADT IA-PC boot flag "CMOS RTC not present" makes it absent; so do data
 * registers reading all 0xFF (nothing decodes the ports). Century register index from the
 * FADT CENTURY field, 0 = none (years 20xx assumed, said in the provenance). */
#include "rtc.h"
#include "rtc_decode.h"
#include "clocksource.h"
#include "wait.h"
#include "wallclock.h"
#include "../arch/x86/io.h"
#include "../arch/x86/acpi.h"
#include "../lib/report.h"
#include "../lib/fmt.h"

/* UIP stays high for at most 244 us + 1984 us update cycle (MC146818A datasheet);
 * 10 ms leaves room for VM exits and preemption of the vCPU. */
#define RTC_UIP_TIMEOUT_US 10000
/* An update can spoil at most one of two read pairs that bracket it; 5 pairs without
 * agreement means the registers are not stable at all. */
#define RTC_READ_ATTEMPTS 5
/* One second between edges plus the longest update cycle and generous slack for a
 * preempted vCPU. */
#define RTC_EDGE_TIMEOUT_US 1500000
/* The cached seconds value may be trusted only if the previous poll was less than 59 s
 * ago (after that the register can show the same value in a later minute). 3e9 cycles is
 * 30 s at 100 MHz, and less for any faster TSC. */
#define RTC_CACHE_MAX_CYCLES 3000000000ULL
/* FADT CENTURY must index ordinary CMOS RAM: above the clock/status registers (0x0e) and
 * below 0x80, where the index would collide with the NMI-disable bit. */
#define RTC_CMOS_RAM_FIRST 0x0e
#define RTC_CMOS_RAM_END 0x80

struct rtc_state {
	bool present;
	bool has_century;
	uint8_t century_index;
	/* read_raw cache: the seconds register value and its decode. */
	bool cached;
	uint8_t cached_sec;
	uint64_t cached_unix;
	uint64_t last_poll_tsc;
	uint64_t read_failures; /* full reads in read_raw that did not decode */
};

static struct rtc_state rtc;
static uint64_t test_time_unix; /* rtc_set_test_time */
static bool edge_race;          /* rtc_set_edge_race */
static uint64_t edge_stall;     /* rtc_set_edge_stall: TSC cycles */

/* Bit 7 of the index (NMI disable) is always written as 0, as Linux's CMOS_READ does: port
 * 0x70 is write-only on most chipsets, so the firmware's setting cannot be read back and
 * kept, and an NMI is an event the crash handler should report, not one to mask. */
static uint8_t cmos_read(uint8_t reg)
{
	outb(RTC_INDEX_PORT, reg & (uint8_t)~RTC_INDEX_NMI_DISABLE);
	return inb(RTC_DATA_PORT);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(RTC_INDEX_PORT, reg & (uint8_t)~RTC_INDEX_NMI_DISABLE);
	outb(RTC_DATA_PORT, v);
}

static bool uip_clear(void *arg)
{
	(void)arg;
	return !(cmos_read(RTC_REG_A) & RTC_A_UIP);
}

static void read_fields(struct rtc_regs *r)
{
	r->sec = cmos_read(RTC_REG_SECONDS);
	r->min = cmos_read(RTC_REG_MINUTES);
	r->hour = cmos_read(RTC_REG_HOURS);
	r->day = cmos_read(RTC_REG_DAY_OF_MONTH);
	r->mon = cmos_read(RTC_REG_MONTH);
	r->year = cmos_read(RTC_REG_YEAR);
	r->has_century = rtc.has_century;
	r->century = rtc.has_century ? cmos_read(rtc.century_index) : 0;
	r->status_b = cmos_read(RTC_REG_B);
}

static bool regs_equal(const struct rtc_regs *a, const struct rtc_regs *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
	       a->mon == b->mon && a->year == b->year && a->century == b->century &&
	       a->status_b == b->status_b;
}

/* Wait for UIP clear, read everything, and again, until two reads agree. */
static bool read_consistent(struct rtc_regs *out, char *why, size_t n)
{
	struct rtc_regs a, b;
	unsigned i;

	for (i = 0; i < RTC_READ_ATTEMPTS; i++) {
		if (!wait_until("rtc.uip", uip_clear, 0, RTC_UIP_TIMEOUT_US)) {
			cp_snprintf(why, n, "%s", wait_last_failure());
			return false;
		}
		read_fields(&a);
		if (!wait_until("rtc.uip", uip_clear, 0, RTC_UIP_TIMEOUT_US)) {
			cp_snprintf(why, n, "%s", wait_last_failure());
			return false;
		}
		read_fields(&b);
		if (regs_equal(&a, &b)) {
			*out = a;
			return true;
		}
	}
	cp_snprintf(why, n, "no two consecutive reads agreed in %u attempts", RTC_READ_ATTEMPTS);
	return false;
}

static bool read_time(struct rtc_regs *r, struct civil_time *t, char *why, size_t n)
{
	const char *bad;

	if (!read_consistent(r, why, n))
		return false;
	if (!rtc_decode(r, t, &bad)) {
		cp_snprintf(why, n, "%s: sec=%02x min=%02x hour=%02x day=%02x mon=%02x year=%02x century=%02x B=%02x",
			    bad, r->sec, r->min, r->hour, r->day, r->mon, r->year, r->century, r->status_b);
		return false;
	}
	return true;
}

/* The clock source read. A full UIP-safe read costs ~20 port accesses (each a VM exit
 * under virtualization, microseconds each), which would blur the timing of the second
 * edge that callers look for. So poll only the seconds register (2 port accesses) and
 * redo the full read only when it changed: the decoded time cannot change while the
 * seconds register does not (within RTC_CACHE_MAX_CYCLES of the previous poll). A value
 * read mid-update that differs merely triggers the full read, which waits for UIP. */
static uint64_t rtc_read_raw(struct clocksource *cs)
{
	uint64_t now = rdtsc_ordered(), prev = rtc.last_poll_tsc;
	uint8_t s = cmos_read(RTC_REG_SECONDS);
	struct rtc_regs r;
	struct civil_time t;
	char why[CS_REASON_LEN];

	if (edge_stall && rtc.cached && s != rtc.cached_sec)
		delay_cycles(edge_stall); /* test hook: this read waits at the edge */
	/* The seconds register is the latch: an edge seen below happened before this. */
	cs->latch_tsc = rdtsc_ordered();
	rtc.last_poll_tsc = now;
	if (rtc.cached && s == rtc.cached_sec && now - prev < RTC_CACHE_MAX_CYCLES)
		return rtc.cached_unix;
	if (!read_time(&r, &t, why, sizeof(why))) {
		rtc.read_failures++;
		return rtc.cached_unix; /* last good value: a failed read is counted, not invented */
	}
	rtc.cached = true;
	rtc.cached_sec = r.sec;
	rtc.cached_unix = (uint64_t)civil_to_unix(&t);
	return rtc.cached_unix;
}

struct edge_poll {
	uint8_t old;
	uint64_t lo, hi;
};

static bool second_changed(void *arg)
{
	struct edge_poll *p = arg;
	uint64_t t0 = rdtsc_ordered();
	uint8_t s = cmos_read(RTC_REG_SECONDS);
	uint64_t t1 = rdtsc_ordered();

	if (s == p->old) {
		p->lo = t0;
		return false;
	}
	p->hi = t1;
	return true;
}

/* Wait for the seconds register to leave `old`, which a read that began at TSC `lo` saw. */
static bool wait_edge_after(uint8_t old, uint64_t lo, uint64_t timeout_us, struct rtc_edge *e)
{
	struct edge_poll p = { .old = old, .lo = lo, .hi = 0 };
	struct rtc_regs r;
	struct civil_time t;
	char why[CS_REASON_LEN];

	if (!wait_until("rtc", second_changed, &p, timeout_us))
		return false;
	if (!read_time(&r, &t, why, sizeof(why))) {
		rtc.read_failures++;
		return false;
	}
	e->tsc_lo = p.lo;
	e->tsc_hi = p.hi;
	e->unix_s = (uint64_t)civil_to_unix(&t);
	rtc.cached = true;
	rtc.cached_sec = r.sec;
	rtc.cached_unix = e->unix_s;
	rtc.last_poll_tsc = rdtsc_ordered();
	return true;
}

bool rtc_wait_edge_bracket(uint64_t timeout_us, struct rtc_edge *e)
{
	uint64_t lo;

	if (!rtc.present)
		return false;
	lo = rdtsc_ordered();
	return wait_edge_after(cmos_read(RTC_REG_SECONDS), lo, timeout_us, e);
}

bool rtc_wait_edge(uint64_t timeout_us, uint64_t *tsc_at_edge, uint64_t *unix_s)
{
	struct rtc_edge e;

	if (!rtc_wait_edge_bracket(timeout_us, &e))
		return false;
	*tsc_at_edge = e.tsc_lo + (e.tsc_hi - e.tsc_lo) / 2;
	*unix_s = e.unix_s;
	return true;
}

void rtc_set_test_time(uint64_t unix_s)
{
	test_time_unix = unix_s;
}

void rtc_set_edge_race(bool on)
{
	edge_race = on;
}

void rtc_set_edge_stall(uint64_t cycles)
{
	edge_stall = cycles;
}

/* MC146818: with SET in status B the update cycle stops and the time registers may be
 * written; clearing SET restarts the clock from the written time. */
static void apply_test_time(void)
{
	struct civil_time t;
	struct rtc_regs r;
	uint8_t b = cmos_read(RTC_REG_B);

	unix_to_civil((int64_t)test_time_unix, &t);
	r.status_b = b;
	r.has_century = rtc.has_century;
	if (!rtc_encode(&t, &r)) {
		diag("rtc: test hook rtc_set_unix=%llu is not a valid 1970..9999 time: ignored",
		     (unsigned long long)test_time_unix);
		return;
	}
	cmos_write(RTC_REG_B, b | RTC_B_SET);
	cmos_write(RTC_REG_SECONDS, r.sec);
	cmos_write(RTC_REG_MINUTES, r.min);
	cmos_write(RTC_REG_HOURS, r.hour);
	cmos_write(RTC_REG_DAY_OF_MONTH, r.day);
	cmos_write(RTC_REG_MONTH, r.mon);
	cmos_write(RTC_REG_YEAR, r.year);
	if (rtc.has_century)
		cmos_write(rtc.century_index, r.century);
	cmos_write(RTC_REG_B, b & (uint8_t)~RTC_B_SET);
	diag("rtc: test hook set the clock to %04u-%02u-%02uT%02u:%02u:%02u (unix %llu)", t.year, t.month,
	     t.day, t.hour, t.minute, t.second, (unsigned long long)test_time_unix);
}

static void print_civil(const char *name, const struct civil_time *t)
{
	info(name, "%04u-%02u-%02uT%02u:%02u:%02u", t->year, t->month, t->day, t->hour, t->minute,
	     t->second);
}

static const char *century_source(void)
{
	static char text[96];

	if (!acpi.fadt_present)
		return "no FADT: no century register known, years assumed 20xx";
	if (!acpi.century_index)
		return "FADT CENTURY=0 (none): years assumed 20xx";
	if (acpi.century_index < RTC_CMOS_RAM_FIRST || acpi.century_index >= RTC_CMOS_RAM_END) {
		cp_snprintf(text, sizeof(text), "FADT CENTURY=0x%x outside CMOS RAM 0x0e..0x7f: ignored, years assumed 20xx",
			    acpi.century_index);
		return text;
	}
	cp_snprintf(text, sizeof(text), "century at CMOS 0x%x from FADT CENTURY", acpi.century_index);
	return text;
}

static void report_registers(uint8_t a, uint8_t b, uint8_t d)
{
	metric_hex("rtc.status_a", a, "hex");
	metric_hex("rtc.status_b", b, "hex");
	metric_u64("rtc.binary", !!(b & RTC_B_DM), "bool");
	metric_u64("rtc.24h", !!(b & RTC_B_24H), "bool");
	metric_hex("rtc.century_index", rtc.has_century ? rtc.century_index : 0, "hex");
	metric_u64("rtc.power_ok", !!(d & RTC_D_VRT), "bool");
}

/* Read, wait for the next edge, read again: the second read is printed right after the
 * edge so that a host timestamp on that line is precise to the serial latency, and the
 * step between the two reads must be exactly one second (this is also what shows a
 * 2099 -> 2100 crossing decoding correctly). The wait starts from the seconds value of
 * the read itself, not from a fresh poll: an edge that falls after the read's seconds
 * register and before a fresh poll would otherwise be skipped and the next one seen as a
 * 2 s step (a lab CI run failed so: each of the read's remaining 8 port accesses is a VM
 * exit there). Such an edge is caught with its bracket widened to the whole read. */
static bool time_across_edge(struct clocksource *cs)
{
	struct rtc_regs r;
	struct civil_time before, after;
	struct rtc_edge e;
	char why[CS_REASON_LEN];
	int64_t s0;
	uint64_t t_read;

	t_read = rdtsc_ordered();
	if (!read_time(&r, &before, why, sizeof(why))) {
		check_fail("rtc.read", "%s", why);
		cs_set_absent(cs, "consistent read failed: %s", why);
		return false;
	}
	check_pass("rtc.read");
	s0 = civil_to_unix(&before);
	if (edge_race && wait_edge_after(r.sec, t_read, RTC_EDGE_TIMEOUT_US, &e))
		diag("rtc: test hook rtc_edge_race: an edge passed after the first read (its time %lld)",
		     (long long)s0);
	if (!wait_edge_after(r.sec, t_read, RTC_EDGE_TIMEOUT_US, &e)) {
		const char *w = wait_last_failure();

		check_fail("rtc.second_edge", "no decodable second edge: %s%s", w,
			   (r.status_b & RTC_B_SET) ? " (status B SET: updates inhibited)" : "");
		cs_set_absent(cs, "no second edge: %s", w);
		return false;
	}
	metric_u64("rtc.unix_s", e.unix_s, "s");
	/* At the edge the RTC reads exactly unix_s.000: an exact wall reading. */
	wall_note("rtc", (int64_t)e.unix_s * 1000000000LL, (int64_t)e.unix_s * 1000000000LL, e.tsc_lo, e.tsc_hi);
	unix_to_civil((int64_t)e.unix_s, &after);
	print_civil("rtc.time", &after);
	print_civil("rtc.time_before_edge", &before);
	metric_u64("rtc.edge_bracket_cycles", e.tsc_hi - e.tsc_lo, "cycles");
	cs->edge_lo = e.tsc_lo;
	cs->edge_hi = e.tsc_hi;
	cs->edge_v = e.unix_s;
	check((int64_t)e.unix_s - s0 == 1, "rtc.second_edge",
	      "decoded time stepped by %lld s across one second edge (expected 1; edge bracket %llu cycles, "
	      "%llu cycles from the read to the edge: a stall longer than a second between two polls also "
	      "shows so)",
	      (long long)((int64_t)e.unix_s - s0), (unsigned long long)(e.tsc_hi - e.tsc_lo),
	      (unsigned long long)(e.tsc_hi - t_read));
	return true;
}

void rtc_discover(struct clocksource *cs)
{
	uint8_t a, b, d;

	rtc.present = false;
	if (acpi.no_cmos_rtc) {
		cs_set_absent(cs, "FADT IA-PC boot flags 0x%x bit 5: CMOS RTC not present", acpi.iapc_boot_flags);
		return;
	}
	a = cmos_read(RTC_REG_A);
	b = cmos_read(RTC_REG_B);
	d = cmos_read(RTC_REG_D);
	if (a == 0xff && b == 0xff && d == 0xff && cmos_read(RTC_REG_SECONDS) == 0xff) {
		cs_set_absent(cs, "ports 0x70/0x71 read 0xff for status A, B, D and seconds: no device");
		return;
	}
	rtc.has_century = acpi.fadt_present && acpi.century_index >= RTC_CMOS_RAM_FIRST &&
			  acpi.century_index < RTC_CMOS_RAM_END;
	rtc.century_index = rtc.has_century ? acpi.century_index : 0;
	rtc.read_failures = 0;
	rtc.cached = false;
	rtc.present = true; /* for rtc_wait_edge during discovery */
	report_registers(a, b, d);
	if (test_time_unix)
		apply_test_time();
	if (!time_across_edge(cs)) {
		rtc.present = false;
		return;
	}
	cs->present = true;
	cs->nominal_uhz = RTC_NOMINAL_UHZ;
	cs->width = 64;
	cs->coarse = true;
	cs->read_raw = rtc_read_raw;
	cs->priv = &rtc;
	cs_provenance(cs, "ports 0x70/0x71 (index bit 7 NMI-disable written 0); %s, %s; %s; "
		      "read_raw = unix seconds, seconds register polled, full UIP-safe read on change",
		      (b & RTC_B_DM) ? "binary" : "BCD", (b & RTC_B_24H) ? "24 h" : "12 h", century_source());
}
