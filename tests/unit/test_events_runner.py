"""Unit tests for tools/events.py: --event parsing and its usage errors, the expectation table,
the judgement of an injected pause, snapshot or migration from synthetic drift samples and guest
event lines, of a reset from two synthetic boots, and tools/run's reader following a migration
from one (fake) QEMU to the next (no QEMU).
Run: python3 -m unittest tests/unit/test_events_runner.py."""
import contextlib
import importlib.machinery
import importlib.util
import io
import os
import sys
import tempfile
import threading
import time
import unittest

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, TOOLS)
import events  # noqa: E402

T0 = 1700000000.0
RATES = {"tsc": 2e9, "hpet": 1e8, "pmtimer": 3579545.0, "rtc": 1.0}


def metric(v):
    return {"value": v}


def make_log(pause_at=5.0, length=3.0, n=15, tsc_runs_on=False, guest_event=True, rtc_jump=3.0004):
    """Samples 1 s apart on the guest's TSC; a pause between samples 5 and 6 of `length` host s.
    TCG: the TSC, HPET and PM timer stop; the RTC (host time) does not."""
    diags, host, guest_t = [], T0, 0.0
    rtc0 = 1800000000.3
    for seq in range(n):
        if seq == 6:
            host += length
            if tsc_runs_on:
                guest_t += length
        vals = {"tsc": int(guest_t * 2e9) + 10 ** 9, "hpet": int(guest_t * 1e8) + 500,
                "pmtimer": int(guest_t * 3579545.0), "rtc": int(rtc0 + (host - T0))}
        diags.append({"t": host, "text": "sample %d " % seq + " ".join("%s=%d" % kv for kv in vals.items())})
        host += 1.0
        guest_t += 1.0
    if guest_event:
        diags.append({"t": host, "text": "event 0 seq=6 tsc=froze:+0.002 hpet=froze:+0.001 pmtimer=froze:+0.000 "
                                         "rtc=ran_on:+%.3f rtc_before=1 rtc_after=5" % (rtc_jump * 1e3)})
    metrics = {"%s.nominal_hz" % k: metric(v) for k, v in RATES.items() if k != "tsc"}
    metrics["drift.tsc_hz"] = metric(2e9)
    return {"diagnostics": diags, "metrics": metrics}


def pause_record(length=3.0, kind="pause"):
    t_stop = T0 + 5.5
    return {"kind": kind, "seconds": length if kind == "pause" else 0.0, "at": 5.5,
            "spec": "pause:%g@5.5" % length if kind == "pause" else "%s@5.5" % kind,
            "t_stop": t_stop, "t_cont": t_stop + length, "length_s": length, "timing_unc_s": 0.005}


RUN = os.path.join(TOOLS, "run")


def load_runner():
    loader = importlib.machinery.SourceFileLoader("cprun_events", RUN)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class Parse(unittest.TestCase):
    def test_pause(self):
        self.assertEqual(events.parse_event("pause:3@5")["seconds"], 3.0)
        for bad in ("pause:3", "pause:0@5", "stop:3@5", "pause:-1@2", "pause:3@x", "snapshot:3@5", "reset",
                    "migrate@", "migrate_live@3"):
            with self.assertRaises(events.EventError):
                events.parse_event(bad)

    def test_other_kinds(self):
        for kind in ("snapshot", "migrate", "migrate-live", "reset"):
            e = events.parse_event("%s@4.5" % kind)
            self.assertEqual((e["kind"], e["at"], e["seconds"]), (kind, 4.5, 0.0))

    def test_plan(self):
        ev = [events.parse_event(x) for x in ("pause:1@3", "snapshot@5", "reset@8")]
        events.check_plan(ev, 10)
        self.assertEqual(events.boots_expected(ev), 2)
        for specs, drift, words in ((["pause:1@3"], 0, "drift mode"),
                                    (["reset@3", "snapshot@5"], 10, "last event"),
                                    (["reset@5", "snapshot@5"], 10, "last event"),
                                    (["reset@3", "reset@5"], 10, "one reset")):
            with self.assertRaises(events.EventError) as c:
                events.check_plan([events.parse_event(x) for x in specs], drift)
            self.assertIn(words, str(c.exception))

    def test_runner_usage_errors_exit_3(self):
        r = load_runner()
        for argv, words in ((["--event", "snapshot@3"], "drift mode"),
                            (["--args", "duration=10", "--event", "reset@2", "--event", "migrate@4"], "last event"),
                            (["--lab", "--args", "duration=10", "--event", "migrate-live@2"], "--lab drives only"),
                            (["--args", "duration=10", "--event", "bogus@2"], "want pause")):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as c:
                r.parse_args(argv)
            self.assertEqual(c.exception.code, 3)
            self.assertIn(words, err.getvalue())
        o = r.parse_args(["--args", "duration=10", "--event", "snapshot@2", "--event", "reset@4"])
        whole = r.TIMEOUT_S + r.DRIFT_TIMEOUT_PER_S * 10
        self.assertEqual(o.boots, 2)
        self.assertEqual(o.timeout, whole + events.EVENT_ALLOWANCE_S["snapshot"] + whole)


class Judge(unittest.TestCase):
    def test_tcg_pause_matches_table(self):
        log = make_log()
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertEqual(j["failures"], [])
        self.assertTrue(j["detected"])
        s = j["sources"]
        self.assertAlmostEqual(s["tsc"]["across_s"], 0.0, delta=0.01)
        self.assertAlmostEqual(s["hpet"]["across_s"], 0.0, delta=0.01)
        self.assertAlmostEqual(s["rtc"]["across_s"], 3.0, delta=0.01)  # edge-timed, not whole seconds
        self.assertEqual(s["rtc"]["how"], "guest edge timing + TSC")

    def test_one_delayed_line_does_not_move_the_figures(self):
        # the first sample after the pause reached the host 86 ms late (a preempted QEMU)
        log = make_log()
        log["diagnostics"][6]["t"] += 0.086
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertEqual(j["failures"], [])
        self.assertAlmostEqual(j["sources"]["hpet"]["across_s"], 0.0, delta=0.01)

    def test_samples_are_taken_between_the_neighbouring_events(self):
        # a second 2 s pause between samples 8 and 9: the first event's figures must not see it
        log = make_log()
        for d in log["diagnostics"][9:15]:
            d["t"] += 2.0
        first = pause_record()
        second = dict(pause_record(2.0), t_stop=T0 + 3.0 + 8.5, t_cont=T0 + 3.0 + 10.5, spec="pause:2@11.5")
        res = {"log": log, "post": {}, "run": {"accel": "tcg", "events": [first, second],
                                                "events_requested": ["a", "b"]}}
        events.events(res)
        j = res["post"]["events"]["injected"]
        self.assertEqual(j[0]["failures"], [])
        self.assertAlmostEqual(j[0]["sources"]["hpet"]["across_s"], 0.0, delta=0.01)
        self.assertAlmostEqual(j[1]["sources"]["hpet"]["across_s"], 0.0, delta=0.01)

    def test_kvm_like_behaviour_fails_the_tcg_table(self):
        log = make_log(tsc_runs_on=True, guest_event=True)
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertTrue(any("tsc advanced" in f for f in j["failures"]), j["failures"])

    def test_undetected_pause_fails(self):
        log = make_log(guest_event=False)
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertTrue(any("did not detect" in f for f in j["failures"]))

    def test_migration_and_snapshot_use_the_stopped_vm_table(self):
        for kind in ("snapshot", "migrate", "migrate-live"):
            log = make_log(length=0.4, rtc_jump=0.4)
            j = events.judge_event(pause_record(0.4, kind), events._samples(log), events._guest_events(log), log, "tcg")
            self.assertEqual(j["failures"], [], kind)
            self.assertEqual(j["kind"], kind)
            log = make_log(length=0.4, rtc_jump=0.4, tsc_runs_on=True)
            j = events.judge_event(pause_record(0.4, kind), events._samples(log), events._guest_events(log), log, "tcg")
            self.assertTrue(any("tsc advanced" in f for f in j["failures"]), (kind, j["failures"]))

    def test_reanchored_counter_is_unknown_not_judged(self):
        log = make_log()
        # the PM timer re-anchored at sample 6, right after the pause: its advance is unknowable
        log["diagnostics"].insert(6, {"t": T0 + 9, "text": "reanchor 6 pmtimer gap_us=3000000"})
        log["diagnostics"][5]["text"] = log["diagnostics"][5]["text"].replace("pmtimer=", "pmtimer=9")
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertEqual(j["failures"], [])
        self.assertIsNone(j["sources"]["pmtimer"]["across_s"])
        self.assertIn("re-anchored", j["sources"]["pmtimer"]["how"])
        self.assertTrue(any("pmtimer" in l and "unknown" in l for l in events.report_lines(
            {"post": {"events": {"injected": [j], "guest_events": []}}})))

    def test_hook_exit_codes(self):
        res = {"log": make_log(), "post": {}, "run": {"accel": "tcg", "events": [pause_record()],
                                                       "events_requested": ["pause:3@5.5"]}}
        self.assertIsNone(events.events(res))
        self.assertTrue(events.report_lines(res))
        res = {"log": make_log(), "post": {}, "run": {"accel": "tcg", "events": [], "events_requested": ["x"],
                                                       "events_error": "cannot reach QMP"}}
        self.assertEqual(events.events(res)[0], events.EXIT_SETUP)


def boot_log(t_first, n, tsc0, hpet0, rtc_offset, boot="uefi", start_t=None):
    """One boot's parsed log: n samples 1 s apart from host time t_first; the TSC from tsc0 s,
    the HPET from hpet0 s, the 24-bit PM timer, the RTC at host time + rtc_offset, and two RTC
    edge lines that date that offset."""
    diags = []
    for k in range(n):
        t = t_first + k
        vals = {"tsc": int((tsc0 + k) * 2e9), "hpet": int((hpet0 + k) * 1e8), "pmtimer": (k * 3579545) % (1 << 24),
                "rtc": int(t + rtc_offset)}
        diags.append({"t": t, "text": "sample %d " % k + " ".join("%s=%d" % kv for kv in vals.items())})
    edge = int(t_first - 5 + rtc_offset) + 1
    metrics = {"%s.nominal_hz" % k: metric(v) for k, v in RATES.items() if k != "tsc"}
    metrics.update({"drift.tsc_hz": metric(2e9), "tsc.counter_bits": metric(64), "hpet.counter_bits": metric(64),
                    "pmtimer.counter_bits": metric(24), "rtc.counter_bits": metric(64),
                    "rtc.edge_ticks": {"value": edge + 1, "t": edge + 1 - rtc_offset + 0.001,
                                       "samples": [{"value": v, "t": v - rtc_offset + 0.001} for v in (edge, edge + 1)]}})
    return {"diagnostics": diags, "metrics": metrics, "started": True, "start_t": start_t or t_first - 3,
            "info": {"boot.path": {"text": boot, "t": (start_t or t_first - 3) + 0.01}}}


class Reset(unittest.TestCase):
    T_RESET = T0 + 10.2

    def record(self):
        return {"kind": "reset", "seconds": 0.0, "at": 10, "spec": "reset@10", "t_reset": self.T_RESET,
                "timing_unc_s": 0.002, "firmware_resets": 1}

    def judge(self, after, boot="uefi"):
        before = boot_log(T0, 11, 20.0, 15.0, -0.5)
        return events.judge_reset(self.record(), before, after, "tcg", boot)

    def test_tcg_reset_tsc_continues_hpet_restarts(self):
        # the new boot's first sample 8 s after the reset: the TSC 8 s further, the HPET at 2 s
        after = boot_log(self.T_RESET + 8, 5, 20.0 + 10.2 + 8, 2.0, -0.5, start_t=self.T_RESET + 1)
        j = self.judge(after, "pvh")
        self.assertEqual(j["failures"], [])
        s = j["sources"]
        self.assertAlmostEqual(s["tsc"]["across_s"], 0.0, delta=0.01)
        self.assertAlmostEqual(s["hpet"]["after_s"], 2.0, delta=0.01)
        self.assertIsNone(s["pmtimer"]["across_s"])  # 24 bits: a new extension, unknowable
        self.assertAlmostEqual(s["rtc"]["across_s"], 0.0, delta=0.002)
        self.assertTrue(any("restarted" in l for l in events.report_lines(
            {"post": {"events": {"injected": [j], "guest_events": []}}})))

    def test_counters_that_do_not_behave_fail(self):
        # the TSC restarted at 0, the HPET ran on
        after = boot_log(self.T_RESET + 8, 5, 9.0, 15.0 + 18.2, -0.5, start_t=self.T_RESET + 1)
        f = self.judge(after)["failures"]
        self.assertTrue(any(x.startswith("tsc advanced") for x in f), f)
        self.assertTrue(any(x.startswith("hpet read") and "did not restart" in x for x in f), f)

    def test_rtc_offset_per_boot_path(self):
        after = boot_log(self.T_RESET + 8, 5, 38.2, 2.0, -0.3, start_t=self.T_RESET + 1)
        self.assertEqual(self.judge(after, "uefi")["failures"], [])  # OVMF rewrites it: within (-2, +1) s
        f = self.judge(after, "pvh")["failures"]  # nothing rewrites it under PVH
        self.assertTrue(any("RTC's offset from host UTC moved +0.200 s" in x for x in f), f)

    def test_guest_restarting_before_the_reset_fails(self):
        after = boot_log(self.T_RESET + 8, 5, 38.2, 2.0, -0.5, start_t=self.T_RESET - 1)
        self.assertTrue(any("restarted on its own" in x for x in self.judge(after)["failures"]))
        self.assertIn("no second boot", self.judge(None)["failures"][0])

    def test_hook_uses_the_later_boot(self):
        after = boot_log(self.T_RESET + 8, 5, 38.2, 2.0, -0.5, start_t=self.T_RESET + 1)
        res = {"log": boot_log(T0, 11, 20.0, 15.0, -0.5), "later_boots": [after], "post": {},
               "run": {"accel": "tcg", "boot": "pvh", "events": [self.record()], "events_requested": ["reset@10"]}}
        self.assertIsNone(events.events(res))
        self.assertEqual(res["post"]["events"]["injected"][0]["kind"], "reset")


FAKE_QEMU = """#!%s
import sys, time
name = sys.argv[1]
if "-incoming" in sys.argv:
    print("second line 1", flush=True)
    print("second line 2", flush=True)
    sys.exit(7)
sys.stdout.write("first line\\npartial ")
sys.stdout.flush()
time.sleep(0.3)
sys.exit(0)
"""


class Reader(unittest.TestCase):
    """tools/run's reader: a migration's new QEMU continues the one serial log."""

    def test_successor_continues_the_log(self):
        r = load_runner()
        with tempfile.TemporaryDirectory() as d:
            qemu = os.path.join(d, "qemu")
            with open(qemu, "w") as f:
                f.write(FAKE_QEMU % sys.executable)
            os.chmod(qemu, 0o755)
            vm = r.QemuSet([qemu, "x"], d, qmp=False)

            def driver():
                while not vm.procs:
                    time.sleep(0.01)
                vm.expect_successor()  # as the driver does before it quits the source
                while vm.procs[0].poll() is None:
                    time.sleep(0.05)
                time.sleep(0.5)  # the first QEMU is gone, the reader must wait for the next
                vm.successor("exec:cat state")
            threading.Thread(target=driver, daemon=True).start()
            q = r.run_qemu([qemu, "x"], 20, True, None, vm=vm)
        self.assertEqual([t for _, t in q["lines"]], ["first line", "partial second line 1", "second line 2"])
        self.assertEqual((q["exit_status"], q["earlier_exit_statuses"]), (7, [0]))
        self.assertFalse(q["timed_out"])


if __name__ == "__main__":
    unittest.main()
