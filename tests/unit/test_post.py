"""Unit tests for tools/post.py (tools/run post-processing: RTC offset, drift fit, plots,
report) and the runner options that feed it. Synthetic logs with host stamps; no QEMU.
Run: python3 -m unittest tests/unit/test_post.py  (or tests/run_unit.py)."""
import contextlib
import csv
import io
import re
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, TOOLS)
import cplog  # noqa: E402
import post  # noqa: E402

T0 = 1700000000.0  # host stamp of the first sample line
SVG_NS = "{http://www.w3.org/2000/svg}"

HEAD = ["CLOCKPROBE-START protocol=1", "TAP version 13",
        "# metric tsc.present 1 bool", "# metric hpet.present 1 bool", "# metric pmtimer.present 1 bool",
        "# metric rtc.present 1 bool", "# metric kvmclock.present 0 bool",
        "# metric hpet.nominal_hz 100000000.000000 Hz", "# metric pmtimer.nominal_hz 3579545.000000 Hz",
        "# metric rtc.nominal_hz 1.000000 Hz",
        "# metric tsc.freq_hz 2000000000.000 Hz", "# metric drift.tsc_hz 2000000000 Hz",
        "# metric drift.duration_s 20 s"]
TAIL = ["ok 1 - drift.samples", "1..1", "# summary: 1 passed, 0 failed, 0 skipped", "CLOCKPROBE-END status=pass"]


def sample_line(seq, ticks):
    return "# sample %d " % seq + " ".join("%s=%d" % kv for kv in ticks)


def make_log(n=21, period=1.0, ppm=None, jitter=None, extra=None, rtc_base=1700000000.3):
    """Stamped lines: n sample lines `period` host seconds apart. ppm: {src: ppm vs host}.
    Sources: tsc 2 GHz (measured rate), hpet 100 MHz, pmtimer, rtc (1 Hz, floors)."""
    ppm = dict({"tsc": 0.0, "hpet": 0.0, "pmtimer": 0.0, "rtc": 0.0}, **(ppm or {}))
    rates = {"tsc": 2e9, "hpet": 1e8, "pmtimer": 3579545.0, "rtc": 1.0}
    start = {"tsc": 123456789, "hpet": 5000, "pmtimer": 77, "rtc": 0}
    lines = [(T0 - 5 + 0.01 * k, text) for k, text in enumerate(HEAD)]
    for i in range(n):
        h = i * period  # true host seconds since the first sample
        ticks = []
        for s in ("tsc", "hpet", "pmtimer", "rtc"):
            el = h * (1 + ppm[s] * 1e-6)
            v = int(rtc_base + el) if s == "rtc" else start[s] + round(el * rates[s])
            ticks.append((s, v))
        t = T0 + h + (jitter[i % len(jitter)] if jitter else 0.0)
        lines.append((t, sample_line(i, ticks)))
    for k, text in enumerate(extra or []):
        lines.append((T0 + n * period + 0.001 * k, text))
    lines += [(T0 + n * period + 1 + 0.01 * k, text) for k, text in enumerate(TAIL)]
    return lines


def result_of(lines, run=None):
    return {"log": cplog.parse(lines), "run": run or {}, "post": {},
            "verdict": {"exit": 0, "reason": "ok", "notes": []}}


def run_drift(lines, run=None):
    res = result_of(lines, run)
    rc = post.drift(res)
    return res, rc


class DriftFit(unittest.TestCase):
    def test_reanchored_count_fitted_in_segments(self):
        # A 24-bit PM timer re-anchored at sample 10 (a 3 s pause the guest could not see
        # through): its count after the gap lacks whole wraps. One rate over both segments
        # still comes out exact, and the re-anchor is counted.
        lines = make_log(ppm={"pmtimer": 20.0})
        wrap = 1 << 24
        out = []
        for t, text in lines:
            if text.startswith("# sample "):
                seq = int(text.split()[2])
                if seq >= 10:
                    text = re.sub(r"pmtimer=(\d+)", lambda m: "pmtimer=%d" % (int(m.group(1)) - 2 * wrap), text)
                if seq == 10:
                    out.append((t - 0.001, "# reanchor 10 pmtimer gap_us=3068000"))
            out.append((t, text))
        res, _ = run_drift(out)
        pm = res["post"]["drift"]["sources"]["pmtimer"]
        self.assertEqual((pm["reanchors"], pm["segments"]), (1, 2))
        self.assertAlmostEqual(pm["ppm_vs_host"], 20.0, delta=0.1)
        self.assertAlmostEqual(pm["ppm_vs_tsc"], 20.0, delta=0.1)
        # without the re-anchor line the same data is a broken fit, not 20 ppm
        res, _ = run_drift([x for x in out if "reanchor" not in x[1]])
        self.assertGreater(abs(res["post"]["drift"]["sources"]["pmtimer"]["ppm_vs_host"] - 20.0), 1000)

    def test_ppm_vs_host_exact(self):
        res, rc = run_drift(make_log(ppm={"hpet": 100.0, "pmtimer": -50.0}))
        self.assertIsNone(rc)
        self.assertEqual(res["log"]["errors"], [])
        d = res["post"]["drift"]
        self.assertEqual(d["samples"], 21)
        self.assertAlmostEqual(d["duration_s"], 20.0, places=6)
        self.assertEqual(d["requested_s"], 20)
        s = d["sources"]
        self.assertAlmostEqual(s["hpet"]["ppm_vs_host"], 100.0, delta=0.1)
        self.assertAlmostEqual(s["pmtimer"]["ppm_vs_host"], -50.0, delta=0.1)
        self.assertAlmostEqual(s["tsc"]["ppm_vs_host"], 0.0, delta=0.1)
        self.assertAlmostEqual(s["hpet"]["offset_end_ms"], 2.0, delta=0.001)  # 100 ppm of 20 s
        self.assertLess(s["hpet"]["rms_ms"], 0.001)
        self.assertEqual(s["hpet"]["rate_from"], "nominal")
        self.assertEqual(s["tsc"]["rate_from"], "measured")
        self.assertEqual(s["hpet"]["samples"], 21)
        self.assertAlmostEqual(s["hpet"]["ppm_vs_tsc"], 100.0, delta=0.1)
        self.assertIsNone(s["tsc"]["ppm_vs_tsc"])
        self.assertEqual(list(s), ["tsc", "hpet", "pmtimer", "rtc"])  # report order
        json.dumps(d)

    def test_ppm_vs_tsc_when_tsc_drifts(self):
        res, _ = run_drift(make_log(ppm={"tsc": 30.0, "hpet": 100.0}))
        s = res["post"]["drift"]["sources"]
        self.assertAlmostEqual(s["tsc"]["ppm_vs_host"], 30.0, delta=0.1)
        # hpet relative to tsc: (1 + 100e-6) / (1 + 30e-6) - 1
        self.assertAlmostEqual(s["hpet"]["ppm_vs_tsc"], 69.998, delta=0.1)
        self.assertLess(s["hpet"]["rms_vs_tsc_ms"], 0.001)

    def test_jittered_stamps(self):
        # Serial delay only adds: 0..0.8 ms. Over 300 s the fit still resolves 100 ppm well.
        jit = [0.0002, 0.0008, 0.0, 0.0005, 0.0003, 0.0007, 0.0001]
        res, _ = run_drift(make_log(n=301, ppm={"hpet": 100.0}, jitter=jit))
        s = res["post"]["drift"]["sources"]["hpet"]
        self.assertAlmostEqual(s["ppm_vs_host"], 100.0, delta=1.0)
        self.assertGreater(s["rms_ms"], 0.1)
        self.assertLess(s["rms_ms"], 0.5)
        # against the TSC the jitter cancels: the guest reads both back to back
        self.assertAlmostEqual(res["post"]["drift"]["sources"]["hpet"]["ppm_vs_tsc"], 100.0, delta=0.1)

    def test_rtc_staircase(self):
        # sample spacing 0.7 s: the RTC value steps 0 or 1 between lines (a staircase)
        res, _ = run_drift(make_log(n=60, period=0.7, ppm={"rtc": 0.0}))
        d = res["post"]["drift"]
        r = d["sources"]["rtc"]
        self.assertEqual(r["rate_from"], "nominal")
        self.assertAlmostEqual(r["resolution_ppm"], 1e6 / d["duration_s"], delta=1e-3 * r["resolution_ppm"])
        self.assertLess(abs(r["ppm_vs_host"]), r["resolution_ppm"])
        self.assertLess(abs(r["offset_end_ms"]), 1000.0)
        self.assertGreater(r["rms_ms"], 100.0)  # quantisation noise ~ 1 s / sqrt(12)
        self.assertLess(r["rms_ms"], 500.0)

    def test_missing_sources(self):
        lines = make_log(n=11)
        # drop pmtimer from every other line; a source with no rate at all; one seen once
        out = []
        for t, text in lines:
            if text.startswith("# sample"):
                seq = int(text.split()[2])
                if seq % 2:
                    text = " ".join(w for w in text.split(" ") if not w.startswith("pmtimer="))
                text += " apic=%d" % (1000 * seq)
                if seq == 3:
                    text += " hyperv=5"
            out.append((t, text))
        res, _ = run_drift(out)
        d = res["post"]["drift"]
        self.assertEqual(d["sources"]["pmtimer"]["samples"], 6)
        self.assertAlmostEqual(d["sources"]["pmtimer"]["ppm_vs_host"], 0.0, delta=0.1)
        self.assertNotIn("apic", d["sources"])
        self.assertNotIn("hyperv", d["sources"])
        self.assertTrue(any("apic: no apic.nominal_hz or apic.freq_hz" in w for w in d["warnings"]))
        self.assertTrue(any(w.startswith("hyperv:") for w in d["warnings"]))

    def test_measured_rate_used_without_nominal(self):
        lines = make_log(n=11)
        lines.insert(3, (T0 - 1, "# metric apic.freq_hz 1000000.000 Hz"))
        lines = [(t, x + " apic=%d" % (int(x.split()[2]) * 1000000) if x.startswith("# sample") else x)
                 for t, x in lines]
        res, _ = run_drift(lines)
        a = res["post"]["drift"]["sources"]["apic"]
        self.assertEqual(a["rate_from"], "measured")
        self.assertAlmostEqual(a["ppm_vs_host"], 0.0, delta=0.1)

    def test_malformed_sample_lines_ignored_with_warning(self):
        bad = ["# sample", "# sample x tsc=1", "# sample 99 tsc=abc", "# sample 100",
               "# sample 101 tsc=1 tsc=2", "# sample 5 tsc=1 hpet=2", "# sample 102 TSC=1"]
        res, _ = run_drift(make_log(n=11, ppm={"hpet": 100.0}, extra=bad))
        d = res["post"]["drift"]
        self.assertEqual(d["samples"], 11)
        self.assertEqual(len([w for w in d["warnings"] if w.startswith("sample line ignored")]), len(bad))
        self.assertTrue(any("not increasing" in w for w in d["warnings"]))
        self.assertAlmostEqual(d["sources"]["hpet"]["ppm_vs_host"], 100.0, delta=0.1)

    def test_absurd_sample_numbers_are_malformed(self):
        # a count of 5000 digits is no 64-bit count: ignored with a warning, not a ValueError
        huge = "9" * 5000
        lines = make_log(n=6, extra=["# sample 99 tsc=%s hpet=1" % huge, "# sample %s tsc=1" % huge])
        res, _ = run_drift(lines)
        self.assertEqual(sum("malformed" in w for w in res["post"]["drift"]["warnings"]), 2)
        self.assertEqual(res["post"]["drift"]["samples"], 6)

    def test_unstamped_lines_ignored(self):
        res, _ = run_drift([(None, x) for _, x in make_log(n=5)])
        d = res["post"]["drift"]
        self.assertEqual(d["samples"], 0)
        self.assertEqual(d["sources"], {})
        self.assertTrue(any("no host stamp" in w for w in d["warnings"]))

    def test_no_sample_lines_no_drift(self):
        res = result_of([(T0, x) for x in HEAD + TAIL])
        self.assertIsNone(post.drift(res))
        self.assertNotIn("drift", res["post"])

    def test_single_sample_line(self):
        res, rc = run_drift(make_log(n=1))
        self.assertIsNone(rc)
        self.assertEqual(res["post"]["drift"]["sources"], {})
        self.assertTrue(res["post"]["drift"]["warnings"])

    def test_uncertainty(self):
        res, _ = run_drift(make_log(n=21, ppm={"hpet": 100.0}))
        s = res["post"]["drift"]["sources"]["hpet"]
        self.assertLess(s["ppm_vs_host_unc"], 0.01)
        jit = [0.0002, 0.0008, 0.0, 0.0005, 0.0003, 0.0007, 0.0001]
        res, _ = run_drift(make_log(n=21, ppm={"hpet": 100.0}, jitter=jit))
        s = res["post"]["drift"]["sources"]["hpet"]
        self.assertGreater(s["ppm_vs_host_unc"], 1.0)  # ~0.3 ms jitter over 20 s: several ppm
        self.assertLess(abs(s["ppm_vs_host"] - 100.0), 4 * s["ppm_vs_host_unc"])
        res, _ = run_drift(make_log(n=2))
        self.assertIsNone(res["post"]["drift"]["sources"]["hpet"]["ppm_vs_host_unc"])

    def test_count_through_2_64(self):
        # an extended count that starts just below 2^64 and passes it (seen from the APIC)
        lines = make_log(n=11, ppm={"hpet": 100.0})
        lines = [(t, " ".join("hpet=%d" % ((int(w[5:]) - 10 ** 8 * 3) % 2 ** 64) if w.startswith("hpet=") else w
                              for w in x.split(" ")) if x.startswith("# sample") else x) for t, x in lines]
        self.assertTrue(any("hpet=1844674407" in x for _, x in lines))
        res, _ = run_drift(lines)
        self.assertAlmostEqual(res["post"]["drift"]["sources"]["hpet"]["ppm_vs_host"], 100.0, delta=0.1)

    def test_huge_tick_counts(self):
        # 64-bit extended counts near the top: differences must stay exact
        lines = [(t, x.replace("tsc=", "tsc=18446744000").replace("hpet=", "hpet=1844674407370")
                  if x.startswith("# sample") else x) for t, x in make_log(n=11, ppm={"hpet": 100.0})]
        res, _ = run_drift(lines)
        # prefixing digits breaks the series: it must not crash, and warnings/sources are sane
        json.dumps(res["post"]["drift"])
        lines = make_log(n=11, ppm={"hpet": 100.0})
        big = 2 ** 63
        lines = [(t, " ".join("hpet=%d" % (big + int(w[5:])) if w.startswith("hpet=") else w
                              for w in x.split(" ")) if x.startswith("# sample") else x) for t, x in lines]
        res, _ = run_drift(lines)
        self.assertAlmostEqual(res["post"]["drift"]["sources"]["hpet"]["ppm_vs_host"], 100.0, delta=0.1)


class DriftFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.svg = os.path.join(self.tmp.name, "d.svg")
        self.csv = os.path.join(self.tmp.name, "d.csv")

    def tearDown(self):
        self.tmp.cleanup()

    def test_svg_well_formed(self):
        res, rc = run_drift(make_log(n=21, ppm={"hpet": 100.0, "pmtimer": -20.0}),
                            {"drift_svg": self.svg, "drift_csv": self.csv})
        self.assertIsNone(rc)
        with open(self.svg) as f:
            text = f.read()
        self.assertTrue(text.startswith("<svg"))
        root = ET.fromstring(text)
        self.assertEqual(root.tag, SVG_NS + "svg")
        lines = root.findall(SVG_NS + "polyline")
        self.assertEqual(len(lines), 4)
        texts = [t.text or "" for t in root.iter(SVG_NS + "text")]
        self.assertIn("offset vs host (ms)", texts)
        self.assertTrue(any(t.startswith("hpet") for t in texts))
        self.assertTrue(any(t.startswith("rtc (1 s steps") for t in texts))
        self.assertEqual(len(root.findall(SVG_NS + "clipPath")), 2)  # fine and coarse panels
        self.assertEqual(res["post"]["drift"]["files"], [self.csv, self.svg])

    def test_svg_odd_inputs(self):
        # all offsets zero (flat), a single source, an unknown source name
        for series, rates in [({"tsc": [(0.0, 0.0, 0, 0.0), (1.0, 0.0, 1, 1.0)]}, {"tsc": 1e9}),
                              ({"rtc": [(0.0, 0.0, 0, None), (5.0, -0.3, 1, None)]}, {"rtc": 1.0}),
                              ({"x<&>": [(0.0, 0.0, 0, None), (2.0, 1e-6, 1, None)]}, {"x<&>": 1e6})]:
            root = ET.fromstring(post.drift_svg(series, T0, rates))
            self.assertEqual(len(root.findall(SVG_NS + "polyline")), 1)

    def test_csv(self):
        run_drift(make_log(n=6, ppm={"hpet": 100.0}), {"drift_csv": self.csv})
        with open(self.csv) as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["host_t", "seq", "tsc_ms", "hpet_ms", "pmtimer_ms", "rtc_ms"])
        self.assertEqual(len(rows), 7)
        self.assertEqual(rows[1][1], "0")
        self.assertAlmostEqual(float(rows[1][0]), T0, places=5)
        self.assertAlmostEqual(float(rows[-1][3]), 0.5, places=4)  # 100 ppm of 5 s

    def test_unwritable_file_is_a_setup_error(self):
        res, rc = run_drift(make_log(n=3), {"drift_svg": os.path.join(self.tmp.name, "no", "d.svg")})
        self.assertEqual(rc[0], 3)
        self.assertIn("cannot write", rc[1])


class RtcOffset(unittest.TestCase):
    def edge_log(self, offset, delays, with_unix_s=True):
        lines = [(T0 - 10, "CLOCKPROBE-START protocol=1"), (T0 - 10, "TAP version 13")]
        v0 = 1700000100
        if with_unix_s:
            lines.append((v0 - 1 - offset + 0.004, "# metric rtc.unix_s %d s" % (v0 - 1)))
        for k, d in enumerate(delays):
            v = v0 + k
            lines.append((v - offset + d, "# metric rtc.edge_ticks %d ticks" % v))
        return lines + [(T0, x) for x in TAIL]

    def test_max_of_value_minus_stamp(self):
        res = result_of(self.edge_log(0.4, [0.0031, 0.0007, 0.0052]))
        self.assertIsNone(post.rtc_offset(res))
        r = res["post"]["rtc_offset"]
        self.assertEqual(r["samples"], 4)
        self.assertAlmostEqual(r["offset_ms"], 400.0 - 0.7, delta=0.01)
        self.assertAlmostEqual(r["spread_ms"], 5.2 - 0.7, delta=0.01)
        m = res["log"]["metrics"]["rtc.offset_ms"]
        self.assertEqual(m["unit"], "ms")
        self.assertEqual(m["source"], "runner")
        self.assertIsNone(m["t"])
        self.assertAlmostEqual(m["value"], 399.3, delta=0.01)
        self.assertEqual(float(m["raw"]), m["value"])

    def test_negative_offset_single_edge(self):
        res = result_of(self.edge_log(-2.25, [0.001], with_unix_s=False))
        post.rtc_offset(res)
        r = res["post"]["rtc_offset"]
        self.assertEqual(r["samples"], 1)
        self.assertEqual(r["spread_ms"], 0.0)
        self.assertAlmostEqual(r["offset_ms"], -2251.0, delta=0.01)  # RTC 2.25 s behind, 1 ms delay

    def test_vm_clock_note(self):
        res = result_of(self.edge_log(0.4, [0.001]), {"rtc_clock": "vm"})
        post.rtc_offset(res)
        self.assertIn("virtual time", res["post"]["rtc_offset"]["note"])
        self.assertIn("virtual time", "\n".join(post.report_lines(res)))

    def test_local_time_note(self):
        res = result_of(self.edge_log(19799.4, [0.001]))  # RTC at UTC+05:30, started 0.6 s late
        post.rtc_offset(res)
        self.assertIn("+330 min from UTC: the RTC keeps local time", res["post"]["rtc_offset"]["note"])
        self.assertEqual(post.tz_minutes(-3600.4), -60)
        self.assertEqual(post.tz_minutes(0.9), 0)
        self.assertEqual(post.tz_minutes(420), 0)

    def test_multi_year_offset_is_not_a_time_zone(self):
        # three years (an exact multiple of 15 min) and 15 h are beyond every real UTC offset
        for offset in (3 * 365 * 86400 + 0.4, -15 * 3600 + 0.4):
            res = result_of(self.edge_log(offset, [0.001]))
            post.rtc_offset(res)
            note = res["post"]["rtc_offset"]["note"]
            self.assertNotIn("local time", note)
            self.assertIn("not a time zone", note)
        self.assertEqual(post.tz_minutes(14 * 3600), 840)  # UTC+14, Line Islands
        self.assertEqual(post.tz_minutes(-12 * 3600), -720)
        self.assertEqual(post.tz_minutes(3 * 365 * 86400), 0)

    def test_no_edges(self):
        res = result_of([(T0, x) for x in HEAD + TAIL])
        self.assertIsNone(post.rtc_offset(res))
        self.assertNotIn("rtc_offset", res["post"])
        self.assertNotIn("rtc.offset_ms", res["log"]["metrics"])

    def test_unstamped_edges_ignored(self):
        res = result_of([(None, x) for _, x in self.edge_log(0.4, [0.001])])
        post.rtc_offset(res)
        self.assertNotIn("rtc_offset", res["post"])


class WallRewrite(unittest.TestCase):
    """`# wall_rewrite` lines (wall_rewrite_s): the new wall clock against the line's host stamp."""
    def log(self, extra):
        lines = [(T0 - 10, "CLOCKPROBE-START protocol=1"), (T0 - 10, "TAP version 13")]
        return lines + extra + [(T0 + 30, x) for x in TAIL]

    def test_pause_and_host(self):
        w0 = 1700000000 * 10 ** 9
        res = result_of(self.log([
            # wall clock 0.66 s behind host, line stamped 2 ms after the read
            (T0 + 0.662, "# wall_rewrite 0 seq=4 version=4 unix_ns=%d base_change_ns=+78618 interval_ns=23267421102" % w0),
            (T0 + 0.9, "# wall_rewrite 0 rtc minus_rtc_us=+306935 bound_us=646 edge_unix_s=1700000000"),
            (T0 + 6.662, "# wall_rewrite 1 seq=12 version=6 unix_ns=%d base_change_ns=+3015231613 interval_ns=1467254181"
             % (w0 + 6 * 10 ** 9)),
            (T0 + 7, "# wall_rewrite 1 rtc none no RTC second edge timed within 20 ms came within 2 s of the rewrite"),
            (T0 + 8, "# wall_rewrite 2 failed wrmsr 0x4b564d00 faulted (#GP)"),
            (None, "# wall_rewrite 3 seq=20 version=8 unix_ns=%d base_change_ns=-5 interval_ns=2000000000" % w0),
            (T0 + 9, "# wall_rewrite 9 rtc minus_rtc_us=+1 bound_us=1 edge_unix_s=1"),
            (T0 + 9, "# wall_rewrite x"),
        ]))
        self.assertIsNone(post.wall_rewrite(res))
        w = res["post"]["wall_rewrite"]
        r0, r1, r3 = w["rewrites"]
        self.assertEqual((r0["n"], r0["seq"], r0["version"], r0["base_change_ns"]), (0, 4, 4, 78618))
        self.assertAlmostEqual(r0["minus_host_ms"], -662.0, delta=0.01)
        self.assertAlmostEqual(r0["old_minus_host_ms"], -662.079, delta=0.01)
        self.assertEqual((r0["minus_rtc_ms"], r0["rtc_bound_ms"]), (306.935, 0.646))
        self.assertAlmostEqual(r0["old_minus_rtc_ms"], 306.856, delta=0.001)
        # the pause: the new wall clock keeps to host time, the old base is 3 s behind it
        self.assertAlmostEqual(r1["minus_host_ms"], -662.0, delta=0.01)
        self.assertAlmostEqual(r1["old_minus_host_ms"], -3677.232, delta=0.01)
        self.assertIsNone(r1["minus_rtc_ms"])
        self.assertIn("no RTC second edge", r1["rtc_none"])
        self.assertEqual(w["failed"], [{"n": 2, "why": "wrmsr 0x4b564d00 faulted (#GP)"}])
        self.assertIsNone(r3["minus_host_ms"])
        self.assertEqual(len(w["warnings"]), 3)  # unstamped, RTC line without a fill, malformed
        text = "\n".join(post.report_lines(res))
        self.assertIn("+3015231613", text)
        self.assertIn("not compared with the RTC", text)
        self.assertIn("wall rewrite 2 failed", text)

    def test_no_lines_no_entry(self):
        res = result_of(self.log([(T0, "# sample 0 tsc=1")]))
        self.assertIsNone(post.wall_rewrite(res))
        self.assertNotIn("wall_rewrite", res["post"])


class Report(unittest.TestCase):
    METRICS = ["# metric tsc.present 1 bool", "# metric hpet.present 1 bool", "# metric pit.present 0 bool",
               "# metric hpet.nominal_hz 100000000.000000 Hz", "# metric hpet.freq_hz 100000012.500 Hz",
               "# metric hpet.ppm 0.125 ppm", "# metric hpet.rate_unc_ppm 0.010 ppm",
               "# metric hpet.read_cost_ns 850 ns", "# metric hpet.read_cost_p99_ns 1200 ns",
               "# metric hpet.backwards 0 count", "# metric tsc.freq_hz 2096000123.456 Hz",
               "# metric tsc.freq_hz.vs.hpet 2096000123.456 Hz", "# metric tsc.hint_ppm.fake 23000.000 ppm",
               "# metric pair.tsc.hpet.ppm 0.125 ppm", "# metric pair.tsc.pmtimer.ppm -1.500 ppm",
               "# metric pair.hpet.pmtimer.ppm -1.625 ppm", "# metric fwcfg.present 1 bool",
               "# metric wall.efi.rtc.offset_ms 295.333 ms", "# metric wall.efi.rtc.bound_ms 500.035 ms",
               "# metric wall.rtc.kvmclock.offset_ms -3599712.500 ms", "# metric wall.rtc.kvmclock.bound_ms 0.004 ms"]
    CHECKS = ["ok 1 - tsc.discover", "ok 2 - hpet.discover", "ok 3 - hpet.rate", "not ok 4 - hpet.monotonic",
              "# fail: went backwards", "ok 5 - pit.discover # SKIP absent", "ok 6 - wall.efi.rtc",
              "not ok 7 - wall.rtc.kvmclock", "# fail: far", "1..7",
              "# summary: 4 passed, 2 failed, 1 skipped", "CLOCKPROBE-END status=fail"]

    def lines(self):
        res = result_of([(T0, x) for x in ["CLOCKPROBE-START protocol=1", "TAP version 13"] + self.METRICS
                          + self.CHECKS])
        self.assertEqual(res["log"]["errors"], [])
        return post.report_lines(res)

    def test_source_table(self):
        out = self.lines()
        row = {ln.split()[0]: ln.split() for ln in out if ln.strip().split()[0] in ("tsc", "hpet", "pit")
               and len(ln.split()) == 9}
        self.assertEqual(row["hpet"], ["hpet", "yes", "100000000.000000", "100000012.500", "0.125", "0.010",
                                       "850/1200", "0", "FAIL"])
        self.assertEqual(row["tsc"], ["tsc", "yes", "-", "2096000123.456", "-", "-", "-", "-", "ok"])
        self.assertEqual(row["pit"][1], "no")
        self.assertEqual(row["pit"][-1], "skip")
        self.assertFalse(any(ln.split()[0] == "fwcfg" for ln in out))  # not a clock source

    def test_tsc_hints_and_pairs(self):
        text = "\n".join(self.lines())
        self.assertIn("tsc.freq_hz 2096000123.456 Hz; vs hpet 2096000123.456", text)
        self.assertIn("tsc.hint_ppm: fake 23000.000", text)
        grid = [ln.split() for ln in self.lines() if ln.startswith("   tsc ") and "-1.500" in ln]
        self.assertEqual(grid, [["tsc", "0.125", "-1.500"]])
        grid = [ln.split() for ln in self.lines() if ln.startswith("   hpet ") and "-1.625" in ln]
        self.assertEqual(grid, [["hpet", ".", "-1.625"]])

    def test_wall_clocks(self):
        text = "\n".join(self.lines())
        self.assertIn("efi minus rtc: 295.333 +- 500.035 ms ok", text)
        self.assertIn("rtc minus kvmclock: -3599712.500 +- 0.004 ms FAIL", text)

    def test_empty_log(self):
        self.assertEqual(post.report_lines({"log": cplog.parse([]), "post": {}}), [])
        self.assertEqual(post.report_lines({}), [])


def load_runner():
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("cprun_post", os.path.join(TOOLS, "run"))
    spec = importlib.util.spec_from_loader("cprun_post", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


FAKE_QEMU = r'''#!%s
"""Stands in for qemu-system-x86_64: prints a drift-mode log, exits as isa-debug-exit 0."""
import sys, time
if "--version" in sys.argv:
    print("QEMU emulator version 0.0 (fake)")
    sys.exit(0)
out = sys.stdout
out.write("\x1b[2JBdsDxe: starting Boot0001\r\n")
head = %r
for line in head:
    out.write(line + "\r\n")
for i in range(6):
    out.write("# sample %%d tsc=%%d hpet=%%d rtc=%%d\r\n" %% (i, 1000 + 2000000 * i, 100000 * i, 1700000000 + i // 3))
    out.flush()
    time.sleep(0.02)
out.write("# metric rtc.edge_ticks %%d ticks\r\n" %% int(time.time()))
for line in %r:
    out.write(line + "\r\n")
out.flush()
sys.exit(1)
'''


class Runner(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runner = load_runner()

    def test_hooks_registered(self):
        self.assertIn(post.rtc_offset, self.runner.POST_HOOKS)
        self.assertIn(post.drift, self.runner.POST_HOOKS)
        self.assertIn(post.wall_rewrite, self.runner.POST_HOOKS)

    def test_profile_icount_word(self):
        r = self.runner
        o = r.parse_args(["--icount", "3", "--rtc-clock", "vm", "--args", "duration=5"])
        self.assertEqual(r.guest_args(o), "profile=icount\nduration=5")  # one line per source of words
        self.assertEqual(r.effective_profile(r.guest_args(o)), "icount")
        cmd = r.qemu_command(o, "qemu", "tcg", "code.fd", "vars.fd")
        self.assertIn("name=opt/clockprobe/args,string=profile=icount\nduration=5", cmd)
        o = r.parse_args(["--icount", "3", "--rtc-clock", "vm", "--args", "profile=spec"])
        self.assertEqual(r.guest_args(o), "profile=icount\nprofile=spec")  # the user's word wins
        self.assertEqual(r.effective_profile(r.guest_args(o)), "spec")
        for argv in (["--icount", "3"], ["--rtc-clock", "vm"], []):
            o = r.parse_args(argv)
            self.assertEqual(r.runner_guest_words(o), [])
            self.assertIsNone(r.effective_profile(r.guest_args(o)))

    def test_boot_pvh_command(self):
        r = self.runner
        o = r.parse_args(["--boot", "pvh", "--elf", "x/cp.elf", "--machine", "pc", "--no-hpet", "--smp", "2",
                          "--args", "smp=0", "--", "-machine", "acpi=off"])
        cmd = r.qemu_command(o, "qemu", "tcg", "code.fd", "vars.fd")
        line = " ".join(cmd)
        self.assertEqual(cmd[cmd.index("-kernel") + 1], os.path.abspath("x/cp.elf"))
        self.assertNotIn("pflash", line)       # no OVMF
        self.assertNotIn("virtio-blk", line)   # no disk
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)
        self.assertIn("pc,hpet=off", cmd)
        self.assertIn("name=opt/clockprobe/args,string=smp=0", cmd)
        self.assertEqual(cmd[-2:], ["-machine", "acpi=off"])
        self.assertEqual(r.boot_file(o), os.path.abspath("x/cp.elf"))
        # microvm: PVH only; it has no HPET to turn off
        cmd = r.qemu_command(r.parse_args(["--boot", "pvh", "--machine", "microvm", "--no-hpet"]),
                             "qemu", "tcg", "c", "v")
        self.assertEqual(cmd[cmd.index("-machine") + 1], "microvm")
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            r.parse_args(["--machine", "microvm"])
        # the default stays UEFI: pflash and the disk, no -kernel
        cmd = r.qemu_command(r.parse_args([]), "qemu", "tcg", "code.fd", "vars.fd")
        self.assertNotIn("-kernel", cmd)
        self.assertIn("if=pflash,format=raw,unit=0,readonly=on,file=code.fd", cmd)

    def test_hyperv_needs_kvm(self):
        r = self.runner
        o = r.parse_args(["--hyperv", "--accel", "kvm"])
        cmd = r.qemu_command(o, "qemu", "kvm", "code.fd", "vars.fd")
        self.assertIn("host,hv-relaxed,hv-vpindex,hv-time,hv-frequencies", cmd)
        self.assertNotIn("hv-time", " ".join(r.qemu_command(r.parse_args([]), "qemu", "kvm", "c", "v")))
        with self.assertRaises(r.SetupError):
            r.choose_accel(r.parse_args(["--hyperv", "--accel", "tcg"]), lambda: (True, "ran"))
        no, yes = (lambda: (False, "no /dev/kvm")), (lambda: (True, "a guest ran"))
        with self.assertRaises(r.SetupError):
            r.choose_accel(r.parse_args(["--hyperv"]), no)
        self.assertEqual(r.choose_accel(r.parse_args([]), no)[0], "tcg")
        self.assertEqual(r.choose_accel(r.parse_args(["--hyperv"]), yes)[0], "kvm")

    def test_run_hooks_and_report(self):
        res = result_of(make_log(n=6, ppm={"hpet": 100.0}))
        self.runner.run_hooks(res)
        self.assertIn("drift", res["post"])
        self.assertEqual(res["verdict"]["exit"], 0)

    def test_end_to_end_with_fake_qemu(self):
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "fake-qemu")
            with open(fake, "w") as f:
                f.write(FAKE_QEMU % (sys.executable, HEAD, TAIL))
            os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
            for name in ("img", "code", "vars"):
                open(os.path.join(d, name), "wb").close()
            j, svg, csvf = (os.path.join(d, x) for x in ("r.json", "d.svg", "d.csv"))
            p = subprocess.run([sys.executable, os.path.join(TOOLS, "run"), "--qemu", fake, "--image",
                                os.path.join(d, "img"), "--ovmf-code", os.path.join(d, "code"), "--ovmf-vars",
                                os.path.join(d, "vars"), "--accel", "tcg", "--quiet", "--json", j,
                                "--drift-svg", svg, "--drift-csv", csvf, "--icount", "2", "--rtc-clock", "vm"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(j) as f:
                res = json.load(f)
            self.assertEqual(res["run"]["profile"], "icount")
            self.assertEqual(res["run"]["runner_guest_args"], "profile=icount")
            self.assertEqual(sorted(res["post"]["drift"]["sources"]), ["hpet", "rtc", "tsc"])
            self.assertEqual(res["post"]["rtc_offset"]["samples"], 1)
            self.assertEqual(res["log"]["metrics"]["rtc.offset_ms"]["source"], "runner")
            ET.parse(svg)
            with open(csvf) as f:
                self.assertEqual(len(f.read().splitlines()), 7)
            self.assertIn("ppm_vs_host", p.stdout)
            self.assertIn("rtc.offset_ms", p.stdout)
            self.assertTrue(p.stdout.rstrip().splitlines()[-1].startswith("# summary: 1 passed"))


if __name__ == "__main__":
    unittest.main()
