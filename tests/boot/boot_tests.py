#!/usr/bin/env python3
"""Boot tests: run the guest in QEMU (TCG here; KVM where /dev/kvm works) through tools/run
and assert on its exit status and parsed log (tools/run --json). Each scenario is one
boot; each assertion is one result line. Ends with `boot: N passed, N failed`.

    tests/boot/boot_tests.py [--only NAME[,NAME...]] [--list]

Tolerances used here are the issue's acceptance figures and are named below.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUN = os.path.join(REPO, "tools", "run")
BUILD = os.environ.get("CLOCKPROBE_BUILD", os.path.join(REPO, "build"))
IMAGE = os.path.join(BUILD, "clockprobe.img")
ELF = os.path.join(BUILD, "clockprobe.elf")
HOST_TSC = os.path.join(BUILD, "host_tsc")

# Acceptance figures (issues 2-4).
# The guest's own run time (run.guest_ms, its entry to its verdict) under -icount, where the TSC
# is virtual time and the figure does not depend on the host's load: one 1 s rate window with
# the coarse edges timed inside it, up to 1 s to the RTC's first edge at discovery, and 1 s for
# everything else (probes, fits, SMP) at 8 ns an instruction. Measured 1087-2085 ms at shift 3
# (the RTC's phase). Wall times on the host are figures (make bench), not judged: the default
# run usually takes 6 s, and 21.7 s with four busy loops beside it on this 2-core host.
ICOUNT_GUEST_MAX_MS = 3000
RTC_HOST_MAX_S = 3.1          # rtc.unix_s vs host UTC at that line: RTC - UTC lies in (-3, +1) s under
                              # QEMU + OVMF (docs/design.md), plus 0.1 s of serial/scheduling delay
TSC_HOST_MAX_PPM = 50.0       # plain TCG: guest tsc.freq_hz vs host rdtsc/CLOCK_MONOTONIC
ICOUNT_MAX_PPM = 1.0          # -icount 3 -rtc clock=vm: every source within 1 ppm of nominal
FAKE_HINT_PPM = 23000         # the VirtualBox case: a hint 2.3% high
# AP start (~15-45 ms), warp test and ping-pong (each at most 100 ms) and halt per AP, with
# room for a loaded host; time/tsc_sync.c bounds each phase.
SMP_MAX_MS_PER_AP = 400

results = []
skipped = []


def probe_kvm():
    """(usable, why) from tools/run --probe-kvm: KVM counts only once a guest ran on it."""
    p = subprocess.run([sys.executable, RUN, "--image", IMAGE, "--probe-kvm"], capture_output=True, text=True,
                       timeout=60)
    text = (p.stdout + p.stderr).strip().splitlines()
    why = text[-1] if text else "tools/run --probe-kvm printed nothing"
    return p.returncode == 0, why.split(": ", 2)[-1] if why.startswith("run: KVM") else why


KVM_OK, KVM_WHY = None, None
LAB_WHY = None  # set once the lab turned out not to be preparable here


def record(scenario, name, ok, msg=""):
    results.append((scenario, name, bool(ok), msg))
    print("%s %s.%s%s" % ("ok    " if ok else "FAILED", scenario, name, (" - " + msg) if msg and not ok else ""),
          flush=True)
    return ok


def record_skip(scenario, why):
    """A scenario that could not run here: said, counted, never a pass."""
    skipped.append((scenario, why))
    print("skip   %s - %s" % (scenario, why), flush=True)


def host_tsc_pair():
    out = subprocess.run([HOST_TSC], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1])


def host_tsc_hz(gap_s=0.3):
    h0 = host_tsc_pair()
    time.sleep(gap_s)
    h1 = host_tsc_pair()
    return (h1[0] - h0[0]) * 1e9 / (h1[1] - h0[1])


def boot(args, timeout=180):
    """Run tools/run with args; return (exit status, result dict, wall seconds, host TSC Hz)."""
    fd, jpath = tempfile.mkstemp(suffix=".json", prefix="cpboot-")
    os.close(fd)
    # The scenarios' ground truths are TCG's unless a scenario asks for KVM itself.
    accel = [] if ("--accel" in args or "--hyperv" in args or "--lab" in args) else ["--accel", "tcg"]
    cmd = [sys.executable, RUN, "--image", IMAGE, "--quiet", "--json", jpath] + accel + args
    t0 = time.monotonic()
    h0 = host_tsc_pair()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    h1 = host_tsc_pair()
    wall = time.monotonic() - t0
    try:
        with open(jpath) as f:
            res = json.load(f)
    except (OSError, ValueError):
        res = {}
    os.unlink(jpath)
    host_hz = (h1[0] - h0[0]) * 1e9 / (h1[1] - h0[1])
    if p.returncode not in (0, 1):
        sys.stdout.write(p.stdout[-3000:])
        sys.stderr.write(p.stderr[-3000:])
    return p.returncode, res, wall, host_hz, p.stdout + p.stderr


def metric(res, name, default=None):
    m = res.get("log", {}).get("metrics", {}).get(name)
    return default if m is None else m["value"]


def metric_entry(res, name):
    return res.get("log", {}).get("metrics", {}).get(name)


def info_text(res, name):
    i = res.get("log", {}).get("info", {}).get(name)
    return None if i is None else i["text"]


def check_result(res, name):
    for c in res.get("log", {}).get("checks", []):
        if c["name"] == name:
            return c
    return None


def ppm(a, b):
    return (a / b - 1.0) * 1e6


def common(sc, rc, res, want_rc=0):
    log = res.get("log", {})
    record(sc, "exit_status", rc == want_rc, "tools/run exit %s, want %s" % (rc, want_rc))
    record(sc, "markers", log.get("started") and log.get("ended"), "start/end marker missing")
    record(sc, "log_errors", not log.get("errors"), "; ".join(log.get("errors", [])[:3]))


# ---------------------------------------------------------------- scenarios
def sc_q35_default():
    sc = "q35"
    rc, res, wall, host_hz, _ = boot(["--machine", "q35", "--smp", "2"])
    common(sc, rc, res)
    t = (res.get("run") or {}).get("timing") or {}
    print("  info: q35 default run wall %.1f s (boot to start marker %s s, guest %s s; guest's own run.guest_ms %s)"
          % (wall, t.get("boot_s"), t.get("guest_s"), metric(res, "run.guest_ms")))
    record(sc, "hv_signature", info_text(res, "hv.signature") == "TCGTCGTCGTCG", str(info_text(res, "hv.signature")))
    record(sc, "fadt_pm_port", metric(res, "acpi.fadt.pm_tmr_port") == 0x608, str(metric(res, "acpi.fadt.pm_tmr_port")))
    record(sc, "hpet_base", metric(res, "acpi.hpet.base") == 0xfed00000, str(metric(res, "acpi.hpet.base")))
    record(sc, "cpu_count", metric(res, "acpi.madt.cpus") == 2, str(metric(res, "acpi.madt.cpus")))
    record(sc, "hpet_period", metric(res, "hpet.period_fs") == 10000000, str(metric(res, "hpet.period_fs")))
    record(sc, "hpet_driver_base", metric(res, "hpet.base") == 0xfed00000, str(metric(res, "hpet.base")))
    record(sc, "pmtimer", metric(res, "pmtimer.port") == 0x608 and metric(res, "pmtimer.bits") == 24,
           "%s/%s" % (metric(res, "pmtimer.port"), metric(res, "pmtimer.bits")))
    for src in ("kvmclock", "hyperv"):
        reason = info_text(res, src + ".absent_reason") or ""
        record(sc, src + "_absent", metric(res, src + ".present") == 0 and len(reason) > 10, reason)
    for src in ("tsc", "hpet", "pmtimer", "pit", "rtc", "apic"):
        record(sc, src + "_present", metric(res, src + ".present") == 1, str(metric(res, src + ".present")))
    # rtc.unix_s against the host stamp of its own line. QEMU starts the RTC at whole seconds
    # and OVMF's century write re-truncates it with a stale phase: (-3, +1) s plus delay.
    e = metric_entry(res, "rtc.unix_s")
    if record(sc, "rtc_host", e is not None and abs(e["value"] - e["t"]) < RTC_HOST_MAX_S,
              "rtc.unix_s %s vs host %s" % (e and e["value"], e and e["t"])):
        print("  info: rtc.unix_s - host stamp = %.3f s" % (e["value"] - e["t"]))
    # Ground truth 2: guest TSC rate = host TSC rate (TCG passes the host TSC through).
    g = metric(res, "tsc.freq_hz")
    if record(sc, "tsc_vs_host", g is not None and abs(ppm(g, host_hz)) <= TSC_HOST_MAX_PPM,
              "guest %s Hz, host %.0f Hz" % (g, host_hz)):
        print("  info: guest tsc.freq_hz %.3f, host %.3f: %+.2f ppm" % (g, host_hz, ppm(g, host_hz)))
    # Read costs: TSC cheapest; port/MMIO sources cost exits.
    costs = {s: metric(res, s + ".read_cost_cycles") for s in ("tsc", "hpet", "pmtimer", "pit", "apic")}
    record(sc, "read_cost_order", all(costs[s] is not None and costs[s] > costs["tsc"] for s in ("hpet", "pmtimer", "pit")),
           str(costs))
    print("  info: read cost cycles %s" % costs)
    # The RTC too: its edges skipped one after another once left it unmeasured (13.6 s in the guest).
    for src in ("hpet", "pmtimer", "pit", "rtc"):
        record(sc, src + "_ppm_reported", metric(res, src + ".ppm") is not None,
               "%s; %s.edges_spoiled %s" % (src, src, metric(res, src + ".edges_spoiled")))
    record(sc, "pairs", metric(res, "pair.hpet.pmtimer.ppm") is not None, "")
    # Residual jitter of the fits: a counter read without extra noise shows its quantisation,
    # tick / sqrt(12): the PIT's 838 ns tick gives 242 ns; bracket noise only adds to it.
    jit = {s: metric(res, s + ".rate_jitter_ns") for s in ("hpet", "pmtimer", "pit", "apic")}
    record(sc, "jitter_reported", all(v is not None for v in jit.values()) and jit["pit"] >= 200, str(jit))
    # GetTime() and the CMOS RTC are one clock under OVMF: the offset interval (GetTime's 1 s
    # resolution included) must contain zero, and the check must pass.
    off, bound = metric(res, "wall.efi.rtc.offset_ms"), metric(res, "wall.efi.rtc.bound_ms")
    c = check_result(res, "wall.efi.rtc")
    record(sc, "wall_efi_rtc", c is not None and c["result"] == "pass" and off is not None and bound is not None
           and abs(off) <= bound and 400 <= bound <= 600, "%s; offset %s +- %s ms" % (c, off, bound))
    fault_recovery_ok(sc, res)
    smp_ok(sc, res, 2)
    record(sc, "summary_table", any("source" in d["text"] and "verdict" in d["text"] for d in res.get("log", {}).get("diagnostics", [])), "")


def sc_pc():
    sc = "pc"
    rc, res, _, _, _ = boot(["--machine", "pc", "--smp", "1"])
    common(sc, rc, res)
    record(sc, "fadt_pm_port", metric(res, "acpi.fadt.pm_tmr_port") == 0xb008, str(metric(res, "acpi.fadt.pm_tmr_port")))
    record(sc, "pmtimer_port", metric(res, "pmtimer.port") == 0xb008, str(metric(res, "pmtimer.port")))
    record(sc, "cpu_count", metric(res, "acpi.madt.cpus") == 1, str(metric(res, "acpi.madt.cpus")))
    c = check_result(res, "smp.start")
    record(sc, "smp_skip_one_cpu", c is not None and c["result"] == "skip" and "one enabled CPU" in (c.get("message") or ""),
           str(c))


def sc_no_hpet():
    sc = "no_hpet"
    rc, res, _, _, _ = boot(["--no-hpet", "--smp", "4"])
    common(sc, rc, res)
    record(sc, "acpi_hpet_absent", metric(res, "acpi.hpet.present") == 0, str(metric(res, "acpi.hpet.present")))
    record(sc, "hpet_absent", metric(res, "hpet.present") == 0, info_text(res, "hpet.absent_reason") or "")
    c = check_result(res, "acpi.hpet")
    record(sc, "acpi_hpet_skip", c is not None and c["result"] == "skip", str(c))
    record(sc, "cpu_count", metric(res, "acpi.madt.cpus") == 4, str(metric(res, "acpi.madt.cpus")))
    record(sc, "tsc_from_pmtimer", info_text(res, "tsc.freq.reference") == "pmtimer", str(info_text(res, "tsc.freq.reference")))
    smp_ok(sc, res, 4)


def sc_bad_acpi():
    sc = "bad_acpi"
    with tempfile.TemporaryDirectory() as d:
        table = os.path.join(d, "bad-hpet.bin")
        subprocess.run([sys.executable, os.path.join(HERE, "make_bad_acpi.py"), table], check=True)
        rc, res, _, _, _ = boot(["--", "-acpitable", "file=" + table])
    common(sc, rc, res, want_rc=1)
    c = check_result(res, "acpi.tables.checksums")
    record(sc, "reported_untrusted", c is not None and c["result"] == "fail" and "HPET" in (c.get("message") or ""), str(c))
    record(sc, "untrusted_count", (metric(res, "acpi.tables_untrusted") or 0) >= 1, str(metric(res, "acpi.tables_untrusted")))


def smp_ok(sc, res, cpus):
    """Every MADT CPU started in long mode and the TSC checks passed: TCG's vCPUs read the one
    host TSC, so any warp or proven offset is a bug in the test. Within its time budget."""
    c = check_result(res, "smp.start")
    record(sc, "smp_start", c is not None and c["result"] == "pass", str(c))
    record(sc, "smp_all_started", metric(res, "smp.cpus_started") == cpus == metric(res, "acpi.madt.cpus"),
           "started %s of %s (MADT %s)" % (metric(res, "smp.cpus_started"), cpus, metric(res, "acpi.madt.cpus")))
    record(sc, "smp_long_mode", all(metric(res, "smp.cpu%d.long_mode" % i) == 1 for i in range(cpus)),
           str([metric(res, "smp.cpu%d.long_mode" % i) for i in range(cpus)]))
    ids = [metric(res, "smp.cpu%d.apic_id" % i) for i in range(cpus)]
    record(sc, "smp_apic_ids", sorted(ids) == list(range(cpus)), str(ids))
    for name in ("tsc.sync", "tsc.sync.offset"):
        c = check_result(res, name)
        record(sc, name.replace(".", "_"), c is not None and c["result"] == "pass", str(c))
    record(sc, "tsc_sync_cpus", metric(res, "tsc.sync.cpus") == cpus, str(metric(res, "tsc.sync.cpus")))
    record(sc, "tsc_sync_no_warps", metric(res, "tsc.sync.warps") == 0, str(metric(res, "tsc.sync.max_warp_cycles")))
    ms = metric(res, "tsc.sync.elapsed_ms")
    record(sc, "tsc_sync_time", ms is not None and ms <= SMP_MAX_MS_PER_AP * (cpus - 1),
           "%s ms (limit %d)" % (ms, SMP_MAX_MS_PER_AP * (cpus - 1)))
    for i in range(1, cpus):
        print("  info: cpu%d handoffs %s, offset %s cycles, rtt %s cycles, rounds %s" % (
            i, metric(res, "tsc.sync.cpu%d.handoffs" % i), metric(res, "tsc.sync.cpu%d.offset_cycles" % i),
            metric(res, "tsc.sync.cpu%d.rtt_cycles" % i), metric(res, "tsc.sync.cpu%d.rounds" % i)))
    print("  info: tsc.sync elapsed %s ms" % ms)


def sc_smp_stuck():
    # stuck=smp.ap: the boot CPU never sees the AP arrive. The start-up wait must end, the AP
    # be stopped with INIT and reported with the trampoline stage it reached, and the run go on.
    sc = "smp_stuck"
    rc, res, _, _, _ = boot(["--smp", "2", "--args", "stuck=smp.ap"])
    common(sc, rc, res, want_rc=1)
    c = check_result(res, "smp.start")
    record(sc, "smp_start_fails", c is not None and c["result"] == "fail" and "stuck= test hook" in (c.get("message") or ""),
           str(c))
    failed = info_text(res, "smp.failed") or ""
    record(sc, "failed_names_cpu", "cpu1 (APIC 1)" in failed and "reached" in failed, failed)
    record(sc, "started_only_bsp", metric(res, "smp.cpus_started") == 1, str(metric(res, "smp.cpus_started")))
    c = check_result(res, "tsc.sync")
    record(sc, "tsc_sync_skips", c is not None and c["result"] == "skip", str(c))
    failed = [x["name"] for x in res.get("log", {}).get("checks", []) if x["result"] == "fail"]
    record(sc, "only_smp_fails", failed == ["smp.start"], str(failed))


def fault_recovery_ok(sc, res):
    """cpu.fault_recovery passed, and its #GP case reported vector 13."""
    c = check_result(res, "cpu.fault_recovery")
    record(sc, "fault_recovery", c is not None and c["result"] == "pass", str(c))
    v = metric(res, "cpu.fault_recovery.gp.vector")
    record(sc, "fault_recovery_gp_vector", v == 13, str(v))


def sc_bad_hpet_base():
    # A trusted ACPI HPET table whose base is non-canonical, and no HPET of QEMU's own: the
    # first register read raises #GP, which must make the HPET absent with the reason instead
    # of crashing the run. QEMU 7.2 passes the 64-bit base through unchanged.
    sc = "bad_hpet_base"
    with tempfile.TemporaryDirectory() as d:
        table = os.path.join(d, "hpet-noncanonical.bin")
        subprocess.run([sys.executable, os.path.join(HERE, "make_bad_acpi.py"), "--kind", "hpet-noncanonical", table],
                       check=True, stdout=subprocess.DEVNULL)
        rc, res, _, _, _ = boot(["--no-hpet", "--", "-acpitable", "file=" + table])
    common(sc, rc, res)
    record(sc, "status_not_crash", res.get("log", {}).get("status") == "pass", str(res.get("log", {}).get("status")))
    record(sc, "acpi_base_passed_through", metric(res, "acpi.hpet.base") == 0x80000000fed00000, str(metric(res, "acpi.hpet.base")))
    reason = info_text(res, "hpet.absent_reason") or ""
    record(sc, "hpet_absent_faulted", metric(res, "hpet.present") == 0 and "faulted (#GP" in reason
           and "0x80000000fed00000" in reason, reason)
    record(sc, "hpet_fault_vector", metric(res, "hpet.probe_fault_vector") == 13, str(metric(res, "hpet.probe_fault_vector")))
    fault_recovery_ok(sc, res)


def sc_crash():
    sc = "crash"
    rc, res, _, _, _ = boot(["--args", "crash=pf"])
    log = res.get("log", {})
    record(sc, "exit_status", rc == 2, "tools/run exit %s, want 2" % rc)
    record(sc, "bail_out", bool(log.get("bail_out")) and "#PF" in log.get("bail_out", ""), str(log.get("bail_out")))
    diags = " ".join(d["text"] for d in log.get("diagnostics", []))
    record(sc, "register_dump", "rip=" in diags and "cr2=0x00007ffffffff000" in diags and "rax=" in diags, diags[:200])
    record(sc, "status_crash", log.get("status") == "crash", str(log.get("status")))


def sc_stuck_pit():
    # stuck=pit.out: the PIT's OUT2 bit "never rises" (the Hyper-V Gen1 behaviour); the
    # bounded wait must end and the failure must name the PIT.
    sc = "stuck_pit"
    rc, res, wall, _, _ = boot(["--args", "stuck=pit.out"])
    log = res.get("log", {})
    record(sc, "completes", log.get("ended") and rc in (0, 1), "rc %s ended %s" % (rc, log.get("ended")))
    failed = [c for c in log.get("checks", []) if c["result"] == "fail"]
    named = [c for c in failed if c["name"] == "pit.out2" and "pit" in (c.get("message") or "").lower()]
    record(sc, "failure_names_pit", rc == 1 and len(named) == 1, str(failed)[:300])
    # stuck=pit: the counter itself never moves: the PIT is reported absent with the reason.
    rc, res, wall, _, _ = boot(["--args", "stuck=pit"])
    log = res.get("log", {})
    record(sc, "completes_counter", log.get("ended") and rc in (0, 1), "rc %s" % rc)
    reason = info_text(res, "pit.absent_reason") or ""
    record(sc, "pit_absent_named", metric(res, "pit.present") == 0 and "pit" in reason, reason)


def sc_rtc_2100():
    # QEMU 7.2 turns -rtc base=2099-12-31T23:59:58 into 2063-11-25 (its offset overflows), so
    # the guest writes 2099-12-31T23:59:58 into the CMOS registers itself (rtc_set_unix).
    sc = "rtc_2100"
    rc, res, _, _, _ = boot(["--args", "rtc_set_unix=4102444799"])
    # The RTC now disagrees with the GetTime() reading taken before the hook: by ~73 years.
    common(sc, rc, res, want_rc=1)
    c = check_result(res, "wall.efi.rtc")
    off = metric(res, "wall.efi.rtc.offset_ms")
    want = (time.time() - 4102444800) * 1000
    record(sc, "wall_efi_rtc_fails", c is not None and c["result"] == "fail" and off is not None
           and abs(off - want) < 60000, "%s; offset %s ms, want about %.0f" % (c, off, want))
    before, after = info_text(res, "rtc.time_before_edge") or "", info_text(res, "rtc.time") or ""
    record(sc, "decoded_before", before == "2099-12-31T23:59:59", before)
    record(sc, "crossed_into_2100", after == "2100-01-01T00:00:00", "before %s after %s" % (before, after))
    # 2100-01-01T00:00:00Z = 4102444800; 2100 is not a leap year: the edges go on counting
    record(sc, "unix_s", metric(res, "rtc.unix_s") == 4102444800, str(metric(res, "rtc.unix_s")))
    # The discovery edge (rtc.unix_s) is the rate window's first; the window times at least one more.
    e = metric_entry(res, "rtc.edge_ticks") or {}
    edges = [metric(res, "rtc.unix_s")] + [s["value"] for s in e.get("samples", [e] if "value" in e else [])]
    record(sc, "edges_after", len(edges) >= 2 and all(b - a >= 1 for a, b in zip(edges, edges[1:])) and edges[1] > 4102444800,
           str(edges))


def sc_rtc_edge_race():
    # rtc_edge_race=1: a second edge passes between the RTC's first read and its edge wait, as
    # when a lab host served the read's last port accesses slowly (a CI run failed so with "stepped
    # by 2 s"). The wait starts from the read's own seconds value: the step must still be 1 s.
    sc = "rtc_edge_race"
    rc, res, _, _, _ = boot(["--args", "rtc_edge_race=1"])
    common(sc, rc, res)
    diags = " ".join(d["text"] for d in res.get("log", {}).get("diagnostics", []))
    record(sc, "hook_ran", "test hook rtc_edge_race: an edge passed" in diags, "")
    c = check_result(res, "rtc.second_edge")
    record(sc, "second_edge_passes", c is not None and c["result"] == "pass", str(c))
    before, after = info_text(res, "rtc.time_before_edge") or "", info_text(res, "rtc.time") or ""
    try:
        step = (datetime.datetime.fromisoformat(after) - datetime.datetime.fromisoformat(before)).total_seconds()
    except ValueError:
        step = None
    record(sc, "one_second_step", step == 1, "before %s after %s" % (before, after))
    c = check_result(res, "rtc.rate")
    record(sc, "rate_measured", c is not None and c["result"] == "pass", str(c))


# Test hook rtc_edge_stall_cycles: the RTC read that sees a second edge waits before its latch,
# as a read at the edge waits for QEMU's lock under multi-threaded TCG (38-44 us in about one
# run in eight on a quiet host). At the old fixed limit (10 ppm of the period) every such edge
# was skipped: a 13.6 s guest run and no RTC rate.
RTC_EDGE_STALL_US = 40        # with tol_unc_ppm=200: usable even with a natural stall (38-70 us) on top
RTC_EDGE_PREEMPT_US = 2000    # a preemption (milliseconds): never usable


def sc_rtc_edge_stall():
    sc = "rtc_edge_stall"
    hz = host_tsc_hz()  # plain TCG: the guest's TSC runs at the host's rate
    # A stall within the run's tol_unc_ppm: the edge is used, its width in the uncertainty.
    rc, res, _, _, _ = boot(["--args", "rtc_edge_stall_cycles=%d tol_unc_ppm=200" % int(hz * RTC_EDGE_STALL_US / 1e6)])
    common(sc, rc, res)
    c = check_result(res, "rtc.rate")
    record(sc, "rate_measured", c is not None and c["result"] == "pass", str(c))
    # Two edges, the later one stalled: its bracket (40 us and more) over the span, one period
    # plus one per edge skipped between them (a preemption, milliseconds, may still skip one).
    unc, n, spoiled = metric(res, "rtc.rate_unc_ppm"), metric(res, "rtc.rate_samples"), metric(res, "rtc.edges_spoiled") or 0
    record(sc, "stall_in_uncertainty", unc is not None and n == 2 and unc >= RTC_EDGE_STALL_US * 0.95 / (1 + spoiled),
           "rtc.rate_unc_ppm %s from %s edges, %s skipped" % (unc, n, spoiled))
    print("  info: %d us stall at the edge: rtc.rate_unc_ppm %s, rtc.ppm %s, %s edges skipped (widest %s cycles), run.guest_ms %s"
          % (RTC_EDGE_STALL_US, unc, metric(res, "rtc.ppm"), spoiled, metric(res, "rtc.edge_spoiled_max_cycles"),
             metric(res, "run.guest_ms")))
    # A preemption-sized stall at every edge: each is skipped, and the rate is said unmeasured.
    cyc = int(hz * RTC_EDGE_PREEMPT_US / 1e6)
    rc, res, _, _, _ = boot(["--args", "rtc_edge_stall_cycles=%d" % cyc])
    common(sc + "_preempt", rc, res)
    c = check_result(res, "rtc.rate") or {}
    record(sc, "preempt_rate_unmeasured", c.get("result") == "skip" and "preempted" in (c.get("message") or ""), str(c))
    widest = metric(res, "rtc.edge_spoiled_max_cycles")
    record(sc, "preempt_edges_skipped", (metric(res, "rtc.edges_spoiled") or 0) >= 1 and widest is not None
           and widest >= cyc, "rtc.edges_spoiled %s, widest %s cycles (stall %d)"
           % (metric(res, "rtc.edges_spoiled"), widest, cyc))


def sc_rtc_shifted():
    # The RTC moved an hour ahead of UTC after GetTime() read it (the guest writes it with
    # rtc_set_unix, ~4-5 s after launch): the wall check must fail and call the ~1 h offset a
    # time zone (one clock keeping local time).
    sc = "rtc_shifted"
    rc, res, _, _, _ = boot(["--args", "rtc_set_unix=%d" % int(time.time() + 3600)])
    common(sc, rc, res, want_rc=1)
    c = check_result(res, "wall.efi.rtc")
    msg = (c or {}).get("message") or ""
    record(sc, "wall_efi_rtc_fails", c is not None and c["result"] == "fail" and "-60 min, a time zone" in msg, str(c))
    failed = [x["name"] for x in res.get("log", {}).get("checks", []) if x["result"] == "fail"]
    record(sc, "only_wall_fails", failed == ["wall.efi.rtc"], str(failed))


# PVH direct boot (build/clockprobe.elf by QEMU -kernel through SeaBIOS's pvh.bin, or qboot on
# microvm). The same sources must get the same verdicts as under UEFI; machines without a
# device must report it absent with the reason and still measure every other source.
SOURCES = ("tsc", "hpet", "pmtimer", "pit", "rtc", "kvmclock", "hyperv", "apic")
# What QEMU 7.2 TCG offers on q35 and pc (the UEFI scenarios above assert it too).
TCG_SOURCE_VERDICTS = {"tsc": (1, "ok"), "hpet": (1, "ok"), "pmtimer": (1, "ok"), "pit": (1, "ok"),
                       "rtc": (1, "ok"), "kvmclock": (0, "skip"), "hyperv": (0, "skip"), "apic": (1, "ok")}


def pvh_boot(args, timeout=180):
    return boot(["--boot", "pvh", "--elf", ELF] + args, timeout)


def source_verdicts(res):
    """{source: (present, verdict)}, the verdict as tools/run's table has it: FAIL if a check
    named <source>.* failed, ok if one passed, else skip."""
    checks = res.get("log", {}).get("checks", [])
    out = {}
    for src in SOURCES:
        mine = [c["result"] for c in checks if c["name"].startswith(src + ".")]
        out[src] = (metric(res, src + ".present"), "FAIL" if "fail" in mine else "ok" if "pass" in mine else "skip")
    return out


def pvh_common(sc, res, cpus=None):
    """Booted through PVH, saying so; nothing UEFI-only printed as if it were known."""
    record(sc, "boot_path", info_text(res, "boot.path") == "pvh", str(info_text(res, "boot.path")))
    record(sc, "image_base", metric(res, "image.base") == 0x100000, str(metric(res, "image.base")))
    c = check_result(res, "efi.gettime")
    record(sc, "gettime_skip", c is not None and c["result"] == "skip" and "no UEFI" in (c.get("message") or ""), str(c))
    log = res.get("log", {})
    efi = sorted(n for n in list(log.get("metrics", {})) + list(log.get("info", {})) if n.startswith("efi."))
    record(sc, "no_efi_facts", not efi, str(efi))
    record(sc, "start_info", metric(res, "pvh.start_info.version") == 1 and (metric(res, "pvh.memmap_entries") or 0) > 0
           and (metric(res, "pvh.memmap_usable_bytes") or 0) > 200 << 20,
           "version %s, %s map entries, %s usable bytes" % (metric(res, "pvh.start_info.version"),
                                                             metric(res, "pvh.memmap_entries"),
                                                             metric(res, "pvh.memmap_usable_bytes")))
    record(sc, "exit_method", "isa-debug-exit" in (info_text(res, "exit.method") or ""), str(info_text(res, "exit.method")))
    fault_recovery_ok(sc, res)
    print("  info: %s sources %s" % (sc, " ".join("%s=%s/%s" % (k, v[0], v[1]) for k, v in source_verdicts(res).items())))
    print("  info: %s exit.method: %s" % (sc, info_text(res, "exit.method")))


def measured(sc, res, srcs):
    """Each source present, its rate measured (freq_hz) and no check of it failed."""
    v = source_verdicts(res)
    for src in srcs:
        record(sc, src + "_measured", v[src][0] == 1 and metric(res, src + ".freq_hz") is not None and v[src][1] != "FAIL",
               "%s: present %s, freq_hz %s, verdict %s" % (src, v[src][0], metric(res, src + ".freq_hz"), v[src][1]))


def absent(sc, res, src, why):
    """src reported absent, with a reason containing why."""
    reason = info_text(res, src + ".absent_reason") or ""
    c = check_result(res, src + ".discover")
    record(sc, src + "_absent", metric(res, src + ".present") == 0 and why in reason and c is not None
           and c["result"] == "skip", "present %s, reason %r (want %r)" % (metric(res, src + ".present"), reason, why))


def sc_pvh_q35():
    # PVH and UEFI boots of the same q35 machine: same source verdicts; the command line is
    # configuration (source "pvh cmdline").
    sc = "pvh_q35"
    rc, res, wall, host_hz, _ = pvh_boot(["--machine", "q35", "--smp", "2", "--", "-append", "window_ms=900"])
    common(sc, rc, res)
    pvh_common(sc, res)
    urc, ures, uwall, _, _ = boot(["--machine", "q35", "--smp", "2"])
    record(sc, "uefi_exit_status", urc == 0, "UEFI boot: tools/run exit %s" % urc)
    pv, uv = source_verdicts(res), source_verdicts(ures)
    record(sc, "verdicts_as_uefi", pv == uv, "pvh %s, uefi %s" % (pv, uv))
    record(sc, "verdicts_known", pv == TCG_SOURCE_VERDICTS, str(pv))
    print("  info: wall time PVH %.1f s, UEFI %.1f s (boot to start marker: PVH %s s, UEFI %s s)"
          % (wall, uwall, res.get("run", {}).get("timing", {}).get("boot_s"),
             ures.get("run", {}).get("timing", {}).get("boot_s")))
    record(sc, "rsdp_from_start_info", info_text(res, "acpi.rsdp.source") == "PVH start_info.rsdp_paddr"
           and metric(res, "acpi.rsdp") == metric(res, "pvh.start_info.rsdp_paddr") != 0, str(info_text(res, "acpi.rsdp.source")))
    cfg = [i["text"] for i in (res.get("log", {}).get("info", {}).get("config", {}).get("list")
                               or [res.get("log", {}).get("info", {}).get("config", {})]) if i]
    record(sc, "cmdline_config", "window_ms=900 (from pvh cmdline)" in cfg and metric(res, "rate.window_ms") == 900,
           "%s; rate.window_ms %s" % (cfg, metric(res, "rate.window_ms")))
    record(sc, "cmdline_nothing_rejected", metric(res, "config.rejected_words") == 0, str(metric(res, "config.rejected_words")))
    record(sc, "hpet_base", metric(res, "hpet.base") == 0xfed00000, str(metric(res, "hpet.base")))
    g = metric(res, "tsc.freq_hz")
    if record(sc, "tsc_vs_host", g is not None and abs(ppm(g, host_hz)) <= TSC_HOST_MAX_PPM,
              "guest %s Hz, host %.0f Hz" % (g, host_hz)):
        print("  info: PVH guest tsc.freq_hz %.3f, host %.3f: %+.2f ppm" % (g, host_hz, ppm(g, host_hz)))
    smp_ok(sc, res, 2)


def sc_pvh_pc():
    # PVH on pc; the RSDP found by the guest's own scan (rsdp=scan: what Firecracker guests
    # need, where start_info.rsdp_paddr is 0) must be the one the loader gave.
    sc = "pvh_pc"
    rc, res, _, _, _ = pvh_boot(["--machine", "pc", "--smp", "1", "--args", "rsdp=scan"])
    common(sc, rc, res)
    pvh_common(sc, res)
    pv = source_verdicts(res)
    record(sc, "verdicts_known", pv == TCG_SOURCE_VERDICTS, str(pv))
    src = info_text(res, "acpi.rsdp.source") or ""
    record(sc, "rsdp_scanned", src.startswith("scan of ") and "rsdp=scan" in src
           and metric(res, "acpi.rsdp") == metric(res, "pvh.start_info.rsdp_paddr") != 0,
           "%s: 0x%x vs start_info 0x%x" % (src, metric(res, "acpi.rsdp") or 0, metric(res, "pvh.start_info.rsdp_paddr") or 0))
    passes(sc, res, ("acpi.rsdp", "acpi.fadt", "acpi.madt"))
    c = check_result(res, "smp.start")
    record(sc, "smp_skip_one_cpu", c is not None and c["result"] == "skip" and "one enabled CPU" in (c.get("message") or ""),
           str(c))


def sc_pvh_no_acpi():
    # -machine acpi=off: no RSDP anywhere. TSC, PIT, RTC and the APIC timer still measured;
    # HPET, PM timer, the MADT's CPUs and ACPI S5 absent, each with the reason.
    sc = "pvh_no_acpi"
    rc, res, _, _, _ = pvh_boot(["--machine", "pc", "--smp", "2", "--", "-machine", "acpi=off"])
    common(sc, rc, res)
    pvh_common(sc, res)
    measured(sc, res, ("tsc", "pit", "rtc", "apic"))
    absent(sc, res, "hpet", "no ACPI")
    absent(sc, res, "pmtimer", "no ACPI")
    c = check_result(res, "acpi.rsdp")
    record(sc, "rsdp_skip", c is not None and c["result"] == "skip" and "no ACPI" in (c.get("message") or ""), str(c))
    c = check_result(res, "smp.start")
    record(sc, "smp_skip_no_madt", c is not None and c["result"] == "skip" and "MADT" in (c.get("message") or ""), str(c))
    record(sc, "no_s5_said", "no ACPI S5: no ACPI" in (info_text(res, "exit.method") or ""), str(info_text(res, "exit.method")))
    record(sc, "tsc_from_pit", info_text(res, "tsc.freq.reference") == "pit", str(info_text(res, "tsc.freq.reference")))


def sc_pvh_firecracker():
    # Firecracker's device set as far as QEMU goes: microvm with hardware-reduced ACPI (no PM
    # timer), no HPET, no RTC (rtc=off), the PIT, local APICs, and the RSDP found by scanning
    # (rsdp=scan: Firecracker's start_info.rsdp_paddr is 0). Not reproducible under TCG:
    # kvm-clock (KVM only). One difference: microvm has no port 0x61, so OUT2 cannot be read
    # and pit.out2 fails (Firecracker's in-kernel KVM PIT emulates port 0x61).
    sc = "pvh_firecracker"
    rc, res, _, _, _ = pvh_boot(["--machine", "microvm", "--smp", "2", "--args", "rsdp=scan",
                                 "--", "-machine", "acpi=on,rtc=off,pit=on"])
    common(sc, rc, res, want_rc=1)
    pvh_common(sc, res)
    failed = [c["name"] for c in res.get("log", {}).get("checks", []) if c["result"] == "fail"]
    c = check_result(res, "pit.out2")
    record(sc, "only_pit_out2_fails", failed == ["pit.out2"] and "port 0x61 reads 0xff" in (c or {}).get("message", ""),
           "%s: %s" % (failed, c))
    record(sc, "hw_reduced", metric(res, "acpi.fadt.hw_reduced") == 1, str(metric(res, "acpi.fadt.hw_reduced")))
    src = info_text(res, "acpi.rsdp.source") or ""
    record(sc, "rsdp_scanned", src.startswith("scan of 0xE0000-0xFFFFF") and metric(res, "acpi.rsdp") ==
           metric(res, "pvh.start_info.rsdp_paddr"), src)
    measured(sc, res, ("tsc", "apic"))
    record(sc, "pit_measured", metric(res, "pit.present") == 1 and metric(res, "pit.freq_hz") is not None
           and (check_result(res, "pit.rate") or {}).get("result") in ("pass", "skip"), str(check_result(res, "pit.rate")))
    absent(sc, res, "hpet", "no trusted ACPI HPET table")
    absent(sc, res, "pmtimer", "hardware-reduced")
    absent(sc, res, "rtc", "no device")
    record(sc, "tsc_from_pit", info_text(res, "tsc.freq.reference") == "pit", str(info_text(res, "tsc.freq.reference")))
    record(sc, "s5_sleep_control", "ACPI S5 (SLEEP_CONTROL_REG" in (info_text(res, "exit.method") or ""),
           str(info_text(res, "exit.method")))
    smp_ok(sc, res, 2)


def sc_pvh_cloud_hypervisor():
    # Cloud Hypervisor's clock devices as far as QEMU goes: no HPET, no PIT (pit=off), the
    # CMOS RTC, a PM timer, local APICs. Not reproducible here: its hardware-reduced FADT with a
    # 32-bit PM timer (QEMU's q35 FADT is a full one, 24-bit; the decoding of Cloud
    # Hypervisor's is unit-tested), its CPUID 0x40000010 TSC frequency and kvm-clock (KVM only).
    sc = "pvh_cloud_hypervisor"
    rc, res, _, _, _ = pvh_boot(["--machine", "q35", "--no-hpet", "--smp", "2", "--", "-machine", "pit=off"])
    common(sc, rc, res)
    pvh_common(sc, res)
    measured(sc, res, ("tsc", "pmtimer", "rtc", "apic"))
    absent(sc, res, "hpet", "no trusted ACPI HPET table")
    absent(sc, res, "pit", "nothing answers at the PIT's ports")
    record(sc, "tsc_from_pmtimer", info_text(res, "tsc.freq.reference") == "pmtimer", str(info_text(res, "tsc.freq.reference")))
    smp_ok(sc, res, 2)


# KVM scenarios: on KVM itself where a guest ran on it (tools/run --probe-kvm), else in the
# nested KVM lab (tools/run --lab: real Linux KVM under QEMU TCG). Checks the host never
# promised are host findings (TAP TODO, lib/report.h check_host): they never fail a run, and
# a promise kept or broken is asserted either way.
KVM_HOST_MIN_READ_NS = 1000   # a device emulated in the VMM's user space costs a VM exit and a
                              # return to user space: microseconds on any hardware, 340 ns for
                              # the HPET under TCG (no exit at all)
KVMCLOCK_HPET_MAX_PPM = 5.0   # issue 8's acceptance: kvm-clock within 5 ppm of the HPET
LAB_TIMEOUT_S = 900           # the first lab run prepares it (~7 min here), then ~90 s a run
# KVM 6.1 re-bases kvm-clock on the host's raw monotonic clock at every master clock update
# (KVM_REQ_MASTERCLOCK_UPDATE: the guest enabling the Hyper-V TSC page makes one). Between
# updates kvm-clock runs on the guest TSC at a pvclock scale, the host's clock on its TSC
# clocksource's mult/shift: two fixed-point roundings of the same tsc_khz, under 0.1 ppm apart.
# So an update steps kvm-clock by that drift times the time since the previous update, forward
# or back, the sign set by each L1 boot (CI and the lab saw -1647 ns after a ~60 s OVMF boot).
# A step back under the stable bit is a real defect of that KVM, and the guest rightly fails
# kvmclock.updates; the scenario accepts that failure, and only that, when the step is within
# KVM_REBASE_DRIFT_PPM of the run's length: ten times the roundings' difference.
KVM_REBASE_DRIFT_PPM = 1.0


def kvm_args(extra):
    """tools/run arguments for a KVM scenario: --accel kvm, or --lab when KVM is not usable."""
    return (["--accel", "kvm"] if KVM_OK else ["--lab"]) + extra


# A lab run whose guest never started (L2 printed no line) is run again: the nested emulation
# lost L2 before its firmware ran. Seen as a hang to the runner's timeout (QMP once showed L2
# "registers" at an L1 kernel address, RIP ffffffffc059320c, CR3 above L2's 256 MB) and once as
# L2's QEMU ending with status 0 and no output; 5 of ~80 lab runs in one session, on an idle
# host too. No guest code ran, so there is no result to judge; a third such run in a row fails.
LAB_NEVER_STARTED_RETRIES = 2


def kvm_boot(sc, extra):
    """(result, None) or (None, why not exercised). Lab or KVM, whichever is real here."""
    global LAB_WHY
    if not KVM_OK and LAB_WHY:
        return None, LAB_WHY
    for attempt in range(LAB_NEVER_STARTED_RETRIES + 1):
        rc, res, _, _, out = boot(kvm_args(extra), timeout=LAB_TIMEOUT_S)
        run = res.get("run") or {}
        lab = run.get("lab")
        if not (lab and lab.get("failure_kind") != "setup" and not res.get("log", {}).get("started")) \
                or attempt == LAB_NEVER_STARTED_RETRIES:
            break
        rip = re.search(r"RIP=([0-9a-f]+)", lab.get("l2_registers") or "")
        print("  info: %s: lab run lost before the guest printed a line (%s after %s s, L2 exit status %s; "
              "L2's RIP %s); the lab runs it again" % (sc, "timed out" if run.get("timed_out") else "ended",
                                                       (run.get("timing") or {}).get("wall_s"),
                                                       lab.get("l2_exit_status"), rip.group(1) if rip else "unknown"),
              flush=True)
    if rc == 3 and not KVM_OK and (not lab or (lab.get("failure_kind") == "setup")):
        why = [l for l in out.splitlines() if "set-up error" in l or "could not run" in l.lower()]
        LAB_WHY = "the KVM lab cannot run here: %s" % (why[-1] if why else (lab or {}).get("failure"))
        return None, LAB_WHY
    log = res.get("log", {})
    excused = excused_failures(res)
    failed = [c["name"] for c in log.get("checks", []) if c["result"] == "fail"]
    if lab and rc == 2 and (res.get("run") or {}).get("killed_after_end") and log.get("ended") and log.get("summary"):
        # The guest ended its log, but L2 did not exit and its monitor (across L1's serial port)
        # was silent: L1 itself stalled, 2 of ~40 lab runs here, once on an idle host and once
        # past a 60 s grace (so not slowness). Every other lab run exercises the exit path;
        # the verdict is the log's.
        print("  info: %s: lab hang after the end marker (L2 killed, its monitor silent); L1's console ends: %s"
              % (sc, " | ".join(lab.get("l1_console_tail", [])[-4:])))
        rc = 1 if failed else 0
    for name, why in sorted(excused.items()):
        print("  info: %s: not judged: %s" % (sc, why))
    record(sc, "exit_status", rc == 0 or (rc == 1 and failed and all(f in excused for f in failed)),
           "tools/run exit %s: %s" % (rc, (res.get("verdict") or {}).get("reason")))
    record(sc, "markers", log.get("started") and log.get("ended"), "start/end marker missing")
    record(sc, "log_errors", not log.get("errors"), "; ".join(log.get("errors", [])[:3]))
    where = "the nested lab (L1 %s)" % lab["kernel"] if lab else "KVM"
    print("  info: %s ran on %s; %s" % (sc, where, "; ".join((lab or {}).get("l1_facts", []))))
    for c in log.get("checks", []):
        if c["result"] in ("host", "fail"):
            print("  info: %s %s: %s: %s" % (sc, "host finding" if c["result"] == "host" else "FAILED check",
                                             c["name"], c["message"]))
    return res, None


def kvm_rebase_step(res):
    """Why kvmclock.updates failing is KVM 6.1's master clock re-base stepping kvm-clock back
    (see KVM_REBASE_DRIFT_PPM), or None when it is not that."""
    # The step the check judged, from its message: the kvmclock.update_jump_* metrics are
    # printed at the run's end and count every update until then (after drift mode with a
    # migration: -29.7 ms, the TSC's run during the stop).
    c = check_result(res, "kvmclock.updates") or {}
    m = re.search(r"largest (-?\d+) ns", c.get("message") or "")
    step = int(m.group(1)) if m else None
    wall_s = ((res.get("run") or {}).get("timing") or {}).get("wall_s")
    if c.get("result") != "fail" or \
            metric(res, "kvmclock.flag_tsc_stable") != 1 or step is None or not wall_s or step >= 0:
        return None
    bound_ns = KVM_REBASE_DRIFT_PPM * 1e-6 * wall_s * 1e9
    if -step > bound_ns:
        return None
    return ("kvmclock.updates failed on a real KVM defect: a master clock update stepped kvm-clock back %d ns "
            "under the stable bit (within %.0f ns, %.1f ppm of the %.0f s run: the re-base drift of KVM 6.1)"
            % (step, bound_ns, KVM_REBASE_DRIFT_PPM, wall_s))


# Checks whose verdict rests on how long a read takes. In the lab a read that exits to L1's
# KVM costs what nested emulation under TCG costs (HPET ~340 us), not what KVM costs, so the
# lab cannot judge them; they are printed with their message instead.
LAB_TIMING_CHECKS = ("watchdog.tsc.vs.",)


def excused_failures(res):
    """{check: why} for the failed checks a KVM scenario reports instead of failing on; the
    run passes when every failed check is in it."""
    out = {}
    rebase = kvm_rebase_step(res)
    if rebase:
        out["kvmclock.updates"] = rebase
    if (res.get("run") or {}).get("lab"):
        for c in res.get("log", {}).get("checks", []):
            if c["result"] == "fail" and c["name"].startswith(LAB_TIMING_CHECKS):
                out[c["name"]] = "read timing in the nested lab is TCG's, not KVM's: %s" % c.get("message")
    return out


def passes(sc, res, names, allow=("pass",)):
    for name in names:
        c = check_result(res, name)
        record(sc, name.replace(".", "_"), c is not None and c["result"] in allow, str(c))


def common_kvm(sc, res):
    record(sc, "hv_name", info_text(res, "hv.name") == "kvm", "%s / %s" % (info_text(res, "hv.name"),
                                                                         info_text(res, "hv.signature")))
    # An unknown MSR must fault under KVM: the #GP recovery path runs for real.
    passes(sc, res, ("msr.fault_recovery",))
    for src in ("hpet", "pmtimer"):
        ns = metric(res, src + ".read_cost_ns")
        record(sc, src + "_read_exits", ns is not None and ns >= KVM_HOST_MIN_READ_NS,
               "%s.read_cost_ns %s (a VM exit to the VMM costs >= %d ns)" % (src, ns, KVM_HOST_MIN_READ_NS))


def sc_kvm():
    # kvm-clock on a host with a master clock (the lab's L1 on its TSC): everything promised.
    sc = "kvm"
    # The default configuration: in the lab every HPET read takes 0.4-0.7 ms, so the guest
    # doubles its rate window until the HPET's rate is known to 1 ppm (time/compare.c; a 1 s
    # window left kvm-clock -15.4 ppm +- 8 from the HPET, 5 s gave +0.16 +- 0.6).
    args = ["--smp", "2"]
    res, why = kvm_boot(sc, args + (["--lab-host-clock", "tsc"] if not KVM_OK else []))
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s" % (KVM_WHY, why))
    common_kvm(sc, res)
    record(sc, "kvmclock_present", metric(res, "kvmclock.present") == 1, info_text(res, "kvmclock.absent_reason") or "")
    passes(sc, res, ("kvmclock.rate", "tsc.hint.kvmclock", "pair.hpet.kvmclock", "pair.pmtimer.kvmclock",
                     "wall.efi.kvmclock", "wall.rtc.kvmclock", "smp.start"))
    p = metric(res, "pair.hpet.kvmclock.ppm")
    record(sc, "kvmclock_vs_hpet_5ppm", p is not None and abs(p) <= KVMCLOCK_HPET_MAX_PPM, "pair.hpet.kvmclock.ppm %s" % p)
    stable = metric(res, "kvmclock.stable_bit_honoured") == 1
    print("  info: %s stable bit %s; kvmclock.scale_ppm %s, tsc.hint_ppm.kvmclock %s, pair.hpet.kvmclock.ppm %s, "
          "wall.rtc.kvmclock.offset_ms %s, kvmclock.update_jumps %s, hpet.read_cost_ns %s, pmtimer.read_cost_ns %s, "
          "rate.window_ms %s" % (sc, "set" if stable else "NOT set", metric(res, "kvmclock.scale_ppm"),
             metric(res, "tsc.hint_ppm.kvmclock"), p, metric(res, "wall.rtc.kvmclock.offset_ms"),
             metric(res, "kvmclock.update_jumps"), metric(res, "hpet.read_cost_ns"), metric(res, "pmtimer.read_cost_ns"),
             metric(res, "rate.window_ms")))
    KVM_UEFI_BOOT_S.append(((res.get("run") or {}).get("timing") or {}).get("boot_s"))
    if not KVM_OK:  # the lab's L1 runs on its TSC: KVM has a master clock and must say so
        record(sc, "stable_bit", stable, "kvmclock.stable_bit_honoured %s" % metric(res, "kvmclock.stable_bit_honoured"))
    if stable:
        # With a master clock kvm-clock keeps to its scale and is monotonic between updates; an
        # update (a vCPU's first MSR write, say) may re-base it (KVM_REBASE_DRIFT_PPM): forward
        # is a host finding, back the known KVM 6.1 defect, within the drift's bound.
        passes(sc, res, ("kvmclock.monotonic", "kvmclock.sync"))
        passes(sc, res, ("kvmclock.scale",), allow=("pass", "skip"))
        passes(sc, res, ("kvmclock.updates",), allow=("pass", "skip", "host") + (("fail",) if kvm_rebase_step(res) else ()))


KVM_UEFI_BOOT_S = []  # sc_kvm's launch-to-start-marker time, for sc_kvm_pvh


def sc_kvm_pvh():
    # The PVH ELF under KVM (in the lab when KVM is not usable here): kvm-clock is there and
    # measured as under UEFI, and without OVMF the launch-to-start-marker time drops by the
    # firmware's share (sc_kvm's UEFI boot of the same configuration).
    sc = "kvm_pvh"
    res, why = kvm_boot(sc, ["--boot", "pvh", "--elf", ELF, "--smp", "2"] +
                        (["--lab-host-clock", "tsc"] if not KVM_OK else []))
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s" % (KVM_WHY, why))
    common_kvm(sc, res)
    pvh_common(sc, res)
    record(sc, "kvmclock_present", metric(res, "kvmclock.present") == 1, info_text(res, "kvmclock.absent_reason") or "")
    passes(sc, res, ("kvmclock.rate", "tsc.hint.kvmclock", "pair.hpet.kvmclock", "wall.rtc.kvmclock", "smp.start"))
    boot_s, uefi_s = ((res.get("run") or {}).get("timing") or {}).get("boot_s"), (KVM_UEFI_BOOT_S or [None])[-1]
    print("  info: %s launch to start marker: PVH %s s, UEFI %s s (%s)" % (sc, boot_s, uefi_s,
          "nested lab: emulation timings, not KVM's" if (res.get("run") or {}).get("lab") else "KVM"))
    if uefi_s is not None:
        record(sc, "faster_than_uefi", boot_s is not None and boot_s < uefi_s, "PVH %s s, UEFI %s s" % (boot_s, uefi_s))


def sc_kvm_no_master():
    # kvm-clock on a host without a master clock (the lab's L1 on its HPET): KVM clears the
    # stable bit; what kvm-clock then does is reported as host findings, never failures.
    sc = "kvm_no_master"
    if KVM_OK:
        return record_skip(sc, "KVM is usable here: the host's clocksource is not ours to choose "
                               "(the lab runs this with --lab-host-clock hpet)")
    res, why = kvm_boot(sc, ["--smp", "2", "--lab-host-clock", "hpet"])
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s" % (KVM_WHY, why))
    common_kvm(sc, res)
    record(sc, "stable_bit_clear", metric(res, "kvmclock.flag_tsc_stable") == 0,
           "kvmclock.flag_tsc_stable %s" % metric(res, "kvmclock.flag_tsc_stable"))
    passes(sc, res, ("kvmclock.rate", "pair.hpet.kvmclock"))
    passes(sc, res, ("kvmclock.monotonic", "kvmclock.scale", "kvmclock.updates", "kvmclock.sync", "tsc.sync"),
           allow=("pass", "skip", "host"))
    print("  info: %s kvmclock.version_changes %s, update_jumps %s (max %s ns), kvmclock.sync.warps %s, "
          "tsc.sync.warps %s (max %s ns)" % (sc, metric(res, "kvmclock.version_changes"),
                                             metric(res, "kvmclock.update_jumps"),
                                             metric(res, "kvmclock.update_jump_max_ns"),
                                             metric(res, "kvmclock.sync.warps"), metric(res, "tsc.sync.warps"),
                                             metric(res, "tsc.sync.max_warp_ns")))


def sc_kvm_hyperv():
    # KVM with QEMU's Hyper-V time enlightenments on a master-clock host: the reference TSC page.
    sc = "kvm_hyperv"
    res, why = kvm_boot(sc, ["--hyperv"] + ([] if KVM_OK else ["--lab-host-clock", "tsc"]))
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s: the Hyper-V reference time paths were "
                               "not exercised" % (KVM_WHY, why))
    record(sc, "hyperv_present", metric(res, "hyperv.present") == 1, info_text(res, "hyperv.absent_reason") or "")
    passes(sc, res, ("hyperv.rate", "pair.hpet.hyperv"))
    path = info_text(res, "hyperv.path")
    print("  info: %s hyperv.path %s; hyperv.scale_ppm %s, tsc.hint_ppm.hyperv_tsc_page %s, pair.hpet.hyperv.ppm %s"
          % (sc, path, metric(res, "hyperv.scale_ppm"), metric(res, "tsc.hint_ppm.hyperv_tsc_page"),
             metric(res, "pair.hpet.hyperv.ppm")))
    if not KVM_OK:
        record(sc, "tsc_page_path", path == "reference TSC page", "%s (%s)" % (path, info_text(res, "hyperv.tsc_page_unusable")))
    if path == "reference TSC page":
        passes(sc, res, ("hyperv.monotonic", "tsc.hint.hyperv_tsc_page"))
        passes(sc, res, ("hyperv.scale", "hyperv.updates"), allow=("pass", "skip"))


def sc_kvm_hyperv_no_master():
    # The same without a master clock: KVM leaves the TSC page invalid; the guest must fall
    # back to the TIME_REF_COUNT MSR and say why.
    sc = "kvm_hyperv_no_master"
    if KVM_OK:
        return record_skip(sc, "KVM is usable here: the host's clocksource is not ours to choose")
    res, why = kvm_boot(sc, ["--hyperv", "--lab-host-clock", "hpet"])
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s" % (KVM_WHY, why))
    path, page_why = info_text(res, "hyperv.path"), info_text(res, "hyperv.tsc_page_unusable")
    record(sc, "msr_path", path == "TIME_REF_COUNT MSR", str(path))
    record(sc, "says_why", page_why is not None and "TscSequence 0" in page_why, str(page_why))
    passes(sc, res, ("hyperv.rate", "pair.hpet.hyperv"))


def sc_icount():
    sc = "icount"
    rc, res, _, _, _ = boot(["--icount", "3", "--rtc-clock", "vm"], timeout=300)
    common(sc, rc, res)
    record(sc, "tsc_1ghz", metric(res, "tsc.freq_hz") is not None and abs(ppm(metric(res, "tsc.freq_hz"), 1e9)) <= ICOUNT_MAX_PPM,
           str(metric(res, "tsc.freq_hz")))
    for src in ("hpet", "pmtimer", "pit", "rtc"):
        p = metric(res, src + ".ppm")
        record(sc, src + "_within_1ppm", p is not None and abs(p) <= ICOUNT_MAX_PPM, "%s.ppm = %s" % (src, p))
        c = check_result(res, "truth." + src)
        record(sc, "truth_check_" + src, c is not None and c["result"] == "pass", str(c))
        print("  info: icount %s.ppm %s" % (src, p))
    g = metric(res, "run.guest_ms")
    record(sc, "guest_time", g is not None and 0 < g <= ICOUNT_GUEST_MAX_MS,
           "run.guest_ms %s (limit %d ms of virtual time)" % (g, ICOUNT_GUEST_MAX_MS))
    print("  info: icount guest's own run time %s ms (virtual)" % g)


def sc_fake_hint():
    sc = "fake_hint"
    # A hint 2.3% above the TSC rate this very machine has (measured on the host over 0.5 s:
    # the hint is far outside any error of that).
    hint = int(host_tsc_hz(0.5) * (1 + FAKE_HINT_PPM / 1e6))
    rc, res, _, _, _ = boot(["--args", "fake_hint_hz=%d" % hint])
    common(sc, rc, res, want_rc=1)
    c = check_result(res, "tsc.hint.fake")
    p = metric(res, "tsc.hint_ppm.fake")
    record(sc, "hint_fails", c is not None and c["result"] == "fail", str(c))
    record(sc, "ppm_in_message", c is not None and "ppm" in (c.get("message") or "") and p is not None
           and abs(p - FAKE_HINT_PPM) < 100, "%s / %s" % (c and c.get("message"), p))


def sc_drift():
    sc = "drift"
    with tempfile.TemporaryDirectory() as d:
        svg = os.path.join(d, "drift.svg")
        rc, res, _, _, out = boot(["--args", "duration=20", "--drift-svg", svg], timeout=240)
        common(sc, rc, res)
        samples = [x for x in res.get("log", {}).get("diagnostics", []) if x["text"].startswith("sample ")]
        record(sc, "samples", len(samples) >= 20, "%d sample lines" % len(samples))
        drift = res.get("post", {}).get("drift", {})
        record(sc, "drift_table", bool(drift.get("sources")) and "hpet" in drift.get("sources", {}), str(drift)[:300])
        record(sc, "svg", os.path.exists(svg) and open(svg).read().lstrip().startswith("<svg"), svg)
        for s, v in drift.get("sources", {}).items():
            print("  info: drift %s: %s" % (s, v))


def sc_bad_config():
    # Issue 11: bad words are named in a failing `config` check and never blamed on the
    # hardware; everything else is measured with the defaults; a word that carries the start
    # marker's text or non-ASCII bytes cannot forge a protocol line or reach the log raw.
    sc = "bad_config"
    rc, res, _, _, _ = boot(["--args", "smp=no window_ms=0 tol_ppm=18446744073709551615 windw_ms=5",
                             "--args", "note=CLOCKPROBE-START # a comment ends with its --args",
                             "--args", "duration=x\u00e9"])
    common(sc, rc, res, want_rc=1)
    failed = [c["name"] for c in res.get("log", {}).get("checks", []) if c["result"] == "fail"]
    record(sc, "only_config_fails", failed == ["config"], str(failed))
    c = check_result(res, "config") or {}
    msg = c.get("message") or ""
    for word in ("window_ms=0", "tol_ppm=18446744073709551615", "windw_ms=5", "note=CLOCKPROBE-START"):
        record(sc, "names_" + word.split("=")[0], word in msg, msg[:300])
    record(sc, "smp_no_applied", check_result(res, "smp.start") is not None and
           check_result(res, "smp.start")["result"] == "skip", str(check_result(res, "smp.start")))
    record(sc, "default_window", metric(res, "rate.window_ms") == 1000, str(metric(res, "rate.window_ms")))
    record(sc, "rates_measured", all((check_result(res, n) or {}).get("result") == "pass"
                                     for n in ("hpet.rate", "pmtimer.rate", "pair.hpet.pmtimer")), "")
    raw = " ".join(l.get("text", "") for l in res.get("lines", []))
    record(sc, "log_is_7bit", all(32 <= ord(ch) < 127 for ch in raw), "non-ASCII in the guest's lines")


EVENT_ZERO_S = 0.05  # issue 9's acceptance: TSC, HPET and PM timer 0 +- 0.05 s across a TCG pause
EVENT_LEN_S = 0.2    # and the RTC the pause's length +- 0.2 s


def sc_pause():
    # A 3 s pause through QMP in drift mode under TCG: QEMU stops its virtual clock (TSC,
    # HPET, PM timer), the RTC follows host time. The guest must see it on its own.
    sc = "pause"
    rc, res, _, _, _ = boot(["--args", "duration=15", "--event", "pause:3@5"], timeout=240)
    common(sc, rc, res)
    ev = (res.get("post") or {}).get("events") or {}
    inj = (ev.get("injected") or [{}])[0]
    length = inj.get("length_s")
    record(sc, "injected", length is not None and abs(length - 3.0) < 0.5, str(inj)[:300])
    src = inj.get("sources") or {}
    for name in ("tsc", "hpet", "pmtimer"):
        a = (src.get(name) or {}).get("across_s")
        record(sc, name + "_across_0", a is not None and abs(a) <= EVENT_ZERO_S, "%s across %s s" % (name, a))
    a = (src.get("rtc") or {}).get("across_s")
    record(sc, "rtc_across_length", a is not None and length is not None and abs(a - length) <= EVENT_LEN_S,
           "rtc across %s s, pause %s s" % (a, length))
    g = inj.get("guest_event") or {}
    grtc = (g.get("sources") or {}).get("rtc") or {}
    record(sc, "guest_detected", inj.get("detected") is True, str(g)[:300])
    record(sc, "guest_length", grtc.get("class") == "ran_on" and grtc.get("excess_s") is not None and length is not None
           and abs(grtc["excess_s"] - length) <= EVENT_LEN_S, "guest: %s (pause %s s)" % (grtc, length))
    print("  info: pause %s s: across tsc %s hpet %s pmtimer %s rtc %s; guest event %s"
          % (length, *((src.get(k) or {}).get("across_s") for k in ("tsc", "hpet", "pmtimer", "rtc")), g.get("sources")))


def judged_sources(sc, inj, must=("tsc",)):
    """Every source the runner judged against events.EXPECTED matched it; the figures."""
    src = inj.get("sources") or {}
    judged = {k: e for k, e in src.items() if e.get("expected")}
    record(sc, "sources_judged", bool(judged) and all(m in judged for m in must), "not judged: %s of %s"
           % ([m for m in must if m not in judged], src))
    for name, e in sorted(judged.items()):
        record(sc, name + "_as_expected", e.get("ok") is True, "%s: %s" % (name, e))
    record(sc, "no_failures", not inj.get("failures"), "; ".join(inj.get("failures") or [])[:300])
    return src


def sc_stopped_event(sc, spec, extra=()):
    """An event that stops the VM (snapshot, migration) under TCG: the runner measured it,
    every source behaved as events.EXPECTED says, the guest saw it on its own (RTC ran on by
    the event's length), and the figures are printed."""
    rc, res, _, _, _ = boot(["--args", "duration=12", "--event", spec] + list(extra), timeout=300)
    common(sc, rc, res)
    inj = ((((res.get("post") or {}).get("events") or {}).get("injected")) or [{}])[0]
    length = inj.get("length_s")
    record(sc, "injected", length is not None and 0 < length < 30, str(inj)[:300])
    src = judged_sources(sc, inj)
    g = inj.get("guest_event") or {}
    grtc = (g.get("sources") or {}).get("rtc") or {}
    record(sc, "guest_detected", inj.get("detected") is True, str(g)[:300])
    record(sc, "guest_length", grtc.get("class") == "ran_on" and grtc.get("excess_s") is not None and length is not None
           and abs(grtc["excess_s"] - length) <= EVENT_LEN_S, "guest: %s (event %s s)" % (grtc, length))
    steps = {k: inj[k] for k in ("savevm_s", "loadvm_s", "migrate_s", "load_s", "state_bytes", "state_file_bytes",
                                 "qemu_downtime_ms") if inj.get(k) is not None}
    print("  info: %s: stopped %s s (+- %s) %s; across %s; guest event %s" % (
        spec, length, inj.get("timing_unc_s"), steps, {k: v.get("across_s") for k, v in src.items()}, g.get("sources")))
    return res, inj


def sc_snapshot():
    # savevm + loadvm while stopped: the state carries the virtual clock and TCG's TSC offset.
    sc_stopped_event("snapshot", "snapshot@4")


def sc_migrate():
    # stop, migrate to a file, quit; a new QEMU loads it (-incoming) and continues the log.
    sc_stopped_event("migrate", "migrate@4")


def sc_migrate_live():
    # live migration to a second QEMU on this host; the serial log continues from it.
    res, inj = sc_stopped_event("migrate_live", "migrate-live@4")
    record("migrate_live", "qemu_downtime", inj.get("qemu_downtime_ms") is not None,
           "QEMU reported no downtime: %s" % inj)


def reset_scenario(sc, extra):
    """system_reset in drift mode: two boots, each judged; 64-bit counters continued or restarted
    as events.EXPECTED says; the RTC kept to host UTC within the boot path's bound."""
    rc, res, _, _, _ = boot(["--args", "duration=8", "--event", "reset@3"] + extra, timeout=400)
    record(sc, "exit_status", rc == 0, "tools/run exit %s: %s" % (rc, (res.get("verdict") or {}).get("reason")))
    record(sc, "log_errors", not res.get("log", {}).get("errors"), "; ".join(res.get("log", {}).get("errors", [])[:3]))
    later = res.get("later_boots") or []
    record(sc, "two_boots", len(later) == 1 and later[0].get("ended") and res.get("log", {}).get("cut"),
           "boots after the first: %d, first cut: %s" % (len(later), res.get("log", {}).get("cut")))
    record(sc, "second_boot_clean", bool(later) and not later[0].get("errors") and later[0].get("status") == "pass",
           str((later or [{}])[0].get("errors"))[:300])
    inj = ((((res.get("post") or {}).get("events") or {}).get("injected")) or [{}])[0]
    src = judged_sources(sc, inj)
    for name in ("hpet", "rtc"):
        record(sc, name + "_judged", (src.get(name) or {}).get("expected") is not None, "%s: %s" % (name, src.get(name)))
    rtc = src.get("rtc") or {}
    print("  info: %s: RTC - UTC %s ms before, %s ms after (change %s s); tsc across %s s; hpet %s s after the "
          "restart (%s s since the reset); %s firmware reset(s); unknown: %s" % (
              sc, rtc.get("offset_before_ms"), rtc.get("offset_after_ms"), rtc.get("across_s"),
              (src.get("tsc") or {}).get("across_s"), (src.get("hpet") or {}).get("after_s"), inj.get("since_reset_s"),
              inj.get("firmware_resets"), sorted(k for k, v in src.items() if v.get("across_s") is None)))


def sc_reset():
    reset_scenario("reset", [])


def sc_reset_pvh():
    reset_scenario("reset_pvh", ["--boot", "pvh", "--elf", ELF])


# wall_rewrite_s across a pause (issue 9 item 4). The base kvm-clock's wall clock names (host
# wall time at kvm-clock zero) moves by the time QEMU's kvmclock device held kvm-clock between
# its stop and cont handlers; the runner dates the pause by the midpoints of its QMP stop and cont
# round trips (the event's timing_unc_s is half of each), and the handlers run inside them. The
# rest is the handlers' own latency and the host's slew over one interval (below): 20 ms covers
# both (measured in the lab: 2.1 ms off a 3.013 s pause, timing_unc_s 13 ms).
WALL_PAUSE_SLACK_S = 0.02
# Without a pause the base moves only as fast as the host may slew CLOCK_REALTIME against the
# raw clock kvm-clock follows: Linux's adjtimex limit (MAXFREQ) is 500 ppm of the interval; a
# settimeofday step would exceed it (measured in the lab, no NTP in L1: 3.4 ppm at most).
WALL_SLEW_MAX_PPM = 500


def sc_kvm_pause():
    # The same pause under real KVM (the lab when KVM is not usable): reported against the KVM
    # table (the TSC runs on, kvm-clock, HPET and PM timer stop, the RTC runs on); the kvm-clock
    # wall clock, rewritten every 2 s, must show the pause as a change of its base.
    sc = "kvm_pause"
    res, why = kvm_boot(sc, ["--args", "duration=15 wall_rewrite_s=2", "--event", "pause:3@5"])
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s" % (KVM_WHY, why))
    inj = (((res.get("post") or {}).get("events") or {}).get("injected") or [{}])[0]
    record(sc, "guest_detected", inj.get("detected") is True, str(inj.get("guest_event"))[:300])
    print("  info: kvm pause %s s: across %s; guest event %s" % (
        inj.get("length_s"), {k: v.get("across_s") for k, v in (inj.get("sources") or {}).items()},
        (inj.get("guest_event") or {}).get("sources")))
    c = check_result(res, "kvmclock.wall_rewrite") or {}
    record(sc, "wall_rewrite_check", c.get("result") == "pass", str(c))
    rws = ((res.get("post") or {}).get("wall_rewrite") or {}).get("rewrites") or []
    t_stop, t_cont, length = inj.get("t_stop"), inj.get("t_cont"), inj.get("length_s")
    if None in (t_stop, t_cont, length) or not rws:
        return record(sc, "wall_rewrite_pause", False, "no pause record or no rewrites: %s / %d rewrites" % (inj, len(rws)))
    after = [r for r in rws if r["t_host"] is not None and r["t_host"] >= t_cont]
    before = [r for r in rws if r["t_host"] is not None and r["t_host"] <= t_stop]
    tol = (inj.get("timing_unc_s") or 0) + WALL_PAUSE_SLACK_S
    first = after[0] if after else {}
    change = first.get("base_change_ns")
    record(sc, "wall_rewrite_pause", change is not None and abs(change / 1e9 - length) <= tol,
           "first rewrite after the %.3f s pause moved the base %s ns (want the pause +- %.3f s)" % (length, change, tol))
    for r in before + after[1:]:
        lim = WALL_SLEW_MAX_PPM * 1e-6 * r["interval_ns"]
        record(sc, "wall_rewrite_%d_steady" % r["n"], abs(r["base_change_ns"]) <= lim,
               "rewrite %d moved the base %d ns in %.3f s, beyond %d ppm" % (r["n"], r["base_change_ns"],
                                                                           r["interval_ns"] / 1e9, WALL_SLEW_MAX_PPM))
    # Each rewrite is compared with the RTC at a well-timed second edge near it, or says why
    # not: in the lab the drift loop's RTC polls are slow exits, and the edges before the pause
    # were once all timed wider than 20 ms (CI); the rewrites after it were compared.
    record(sc, "wall_rewrite_rtc", any(r["minus_rtc_ms"] is not None for r in rws) and
           all(r["minus_rtc_ms"] is not None or r.get("rtc_none") for r in rws),
           "rewrites without an RTC comparison: %s" % [(r["n"], r["rtc_none"]) for r in rws if r["minus_rtc_ms"] is None])
    for r in rws:
        if r["minus_rtc_ms"] is None:
            print("  info: wall rewrite %d not compared with the RTC: %s" % (r["n"], r.get("rtc_none")))
    for r in rws:
        print("  info: wall rewrite %d seq %s: base %+d ns over %.3f s; new-host %s ms, old-host %s ms; new-rtc %s "
              "+- %s ms, old-rtc %s ms" % (r["n"], r["seq"], r["base_change_ns"], r["interval_ns"] / 1e9,
                                           r["minus_host_ms"], r["old_minus_host_ms"], r["minus_rtc_ms"],
                                           r["rtc_bound_ms"], r["old_minus_rtc_ms"]))


# Under KVM the TSC across a snapshot or migration is not judged exactly (events.EXPECTED says
# why); it is told apart from a TSC that ran on (a pause: the whole length) halfway between.
TSC_RESTORED_MAX = 0.5


def kvm_stopped_event(sc, spec):
    """A snapshot or a migration under real KVM (the lab when KVM is not usable), with the Hyper-V
    enlightenments: every source with a KVM expectation (events.EXPECTED) matches it, the guest
    saw the stop, and what the TSC, kvm-clock and the Hyper-V page did is printed."""
    res, why = kvm_boot(sc, ["--hyperv", "--args", "duration=15", "--event", spec])
    if res is None:
        return record_skip(sc, "KVM cannot run a guest here (%s); %s" % (KVM_WHY, why))
    inj = ((((res.get("post") or {}).get("events") or {}).get("injected")) or [{}])[0]
    src = judged_sources(sc, inj, must=("kvmclock", "hpet"))
    record(sc, "kvmclock_judged", (src.get("kvmclock") or {}).get("expected") is not None, str(src.get("kvmclock")))
    for name in ("tsc", "hyperv"):
        record(sc, name + "_reported", (src.get(name) or {}).get("across_s") is not None,
               "%s across it: %s" % (name, src.get(name)))
    # The TSC is restored, not stopped: it must not have run on through the stop as across a pause.
    tsc, length = (src.get("tsc") or {}).get("across_s"), inj.get("length_s")
    record(sc, "tsc_restored", tsc is not None and length is not None and tsc < TSC_RESTORED_MAX * length,
           "tsc across %s s of the %s s stop" % (tsc, length))
    record(sc, "guest_detected", inj.get("detected") is True, str(inj.get("guest_event"))[:300])
    steps = {k: inj[k] for k in ("savevm_s", "loadvm_s", "migrate_s", "load_s", "state_bytes") if inj.get(k) is not None}
    print("  info: %s (nested emulation, not KVM's speed): stopped %s s %s; across %s; guest event %s" % (
        spec, inj.get("length_s"), steps, {k: v.get("across_s") for k, v in src.items()},
        (inj.get("guest_event") or {}).get("sources")))


def sc_kvm_snapshot():
    kvm_stopped_event("kvm_snapshot", "snapshot@5")


def sc_kvm_migrate():
    kvm_stopped_event("kvm_migrate", "migrate@5")


def sc_wall_rewrite_tcg():
    # wall_rewrite_s without kvm-clock (TCG has none) and without drift mode: reported as not
    # applicable, with the reason, never silently ignored; nothing else changes.
    sc = "wall_rewrite_tcg"
    rc, res, _, _, _ = boot(["--args", "wall_rewrite_s=2"])
    common(sc, rc, res)
    c = check_result(res, "kvmclock.wall_rewrite") or {}
    msg = c.get("message") or ""
    record(sc, "skip_with_reason", c.get("result") == "skip" and "not applicable" in msg and "kvm-clock absent" in msg
           and "no KVM signature" in msg, str(c))
    record(sc, "no_rewrite_lines", not any(d["text"].startswith("wall_rewrite ")
                                           for d in res.get("log", {}).get("diagnostics", [])), "rewrite lines printed")


SCENARIOS = [sc_q35_default, sc_pc, sc_no_hpet, sc_smp_stuck, sc_bad_acpi, sc_bad_hpet_base, sc_crash, sc_stuck_pit,
             sc_rtc_2100, sc_rtc_edge_race, sc_rtc_edge_stall, sc_rtc_shifted,
             sc_pvh_q35, sc_pvh_pc, sc_pvh_no_acpi, sc_pvh_firecracker, sc_pvh_cloud_hypervisor,
             sc_fake_hint, sc_icount, sc_drift, sc_pause, sc_snapshot, sc_migrate, sc_migrate_live, sc_reset,
             sc_reset_pvh, sc_wall_rewrite_tcg, sc_bad_config, sc_kvm, sc_kvm_pvh, sc_kvm_no_master, sc_kvm_hyperv,
             sc_kvm_hyperv_no_master, sc_kvm_pause, sc_kvm_snapshot, sc_kvm_migrate]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    names = {f.__name__[3:]: f for f in SCENARIOS}
    if a.list:
        print("\n".join(names))
        return 0
    unknown = [n for n in a.only.split(",") if n and n not in names]
    if unknown:
        ap.error("unknown scenario(s) %s; --list names them" % ", ".join(unknown))
    chosen = [names[n] for n in a.only.split(",") if n] if a.only else SCENARIOS
    if not all(os.path.exists(f) for f in (IMAGE, ELF, HOST_TSC)):
        print("boot tests: %s, %s or %s missing: run make first" % (IMAGE, ELF, HOST_TSC))
        return 2
    global KVM_OK, KVM_WHY
    KVM_OK, KVM_WHY = probe_kvm()
    print("boot tests: TCG scenarios, and KVM ones %s" % ("on KVM (%s)" % KVM_WHY if KVM_OK else
                                                          "in the nested KVM lab (KVM here: %s)" % KVM_WHY))
    for f in chosen:
        t = time.monotonic()
        print("== %s" % f.__name__[3:], flush=True)
        try:
            f()
        except Exception as e:  # a broken scenario is a failure, never a silent pass
            record(f.__name__[3:], "scenario", False, "%s: %s" % (type(e).__name__, e))
        print("   (%.1f s)" % (time.monotonic() - t), flush=True)
    passed = sum(1 for r in results if r[2])
    failed = len(results) - passed
    for sc, why in skipped:
        print("boot: NOT EXERCISED %s: %s" % (sc, why))
    print("boot: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
