"""Issue 11, hostile input to tools/run: every host-side error ends with one line on stderr
naming the problem and exit 3 (never a traceback, never argparse's 2, which means a crash),
files already produced are kept, each --args stays separate, drift mode moves the timeout,
and QEMU refusing its command line is a set-up error. Fake QEMUs only (no boot).
Run: python3 -m unittest tests/unit/test_run_hostile.py  (or tests/run_unit.py)."""
import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
RUN = os.path.join(TOOLS, "run")

PASSING = ["CLOCKPROBE-START protocol=1", "TAP version 13", "ok 1 - efi.gettime", "1..1",
           "# summary: 1 passed, 0 failed, 0 skipped", "CLOCKPROBE-END status=pass"]

# A stand-in for qemu-system-x86_64: records that it ran (so a test can tell that nothing was
# booted), writes BODY's serial lines and stderr, sleeps if asked, exits with STATUS.
FAKE_QEMU = r'''#!%(python)s
import os, sys, time
if "--version" in sys.argv:
    print("QEMU emulator version 0.0 (fake)")
    sys.exit(0)
open(%(ran)r, "a").close()
for line in %(lines)r:
    if line.startswith("SLEEP "):
        sys.stdout.flush()
        time.sleep(float(line[6:]))
        continue
    sys.stdout.write(line + "\r\n")
sys.stdout.flush()
sys.stderr.write(%(stderr)r)
sys.exit(%(status)d)
'''


def load_runner():
    loader = importlib.machinery.SourceFileLoader("cprun_hostile", RUN)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class FakeRun(unittest.TestCase):
    """A temporary directory with a dummy image and OVMF pair and a fake QEMU."""

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        for name in ("img", "code", "vars"):
            open(self.path(name), "wb").close()
        self.qemu(PASSING, status=1)  # isa-debug-exit value 0: pass

    def path(self, name):
        return os.path.join(self.dir, name)

    def qemu(self, lines, status, stderr=""):
        with open(self.path("qemu"), "w") as f:
            f.write(FAKE_QEMU % {"python": sys.executable, "ran": self.path("ran"), "lines": lines,
                                 "stderr": stderr, "status": status})
        os.chmod(self.path("qemu"), 0o755)

    def run_tool(self, *args, stdout=subprocess.PIPE):
        argv = [RUN, "--qemu", self.path("qemu"), "--image", self.path("img"), "--ovmf-code", self.path("code"),
                "--ovmf-vars", self.path("vars"), "--accel", "tcg", "--quiet"] + list(args)
        p = subprocess.run(argv, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)
        return p.returncode, p.stdout or "", p.stderr

    def assert_setup_error(self, result, words):
        """Exit 3, and stderr ends with one 'run: set-up error' line naming the problem."""
        rc, out, err = result
        self.assertEqual(rc, 3, out + err)
        self.assertNotIn("Traceback", err)
        last = err.strip().splitlines()[-1] if err.strip() else ""
        self.assertTrue(last.startswith("run: set-up error: ") or last.startswith("tools/run: usage error: "), err)
        self.assertIn(words, last)

    def booted(self):
        return os.path.exists(self.path("ran"))

    def load_json(self, name="r.json"):
        with open(self.path(name)) as f:
            return json.load(f)


class OutputFiles(FakeRun):
    def test_unwritable_paths_fail_before_booting(self):
        os.mkdir(self.path("dir"))
        missing_dir = os.path.join(self.dir, "no", "such", "r.json")
        under_a_file = os.path.join(self.path("img"), "r.json")
        for option in ("--json", "--log", "--drift-svg", "--drift-csv"):
            for path in (missing_dir, under_a_file, self.path("dir")):
                self.assert_setup_error(self.run_tool(option, path), "cannot write %s %s" % (option, path))
                self.assertFalse(self.booted(), (option, path))
        self.assertFalse(os.path.exists(self.path("dir") + "/r.json"))

    def test_check_leaves_no_files_behind(self):
        self.qemu(PASSING, status=99)  # not a debug-exit status: the check must not be what stops it
        self.run_tool("--json", self.path("r.json"), "--log", os.path.join(self.dir, "no", "x.log"))
        self.assertFalse(os.path.exists(self.path("r.json")))

    def test_two_options_one_file(self):
        self.assert_setup_error(self.run_tool("--log", self.path("x"), "--json", self.path("x")),
                                "--log and --json name the same file")
        self.assertFalse(self.booted())

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_json_write_failure_keeps_the_log(self):
        rc, out, err = self.run_tool("--log", self.path("serial.log"), "--json", "/dev/full")
        self.assert_setup_error((rc, out, err), "cannot write --json /dev/full")
        with open(self.path("serial.log"), "rb") as f:
            self.assertIn(b"CLOCKPROBE-END status=pass", f.read())
        self.assertIn("verdict: SETUP ERROR (exit 3): cannot write --json /dev/full", out)

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_log_write_failure_keeps_the_json(self):
        rc, out, err = self.run_tool("--log", "/dev/full", "--json", self.path("r.json"))
        self.assert_setup_error((rc, out, err), "cannot write --log /dev/full")
        res = self.load_json()
        self.assertEqual(res["verdict"]["exit"], 3)
        self.assertIn("PASS", res["verdict"]["reason"])  # the run's own verdict is kept in the reason
        self.assertEqual(res["log"]["status"], "pass")

    def test_json_written_after_a_passing_run(self):
        rc, out, err = self.run_tool("--json", self.path("r.json"))
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(self.load_json()["verdict"]["exit"], 0)

    def test_json_survives_absurd_numbers(self):
        # a hex value of 4000 digits passed the parser and then broke json.dump half way
        self.qemu(PASSING[:3] + ["# metric efi.big 0x" + "f" * 4000 + " hex"] + PASSING[3:], status=1)
        rc, out, err = self.run_tool("--json", self.path("r.json"))
        self.assertNotIn("Traceback", err)
        self.assertEqual(rc, 2, out + err)
        res = self.load_json()
        self.assertTrue(any("beyond 64 bits" in e for e in res["log"]["errors"]))

    def test_json_survives_a_closed_stdout(self):
        # `tools/run --json r.json | head -1`: the pipe closes; the run and its files go on
        r, w = os.pipe()
        os.close(r)
        try:
            rc, _, err = self.run_tool("--json", self.path("r.json"), stdout=w)
        finally:
            os.close(w)
        self.assert_setup_error((rc, "", err), "cannot write to standard output")
        self.assertEqual(self.load_json()["log"]["status"], "pass")


class UsageErrors(FakeRun):
    def test_usage_errors_exit_3_in_one_line(self):
        for args in (["--bogus"], ["--smp", "x"], ["--machine", "vax"], ["--timeout", "nan"],
                     ["--timeout", "inf"], ["--timeout", "-5"], ["--timeout", "0"], ["--timeout", "soon"],
                     ["--smp", "0"], ["--rtc-base", "yesterday"]):
            rc, out, err = self.run_tool(*args)
            self.assertEqual(rc, 3, (args, out, err))
            self.assertNotIn("Traceback", err)
            self.assertEqual(len(err.strip().splitlines()), 1, (args, err))
            self.assertFalse(self.booted(), args)

    def test_timeout_values(self):
        runner = load_runner()
        self.assertEqual(runner.parse_args(["--timeout", "2.5"]).timeout, 2.5)
        for bad in ("nan", "-inf", "inf", "-1", "0"):
            with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit) as e:
                runner.parse_args(["--timeout", bad])
            self.assertEqual(e.exception.code, 3, bad)


class QemuProblems(FakeRun):
    def test_not_executable_is_not_not_found(self):
        os.chmod(self.path("qemu"), 0o644)
        self.assert_setup_error(self.run_tool(), "is not executable")
        self.assert_setup_error(self.run_tool("--qemu", self.dir), "is not executable")
        self.assert_setup_error(self.run_tool("--qemu", self.path("nothing")), "not found")

    def test_qemu_refusing_its_command_line_is_a_setup_error(self):
        # QEMU may write to stdout before it gives up (here: -monitor stdio's banner)
        self.qemu(["QEMU 7.2.0 monitor - type 'help' for more information", "(qemu)"], status=1,
                  stderr="qemu-system-x86_64: -serial stdio: cannot use stdio by multiple character devices\n"
                         "qemu-system-x86_64: -serial stdio: could not connect serial device to character "
                         "backend 'stdio'\n")
        rc, out, err = self.run_tool("--", "-monitor", "stdio")
        self.assert_setup_error((rc, out, err), "QEMU failed to start")
        self.assertIn("could not connect serial device", err.strip().splitlines()[-1])

    def test_no_start_marker_with_status_0_is_not_a_resetsystem(self):
        # OVMF on a CPU without long mode: the guest never runs, QEMU ends with 0
        self.qemu(["BdsDxe: loading Boot0001", "BdsDxe: starting Boot0001"], status=0)
        rc, out, err = self.run_tool("--json", self.path("r.json"))
        self.assertEqual(rc, 2, out + err)
        res = self.load_json()
        self.assertNotIn("ResetSystem", " ".join(res["verdict"]["notes"]))
        self.assertIn("did not boot the guest", res["verdict"]["reason"])
        self.assertIn("long mode", res["verdict"]["reason"])


class Judge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runner = load_runner()
        sys.path.insert(0, TOOLS)
        import cplog
        cls.cplog = cplog

    def judge(self, lines, status):
        q = {"exit_status": status, "timed_out": False, "killed_after_end": False,
             "lines": [(1.0, x) for x in lines], "stderr": "", "timeout_s": 120}
        return self.runner.judge([self.cplog.parse(q["lines"])], q)

    def test_status_0_says_what_it_knows(self):
        code, why, notes = self.judge(["BdsDxe: starting Boot0001"], 0)
        self.assertEqual(code, 2)
        self.assertIn("no start marker", why)
        self.assertFalse([n for n in notes if "ResetSystem" in n])
        code, why, notes = self.judge(PASSING[:3], 0)  # a reset mid-run (triple fault, -no-reboot)
        self.assertEqual(code, 2)
        self.assertFalse([n for n in notes if "ResetSystem" in n])
        self.assertTrue([n for n in notes if "without an end marker" in n])
        code, why, notes = self.judge(PASSING, 0)  # the guest's own ResetSystem after its end marker
        self.assertEqual(code, 0)
        self.assertTrue([n for n in notes if "ResetSystem" in n])


class GuestWords(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r = load_runner()

    def test_a_comment_ends_with_its_args(self):
        r = self.r
        o = r.parse_args(["--args", "window_ms=2000 # long rate window", "--args", "profile=spec duration=5"])
        args = r.guest_args(o)
        self.assertEqual(args, "window_ms=2000 # long rate window\nprofile=spec duration=5")
        self.assertEqual(r.guest_words(args), ["window_ms=2000", "profile=spec", "duration=5"])
        self.assertEqual(r.effective_profile(args), "spec")
        cmd = r.qemu_command(o, "qemu", "tcg", "code.fd", "vars.fd")
        self.assertIn("name=opt/clockprobe/args,string=window_ms=2000 # long rate window\nprofile=spec duration=5",
                      cmd)

    def test_runner_word_first_and_overridable(self):
        r = self.r
        o = r.parse_args(["--icount", "3", "--rtc-clock", "vm", "--args", "# profile=spec"])
        self.assertEqual(r.effective_profile(r.guest_args(o)), "icount")  # commented out
        o = r.parse_args(["--icount", "3", "--rtc-clock", "vm", "--args", "profile=spec"])
        self.assertEqual(r.effective_profile(r.guest_args(o)), "spec")
        self.assertEqual(r.guest_words("a=1#b c=2 #d e=3\nf=4"), ["a=1#b", "c=2", "f=4"])  # '#' starts a word

    def test_drift_duration_moves_the_timeout(self):
        r = self.r
        base = r.TIMEOUT_S
        self.assertEqual(r.parse_args([]).timeout, base)
        self.assertEqual(r.parse_args(["--args", "duration=600"]).timeout, base + r.DRIFT_TIMEOUT_PER_S * 600)
        self.assertGreater(r.DRIFT_TIMEOUT_PER_S, 1.0)  # more than the drift itself: a slow guest
        # the last word wins, across --args; a commented-out word does not count
        o = r.parse_args(["--args", "duration=600", "--args", "window_ms=10 duration=60"])
        self.assertEqual(o.timeout, base + r.DRIFT_TIMEOUT_PER_S * 60)
        o = r.parse_args(["--args", "duration=60 # duration=6000"])
        self.assertEqual(o.timeout, base + r.DRIFT_TIMEOUT_PER_S * 60)
        self.assertEqual(r.parse_args(["--args", "duration=0x3c"]).timeout, base + r.DRIFT_TIMEOUT_PER_S * 60)
        # the user's --timeout wins; values the guest refuses do not move it
        self.assertEqual(r.parse_args(["--args", "duration=600", "--timeout", "30"]).timeout, 30)
        for bad in ("duration=soon", "duration=-5", "duration=" + "9" * 5000, "duration=%d" % (r.DRIFT_MAX_S + 1)):
            self.assertEqual(r.parse_args(["--args", bad]).timeout, base, bad[:30])


class LiveEndMarker(unittest.TestCase):
    """The runner's live end-marker detection (which starts the power-off grace) agrees with the
    parser: only a whole-line marker counts."""

    def test_a_line_that_only_begins_like_the_marker(self):
        r = load_runner()
        r.POST_END_GRACE_S = 0.3
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "qemu")
            lines = PASSING[:3] + ["CLOCKPROBE-ENDGAME not a marker", "SLEEP 1.5"] + PASSING[3:]
            with open(path, "w") as f:
                f.write(FAKE_QEMU % {"python": sys.executable, "ran": os.path.join(d, "ran"), "lines": lines,
                                     "stderr": "", "status": 1})
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
            q = r.run_qemu([path], 30, True, None)
        self.assertFalse(q["killed_after_end"])
        self.assertEqual(q["exit_status"], 1)
        self.assertEqual(q["lines"][-1][1].strip(), "CLOCKPROBE-END status=pass")


if __name__ == "__main__":
    unittest.main()
