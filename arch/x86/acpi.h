/* ACPI discovery: walks RSDP -> XSDT (or RSDT) -> FADT/HPET/MADT/DSDT in identity-mapped
 * firmware memory, trusting only tables that pass acpi_tables.c's checks, and reports
 * them (metrics acpi.*, checks acpi.rsdp, acpi.tables.checksums, acpi.fadt, acpi.hpet,
 * acpi.madt). Other code reads the results from `acpi`; an absent fact is flagged there. */
#ifndef CP_X86_ACPI_H
#define CP_X86_ACPI_H
#include <stdint.h>
#include "acpi_tables.h"

extern struct acpi_info acpi;

/* Called once from boot/main.c after cpu_init(0) (memcpy_safe needs the fault fixup).
 * rsdp_phys 0 = the firmware gave none: a failure, unless absent_why says why that is a
 * configuration (a PVH boot without ACPI); then acpi.rsdp is a SKIP with that reason.
 * Never faults on bad pointers or tables. */
void acpi_probe(uint64_t rsdp_phys, const char *absent_why);

#endif
