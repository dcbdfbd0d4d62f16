/* ACPI table layouts and decoders. Pure: every function works on bytes the caller has
 * already copied out of firmware memory (arch/x86/acpi.c does that with memcpy_safe), so
 * host unit tests (tests/unit/test_acpi.c) run exactly the code the guest runs.
 * Offsets are from the ACPI 6.5 specification, section numbers given per table.
 * Nothing here trusts a length or pointer it has not checked against the buffer. */
#ifndef CP_X86_ACPI_TABLES_H
#define CP_X86_ACPI_TABLES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Root System Description Pointer (5.2.5.3). */
#define ACPI_RSDP_SIGNATURE     "RSD PTR "
#define RSDP_SIGNATURE          0       /* 8 bytes */
#define RSDP_CHECKSUM           8       /* covers the first RSDP_V1_LEN bytes */
#define RSDP_OEMID              9       /* 6 bytes */
#define RSDP_REVISION           15      /* 0 = ACPI 1.0, 2 = ACPI 2.0+ */
#define RSDP_RSDT_ADDRESS       16      /* u32 */
#define RSDP_V1_LEN             20
#define RSDP_LENGTH             20      /* u32, revision >= 2 */
#define RSDP_XSDT_ADDRESS       24      /* u64, revision >= 2 */
#define RSDP_EXTENDED_CHECKSUM  32      /* covers RSDP_LENGTH bytes */
#define RSDP_V2_LEN             36
#define ACPI_RSDP_MAX_LEN       64      /* 36 since ACPI 2.0; a little room for growth, no more */

/* System Description Table header (5.2.6), at the start of every table but the RSDP/FACS. */
#define ACPI_HDR_SIGNATURE      0       /* 4 bytes */
#define ACPI_HDR_LENGTH         4       /* u32, whole table including the header */
#define ACPI_HDR_REVISION       8
#define ACPI_HDR_CHECKSUM       9       /* all bytes of the table sum to 0 */
#define ACPI_HDR_OEMID          10      /* 6 bytes */
#define ACPI_HDR_OEM_TABLE_ID   16      /* 8 bytes */
#define ACPI_HDR_OEM_REVISION   24
#define ACPI_HDR_CREATOR_ID     28      /* 4 bytes */
#define ACPI_HDR_CREATOR_REV    32
#define ACPI_HDR_LEN            36

/* Largest table we accept and copy: real DSDTs reach a few hundred KiB; beyond this a
 * length field is corruption, not content. Also the size of the guest's copy buffer. */
#define ACPI_TABLE_MAX_LEN      (1024u * 1024u)

/* Generic Address Structure (5.2.3.2), 12 bytes. */
#define GAS_ADDRESS_SPACE_ID    0
#define  GAS_SPACE_SYSTEM_MEMORY 0
#define  GAS_SPACE_SYSTEM_IO     1
#define GAS_REGISTER_BIT_WIDTH  1
#define GAS_REGISTER_BIT_OFFSET 2
#define GAS_ACCESS_SIZE         3
#define GAS_ADDRESS             4       /* u64 */
#define GAS_LEN                 12

/* RSDT (5.2.7) / XSDT (5.2.8): header, then u32 / u64 table addresses. */
#define RSDT_ENTRY_LEN          4
#define XSDT_ENTRY_LEN          8

/* Fixed ACPI Description Table, signature "FACP" (5.2.9). */
#define FADT_FIRMWARE_CTRL      36      /* u32 FACS address */
#define FADT_DSDT               40      /* u32 */
#define FADT_PM1A_CNT_BLK       64      /* u32 I/O port of PM1a_CNT (sleep type and enable) */
#define FADT_PM1B_CNT_BLK       68      /* u32, 0 = none */
#define FADT_PM_TMR_BLK         76      /* u32 I/O port of the PM timer */
#define FADT_PM1_CNT_LEN        89      /* u8, bytes of PM1a_CNT (>= 2) */
#define FADT_PM_TMR_LEN         91      /* u8, 4 when the PM timer exists */
#define FADT_CENTURY            108     /* u8 RTC CMOS index of the century, 0 = none */
#define FADT_IAPC_BOOT_ARCH     109     /* u16 */
#define  IAPC_BOOT_ARCH_LEGACY_DEVICES   (1u << 0)
#define  IAPC_BOOT_ARCH_8042             (1u << 1)
#define  IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1u << 5)
#define FADT_FLAGS              112     /* u32 */
#define  FADT_FLAG_TMR_VAL_EXT           (1u << 8)  /* 1 = 32-bit PM timer, 0 = 24-bit */
#define  FADT_FLAG_RESET_REG_SUP         (1u << 10) /* RESET_REG and RESET_VALUE are valid */
#define  FADT_FLAG_HW_REDUCED_ACPI       (1u << 20) /* no fixed hardware: no PM timer */
#define FADT_V1_LEN             116     /* ACPI 1.0 FADT: everything above, no X_ fields */
#define FADT_RESET_REG          116     /* GAS, ACPI 2.0+ */
#define FADT_RESET_VALUE        128     /* u8 */
#define FADT_RESET_END          129
#define FADT_X_DSDT             140     /* u64, revision >= 3 */
#define FADT_X_PM1A_CNT_BLK     172     /* GAS, revision >= 3 */
#define FADT_X_PM1B_CNT_BLK     184     /* GAS, revision >= 3 */
#define FADT_X_PM_TMR_BLK       208     /* GAS, revision >= 3 */
#define FADT_X_PM_TMR_BLK_END   (FADT_X_PM_TMR_BLK + GAS_LEN)
#define FADT_X_PM_TMR_MIN_REV   3       /* first FADT revision (ACPI 2.0) with X_ fields */
#define FADT_SLEEP_CONTROL_REG  244     /* GAS, ACPI 5.0+: the sleep register of hardware-reduced platforms */
#define FADT_SLEEP_CONTROL_END  (FADT_SLEEP_CONTROL_REG + GAS_LEN)
/* Entering a sleep state (ACPI 6.5 4.8.3.2.1 PM1 control, 4.8.3.7 sleep control register):
 * write SLP_TYP (3 bits, from the DSDT's \_Sx package) together with SLP_EN. */
#define PM1_CNT_SLP_TYP_SHIFT   10
#define PM1_CNT_SLP_TYP_MASK    (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN          (1u << 13)
#define SLEEP_CTL_SLP_TYP_SHIFT 2
#define SLEEP_CTL_SLP_EN        (1u << 5)
#define ACPI_IO_PORT_MAX        0xffffu /* x86 I/O space is 16 bits */

/* HPET Description Table, signature "HPET" (IA-PC HPET spec 1.0a, 3.2.4). */
#define HPET_EVENT_TIMER_BLOCK_ID 36    /* u32, a copy of the capabilities register's low half */
#define HPET_BASE_ADDRESS       40      /* GAS, must be SystemMemory */
#define HPET_NUMBER             52      /* u8 */
#define HPET_MIN_CLOCK_TICK     53      /* u16, in counter ticks */
#define HPET_PAGE_PROTECTION    55      /* u8 */
#define HPET_TABLE_LEN          56

/* Multiple APIC Description Table, signature "APIC" (5.2.12). */
#define MADT_LOCAL_APIC_ADDRESS 36      /* u32 */
#define MADT_FLAGS              40      /* u32, bit 0 PCAT_COMPAT (dual 8259s present) */
#define  MADT_FLAG_PCAT_COMPAT           (1u << 0)
#define MADT_ENTRIES            44      /* interrupt controller structures: type u8, length u8 */
#define MADT_ENTRY_HDR_LEN      2
#define MADT_TYPE_LOCAL_APIC    0       /* 5.2.12.2: uid +2, APIC ID +3, flags +4; length 8 */
#define  MADT_LAPIC_ID          3
#define  MADT_LAPIC_FLAGS       4
#define  MADT_LAPIC_LEN         8
#define MADT_TYPE_LAPIC_OVERRIDE 5      /* 5.2.12.8: address u64 at +4; length 12 */
#define  MADT_LAPIC_OVERRIDE_ADDRESS 4
#define  MADT_LAPIC_OVERRIDE_LEN 12
#define MADT_TYPE_LOCAL_X2APIC  9       /* 5.2.12.12: x2APIC ID +4, flags +8, uid +12; length 16 */
#define  MADT_X2APIC_ID         4
#define  MADT_X2APIC_FLAGS      8
#define  MADT_X2APIC_LEN        16
#define  MADT_CPU_ENABLED       (1u << 0)
#define  MADT_CPU_ONLINE_CAPABLE (1u << 1) /* only meaningful when ENABLED is clear */
#define ACPI_MADT_MAX_IDS       64      /* APIC IDs we list; CPUs beyond are counted, not listed */

#define ACPI_WHY_LEN            128
#define ACPI_NOTE_LEN           128

struct acpi_gas {
	uint8_t space_id, bit_width, bit_offset, access_size;
	uint64_t address;
};

/* A table header with its text fields made printable ('?' for other bytes). */
struct acpi_header {
	char signature[5];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[7];
	char oem_table_id[9];
	uint32_t oem_revision;
};

/* The verdict on one table, built up step by step: header, then bytes, then contents. */
struct acpi_check {
	bool header_read;              /* h is valid */
	struct acpi_header h;
	bool trusted;
	uint8_t sum;                   /* byte sum over the whole table: 0 when intact */
	char why[ACPI_WHY_LEN];        /* why it is untrusted ("" when trusted) */
	const char *use;               /* what the summary did with it: "used", "duplicate, ignored", ... */
};

struct acpi_rsdp {
	bool signature_ok;             /* the fields below were read from a real RSDP */
	bool valid;                    /* everything checks: use the XSDT if present */
	bool v1_valid;                 /* signature and 20-byte checksum: the RSDT is usable */
	unsigned revision;
	char oem_id[7];
	uint32_t rsdt;
	uint32_t length;               /* revision >= 2 */
	uint64_t xsdt;                 /* revision >= 2, else 0 */
	char why[ACPI_WHY_LEN];
};

/* How to power off or reset, from the FADT (a register with address 0 is absent). */
struct acpi_power {
	struct acpi_gas pm1a_cnt, pm1b_cnt; /* X_PM1x_CNT_BLK when non-zero, else the I/O port */
	struct acpi_gas sleep_control;      /* hardware-reduced platforms (ACPI 5.0+) */
	bool reset_supported;               /* FADT flag RESET_REG_SUP */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

struct acpi_fadt {
	unsigned revision;
	uint32_t length;
	uint32_t pm_tmr_blk;
	uint8_t pm_tmr_len;
	bool has_x_pm_tmr;             /* revision >= 3 and the table reaches the X_PM_TMR_BLK end */
	struct acpi_gas x_pm_tmr;
	uint16_t pm_tmr_port;          /* 0 = no usable PM timer */
	uint8_t pm_tmr_bits;           /* 24, or 32 with TMR_VAL_EXT */
	const char *pm_tmr_source;     /* "X_PM_TMR_BLK", "PM_TMR_BLK" or "none" */
	char pm_tmr_note[ACPI_NOTE_LEN]; /* anything odd about the PM timer fields, "" if none */
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint32_t flags;
	bool hw_reduced, no_cmos_rtc;
	uint64_t dsdt;                 /* X_DSDT when present and non-zero, else DSDT */
	struct acpi_power power;
};

struct acpi_hpet {
	uint32_t block_id;
	struct acpi_gas base;
	uint8_t number;
	uint16_t min_tick;
	uint8_t page_protection;
};

struct acpi_madt {
	uint32_t lapic_address32;
	uint32_t flags;
	uint64_t lapic_base;           /* the override's address when there is one */
	bool lapic_override;
	unsigned cpus_enabled;         /* LAPIC and x2APIC entries with ENABLED set */
	unsigned cpus_disabled;
	unsigned cpus_online_capable;  /* disabled but may be brought online */
	unsigned lapic_entries, x2apic_entries, other_entries;
	unsigned duplicate_ids;        /* enabled entries repeating an earlier enabled APIC ID */
	uint32_t apic_ids[ACPI_MADT_MAX_IDS]; /* enabled CPUs, in table order */
	unsigned ids_listed;
};

/* What the guest learned; every part says whether it was found. Filled by acpi_absorb()
 * from the first trusted table of each kind. */
struct acpi_info {
	bool rsdp_valid;
	unsigned rsdp_revision;
	char rsdp_oem[7];
	uint64_t rsdt_addr, xsdt_addr;
	bool root_valid;               /* a trusted XSDT or RSDT was walked */
	bool xsdt_used;                /* else RSDT */

	bool fadt_present;
	uint64_t fadt_addr;
	unsigned fadt_revision;
	uint32_t fadt_length;
	uint16_t pm_tmr_port;          /* 0 = none */
	uint8_t pm_tmr_bits;           /* 24 or 32 (TMR_VAL_EXT) */
	uint8_t pm_tmr_len;
	const char *pm_tmr_source;     /* "X_PM_TMR_BLK" / "PM_TMR_BLK" / "none" */
	char pm_tmr_note[ACPI_NOTE_LEN];
	uint8_t century_index;         /* 0 = no century register */
	uint16_t iapc_boot_flags;
	uint32_t fadt_flags;
	bool hw_reduced;
	bool no_cmos_rtc;              /* IA-PC boot flag bit 5 */
	uint64_t dsdt_addr;
	struct acpi_power power;

	bool dsdt_decoded;             /* a trusted DSDT was searched for \_S5 */
	bool s5_present;               /* it has a \_S5 package: soft-off is possible */
	uint8_t s5_slp_typa, s5_slp_typb;

	const char *none_why;          /* no RSDP at all, as a configuration: why (for absent reasons) */

	bool hpet_present;
	uint64_t hpet_table_addr;
	uint64_t hpet_base;
	uint8_t hpet_number;
	uint16_t hpet_min_tick;
	uint32_t hpet_block_id;
	uint8_t hpet_page_protection;
	unsigned hpet_untrusted;       /* HPET tables seen but refused */
	/* Later trusted HPET tables that describe another timer block (a different base address
	 * or event timer block ID): ignored, the first one is used (as Linux does: it reads only
	 * the first HPET table). The first of them is kept to be named in the report. */
	unsigned hpet_conflicts;
	uint64_t hpet_conflict_table_addr, hpet_conflict_base;
	uint32_t hpet_conflict_block_id;
	uint8_t hpet_conflict_number;

	bool madt_present;
	uint64_t madt_addr;
	unsigned cpu_count;            /* enabled processors */
	uint32_t apic_ids[ACPI_MADT_MAX_IDS];
	unsigned apic_ids_listed;      /* min(cpu_count, ACPI_MADT_MAX_IDS) */
	uint64_t lapic_base;
	bool lapic_override;
	uint32_t madt_flags;
	unsigned cpus_disabled, cpus_online_capable, duplicate_apic_ids;

	unsigned tables_seen, tables_untrusted;
};

/* Little-endian loads from unaligned bytes. */
uint16_t acpi_get16(const uint8_t *p);
uint32_t acpi_get32(const uint8_t *p);
uint64_t acpi_get64(const uint8_t *p);
uint8_t acpi_sum(const uint8_t *p, size_t n);
void acpi_gas_decode(const uint8_t *p, struct acpi_gas *g);

/* RSDP, read in steps: given the n bytes copied so far, how many are needed in total
 * (20, then 36 for revision >= 2, then Length if that is larger and sane). */
size_t acpi_rsdp_bytes_needed(const uint8_t *b, size_t n);
/* Validate and decode n bytes (as many as acpi_rsdp_bytes_needed asked for). */
bool acpi_rsdp_decode(const uint8_t *b, size_t n, struct acpi_rsdp *r);

/* Smallest length a table of this signature can have (ACPI_HDR_LEN for unknown ones). */
uint32_t acpi_min_length(const char *sig);
/* Step 1, the 36 header bytes: decode c->h and check its length (and the signature when
 * expect_sig is given). False (c->why set) if the table must not be copied. */
bool acpi_check_header(const uint8_t *hdr, const char *expect_sig, struct acpi_check *c);
/* Step 2, the whole table (c->h.length bytes): checksum. */
bool acpi_check_sum(const uint8_t *t, struct acpi_check *c);
/* Mark untrusted with a reason (first reason wins). */
void acpi_distrust(struct acpi_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Root tables: trusted only if the entries fill the table exactly. */
bool acpi_root_check(struct acpi_check *c, bool xsdt);
unsigned acpi_root_count(uint32_t length, bool xsdt);
uint64_t acpi_root_entry(const uint8_t *t, bool xsdt, unsigned i);

/* Step 3, per kind: decode a table of h.length bytes that passed steps 1 and 2.
 * False (c->why set) if its contents are unusable. */
bool acpi_fadt_decode(const uint8_t *t, struct acpi_check *c, struct acpi_fadt *f);
bool acpi_hpet_decode(const uint8_t *t, struct acpi_check *c, struct acpi_hpet *h);
bool acpi_madt_decode(const uint8_t *t, struct acpi_check *c, struct acpi_madt *m);
/* The DSDT's \_S5 package (AML: NameOp "_S5_" PackageOp PkgLength NumElements, then integers
 * SLP_TYPa, SLP_TYPb), found by its name anywhere in the len bytes. False if there is none or
 * it cannot be read; *typb is 0 when the package has one element. */
bool acpi_s5_decode(const uint8_t *t, uint32_t len, uint8_t *typa, uint8_t *typb);

/* Count a checked table in ai and, if it is trusted, decode it and take its facts unless an
 * earlier trusted table of the same kind already provided them. Sets c->use. A later HPET
 * table that disagrees with the one in use (base or block ID) is counted in hpet_conflicts. */
void acpi_absorb(struct acpi_info *ai, uint64_t addr, const uint8_t *t, struct acpi_check *c);

/* "FACP" -> "facp": a metric-name-safe copy ([a-z0-9_]) of a signature. */
void acpi_sig_name(char out[5], const char *sig);

#endif
