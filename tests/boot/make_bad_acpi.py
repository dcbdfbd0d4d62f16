#!/usr/bin/env python3
"""Write a malformed ACPI table for QEMU's `-acpitable file=FILE`, to check that the guest
reports it as untrusted (acpi.tables.checksums fails), or for a well-formed table pointing
at an unusable address that the source is absent with the fault, and still runs to
CLOCKPROBE-END.

    python3 tests/boot/make_bad_acpi.py [--kind KIND] FILE
    qemu-system-x86_64 ... -acpitable file=FILE

What QEMU 7.2 + OVMF let through (checked by experiment and in QEMU's hw/acpi/core.c,
acpi_table_install): QEMU always rewrites the header's Length to the file size and
recomputes the Checksum, so a bad checksum or a Length that disagrees with the bytes can
not reach the guest. A table that is self-consistent but impossible for its type can:

  short-hpet      (default) "HPET" of 40 bytes, shorter than the 56 the HPET table needs
                  -> "untrusted: impossible length 40 (HPET minimum 56)"
  hpet-io         "HPET" whose base address GAS is SystemIO, not SystemMemory
                  -> "untrusted: base address space 1, HPET registers must be SystemMemory (0)"
  madt-bad-entry  "APIC" with one valid CPU entry followed by an entry of length 0
                  -> "untrusted: entry at +52 (type 0): length 0, minimum 8"
  hpet-noncanonical  "HPET" whose base is 0x80000000fed00000: trusted as a table (QEMU
                  passes the 64-bit base through), but the address is non-canonical, so
                  the first register read raises #GP
                  -> hpet absent: "HPET MMIO read at 0x80000000fed00000 faulted (#GP, ...)"
  hpet-unmapped   "HPET" whose base is 0x00004000fed00000 (bit 46): canonical but beyond
                  the physical address width, so OVMF's page tables do not map it: #PF
                  (on a host whose firmware maps that much, the read may succeed instead)
                  -> hpet absent: "HPET MMIO read at 0x4000fed00000 faulted (#PF, ...)"
  bad-checksum    "HPET" with a wrong checksum: QEMU fixes it, so the guest sees a trusted
                  second HPET ("duplicate, an earlier one is used"); kept to show that.

The injected table is listed after QEMU's own, so the firmware's HPET/MADT (if any) stays
the one used. With `-machine q35,hpet=off` the injected HPET is the only one.
Standard library only.
"""
import argparse
import struct
import sys

HDR_LEN = 36
OEM_ID = b"CPBAD "          # 6 bytes: marks the table as ours in the guest log
OEM_TABLE_ID = b"CPBADTBL"  # 8 bytes
GAS_SYSTEM_MEMORY = 0
GAS_SYSTEM_IO = 1
HPET_BASE = 0xFED00000
HPET_BLOCK_ID = 0x8086A201  # what QEMU's own HPET table carries
HPET_BASE_NONCANONICAL = (1 << 63) | HPET_BASE  # bits 63..47 not all equal
HPET_BASE_UNMAPPED = (1 << 46) | HPET_BASE      # canonical, beyond the 40 physical address bits of TCG


def table(sig, body, revision=1, checksum_error=0):
    """ACPI table: 36-byte header + body, checksum correct unless checksum_error != 0."""
    length = HDR_LEN + len(body)
    hdr = struct.pack("<4sIBB6s8sI4sI", sig, length, revision, 0, OEM_ID, OEM_TABLE_ID, 1,
                      b"CPRB", 1)
    t = bytearray(hdr + body)
    t[9] = (-sum(t) + checksum_error) & 0xFF
    return bytes(t)


def gas(space, address, bit_width=64):
    return struct.pack("<BBBBQ", space, bit_width, 0, 0, address)


def hpet_body(space=GAS_SYSTEM_MEMORY, base=HPET_BASE):
    # block ID, base address GAS, HPET number, minimum tick, page protection
    return struct.pack("<I", HPET_BLOCK_ID) + gas(space, base) + struct.pack("<BHB", 0, 0, 0)


def madt_bad_entry():
    body = struct.pack("<II", 0xFEE00000, 1)                # local APIC address, PCAT_COMPAT
    body += struct.pack("<BBBBI", 0, 8, 0, 0, 1)            # processor local APIC, enabled
    body += struct.pack("<BBBBI", 0, 0, 1, 1, 1)            # length 0: impossible
    return table(b"APIC", body)


KINDS = {
    "short-hpet": lambda: table(b"HPET", hpet_body()[:4]),
    "hpet-io": lambda: table(b"HPET", hpet_body(GAS_SYSTEM_IO)),
    "hpet-noncanonical": lambda: table(b"HPET", hpet_body(base=HPET_BASE_NONCANONICAL)),
    "hpet-unmapped": lambda: table(b"HPET", hpet_body(base=HPET_BASE_UNMAPPED)),
    "madt-bad-entry": madt_bad_entry,
    "bad-checksum": lambda: table(b"HPET", hpet_body(), checksum_error=0x5A),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kind", choices=sorted(KINDS), default="short-hpet")
    ap.add_argument("out", help="table file to write")
    args = ap.parse_args()
    data = KINDS[args.kind]()
    with open(args.out, "wb") as f:
        f.write(data)
    print(f"-acpitable file={args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
