/* ACPI table decoders (layouts in acpi_tables.h). Pure: no hardware access and no globals;
 * arch/x86/acpi.c copies the bytes, the host unit tests feed synthetic ones.
 * Trust is decided in three steps (header, checksum, contents) and every refusal says why. */
#include "acpi_tables.h"
#include "../../lib/fmt.h"
#include "../../lib/mem.h"
#include <stdarg.h>

uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t acpi_get64(const uint8_t *p)
{
	return (uint64_t)acpi_get32(p) | (uint64_t)acpi_get32(p + 4) << 32;
}

uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

void acpi_gas_decode(const uint8_t *p, struct acpi_gas *g)
{
	g->space_id = p[GAS_ADDRESS_SPACE_ID];
	g->bit_width = p[GAS_REGISTER_BIT_WIDTH];
	g->bit_offset = p[GAS_REGISTER_BIT_OFFSET];
	g->access_size = p[GAS_ACCESS_SIZE];
	g->address = acpi_get64(p + GAS_ADDRESS);
}

/* Firmware text fields are space padded and may hold anything: make them printable.
 * Signatures are not trimmed, so a damaged one never matches a real one. */
static void printable(char *dst, const uint8_t *src, size_t n, bool trim)
{
	size_t i;

	while (trim && n && (src[n - 1] == ' ' || src[n - 1] == 0))
		n--;
	for (i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = '\0';
}

void acpi_sig_name(char out[5], const char *sig)
{
	unsigned i;

	for (i = 0; i < 4 && sig[i]; i++) {
		char ch = sig[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		out[i] = ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) ? ch : '_';
	}
	out[i] = '\0';
}

void acpi_distrust(struct acpi_check *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->trusted && c->why[0])
		return;
	c->trusted = false;
	va_start(ap, fmt);
	cp_vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

size_t acpi_rsdp_bytes_needed(const uint8_t *b, size_t n)
{
	uint32_t len;

	if (n < RSDP_V1_LEN || b[RSDP_REVISION] < 2)
		return RSDP_V1_LEN;
	if (n < RSDP_V2_LEN)
		return RSDP_V2_LEN;
	len = acpi_get32(b + RSDP_LENGTH);
	/* An insane Length is reported by acpi_rsdp_decode; never read past the fixed size for it. */
	return (len > RSDP_V2_LEN && len <= ACPI_RSDP_MAX_LEN) ? len : RSDP_V2_LEN;
}

bool acpi_rsdp_decode(const uint8_t *b, size_t n, struct acpi_rsdp *r)
{
	uint8_t sum;

	memset(r, 0, sizeof(*r));
	if (n < RSDP_V1_LEN) {
		cp_snprintf(r->why, sizeof(r->why), "only %u bytes", (unsigned)n);
		return false;
	}
	r->revision = b[RSDP_REVISION];
	printable(r->oem_id, b + RSDP_OEMID, 6, true);
	r->rsdt = acpi_get32(b + RSDP_RSDT_ADDRESS);
	if (memcmp(b + RSDP_SIGNATURE, ACPI_RSDP_SIGNATURE, 8)) {
		cp_snprintf(r->why, sizeof(r->why), "bad signature");
		return false;
	}
	r->signature_ok = true;
	sum = acpi_sum(b, RSDP_V1_LEN);
	if (sum) {
		cp_snprintf(r->why, sizeof(r->why), "bad checksum (sum 0x%02x)", sum);
		return false;
	}
	r->v1_valid = r->rsdt != 0;
	if (r->revision < 2) {
		r->valid = r->v1_valid;
		if (!r->valid)
			cp_snprintf(r->why, sizeof(r->why), "RSDT address is 0");
		return r->valid;
	}
	r->length = n >= RSDP_V2_LEN ? acpi_get32(b + RSDP_LENGTH) : 0;
	if (r->length < RSDP_V2_LEN || r->length > ACPI_RSDP_MAX_LEN) {
		cp_snprintf(r->why, sizeof(r->why), "impossible length %u (revision %u: %u..%u)",
			    r->length, r->revision, RSDP_V2_LEN, ACPI_RSDP_MAX_LEN);
		return false;
	}
	if (n < r->length) {
		cp_snprintf(r->why, sizeof(r->why), "only %u of %u bytes", (unsigned)n, r->length);
		return false;
	}
	sum = acpi_sum(b, r->length);
	if (sum) {
		cp_snprintf(r->why, sizeof(r->why), "bad extended checksum (sum 0x%02x)", sum);
		return false;
	}
	r->xsdt = acpi_get64(b + RSDP_XSDT_ADDRESS);
	r->valid = r->v1_valid || r->xsdt;
	if (!r->valid)
		cp_snprintf(r->why, sizeof(r->why), "RSDT and XSDT addresses are 0");
	return r->valid;
}

uint32_t acpi_min_length(const char *sig)
{
	if (!memcmp(sig, "FACP", 4))
		return FADT_V1_LEN;
	if (!memcmp(sig, "HPET", 4))
		return HPET_TABLE_LEN;
	if (!memcmp(sig, "APIC", 4))
		return MADT_ENTRIES;
	return ACPI_HDR_LEN;
}

bool acpi_check_header(const uint8_t *hdr, const char *expect_sig, struct acpi_check *c)
{
	struct acpi_header *h = &c->h;
	uint32_t min;

	memset(c, 0, sizeof(*c));
	c->header_read = true;
	c->trusted = true;
	printable(h->signature, hdr + ACPI_HDR_SIGNATURE, 4, false);
	h->length = acpi_get32(hdr + ACPI_HDR_LENGTH);
	h->revision = hdr[ACPI_HDR_REVISION];
	h->checksum = hdr[ACPI_HDR_CHECKSUM];
	printable(h->oem_id, hdr + ACPI_HDR_OEMID, 6, true);
	printable(h->oem_table_id, hdr + ACPI_HDR_OEM_TABLE_ID, 8, true);
	h->oem_revision = acpi_get32(hdr + ACPI_HDR_OEM_REVISION);

	if (expect_sig && memcmp(hdr + ACPI_HDR_SIGNATURE, expect_sig, 4))
		acpi_distrust(c, "signature \"%s\" where %.4s was expected", h->signature, expect_sig);
	min = acpi_min_length((const char *)hdr + ACPI_HDR_SIGNATURE);
	if (h->length < min)
		acpi_distrust(c, "impossible length %u (%.4s minimum %u)", h->length,
			      (const char *)hdr + ACPI_HDR_SIGNATURE, min);
	else if (h->length > ACPI_TABLE_MAX_LEN)
		acpi_distrust(c, "impossible length %u (maximum %u)", h->length, ACPI_TABLE_MAX_LEN);
	return c->trusted;
}

bool acpi_check_sum(const uint8_t *t, struct acpi_check *c)
{
	c->sum = acpi_sum(t, c->h.length);
	if (c->sum)
		acpi_distrust(c, "bad checksum (sum 0x%02x)", c->sum);
	return c->trusted;
}

bool acpi_root_check(struct acpi_check *c, bool xsdt)
{
	uint32_t entry = xsdt ? XSDT_ENTRY_LEN : RSDT_ENTRY_LEN;

	if ((c->h.length - ACPI_HDR_LEN) % entry)
		acpi_distrust(c, "length %u is not the %u-byte header plus %u-byte entries",
			      c->h.length, ACPI_HDR_LEN, entry);
	return c->trusted;
}

unsigned acpi_root_count(uint32_t length, bool xsdt)
{
	if (length < ACPI_HDR_LEN)
		return 0;
	return (length - ACPI_HDR_LEN) / (xsdt ? XSDT_ENTRY_LEN : RSDT_ENTRY_LEN);
}

uint64_t acpi_root_entry(const uint8_t *t, bool xsdt, unsigned i)
{
	if (xsdt)
		return acpi_get64(t + ACPI_HDR_LEN + (size_t)i * XSDT_ENTRY_LEN);
	return acpi_get32(t + ACPI_HDR_LEN + (size_t)i * RSDT_ENTRY_LEN);
}

/* Which PM timer port to use (ACPI 6.5 5.2.9: X_PM_TMR_BLK supersedes PM_TMR_BLK when
 * non-zero). We drive the timer with port I/O, so only a SystemIO X_ address is taken. */
static void fadt_pick_pm_timer_fields(struct acpi_fadt *f)
{
	const struct acpi_gas *x = &f->x_pm_tmr;
	char *note = f->pm_tmr_note;
	size_t nl = sizeof(f->pm_tmr_note);

	if (f->has_x_pm_tmr && x->address) {
		if (x->space_id != GAS_SPACE_SYSTEM_IO)
			cp_snprintf(note, nl, "X_PM_TMR_BLK 0x%llx is in address space %u, not SystemIO: "
				    "using PM_TMR_BLK", (unsigned long long)x->address, x->space_id);
		else if (x->address > ACPI_IO_PORT_MAX)
			cp_snprintf(note, nl, "X_PM_TMR_BLK port 0x%llx does not fit 16 bits: using PM_TMR_BLK",
				    (unsigned long long)x->address);
		else {
			if (f->pm_tmr_blk && f->pm_tmr_blk != x->address)
				cp_snprintf(note, nl, "X_PM_TMR_BLK 0x%llx differs from PM_TMR_BLK 0x%x",
					    (unsigned long long)x->address, f->pm_tmr_blk);
			f->pm_tmr_port = (uint16_t)x->address;
			f->pm_tmr_source = "X_PM_TMR_BLK";
			return;
		}
	}
	if (!f->pm_tmr_blk) {
		if (!note[0])
			cp_snprintf(note, nl, "PM_TMR_BLK is 0: no PM timer");
		return;
	}
	if (f->pm_tmr_blk > ACPI_IO_PORT_MAX) {
		cp_snprintf(note, nl, "PM_TMR_BLK 0x%x does not fit 16 bits: no PM timer", f->pm_tmr_blk);
		return;
	}
	if (f->pm_tmr_len != 4 && !note[0])
		cp_snprintf(note, nl, "PM_TMR_LEN is %u (spec: 4)", f->pm_tmr_len);
	f->pm_tmr_port = (uint16_t)f->pm_tmr_blk;
	f->pm_tmr_source = "PM_TMR_BLK";
}

/* A hardware-reduced FADT (HW_REDUCED_ACPI) has no fixed hardware, and ACPI 6.5 5.2.9 tells
 * OSPM to ignore its PM timer fields. Cloud Hypervisor sets the flag and still gives a 32-bit
 * PM timer in them, which Linux uses (it reads X_PM_TMR_BLK whatever the flag): so do we,
 * and say so; whether it counts is for the driver to find out. */
static void fadt_pick_pm_timer(struct acpi_fadt *f)
{
	char *note = f->pm_tmr_note;
	size_t nl = sizeof(f->pm_tmr_note);

	f->pm_tmr_source = "none";
	f->pm_tmr_bits = (f->flags & FADT_FLAG_TMR_VAL_EXT) ? 32 : 24;
	fadt_pick_pm_timer_fields(f);
	if (!f->hw_reduced)
		return;
	if (f->pm_tmr_port)
		cp_snprintf(note, nl, "HW_REDUCED_ACPI, yet %s gives port 0x%x: used, as Linux does "
			    "(ACPI says to ignore it)", f->pm_tmr_source, f->pm_tmr_port);
	else
		cp_snprintf(note, nl, "HW_REDUCED_ACPI and no PM timer fields: no PM timer");
}

/* A PM1x_CNT register: the X_ GAS when the FADT has it and it is non-zero, else the 32-bit I/O
 * port field (PM1_CNT_LEN bytes wide, at least 2). */
static void fadt_pm1_cnt(const uint8_t *t, const struct acpi_fadt *f, unsigned x_off, unsigned off,
			 struct acpi_gas *g)
{
	uint8_t len = t[FADT_PM1_CNT_LEN];

	memset(g, 0, sizeof(*g));
	if (f->revision >= FADT_X_PM_TMR_MIN_REV && f->length >= x_off + GAS_LEN) {
		acpi_gas_decode(t + x_off, g);
		if (g->address)
			return;
	}
	g->space_id = GAS_SPACE_SYSTEM_IO;
	g->bit_width = (uint8_t)((len >= 2 && len <= 4 ? len : 2) * 8);
	g->address = acpi_get32(t + off);
}

/* Power-off and reset registers (used only by boot/exit.c when UEFI is absent). */
static void fadt_power(const uint8_t *t, struct acpi_fadt *f)
{
	struct acpi_power *p = &f->power;

	memset(p, 0, sizeof(*p));
	fadt_pm1_cnt(t, f, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, &p->pm1a_cnt);
	fadt_pm1_cnt(t, f, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK, &p->pm1b_cnt);
	if (f->length >= FADT_SLEEP_CONTROL_END)
		acpi_gas_decode(t + FADT_SLEEP_CONTROL_REG, &p->sleep_control);
	if ((f->flags & FADT_FLAG_RESET_REG_SUP) && f->length >= FADT_RESET_END) {
		acpi_gas_decode(t + FADT_RESET_REG, &p->reset_reg);
		p->reset_value = t[FADT_RESET_VALUE];
		p->reset_supported = p->reset_reg.address != 0;
	}
}

bool acpi_fadt_decode(const uint8_t *t, struct acpi_check *c, struct acpi_fadt *f)
{
	uint64_t x_dsdt = 0;

	memset(f, 0, sizeof(*f));
	f->revision = c->h.revision;
	f->length = c->h.length;
	if (f->length < FADT_V1_LEN) {
		acpi_distrust(c, "impossible length %u (FACP minimum %u)", f->length, FADT_V1_LEN);
		return false;
	}
	f->pm_tmr_blk = acpi_get32(t + FADT_PM_TMR_BLK);
	f->pm_tmr_len = t[FADT_PM_TMR_LEN];
	f->century = t[FADT_CENTURY];
	f->iapc_boot_arch = acpi_get16(t + FADT_IAPC_BOOT_ARCH);
	f->flags = acpi_get32(t + FADT_FLAGS);
	f->hw_reduced = f->flags & FADT_FLAG_HW_REDUCED_ACPI;
	f->no_cmos_rtc = f->iapc_boot_arch & IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT;
	f->has_x_pm_tmr = f->revision >= FADT_X_PM_TMR_MIN_REV && f->length >= FADT_X_PM_TMR_BLK_END;
	if (f->has_x_pm_tmr)
		acpi_gas_decode(t + FADT_X_PM_TMR_BLK, &f->x_pm_tmr);
	if (f->revision >= FADT_X_PM_TMR_MIN_REV && f->length >= FADT_X_DSDT + 8)
		x_dsdt = acpi_get64(t + FADT_X_DSDT);
	f->dsdt = x_dsdt ? x_dsdt : acpi_get32(t + FADT_DSDT);
	fadt_pick_pm_timer(f);
	fadt_power(t, f);
	return true;
}

bool acpi_hpet_decode(const uint8_t *t, struct acpi_check *c, struct acpi_hpet *h)
{
	memset(h, 0, sizeof(*h));
	if (c->h.length < HPET_TABLE_LEN) {
		acpi_distrust(c, "impossible length %u (HPET minimum %u)", c->h.length, HPET_TABLE_LEN);
		return false;
	}
	h->block_id = acpi_get32(t + HPET_EVENT_TIMER_BLOCK_ID);
	acpi_gas_decode(t + HPET_BASE_ADDRESS, &h->base);
	h->number = t[HPET_NUMBER];
	h->min_tick = acpi_get16(t + HPET_MIN_CLOCK_TICK);
	h->page_protection = t[HPET_PAGE_PROTECTION];
	if (h->base.space_id != GAS_SPACE_SYSTEM_MEMORY)
		acpi_distrust(c, "base address space %u, HPET registers must be SystemMemory (0)",
			      h->base.space_id);
	else if (!h->base.address)
		acpi_distrust(c, "base address 0");
	return c->trusted;
}

static void madt_cpu(struct acpi_madt *m, uint32_t apic_id, uint32_t flags)
{
	unsigned i;

	if (!(flags & MADT_CPU_ENABLED)) {
		m->cpus_disabled++;
		if (flags & MADT_CPU_ONLINE_CAPABLE)
			m->cpus_online_capable++;
		return;
	}
	for (i = 0; i < m->ids_listed; i++)
		if (m->apic_ids[i] == apic_id) {
			m->duplicate_ids++;
			break;
		}
	m->cpus_enabled++;
	if (m->ids_listed < ACPI_MADT_MAX_IDS)
		m->apic_ids[m->ids_listed++] = apic_id;
}

bool acpi_madt_decode(const uint8_t *t, struct acpi_check *c, struct acpi_madt *m)
{
	uint32_t len = c->h.length, off;

	memset(m, 0, sizeof(*m));
	if (len < MADT_ENTRIES) {
		acpi_distrust(c, "impossible length %u (APIC minimum %u)", len, MADT_ENTRIES);
		return false;
	}
	m->lapic_address32 = acpi_get32(t + MADT_LOCAL_APIC_ADDRESS);
	m->lapic_base = m->lapic_address32;
	m->flags = acpi_get32(t + MADT_FLAGS);
	for (off = MADT_ENTRIES; off < len; ) {
		uint8_t type, elen, need = MADT_ENTRY_HDR_LEN;

		if (len - off < MADT_ENTRY_HDR_LEN) {
			acpi_distrust(c, "entry at +%u: %u stray bytes at the end", off, len - off);
			break;
		}
		type = t[off];
		elen = t[off + 1];
		if (type == MADT_TYPE_LOCAL_APIC)
			need = MADT_LAPIC_LEN;
		else if (type == MADT_TYPE_LAPIC_OVERRIDE)
			need = MADT_LAPIC_OVERRIDE_LEN;
		else if (type == MADT_TYPE_LOCAL_X2APIC)
			need = MADT_X2APIC_LEN;
		if (elen < need) {
			acpi_distrust(c, "entry at +%u (type %u): length %u, minimum %u", off, type, elen, need);
			break;
		}
		if (elen > len - off) {
			acpi_distrust(c, "entry at +%u (type %u): length %u runs past the table end (%u)",
				      off, type, elen, len);
			break;
		}
		if (type == MADT_TYPE_LOCAL_APIC) {
			m->lapic_entries++;
			madt_cpu(m, t[off + MADT_LAPIC_ID], acpi_get32(t + off + MADT_LAPIC_FLAGS));
		} else if (type == MADT_TYPE_LOCAL_X2APIC) {
			m->x2apic_entries++;
			madt_cpu(m, acpi_get32(t + off + MADT_X2APIC_ID),
				 acpi_get32(t + off + MADT_X2APIC_FLAGS));
		} else if (type == MADT_TYPE_LAPIC_OVERRIDE) {
			m->lapic_override = true;
			m->lapic_base = acpi_get64(t + off + MADT_LAPIC_OVERRIDE_ADDRESS);
		} else {
			m->other_entries++;
		}
		off += elen;
	}
	return c->trusted;
}

static void absorb_fadt(struct acpi_info *ai, uint64_t addr, const struct acpi_fadt *f)
{
	ai->fadt_present = true;
	ai->fadt_addr = addr;
	ai->fadt_revision = f->revision;
	ai->fadt_length = f->length;
	ai->pm_tmr_port = f->pm_tmr_port;
	ai->pm_tmr_bits = f->pm_tmr_bits;
	ai->pm_tmr_len = f->pm_tmr_len;
	ai->pm_tmr_source = f->pm_tmr_source;
	memcpy(ai->pm_tmr_note, f->pm_tmr_note, sizeof(ai->pm_tmr_note));
	ai->century_index = f->century;
	ai->iapc_boot_flags = f->iapc_boot_arch;
	ai->fadt_flags = f->flags;
	ai->hw_reduced = f->hw_reduced;
	ai->no_cmos_rtc = f->no_cmos_rtc;
	ai->dsdt_addr = f->dsdt;
	ai->power = f->power;
}

static void absorb_hpet(struct acpi_info *ai, uint64_t addr, const struct acpi_hpet *h)
{
	ai->hpet_present = true;
	ai->hpet_table_addr = addr;
	ai->hpet_base = h->base.address;
	ai->hpet_number = h->number;
	ai->hpet_min_tick = h->min_tick;
	ai->hpet_block_id = h->block_id;
	ai->hpet_page_protection = h->page_protection;
}

/* A second HPET table for another timer block, or a contradiction: either way the first is
 * kept, and the first disagreeing one is remembered to be named. */
static bool hpet_conflict(struct acpi_info *ai, uint64_t addr, const struct acpi_hpet *h)
{
	if (h->base.address == ai->hpet_base && h->block_id == ai->hpet_block_id)
		return false;
	if (!ai->hpet_conflicts++) {
		ai->hpet_conflict_table_addr = addr;
		ai->hpet_conflict_base = h->base.address;
		ai->hpet_conflict_block_id = h->block_id;
		ai->hpet_conflict_number = h->number;
	}
	return true;
}

static void absorb_madt(struct acpi_info *ai, uint64_t addr, const struct acpi_madt *m)
{
	ai->madt_present = true;
	ai->madt_addr = addr;
	ai->cpu_count = m->cpus_enabled;
	memcpy(ai->apic_ids, m->apic_ids, sizeof(ai->apic_ids));
	ai->apic_ids_listed = m->ids_listed;
	ai->lapic_base = m->lapic_base;
	ai->lapic_override = m->lapic_override;
	ai->madt_flags = m->flags;
	ai->cpus_disabled = m->cpus_disabled;
	ai->cpus_online_capable = m->cpus_online_capable;
	ai->duplicate_apic_ids = m->duplicate_ids;
}

void acpi_absorb(struct acpi_info *ai, uint64_t addr, const uint8_t *t, struct acpi_check *c)
{
	const char *sig = c->h.signature;
	bool known = false, first = false, conflict = false;
	union {
		struct acpi_fadt f;
		struct acpi_hpet h;
		struct acpi_madt m;
	} d;

	ai->tables_seen++;
	if (c->trusted && t) {
		/* Only the first trusted table of a kind provides facts; later ones are reported. */
		if (!memcmp(sig, "FACP", 4)) {
			known = true;
			if (acpi_fadt_decode(t, c, &d.f) && (first = !ai->fadt_present))
				absorb_fadt(ai, addr, &d.f);
		} else if (!memcmp(sig, "HPET", 4)) {
			known = true;
			if (acpi_hpet_decode(t, c, &d.h) && (first = !ai->hpet_present))
				absorb_hpet(ai, addr, &d.h);
			else if (c->trusted)
				conflict = hpet_conflict(ai, addr, &d.h);
		} else if (!memcmp(sig, "APIC", 4)) {
			known = true;
			if (acpi_madt_decode(t, c, &d.m) && (first = !ai->madt_present))
				absorb_madt(ai, addr, &d.m);
		} else if (!memcmp(sig, "DSDT", 4)) {
			known = true;
			if ((first = !ai->dsdt_decoded)) {
				ai->dsdt_decoded = true;
				ai->s5_present = acpi_s5_decode(t, c->h.length, &ai->s5_slp_typa,
								&ai->s5_slp_typb);
			}
		}
	}
	if (!c->trusted) {
		ai->tables_untrusted++;
		if (c->header_read && !memcmp(sig, "HPET", 4))
			ai->hpet_untrusted++;
		c->use = "not used";
	} else {
		c->use = !known ? "not decoded" : first ? "used"
			: conflict ? "another HPET block (base or block ID differs), ignored: the first HPET table is used"
			: "duplicate, an earlier one is used";
	}
}

/* ACPI 6.5 20.2.4 PkgLength: bits 7-6 of the lead byte count the bytes that follow; alone it
 * holds the length in bits 5-0, else bits 3-0 are the low nibble. Returns the bytes it took. */
static unsigned aml_pkg_length(const uint8_t *p, const uint8_t *end, uint32_t *len)
{
	unsigned follow = p[0] >> 6, i;

	if (p + 1 + follow > end)
		return 0;
	if (!follow) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0x0f;
	for (i = 0; i < follow; i++)
		*len |= (uint32_t)p[1 + i] << (4 + 8 * i);
	return 1 + follow;
}

/* ACPI 6.5 20.2.3 integer data objects: ZeroOp, OneOp, OnesOp, Byte/Word/DWord/QWordPrefix.
 * Returns the bytes it took, 0 if p holds none of them. */
static unsigned aml_integer(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	unsigned n, i;

	if (p >= end)
		return 0;
	switch (p[0]) {
	case 0x00: *v = 0; return 1;
	case 0x01: *v = 1; return 1;
	case 0xff: *v = ~0ull; return 1;
	case 0x0a: n = 1; break;
	case 0x0b: n = 2; break;
	case 0x0c: n = 4; break;
	case 0x0e: n = 8; break;
	default: return 0;
	}
	if (p + 1 + n > end)
		return 0;
	*v = 0;
	for (i = n; i > 0; i--) /* little endian */
		*v = (*v << 8) | p[i];
	return 1 + n;
}

bool acpi_s5_decode(const uint8_t *t, uint32_t len, uint8_t *typa, uint8_t *typb)
{
	const uint8_t *end = t + len, *p;
	uint32_t i, pkg_len;
	uint64_t a, b = 0;
	unsigned n, elements;

	for (i = ACPI_HDR_LEN + 1; i + 4 <= len; i++) {
		if (memcmp(t + i, "_S5_", 4))
			continue;
		/* NameOp (0x08) right before the name, or before a root prefix '\\'. */
		if (!(t[i - 1] == 0x08 || (t[i - 1] == '\\' && i >= ACPI_HDR_LEN + 2 && t[i - 2] == 0x08)))
			continue;
		p = t + i + 4;
		if (p >= end || *p++ != 0x12) /* PackageOp */
			continue;
		if (p >= end || !(n = aml_pkg_length(p, end, &pkg_len)))
			continue;
		p += n;
		if (p >= end)
			continue;
		elements = *p++;
		if (!elements || !(n = aml_integer(p, end, &a)))
			continue;
		p += n;
		if (elements >= 2 && !aml_integer(p, end, &b))
			b = 0;
		*typa = (uint8_t)(a & 7);
		*typb = (uint8_t)(b & 7);
		return true;
	}
	return false;
}
