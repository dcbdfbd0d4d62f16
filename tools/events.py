"""Clock events the runner drives through QEMU's QMP monitor, and what they did to the clocks.

    --event pause:S@T     stop the VM for S seconds, T seconds after the first drift sample

The driver (EventDriver) runs in a thread beside the serial reader: it waits for the guest's
first `# sample` line, then at each event's time talks QMP (a small client below, standard
library only) and records the host times of what it did. The post hook (events()) sets the
injected events beside the drift samples and the guest's own `# event` lines:
  - each source's advance ACROSS the event (how much more than the time outside the event it
    advanced between the samples bracketing it): from the host stamps for fine sources; for
    coarse ones (the RTC, whole seconds) the guest's edge-timed jump from the TSC plus the
    TSC's own advance across;
  - whether the guest detected it (an `# event` line whose sample lies in that bracket);
  - the expected behaviour (EXPECTED, per accelerator: data, documented in docs/design.md);
    a behaviour outside it fails the run (exit 1) with the figures; an entry not known in
    advance (None) is reported, not judged.
"""
import json
import re
import socket
import threading
import time

EXIT_FAIL, EXIT_SETUP = 1, 3
EVENT_RE = re.compile(r"^(pause):(\d+(?:\.\d+)?)@(\d+(?:\.\d+)?)$")
QMP_TIMEOUT_S = 10.0
# "0" entries: stop/cont each take effect within milliseconds, plus the serial stamps' jitter.
ZERO_TOL_S = 0.05
# "the event's length" entries: the RTC's edges are timed to the guest's 1 ms poll, but stop
# and cont reach the vCPU threads and the RTC's host clock a QMP round trip apart (~ms); 0.2 s
# is the acceptance bound, ten times what was seen.
LEN_TOL_S = 0.2
L = "length"  # the event's own length
# What each source does across a pause, per accelerator. QEMU stops its virtual clock on
# `stop` (HPET, PM timer, PIT and APIC timer under TCG count it; TCG's TSC is cpu_get_ticks,
# which `stop` disables too); the CMOS RTC with -rtc clock=host follows host time. Under KVM
# the TSC is the hardware's and runs on; QEMU's kvmclock device re-bases kvm-clock at `cont`
# so that it continues from where it stopped. None: not known in advance (in-kernel devices).
EXPECTED = {
    ("pause", "tcg"): {"tsc": 0, "hpet": 0, "pmtimer": 0, "pit": 0, "apic": 0, "rtc": L},
    ("pause", "kvm"): {"tsc": L, "hpet": 0, "pmtimer": 0, "kvmclock": 0, "rtc": L,
                       "hyperv": None, "pit": None, "apic": None},
}


class EventError(Exception):
    pass


def parse_event(text):
    m = EVENT_RE.match(text)
    if not m:
        raise EventError("--event %r: want pause:SECONDS@SECONDS" % text)
    kind, arg, at = m.group(1), float(m.group(2)), float(m.group(3))
    if not 0 < arg <= 3600 or at > 86400:
        raise EventError("--event %r: pause length in (0, 3600] s, time at most 86400 s" % text)
    return {"kind": kind, "seconds": arg, "at": at, "spec": text}


class Qmp:
    """A minimal QMP client: connect, negotiate, execute."""

    def __init__(self, path, timeout=QMP_TIMEOUT_S):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")
        self.execute("qmp_capabilities")

    def execute(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.f.write((json.dumps(msg) + "\n").encode())
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise EventError("QMP closed during %s" % cmd)
            try:
                r = json.loads(line.decode("utf-8", "replace"))
            except ValueError:
                continue  # a serial-backed monitor may carry stray bytes
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise EventError("QMP %s: %s" % (cmd, r["error"].get("desc", r["error"])))

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class EventDriver:
    """Injects the events in a thread; records what happened in self.done."""

    def __init__(self, events, qmp_path):
        self.events = sorted(events, key=lambda e: e["at"])
        self.qmp_path = qmp_path
        self.started = threading.Event()
        self.stop_flag = threading.Event()
        self.done, self.error = [], None
        self.t_drift = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def on_line(self, text, t):
        """Called by the serial reader for every guest line."""
        if self.t_drift is None and text.startswith("# sample "):
            self.t_drift = t
            self.started.set()

    def start(self):
        if self.events:
            self.thread.start()

    def finish(self):
        self.stop_flag.set()
        self.started.set()
        if self.thread.is_alive():
            self.thread.join(QMP_TIMEOUT_S + max((e["seconds"] for e in self.events), default=0))

    def _run(self):
        self.started.wait()
        if self.stop_flag.is_set() or self.t_drift is None:
            return
        try:
            q = Qmp(self.qmp_path)
        except (OSError, EventError) as e:
            self.error = "cannot reach QMP at %s: %s" % (self.qmp_path, e)
            return
        try:
            for ev in self.events:
                while time.time() < self.t_drift + ev["at"]:
                    if self.stop_flag.wait(min(0.05, self.t_drift + ev["at"] - time.time())):
                        return
                rec = dict(ev)
                t = time.time()
                q.execute("stop")
                rec["t_stop"] = time.time()
                rec["stop_rtt_s"] = rec["t_stop"] - t
                time.sleep(ev["seconds"])
                t = time.time()
                q.execute("cont")
                rec["t_cont"] = time.time()
                rec["cont_rtt_s"] = rec["t_cont"] - t
                # Each took effect somewhere within its round trip (the lab's QMP crosses L1's
                # serial port: tens of ms); the middles date them, half the sum bounds the error.
                rec["t_stop"] -= rec["stop_rtt_s"] / 2
                rec["t_cont"] -= rec["cont_rtt_s"] / 2
                rec["length_s"] = round(rec["t_cont"] - rec["t_stop"], 6)
                rec["timing_unc_s"] = round((rec["stop_rtt_s"] + rec["cont_rtt_s"]) / 2, 6)
                self.done.append(rec)
        except (OSError, EventError) as e:
            self.error = "event %s failed: %s" % (ev["spec"], e)
        finally:
            q.close()


# ---------------------------------------------------------------- post-processing
_SAMPLE_RE = re.compile(r"sample (\d+)((?: [a-z0-9_]+=\d+)+)$")
_GUEST_EVENT_RE = re.compile(r"event (\d+) seq=(\d+)((?: \S+)*)$")


def _samples(log):
    out = []
    for d in log.get("diagnostics") or []:
        m = _SAMPLE_RE.match(d.get("text", ""))
        if m and isinstance(d.get("t"), (int, float)):
            out.append((d["t"], int(m.group(1)), {k: int(v) for k, v in (p.split("=") for p in m.group(2).split())}))
    return out


def _guest_events(log):
    out = []
    for d in log.get("diagnostics") or []:
        m = _GUEST_EVENT_RE.match(d.get("text", ""))
        if not m:
            continue
        srcs = {}
        for tok in m.group(3).split():
            k, _, v = tok.partition("=")
            if "." in k or ":" not in v:
                if v == "unknown":
                    srcs[k] = {"class": "unknown", "excess_s": None}
                continue
            cls, _, x = v.partition(":")
            try:
                srcs[k] = {"class": cls, "excess_s": float(x) / 1e3}
            except ValueError:
                pass
        out.append({"n": int(m.group(1)), "seq": int(m.group(2)), "sources": srcs, "t": d.get("t")})
    return out


def _rate(log, src):
    for name in (src + ".nominal_hz", src + ".freq_hz"):
        m = (log.get("metrics") or {}).get(name)
        if m and isinstance(m.get("value"), (int, float)) and m["value"] > 0:
            return float(m["value"])
    m = (log.get("metrics") or {}).get("drift.tsc_hz")
    return float(m["value"]) if src == "tsc" and m else None


def judge_event(rec, samples, guest, log, accel):
    """One injected event's findings and failures."""
    before = [s for s in samples if s[0] <= rec["t_stop"]]
    after = [s for s in samples if s[0] >= rec["t_cont"]]
    out = {"spec": rec["spec"], "length_s": rec["length_s"], "t_stop": rec["t_stop"], "t_cont": rec["t_cont"],
           "sources": {}, "detected": None, "failures": []}
    if not before or not after:
        out["failures"].append("no drift samples on both sides of the event")
        return out
    (t0, seq0, v0), (t1, seq1, v1) = before[-1], after[0]
    outside = (t1 - t0) - rec["length_s"]
    gev = [g for g in guest if seq0 < g["seq"] <= seq1 + 2]
    out["detected"] = bool(gev)
    out["guest_event"] = gev[0] if gev else None
    tsc_across = None
    for src in v0:
        hz = _rate(log, src)
        if hz is None or src not in v1:
            continue
        adv = (((v1[src] - v0[src]) + 2 ** 63) % 2 ** 64 - 2 ** 63) / hz
        entry = {"advance_s": round(adv, 6), "across_s": round(adv - outside, 6), "how": "host stamps"}
        if src == "tsc":
            tsc_across = entry["across_s"]
        out["sources"][src] = entry
    if gev and tsc_across is not None:
        # Coarse sources: the guest timed their jump from the TSC to the poll period.
        for src, g in gev[0]["sources"].items():
            if src in out["sources"] and g.get("excess_s") is not None and _rate(log, src) and _rate(log, src) < 100:
                jump = g["excess_s"] - gev[0]["sources"].get("tsc", {}).get("excess_s", 0.0)
                out["sources"][src].update(across_s=round(tsc_across + jump, 6), how="guest edge timing + TSC")
    expect = EXPECTED.get((rec["kind"], accel), {})
    for src, e in out["sources"].items():
        want = expect.get(src)
        if want is None:
            e["expected"] = None
            continue
        target, tol = (rec["length_s"], LEN_TOL_S) if want == L else (float(want), ZERO_TOL_S)
        tol += rec.get("timing_unc_s", 0.0)
        e["expected"] = {"across_s": target, "tol_s": tol}
        e["ok"] = abs(e["across_s"] - target) <= tol
        if not e["ok"]:
            out["failures"].append("%s advanced %.3f s across the %.3f s %s, expected %.3f +- %.3f s"
                                   % (src, e["across_s"], rec["length_s"], rec["kind"], target, tol))
    if not out["detected"] and expect:
        out["failures"].append("the guest did not detect the %s on its own (no # event line between samples %d and %d)"
                               % (rec["kind"], seq0, seq1))
    return out


def events(result):
    """Post hook (tools/post.py style): result["run"]["events"] holds what the driver did."""
    run = result.get("run") or {}
    injected = run.get("events")
    if injected is None:
        return None
    log = result["log"]
    samples, guest = _samples(log), _guest_events(log)
    out = {"injected": [], "guest_events": guest, "error": run.get("events_error")}
    result["post"]["events"] = out
    worst = None
    if run.get("events_error"):
        worst = (EXIT_SETUP, run["events_error"])
    for rec in injected:
        j = judge_event(rec, samples, guest, log, run.get("accel"))
        out["injected"].append(j)
        if j["failures"] and not worst:
            worst = (EXIT_FAIL, "event %s: %s" % (rec["spec"], "; ".join(j["failures"])))
    if len(injected) < len(run.get("events_requested") or []) and not worst:
        worst = (EXIT_SETUP, "only %d of %d events were injected" % (len(injected), len(run["events_requested"])))
    return worst


def report_lines(result):
    ev = (result.get("post") or {}).get("events")
    if not ev:
        return []
    lines = ["   events:"]
    for j in ev["injected"]:
        lines.append("   %s: %.3f s (host), guest %s" % (j["spec"], j["length_s"],
                                                         "detected it" if j["detected"] else "did NOT detect it"))
        for src, e in sorted(j["sources"].items()):
            exp = e.get("expected")
            lines.append("     %-9s across %+9.3f s  (%s)%s" % (
                src, e["across_s"], e["how"],
                "  expected %.3f +- %.3f: %s" % (exp["across_s"], exp["tol_s"], "ok" if e["ok"] else "FAIL")
                if exp else "  (no expectation: reported)"))
    for g in ev["guest_events"]:
        lines.append("   guest event %d at sample %d: %s" % (g["n"], g["seq"], ", ".join(
            "%s %s %s" % (k, v["class"], "%+.3f s" % v["excess_s"] if v["excess_s"] is not None else "")
            for k, v in g["sources"].items())))
    if ev.get("error"):
        lines.append("   event error: %s" % ev["error"])
    return lines
