"""Clock events the runner drives through QEMU's QMP monitor, and what they did to the clocks.

    --event pause:S@T       stop the VM for S seconds
    --event snapshot@T      stop, savevm, loadvm, cont (an internal snapshot taken and restored)
    --event migrate@T       stop, migrate to a file, quit; a new QEMU loads the file; cont
    --event migrate-live@T  live migration to a second QEMU on this host (a unix socket)
    --event reset@T         system_reset: the guest boots again (the last event; one per run)

each T seconds after the first drift `# sample` line (drift mode is required).

The driver (EventDriver) runs in a thread beside the serial reader: it waits for the guest's
first `# sample` line, then at each event's time talks QMP (a small client below, standard
library only) and records the host times of what it did. A migration hands the serial log
and the monitor over to the new QEMU (the runner's `vm` object starts it). The post hook
(events()) sets the injected events beside the drift samples and the guest's own `# event`
lines:
  - each source's advance ACROSS the event (how much more than the time outside the event it
    advanced between the samples bracketing it): from the host stamps for fine sources; for
    coarse ones (the RTC, whole seconds) the guest's edge-timed jump from the TSC plus the
    TSC's own advance across;
  - whether the guest detected it (an `# event` line whose sample lies in that bracket);
  - the expected behaviour (EXPECTED, per accelerator: data, documented in docs/design.md);
    a behaviour outside it fails the run (exit 1) with the figures; an entry not known in
    advance (None) is reported, not judged.
A reset is judged from the two boots (judge_reset): which counters continued, which restarted,
and the RTC's offset from host UTC in each boot.
"""
import json
import os
import re
import select
import socket
import threading
import time

import post  # tools/post.py: the sample, re-anchor and RTC edge readers

EXIT_FAIL, EXIT_SETUP = 1, 3
EVENT_RE = re.compile(r"^(?:(pause):(\d+(?:\.\d+)?)|(snapshot|migrate|migrate-live|reset))@(\d+(?:\.\d+)?)$")
KINDS_HELP = "pause:SECONDS@T, snapshot@T, migrate@T, migrate-live@T or reset@T"
QMP_TIMEOUT_S = 10.0
# A savevm, a migration or a new QEMU's start: seconds under TCG for a 256 MB guest (measured
# 0.1-0.5 s); the lab's monitor crosses L1's serial port and L2 starts under nested KVM.
STEP_TIMEOUT_S = 120.0
# "0" entries: stop/cont each take effect within milliseconds, plus the serial stamps' jitter.
ZERO_TOL_S = 0.05
# "the event's length" entries: the RTC's edges are timed to the guest's 1 ms poll, but stop
# and cont reach the vCPU threads and the RTC's host clock a QMP round trip apart (~ms); 0.2 s
# is the acceptance bound, ten times what was seen.
LEN_TOL_S = 0.2
# QEMU stamps its STOP event (g_get_real_time: host realtime, like our time.time()) in
# do_vm_stop right after it stopped the guest's clocks (cpu_disable_ticks) and paused the
# vCPUs, and its RESUME event in vm_prepare_start right before it starts the clocks again: the
# stamps are a vCPU pause (milliseconds on a loaded host) from the clocks' stop and start.
EVENT_STAMP_UNC_S = 0.005
# A sample line's host stamp dates its reads up to the serial path's delay, which only adds (a
# preempted QEMU delayed one line by 86 ms on a host loaded by a compile): a source's offset from
# host time on each side of an event is the least delayed of up to this many samples'.
SIDE_SAMPLES = 5
# What the driver measured of each step, copied into the findings and the report.
STEP_FIGURES = ("savevm_s", "loadvm_s", "migrate_s", "load_s", "state_bytes", "state_file_bytes", "qemu_downtime_ms")
L = "length"       # the event's own length
RESTART = "restart"  # the counter began again at (or after) the event: its value after it is at
                     # most the time since the event
# What each source does across an event, per accelerator. QEMU stops its virtual clock on
# `stop` (HPET, PM timer, PIT and APIC timer under TCG count it; TCG's TSC is cpu_get_ticks,
# which `stop` disables too); the CMOS RTC with -rtc clock=host follows host time. Under KVM
# the TSC is the hardware's and runs on; QEMU's kvmclock device re-bases kvm-clock at `cont`
# so that it continues from where it stopped. None: not known in advance (in-kernel devices).
# A snapshot (savevm, loadvm) and a migration carry the virtual clock and TCG's TSC offset in
# the state (timers_state), so they continue from where `stop` froze them; the RTC's state
# is its host-clock base, so it runs on. A narrow counter the guest re-anchored between the
# samples around an event (the PIT when the gap exceeded its 27 ms half wrap by the TSC) has an
# advance known only modulo its wrap: unknown, reported, never judged.
_TCG_STOPPED = {"tsc": 0, "hpet": 0, "pmtimer": 0, "pit": 0, "apic": 0, "rtc": L}
_KVM_STOPPED = {"tsc": L, "hpet": 0, "pmtimer": 0, "kvmclock": 0, "rtc": L,
                "hyperv": None, "pit": None, "apic": None}
EXPECTED = {
    ("pause", "tcg"): _TCG_STOPPED,
    ("pause", "kvm"): _KVM_STOPPED,
    ("snapshot", "tcg"): _TCG_STOPPED,
    ("migrate", "tcg"): _TCG_STOPPED,
    ("migrate-live", "tcg"): _TCG_STOPPED,
    # Under KVM a snapshot or a migration carries the TSC too, but not exactly from the stop:
    # QEMU reads IA32_TSC at its first register sync after the stop (the save) and writes it back
    # when the state is loaded (kvm_put_msrs, full state), and the hardware TSC runs between the
    # stop and the save and between the load and `cont`: neither moment is visible from outside.
    # Lab: +0.008 to +0.056 s across 2.4-4.9 s: reported, not judged. kvm-clock is exact: QEMU's
    # kvmclock device saves it at the stop and sets it at the start (KVM_GET/SET_CLOCK).
    ("snapshot", "kvm"): dict(_KVM_STOPPED, tsc=None),
    ("migrate", "kvm"): dict(_KVM_STOPPED, tsc=None),
    # A reset: TCG's TSC is the host's ticks plus an offset the reset keeps (it runs on); QEMU
    # resets the HPET's main counter to 0 (hpet_reset). 24- and 32-bit counters (PM timer,
    # APIC) and the PIT start a new extension in the new boot: unknowable, reported only. The
    # RTC is judged by its offset from host UTC in each boot (RTC_RESET_TOL_S).
    ("reset", "tcg"): {"tsc": 0, "hpet": RESTART, "pmtimer": None, "pit": None, "apic": None},
}
# The RTC across a reset, per boot path: its offset from host UTC before and after. QEMU keeps
# the CMOS clock across a reset (only the registers OVMF or the guest write change it). PVH:
# nothing writes it, so the offset stays within the edge stamps' delay jitter (ZERO_TOL_S).
# UEFI: OVMF's PcRtc rewrites it at every boot, moving it by -e or 1-e (e the fraction of the
# time between its two writes), one more second back in a rare boot: (-2, +1) s
# (docs/design.md, "The RTC under QEMU + OVMF").
RTC_RESET_TOL_S = {"pvh": (-ZERO_TOL_S, ZERO_TOL_S), "uefi": (-2.0, 1.0)}
# The runner's time allowance per event, on top of the run's own timeout: a pause lasts its
# length; a snapshot or a migration takes seconds; a reset runs the guest again (whole_run_s).
EVENT_ALLOWANCE_S = {"snapshot": 60.0, "migrate": 60.0, "migrate-live": 60.0}


class EventError(Exception):
    pass


def parse_event(text):
    m = EVENT_RE.match(text)
    if not m:
        raise EventError("--event %r: want %s" % (text, KINDS_HELP))
    kind = m.group(1) or m.group(3)
    arg, at = float(m.group(2) or 0), float(m.group(4))
    if kind == "pause" and not 0 < arg <= 3600:
        raise EventError("--event %r: pause length in (0, 3600] s" % text)
    if at > 86400:
        raise EventError("--event %r: time at most 86400 s" % text)
    return {"kind": kind, "seconds": arg, "at": at, "spec": text}


def check_plan(evs, drift_s):
    """EventError when the events cannot be run as asked: they need drift mode (their times
    count from its first sample, and only its samples measure them), at most one reset, and
    nothing after it (the new boot's samples start a new count)."""
    if not evs:
        return
    if drift_s <= 0:
        raise EventError("--event needs drift mode: pass --args duration=S (S above the events' times)")
    resets = [e for e in evs if e["kind"] == "reset"]
    if len(resets) > 1:
        raise EventError("--event reset: one reset per run")
    if resets and max(e["at"] for e in evs) > resets[0]["at"] or \
            resets and sum(1 for e in evs if e["at"] == resets[0]["at"]) > 1:
        raise EventError("--event reset must be the last event (the guest boots again)")


def allowance_s(ev, whole_run_s):
    """Seconds the runner's timeout grows by for this event."""
    if ev["kind"] == "pause":
        return ev["seconds"]
    if ev["kind"] == "reset":
        return whole_run_s
    return EVENT_ALLOWANCE_S[ev["kind"]]


def boots_expected(evs):
    """How many guest boots the log holds: one, plus one per injected reset."""
    return 1 + sum(1 for e in evs if e["kind"] == "reset")


class Qmp:
    """A minimal QMP client: connect, negotiate, execute; asynchronous events are kept. Each
    command carries an id and only its own answer counts: over the lab's serial monitor a
    retried negotiation may leave an earlier answer in the stream. Reads wait with select (a
    socket file object is unusable after one timeout; the lab's monitor must outlive several)."""

    def __init__(self, path, timeout=QMP_TIMEOUT_S):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.s.settimeout(None)
        self.buf, self.events, self.n = b"", [], 0
        self.negotiate(timeout)

    def negotiate(self, timeout):
        try:
            self.execute("qmp_capabilities", _timeout=timeout)
        except EventError as e:
            if "already complete" not in str(e):  # a retry's answer: negotiated before
                raise

    def renegotiate(self, timeout=STEP_TIMEOUT_S):
        """The same port now carries a new QEMU's monitor (the lab's next L2): negotiate with it,
        retrying until it reads its port."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.negotiate(CONNECT_ATTEMPT_S)
            except EventError as e:
                if time.monotonic() > deadline:
                    raise EventError("no new QMP monitor after %.0f s: %s" % (timeout, e))

    def _read(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EventError("no answer")
            if select.select([self.s], [], [], left)[0]:
                data = self.s.recv(65536)
                if not data:
                    raise EventError("QMP closed")
                self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        try:
            r = json.loads(line.decode("utf-8", "replace"))
        except ValueError:
            return None  # a serial-backed monitor may carry stray bytes
        if isinstance(r, dict) and "event" in r:
            self.events.append(r)
            return None
        return r if isinstance(r, dict) else None

    def execute(self, cmd, _timeout=QMP_TIMEOUT_S, **args):
        self.n += 1
        msg = {"execute": cmd, "id": self.n}
        if args:
            msg["arguments"] = args
        deadline = time.monotonic() + _timeout
        try:
            self.s.sendall((json.dumps(msg) + "\n").encode())
            while True:
                r = self._read(deadline)
                if r is None or r.get("id") != self.n:
                    continue
                if "return" in r:
                    return r["return"]
                if "error" in r:
                    raise EventError("QMP %s: %s" % (cmd, r["error"].get("desc", r["error"])))
        except OSError as e:
            raise EventError("QMP %s: %s" % (cmd, e))
        except EventError as e:
            if str(e).startswith("QMP "):
                raise
            raise EventError("QMP %s: %s" % (cmd, e))

    def hmp(self, line):
        """A human monitor command; its output is an error when it says so."""
        out = self.execute("human-monitor-command", **{"command-line": line})
        if out and ("rror" in out or "annot" in out):
            raise EventError("%s: %s" % (line, out.strip()))
        return out

    def event_time(self, name, timeout=STEP_TIMEOUT_S):
        """Host time (Unix s) QEMU stamped on its event `name`, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        while True:
            for e in self.events:
                if e["event"] == name:
                    ts = e.get("timestamp") or {}
                    return ts.get("seconds", 0) + ts.get("microseconds", 0) / 1e6
            if time.monotonic() > deadline:
                raise EventError("no %s event from QEMU in %.0f s" % (name, timeout))
            self._read(time.monotonic() + QMP_TIMEOUT_S)

    def wait_migration(self, want=("completed",), timeout=STEP_TIMEOUT_S):
        """query-migrate until its status is one of want; its last answer."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.execute("query-migrate")
            if r.get("status") in want:
                return r
            if r.get("status") in ("failed", "cancelled"):
                raise EventError("migration %s: %s" % (r.get("status"), r.get("error-desc", "")))
            if time.monotonic() > deadline:
                raise EventError("migration still %s after %.0f s" % (r.get("status"), timeout))
            time.sleep(0.01)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


# A QEMU that is starting may not read its monitor yet; in the lab the negotiation is lost when
# it is sent before the new L2 QEMU opened L1's ttyS2. Each attempt waits this long for the
# answer (the lab's serial round trip is tens of ms).
CONNECT_ATTEMPT_S = 2.0


def connect(path, timeout=STEP_TIMEOUT_S):
    """A Qmp to a QEMU that may still be starting (its socket not there or not answering)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return Qmp(path, CONNECT_ATTEMPT_S)
        except (OSError, EventError) as e:
            if time.monotonic() > deadline:
                raise EventError("no QMP at %s after %.0f s: %s" % (path, timeout, e))
            time.sleep(0.05)


def _timed(rec, name, fn):
    """fn() with its QMP round trip recorded as rec[name + "_rtt_s"]; returns the middle of
    the round trip (when it took effect, to half the round trip)."""
    t = time.time()
    fn()
    t1 = time.time()
    rec[name + "_rtt_s"] = round(t1 - t, 6)
    return (t + t1) / 2


class EventDriver:
    """Injects the events in a thread; records what happened in self.done.

    vm: what the runner gives it (tools/run QemuSet, tools/kvmlab LabVm): qmp_path, path(name)
    (a file or socket name where QEMU can reach it), successor(incoming) (start the QEMU that
    takes over, with -incoming; returns its QMP path), expect_successor() (the reader must wait
    for one), abandon() (none is coming), stamps_are_host_time (QEMU's event stamps) and
    same_monitor (the next QEMU's monitor comes on the same connection)."""

    def __init__(self, events, vm):
        self.events = sorted(events, key=lambda e: e["at"])
        self.vm = vm
        self.started = threading.Event()
        self.stop_flag = threading.Event()
        self.done, self.error = [], None
        self.t_drift = None
        self.restarted = threading.Event()  # a start marker after the first sample (a reset's boot)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def on_line(self, text, t):
        """Called by the serial reader for every guest line."""
        if self.t_drift is None and text.startswith("# sample "):
            self.t_drift = t
            self.started.set()
        elif self.t_drift is not None and "CLOCKPROBE-START" in text:
            self.restarted.set()

    def start(self):
        if self.events:
            self.thread.start()

    def finish(self):
        self.stop_flag.set()
        self.started.set()
        if self.thread.is_alive():
            self.thread.join(QMP_TIMEOUT_S + STEP_TIMEOUT_S + max((e["seconds"] for e in self.events), default=0))

    def _run(self):
        self.started.wait()
        if self.stop_flag.is_set() or self.t_drift is None:
            return
        try:
            self.q = Qmp(self.vm.qmp_path)
        except (OSError, EventError) as e:
            self.error = "cannot reach QMP at %s: %s" % (self.vm.qmp_path, e)
            return
        ev = None
        try:
            for ev in self.events:
                while time.time() < self.t_drift + ev["at"]:
                    if self.stop_flag.wait(min(0.05, self.t_drift + ev["at"] - time.time())):
                        return
                rec = dict(ev)
                getattr(self, "_" + ev["kind"].replace("-", "_"))(rec)
                if "resume_stamp" in rec:
                    self._date(rec)
                self.done.append(rec)
        except (OSError, EventError) as e:
            self.error = "event %s failed: %s" % (ev["spec"], e)
            self.vm.abandon()
        finally:
            self.q.close()

    def _stopped(self, rec, middle):
        """stop; middle(rec); cont. QEMU stamps its STOP event after it stopped the clocks and the
        vCPUs and before it drains and flushes the drives (a stop's round trip was 150 ms with
        the drives to flush, the clocks stopped near its start); its RESUME event as it starts
        them again: the stamps date the event, their difference is its length. The middles of
        the round trips are kept as figures."""
        self.q.events.clear()
        rec["t_stop_rtt_mid"] = _timed(rec, "stop", lambda: self.q.execute("stop"))
        rec["stop_stamp"] = self.q.event_time("STOP")
        middle(rec)
        self.q.events.clear()
        rec["t_cont_rtt_mid"] = _timed(rec, "cont", lambda: self.q.execute("cont"))
        rec["resume_stamp"] = self.q.event_time("RESUME")

    def _date(self, rec):
        """t_stop, t_cont and length_s from QEMU's STOP and RESUME stamps. They are host time when
        QEMU runs here; in the lab they are L1's realtime (behind the host's by up to a second),
        so there only their difference is used and the round trips' middles date the event
        (enough to pick the samples around it)."""
        rec["length_s"] = round(rec["resume_stamp"] - rec["stop_stamp"], 6)
        if self.vm.stamps_are_host_time:
            rec["t_stop"], rec["t_cont"] = rec["stop_stamp"], rec["resume_stamp"]
        else:
            rec["t_stop"] = rec.get("t_stop_rtt_mid")
            rec["t_cont"] = rec.get("t_cont_rtt_mid", rec["t_stop"] + rec["length_s"])
        rec["timing_unc_s"] = EVENT_STAMP_UNC_S

    def _pause(self, rec):
        self._stopped(rec, lambda r: time.sleep(r["seconds"]))

    def _snapshot(self, rec):
        def middle(r):
            t = time.time()
            self.q.hmp("savevm clockprobe")
            r["savevm_s"] = round(time.time() - t, 6)
            t = time.time()
            self.q.hmp("loadvm clockprobe")
            r["loadvm_s"] = round(time.time() - t, 6)
        self._stopped(rec, middle)

    def _migrate(self, rec):
        def middle(r):
            state = self.vm.path("migration.state")
            t = time.time()
            self.q.execute("migrate", uri="exec:cat > " + state)
            m = self.q.wait_migration()
            r["migrate_s"] = round(time.time() - t, 6)
            r["state_bytes"] = (m.get("ram") or {}).get("total")
            if os.path.isfile(state):  # QEMU runs here (in the lab the file is inside L1)
                r["state_file_bytes"] = os.path.getsize(state)
            self._quit(successor_follows=True)
            t = time.time()
            path = self.vm.successor("exec:cat " + state)
            if self.vm.same_monitor:
                self.q.renegotiate()
            else:
                self.q = connect(path)
            self.q.wait_migration(("completed",))
            r["load_s"] = round(time.time() - t, 6)
        self._stopped(rec, middle)

    def _migrate_live(self, rec):
        sock = self.vm.path("migration.sock")
        dest = connect(self.vm.successor("unix:" + sock))
        self.q.events.clear()
        t = time.time()
        self.q.execute("migrate", uri="unix:" + sock)
        m = self.q.wait_migration()
        rec["migrate_s"] = round(time.time() - t, 6)
        rec["state_bytes"] = (m.get("ram") or {}).get("total")
        rec["qemu_downtime_ms"] = m.get("downtime")
        rec["stop_stamp"] = self.q.event_time("STOP")
        rec["resume_stamp"] = dest.event_time("RESUME")
        self._quit(successor_follows=False)
        self.q = dest

    def _quit(self, successor_follows):
        """Ends the source QEMU; the monitor may close before it answers. successor_follows: the
        QEMU that takes over is started after it (the serial reader must not end meanwhile)."""
        if successor_follows:
            self.vm.expect_successor()
        try:
            self.q.execute("quit")
        except EventError:
            pass
        if not self.vm.same_monitor:
            self.q.close()

    def _reset(self, rec):
        """-no-reboot makes any reset a shutdown; this one reboots. Until the new boot's start
        marker, resets are the firmware's (SeaBIOS resets the machine once more when it finds
        itself already initialised: the PVH path), and reboot too; after it the guest's own
        reset ends QEMU again, as without events."""
        self.q.execute("set-action", reboot="reset")
        self.q.events.clear()
        self.restarted.clear()
        rec["t_reset"] = _timed(rec, "reset", lambda: self.q.execute("system_reset"))
        rec["timing_unc_s"] = round(rec["reset_rtt_s"] / 2, 6)
        started = self.restarted.wait(STEP_TIMEOUT_S)
        self.q.execute("query-status")  # collects the RESET events QEMU sent meanwhile
        self.q.execute("set-action", reboot="shutdown")
        rec["firmware_resets"] = sum(1 for e in self.q.events if e["event"] == "RESET"
                                     and (e.get("data") or {}).get("guest"))
        if not started:
            raise EventError("no start marker within %.0f s of the reset" % STEP_TIMEOUT_S)


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


def _side_offset(side, src, hz, t_ref, v_ref):
    """A source's offset from host time (its seconds since v_ref minus the host's since t_ref) on
    one side of an event: the largest over the side's samples, the least delayed stamp (the
    serial path only adds delay)."""
    return max(((((v[src] - v_ref[src]) + 2 ** 63) % 2 ** 64 - 2 ** 63) / hz - (t - t_ref))
               for t, _, v in side if src in v)


def judge_event(rec, samples, guest, log, accel, since=None, until=None):
    """One injected event's findings and failures; since/until: the neighbouring events' ends
    (the samples around this one are taken between them)."""
    before = [s for s in samples if s[0] <= rec["t_stop"] and (since is None or s[0] >= since)]
    after = [s for s in samples if s[0] >= rec["t_cont"] and (until is None or s[0] <= until)]
    out = {"spec": rec["spec"], "kind": rec["kind"], "length_s": rec["length_s"], "t_stop": rec["t_stop"],
           "t_cont": rec["t_cont"], "timing_unc_s": rec.get("timing_unc_s"), "sources": {}, "detected": None,
           "failures": []}
    out.update({k: rec[k] for k in STEP_FIGURES if k in rec})
    if not before or not after:
        out["failures"].append("no drift samples on both sides of the event%s" % (
            " (none between it and its neighbour: events need a sample between them)"
            if since is not None or until is not None else ""))
        return out
    (t0, seq0, v0), (t1, seq1, v1) = before[-1], after[0]
    gev = [g for g in guest if seq0 < g["seq"] <= seq1 + 2]
    out["detected"] = bool(gev)
    out["guest_event"] = gev[0] if gev else None
    tsc_across = None
    before, after = before[-SIDE_SAMPLES:], after[:SIDE_SAMPLES]
    reanchored = {src for src, marks in post.parse_reanchors(log.get("diagnostics")).items()
                  if any(before[0][1] < seq <= after[-1][1] for seq, _ in marks)}
    for src in v0:
        hz = _rate(log, src)
        if hz is None or src not in v1:
            continue
        if src in reanchored:  # its advance across the gap is known only modulo its wrap
            out["sources"][src] = {"across_s": None, "how": "unknown: re-anchored by the guest across it"}
            continue
        adv = (((v1[src] - v0[src]) + 2 ** 63) % 2 ** 64 - 2 ** 63) / hz
        across = _side_offset(after, src, hz, t0, v0) - _side_offset(before, src, hz, t0, v0) + rec["length_s"]
        entry = {"advance_s": round(adv, 6), "across_s": round(across, 6), "how": "host stamps"}
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
        if want is None or e["across_s"] is None:
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


def _bits(log, src):
    m = (log.get("metrics") or {}).get(src + ".counter_bits")
    return m["value"] if m and isinstance(m.get("value"), int) else None


def judge_reset(rec, log, after_log, accel, boot_path, since=None):
    """A reset's findings and failures from the last sample of the boot it cut and the first of
    the boot it started: each 64-bit counter's advance across it (continued: about 0) or its
    value after it (restarted: at most the time since the reset); the RTC by its offset from
    host UTC in each boot (tools/post.py rtc_offset_of, from its edge lines)."""
    out = {"spec": rec["spec"], "kind": "reset", "t_reset": rec["t_reset"], "sources": {}, "failures": [],
           "detected": None, "firmware_resets": rec.get("firmware_resets"), "timing_unc_s": rec.get("timing_unc_s")}
    before = [s for s in _samples(log) if s[0] <= rec["t_reset"] and (since is None or s[0] >= since)]
    after = _samples(after_log) if after_log else []
    if after_log is None or not after_log.get("started"):
        out["failures"].append("no second boot after the reset")
        return out
    # Not the start marker's stamp: a line the reset cut mid-way carries the new start marker at
    # its end (cplog's junk-before-start case) and the stamp of its first, pre-reset byte.
    stamps = [e["t"] for kind in ("info", "metrics") for e in (after_log.get(kind) or {}).values()
              if isinstance(e.get("t"), (int, float))]
    if stamps and min(stamps) < rec["t_reset"]:
        out["failures"].append("the second boot started before the runner's reset: the guest restarted on its own")
    if not before or not after:
        out["failures"].append("no drift samples on both sides of the reset")
        return out
    (t0, seq0, v0), (t1, seq1, v1) = before[-1], after[0]
    out.update(before_seq=seq0, after_seq=seq1, gap_s=round(t1 - t0, 6), since_reset_s=round(t1 - rec["t_reset"], 6))
    before, after = before[-SIDE_SAMPLES:], after[:SIDE_SAMPLES]
    expect = EXPECTED.get(("reset", accel), {})
    unc = rec.get("timing_unc_s", 0.0)
    for src in v0:
        hz = _rate(log, src)
        if src == "rtc" or hz is None or src not in v1:
            continue
        bits = _bits(log, src)
        if bits is not None and bits < 64:
            out["sources"][src] = {"across_s": None, "how": "unknown: a %d-bit counter's count starts a new "
                                   "extension in the new boot" % bits, "expected": None}
            continue
        across = _side_offset(after, src, hz, t0, v0) - _side_offset(before, src, hz, t0, v0)
        e = {"across_s": round(across, 6), "after_s": round(v1[src] / hz, 6), "how": "host stamps"}
        out["sources"][src] = e
        want = expect.get(src)
        if want is None:
            e["expected"] = None
        elif want == RESTART:
            e["expected"] = {"after_s_max": round(t1 - rec["t_reset"] + unc + ZERO_TOL_S, 6)}
            e["ok"] = 0 <= e["after_s"] <= e["expected"]["after_s_max"]
            if not e["ok"]:
                out["failures"].append("%s read %.3f s in the new boot, %.3f s after the reset: it did not restart"
                                       % (src, e["after_s"], t1 - rec["t_reset"]))
        else:
            e["expected"] = {"across_s": float(want), "tol_s": ZERO_TOL_S + unc}
            e["ok"] = abs(e["across_s"] - float(want)) <= ZERO_TOL_S + unc
            if not e["ok"]:
                out["failures"].append("%s advanced %.3f s across the reset, expected %.3f +- %.3f s"
                                       % (src, e["across_s"], float(want), ZERO_TOL_S + unc))
    o0, o1 = post.rtc_offset_of(log), post.rtc_offset_of(after_log)
    if o0 and o1:
        change = (o1["offset_ms"] - o0["offset_ms"]) / 1e3
        lo, hi = RTC_RESET_TOL_S.get(boot_path, (None, None))
        e = {"offset_before_ms": o0["offset_ms"], "offset_after_ms": o1["offset_ms"],
             "spread_ms": [o0["spread_ms"], o1["spread_ms"]], "across_s": round(change, 6),
             "how": "offset from host UTC at its edges, each boot"}
        out["sources"]["rtc"] = e
        if lo is None or accel != "tcg":
            e["expected"] = None
        else:
            e["expected"] = {"across_s_range": [lo, hi], "boot": boot_path}
            e["ok"] = lo <= change <= hi
            if not e["ok"]:
                out["failures"].append("the RTC's offset from host UTC moved %+.3f s across the reset (%s boot: "
                                       "expected within [%+.3f, %+.3f] s)" % (change, boot_path, lo, hi))
    return out


def events(result):
    """Post hook (tools/post.py style): result["run"]["events"] holds what the driver did."""
    run = result.get("run") or {}
    injected = run.get("events")
    if injected is None:
        return None
    log = result["log"]
    later = result.get("later_boots") or []
    samples, guest = _samples(log), _guest_events(log)
    out = {"injected": [], "guest_events": guest, "error": run.get("events_error")}
    result["post"]["events"] = out
    worst = None
    if run.get("events_error"):
        worst = (EXIT_SETUP, run["events_error"])
    for k, rec in enumerate(injected):
        since = injected[k - 1].get("t_cont") if k else None
        until = injected[k + 1].get("t_stop", injected[k + 1].get("t_reset")) if k + 1 < len(injected) else None
        if rec["kind"] == "reset":
            j = judge_reset(rec, log, later[0] if later else None, run.get("accel"), run.get("boot"), since)
        else:
            j = judge_event(rec, samples, guest, log, run.get("accel"), since, until)
        out["injected"].append(j)
        if j["failures"] and not worst:
            worst = (EXIT_FAIL, "event %s: %s" % (rec["spec"], "; ".join(j["failures"])))
    if len(injected) < len(run.get("events_requested") or []) and not worst:
        worst = (EXIT_SETUP, "only %d of %d events were injected" % (len(injected), len(run["events_requested"])))
    return worst


def _expect_text(e):
    exp = e.get("expected")
    if not exp:
        return "  (no expectation: reported)"
    verdict = "ok" if e.get("ok") else "FAIL"
    if "after_s_max" in exp:
        return "  restarted: %.3f s after it, expected at most %.3f: %s" % (e["after_s"], exp["after_s_max"], verdict)
    if "across_s_range" in exp:
        return "  expected within [%+.3f, %+.3f] (%s boot): %s" % (tuple(exp["across_s_range"]) + (exp["boot"], verdict))
    return "  expected %.3f +- %.3f: %s" % (exp["across_s"], exp["tol_s"], verdict)


def report_lines(result):
    ev = (result.get("post") or {}).get("events")
    if not ev:
        return []
    lines = ["   events:"]
    for j in ev["injected"]:
        steps = ", ".join("%s %s" % (k, j[k]) for k in STEP_FIGURES if j.get(k) is not None)
        if j.get("kind") == "reset":
            lines.append("   %s: the guest booted again (%s firmware reset(s) on the way; last sample of boot 1 "
                         "to the first of boot 2: %s s)" % (j["spec"], j.get("firmware_resets"), j.get("gap_s")))
        else:
            lines.append("   %s: %.3f s stopped (host)%s, guest %s" % (
                j["spec"], j["length_s"], " [%s]" % steps if steps else "",
                "detected it" if j["detected"] else "did NOT detect it"))
        for src, e in sorted(j["sources"].items()):
            across = "%+9.3f s" % e["across_s"] if e.get("across_s") is not None else "  unknown"
            extra = " (RTC - UTC %+.3f s before, %+.3f s after)" % (
                e["offset_before_ms"] / 1e3, e["offset_after_ms"] / 1e3) if "offset_before_ms" in e else ""
            lines.append("     %-9s across %s  (%s)%s%s" % (src, across, e["how"], extra, _expect_text(e)))
        for f in j["failures"]:
            lines.append("     FAIL: %s" % f)
    for g in ev["guest_events"]:
        lines.append("   guest event %d at sample %d: %s" % (g["n"], g["seq"], ", ".join(
            "%s %s %s" % (k, v["class"], "%+.3f s" % v["excess_s"] if v["excess_s"] is not None else "")
            for k, v in g["sources"].items())))
    if ev.get("error"):
        lines.append("   event error: %s" % ev["error"])
    return lines
