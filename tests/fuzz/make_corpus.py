#!/usr/bin/env python3
"""Write the seed corpora of the libFuzzer targets (tests/fuzz/corpus/<target>/), a few
valid inputs each in the target's input format (see the comment at the top of each
tests/fuzz/fuzz_*.c). Deterministic: running it again rewrites the same bytes.

    python3 tests/fuzz/make_corpus.py [OUTDIR]     # default tests/fuzz/corpus

ACPI: a QEMU 7.2 q35-like set (RSDP v2, XSDT, RSDT, FADT revision 3 of 244 bytes with
X_PM_TMR_BLK at I/O 0x608, MADT with LAPICs, an I/O APIC, the five interrupt source
overrides and a LAPIC NMI, HPET at 0xfed00000 with block id 0x8086a201, a small DSDT), the
same tables as a stream, an ACPI 1.0 machine, a hardware-reduced FADT, an x2APIC MADT with
an address override, and two HPET tables with different bases.
CPUID: QEMU 7.2 TCG (qemu64) and KVM (host-like, with the kvm-clock and Hyper-V leaves).
Config: typical words, comments, over-long and non-ASCII words, several sources.
fmt: the conversions the guest's own format strings use.
Standard library only."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- ACPI ----
PHYS_BASE = 0x100000  # tests/fuzz/fuzz_acpi.c FUZZ_PHYS_BASE
HDR_LEN = 36


def fix(t, sum_at):
    t[sum_at] = 0
    t[sum_at] = (-sum(t)) & 0xFF


def table(sig, body, revision=1, oem=b"BOCHS ", oem_table=b"BXPC    "):
    t = bytearray(struct.pack("<4sIBB6s8sI4sI", sig, HDR_LEN + len(body), revision, 0, oem, oem_table, 1,
                              b"BXPC", 1) + bytes(body))
    fix(t, 9)
    return bytes(t)


def gas(space, width, offset, access, addr):
    return struct.pack("<BBBBQ", space, width, offset, access, addr)


def fadt(rev=3, length=244, pm_tmr=0x608, flags=0x84A5, dsdt=0, x_pm=True, iapc=0x0002):
    b = bytearray(length - HDR_LEN)
    o = lambda off: off - HDR_LEN  # noqa: E731
    struct.pack_into("<I", b, o(40), dsdt)
    b[o(46)] = 0  # preferred PM profile
    struct.pack_into("<I", b, o(76), pm_tmr)
    b[o(91)] = 4  # PM_TMR_LEN
    b[o(108)] = 0x32  # century
    struct.pack_into("<H", b, o(109), iapc)
    struct.pack_into("<I", b, o(112), flags)
    if rev >= 3 and length >= 148:
        struct.pack_into("<Q", b, o(140), dsdt)
    if rev >= 3 and x_pm and length >= 220:
        b[o(208):o(220)] = gas(1, 32, 0, 0, pm_tmr)
    return table(b"FACP", b, revision=rev)


def hpet(base=0xFED00000, block_id=0x8086A201, number=0, space=0):
    body = struct.pack("<I", block_id) + gas(space, 0, 0, 0, base) + struct.pack("<BHB", number, 0, 0)
    return table(b"HPET", body)


def madt(cpus=1, x2apic=False, override=None):
    e = b""
    for i in range(cpus):
        if x2apic:
            e += struct.pack("<BBHIII", 9, 16, 0, i * 2, 1, i)
        else:
            e += struct.pack("<BBBBI", 0, 8, i, i, 1)
    e += struct.pack("<BBBBII", 1, 12, 0, 0, 0xFEC00000, 0)  # I/O APIC
    for src, gsi, flags in ((0, 2, 0), (5, 5, 0xD), (9, 9, 0xD), (10, 10, 0xD), (11, 11, 0xD)):
        e += struct.pack("<BBBBIH", 2, 10, 0, src, gsi, flags)  # interrupt source override
    e += struct.pack("<BBBHB", 4, 6, 0xFF, 0, 1)  # LAPIC NMI
    if override:
        e += struct.pack("<BBHQ", 5, 12, 0, override)
    return table(b"APIC", struct.pack("<II", 0xFEE00000, 1) + e)


def dsdt():
    return table(b"DSDT", b"\x10\x05\\_SB_" + b"\x5b\x82\x05CPU0", revision=1)


def root(sig, addrs):
    fmt = "<Q" if sig == b"XSDT" else "<I"
    return table(sig, b"".join(struct.pack(fmt, a) for a in addrs))


def rsdp(rev, rsdt, xsdt):
    b = bytearray(struct.pack("<8sB6sBI", b"RSD PTR ", 0, b"BOCHS ", rev, rsdt))
    fix(b, 8)
    if rev >= 2:
        b += struct.pack("<IQB3s", 36, xsdt, 0, b"\0\0\0")
        fix(b, 32)
    return bytes(b)


def image(rev=2, tables=None, fadt_kw=None, extra_hpet=None):
    """A memory image with the RSDP at offset 0 and every table 0x200-aligned after it."""
    fadt_kw = dict(fadt_kw or {})
    slots = {}
    order = ["XSDT", "RSDT", "FACP", "APIC", "HPET", "HPET2", "DSDT"]
    for i, name in enumerate(order):
        slots[name] = PHYS_BASE + 0x80 + i * 0x200
    fadt_kw.setdefault("dsdt", slots["DSDT"])
    body = {
        "FACP": fadt(**fadt_kw),
        "APIC": madt(cpus=2),
        "HPET": hpet(),
        "DSDT": dsdt(),
    }
    listed = ["FACP", "APIC", "HPET"]
    if extra_hpet is not None:
        body["HPET2"] = extra_hpet
        listed.append("HPET2")
    if tables is not None:
        listed = tables
    body["XSDT"] = root(b"XSDT", [slots[n] for n in listed])
    body["RSDT"] = root(b"RSDT", [slots[n] for n in listed])
    mem = bytearray(slots["DSDT"] - PHYS_BASE + 0x200)
    mem[0:36] = rsdp(rev, slots["RSDT"], slots["XSDT"] if rev >= 2 else 0)[:36].ljust(36, b"\0")
    for name, t in body.items():
        if rev < 2 and name == "XSDT":
            continue
        off = slots[name] - PHYS_BASE
        mem[off:off + len(t)] = t
    return bytes(mem)


def acpi_seeds():
    probe, stream, fixsums = 0x02, 0x00, 0x01
    s = {}
    s["q35_probe"] = bytes([probe]) + image()
    s["q35_probe_fixsums"] = bytes([probe | fixsums]) + image()
    s["acpi1_rsdt_only_probe"] = bytes([probe]) + image(rev=0, fadt_kw={"rev": 1, "length": 116})
    s["two_hpets_probe"] = bytes([probe]) + image(extra_hpet=hpet(base=0xFED01000, number=1))
    s["hw_reduced_probe"] = bytes([probe]) + image(fadt_kw={"rev": 5, "length": 276, "flags": 1 << 20})
    q35 = fadt(dsdt=0x7FFE0000) + madt(cpus=2) + hpet() + dsdt()
    s["q35_stream"] = bytes([stream]) + rsdp(2, 0x7FFE2000, 0x7FFE3000) + q35
    s["q35_stream_fixsums"] = bytes([stream | fixsums]) + q35
    s["root_stream_xsdt"] = bytes([stream | 1 << 2]) + root(b"XSDT", [0x7FFE1000, 0x7FFE2000, 0x7FFE3000])
    s["root_stream_rsdt"] = bytes([stream | 2 << 2]) + root(b"RSDT", [0x7FFE1000, 0x7FFE2000])
    s["x2apic_override_stream"] = bytes([stream]) + madt(cpus=5, x2apic=True, override=0x1FEE00000)
    s["fadt_rev1_stream"] = bytes([stream]) + fadt(rev=1, length=116, dsdt=0x1000)
    return s


# ---- CPUID ----
def regs(s):
    """Three little-endian registers from 12 bytes."""
    return struct.unpack("<III", s.ljust(12, b"\0")[:12])


def leaf(l, sub, a, b, c, d):
    return struct.pack("<IIIIII", l, sub, a, b, c, d)


def brand(text):
    raw = text.encode().ljust(48, b"\0")
    return [leaf(0x80000002 + i, 0, *struct.unpack("<IIII", raw[16 * i:16 * i + 16])) for i in range(3)]


def cpuid_header(flags=1, esc=64, plan=16, detail=96, hv_msr=0, platform=0, mul=0, shift=0, vmw=(0, 0xFFFFFFFF, 0),
                 query=0x40000001):
    return struct.pack("<BBBBQQIiIIII4s", flags, esc, plan, detail, hv_msr, platform, mul, shift, *vmw, query,
                       b"\0" * 4)


def vendor_leaf(maxl, v):
    b, d, c = regs(v)
    return leaf(0, 0, maxl, b, c, d)


def cpuid_seeds():
    s = {}
    # QEMU 7.2 TCG, -cpu qemu64: AuthenticAMD, max basic 0xd, ext 0x8000000a, TCG hypervisor block.
    tcg = [vendor_leaf(0xD, b"AuthenticAMD"),
           leaf(1, 0, 0x000663, 0x00000800, 0x80002001 | (1 << 31), 0x078BFBFD),
           leaf(7, 0, 0, 0, 0, 0),
           leaf(0x80000000, 0, 0x8000000A, *regs(b"AuthenticAMD")),
           leaf(0x80000001, 0, 0x663, 0, 0x1, 0x2191ABFD),
           leaf(0x80000007, 0, 0, 0, 0, 0),
           leaf(0x40000000, 0, 0x40000001, *regs(b"TCGTCGTCGTCG")),
           leaf(0x40000001, 0, 0, 0, 0, 0)]
    tcg += brand("QEMU Virtual CPU version 2.5+")
    s["qemu_tcg"] = cpuid_header(flags=1) + b"".join(tcg)
    # KVM, -cpu host on an Intel part, with kvm-clock, 0x40000010 timing leaf and Hyper-V enlightenments.
    kvm = [vendor_leaf(0x16, b"GenuineIntel"),
           leaf(1, 0, 0x000906EA, 0x00020800, 0xFFFA3203 | (1 << 31), 0x0F8BFBFF),
           leaf(7, 0, 0, 0x009C4FBB | 2, 0, 0),
           leaf(0x15, 0, 2, 176, 24000000, 0),
           leaf(0x16, 0, 2100, 3700, 100, 0),
           leaf(0x80000000, 0, 0x80000008, 0, 0, 0),
           leaf(0x80000001, 0, 0, 0, 0x121, 0x2C100800 | (1 << 27)),
           leaf(0x80000007, 0, 0, 0, 0, 1 << 8),
           leaf(0x40000000, 0, 0x4000000A, *regs(b"Microsoft Hv")),
           leaf(0x40000001, 0, 0x31237648, 0, 0, 0),
           leaf(0x40000003, 0, (1 << 1) | (1 << 9) | (1 << 11) | (1 << 15), 0, 0, 1 << 8),
           leaf(0x40000100, 0, 0x40000101, *regs(b"KVMKVMKVM\0\0\0")),
           leaf(0x40000101, 0, (1 << 0) | (1 << 3) | (1 << 24), 0, 0, 0),
           leaf(0x40000010, 0, 2095996, 1000000, 0, 0)]
    kvm += brand("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz")
    s["kvm_hyperv_intel"] = cpuid_header(flags=0, hv_msr=2095996000, platform=0x20 << 8, mul=0xF3CF3CF3,
                                         shift=-1) + b"".join(kvm)
    plain_kvm = [vendor_leaf(0xD, b"AuthenticAMD"),
                 leaf(1, 0, 0x00A50F00, 0, 1 << 31, 0x178BFBFF),
                 leaf(0x40000000, 0, 0x40000001, *regs(b"KVMKVMKVM\0\0\0")),
                 leaf(0x40000001, 0, 0x01007AFB, 0, 0, 0)]
    s["kvm_amd"] = cpuid_header(flags=1, mul=0xA2C2B0A4, shift=0) + b"".join(plain_kvm)
    s["vmware"] = cpuid_header(flags=0, vmw=(2400000000 & 0xFFFFFFFF, 0, 66000000)) + b"".join(
        [vendor_leaf(1, b"GenuineIntel"), leaf(1, 0, 0x50654, 0, 1 << 31, 0x10),
         leaf(0x40000000, 0, 0x40000010, *regs(b"VMwareVMware")), leaf(0x40000010, 0, 2400000, 66000, 0, 0)])
    return s


# ---- config ----
def config_seeds():
    sep = b"\x1e"
    return {
        "typical": b"window_ms=2000 duration=60 smp=0\n",
        "three_sources": b"# esp file\nwindow_ms=500\n" + sep + b"tol_ppm=200 profile=icount" + sep
                         + b"stuck=smp.ap crash=none window_ms=1500",
        "all_keys": b" ".join(k + b"=" + v for k, v in (
            (b"window_ms", b"1000"), (b"duration", b"0"), (b"sample_ms", b"1000"), (b"profile", b"spec"),
            (b"tol_ppm", b"100"), (b"tol_hint_ppm", b"1000"), (b"tol_truth_ppm", b"1"), (b"tol_unc_ppm", b"50"),
            (b"tol_scale_ppm", b"10"), (b"tol_wall_ms", b"3000"), (b"truth_tsc_hz", b"1000000000"),
            (b"smp", b"yes"), (b"fake_hint_hz", b"0x7d2b7500"), (b"stuck", b"pit"),
            (b"crash", b"ud"), (b"rtc_set_unix", b"4102444800"))),
        "bad_words": b"smp=no2 window_ms=0 tol_ppm=18446744073709551616 Window=1 =x k= nokv a#b "
                     b"\xc3\xa9t\xc3\xa9=1 CLOCKPROBE-END\tstatus=pass\r\n#comment tol_ppm=5",
        "long_value": b"stuck=" + b"a" * 120 + b" " + b"k" * 40 + b"=1",
        "over_limit": b"tol_ppm=5000 " * 316 + sep + b"window_ms=100",
    }


# ---- fmt ----
def fmt_spec(conv, flags="", width=None, prec=None, length="", value=0, star_w=0, star_p=0, prefix="", suffix="",
             size=255, pool=0, text=None):
    """One conversion in tests/fuzz/fuzz_fmt.c's encoding (the order one() reads its bytes)."""
    def lit(t):
        return bytes([len(t)]) + bytes(ord(ch) - 0x20 for ch in t)
    f = ("-" in flags) | ("+" in flags) << 1 | ("0" in flags) << 2 | (text is not None) << 3
    w = 0 if width is None else 2 if width == "*" else width * 3 + 1
    p = 0 if prec is None else 2 if prec == "*" else prec * 3 + 1
    b = bytes(["diuxXscp%".index(conv), f, w, p, ["", "l", "ll", "z"].index(length), size])
    b += struct.pack("<Q", value & (2 ** 64 - 1)) + lit(prefix)
    if width == "*":
        b += struct.pack("<b", star_w)
    if prec == "*":
        b += struct.pack("<b", star_p)
    b += lit(suffix)
    if conv == "s":
        b += bytes([pool])
        if text is not None:
            b += bytes([len(text)]) + text
    return b


def fmt_seeds():
    return {
        # What the guest's own formats use.
        "hex64": fmt_spec("x", "0", 16, length="ll", value=0xFED00000, prefix="0x"),
        "decimal": fmt_spec("u", value=3579545, suffix=" Hz") + fmt_spec("d", value=-42 & 0xFFFFFFFF),
        "fixed_point": fmt_spec("u", "0", "*", length="ll", value=5, star_w=3, prefix="."),
        "signed": fmt_spec("d", "+", length="ll", value=-3070) + fmt_spec("d", "0", 3, length="ll", value=-7),
        "strings": fmt_spec("s", "-", 9, pool=2) + fmt_spec("s", prec=4, text=b"HPET") + fmt_spec("s", width=18, pool=1),
        "misc": fmt_spec("c", value=ord("x")) + fmt_spec("%") + fmt_spec("p", value=0x7FFE0000)
                + fmt_spec("X", value=0xABC, length="z"),
    }


def write(outdir, target, seeds):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.join(HERE, "corpus")
    write(outdir, "fuzz_acpi", acpi_seeds())
    write(outdir, "fuzz_cpuid", cpuid_seeds())
    write(outdir, "fuzz_config", config_seeds())
    write(outdir, "fuzz_fmt", fmt_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
