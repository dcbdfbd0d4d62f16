"""Unit tests for tools/events.py: --event parsing, the expectation table and the judgement of
an injected pause from synthetic drift samples and guest event lines (no QEMU).
Run: python3 -m unittest tests/unit/test_events_runner.py."""
import os
import sys
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


def pause_record(length=3.0):
    t_stop = T0 + 5.5
    return {"kind": "pause", "seconds": length, "at": 5.5, "spec": "pause:%g@5.5" % length,
            "t_stop": t_stop, "t_cont": t_stop + length, "length_s": length}


class Parse(unittest.TestCase):
    def test_pause(self):
        self.assertEqual(events.parse_event("pause:3@5")["seconds"], 3.0)
        for bad in ("pause:3", "pause:0@5", "stop:3@5", "pause:-1@2", "pause:3@x"):
            with self.assertRaises(events.EventError):
                events.parse_event(bad)


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

    def test_kvm_like_behaviour_fails_the_tcg_table(self):
        log = make_log(tsc_runs_on=True, guest_event=True)
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertTrue(any("tsc advanced" in f for f in j["failures"]), j["failures"])

    def test_undetected_pause_fails(self):
        log = make_log(guest_event=False)
        j = events.judge_event(pause_record(), events._samples(log), events._guest_events(log), log, "tcg")
        self.assertTrue(any("did not detect" in f for f in j["failures"]))

    def test_hook_exit_codes(self):
        res = {"log": make_log(), "post": {}, "run": {"accel": "tcg", "events": [pause_record()],
                                                       "events_requested": ["pause:3@5.5"]}}
        self.assertIsNone(events.events(res))
        self.assertTrue(events.report_lines(res))
        res = {"log": make_log(), "post": {}, "run": {"accel": "tcg", "events": [], "events_requested": ["x"],
                                                       "events_error": "cannot reach QMP"}}
        self.assertEqual(events.events(res)[0], events.EXIT_SETUP)


if __name__ == "__main__":
    unittest.main()
