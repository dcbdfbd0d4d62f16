"""Unit tests for tools/kvmprobe.py and the runner's accelerator choice: KVM counts as
usable only once a guest ran on it. Fake QEMUs replay what was seen on machines here
(a kvm_pvm /dev/kvm: an MSR assertion abort, or "KVM internal error ... emulation failure"
and then silence). Run: python3 -m unittest tests/unit/test_kvmprobe.py."""
import importlib.machinery
import importlib.util
import os
import stat
import sys
import tempfile
import time
import unittest

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, TOOLS)
import kvmprobe  # noqa: E402

# What QEMU 7.2 printed on a kvm_pvm host with -cpu host,-arch-capabilities (trimmed dump).
EMULATION_FAILURE = """KVM internal error. Suberror: 1
extra data[0]: 0x0000000000000001
extra data[1]: 0xed742dd9e3db9b0f
emulation failure
EAX=00000000 EBX=00807000 ECX=00000001 EDX=00807154
ESI=00000000 EDI=00000000 EBP=0081fff0 ESP=0081fe70
"""
MSR_ABORT = """qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69
qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.
"""


def load_runner():
    loader = importlib.machinery.SourceFileLoader("cprun_probe", os.path.join(TOOLS, "run"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class FakeQemu:
    def __init__(self, body):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "qemu")
        with open(self.path, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(self.path, os.stat(self.path).st_mode | stat.S_IXUSR)

    def __enter__(self):
        return [self.path]

    def __exit__(self, *a):
        self.dir.cleanup()


class Watch(unittest.TestCase):
    def test_emulation_failure_detected_in_seconds(self):
        body = "cat >&2 <<'EOF'\n%sEOF\nexec sleep 100" % EMULATION_FAILURE
        with FakeQemu(body) as cmd:
            t = time.monotonic()
            ok, why = kvmprobe.watch(cmd, 20)
            took = time.monotonic() - t
        self.assertFalse(ok)
        self.assertLess(took, 5.0)
        self.assertIn("KVM internal error. Suberror: 1", why)
        self.assertIn("emulation failure", why)
        self.assertNotIn("EAX=", why)  # the reason is QEMU's error lines, not its register dump

    def test_abort_before_firmware(self):
        body = "cat >&2 <<'EOF'\n%sEOF\nkill -ABRT $$" % MSR_ABORT
        with FakeQemu(body) as cmd:
            ok, why = kvmprobe.watch(cmd, 20)
        self.assertFalse(ok)
        self.assertIn("killed by signal 6", why)
        self.assertIn("failed to set MSR 0x10a", why)

    def test_refused_option(self):
        with FakeQemu("echo \"qemu-system-x86_64: kernel doesn't allow setting HyperV VP_INDEX\" >&2; exit 1") as cmd:
            ok, why = kvmprobe.watch(cmd, 20)
        self.assertFalse(ok)
        self.assertIn("exited with status 1", why)
        self.assertIn("VP_INDEX", why)

    def test_silence_is_not_usable(self):
        with FakeQemu("exec sleep 100") as cmd:
            t = time.monotonic()
            ok, why = kvmprobe.watch(cmd, 1.0)
        self.assertFalse(ok)
        self.assertLess(time.monotonic() - t, 4.0)
        self.assertIn("no firmware output", why)

    def test_partial_line_is_not_enough(self):
        # ANSI clear-screen bytes without a newline do not prove the firmware reached DXE.
        with FakeQemu("printf '\\033[2J'; exec sleep 100") as cmd:
            ok, _ = kvmprobe.watch(cmd, 1.0)
        self.assertFalse(ok)

    def test_firmware_line_is_usable(self):
        with FakeQemu("sleep 0.2; echo 'BdsDxe: loading Boot0001'; exec sleep 100") as cmd:
            ok, why = kvmprobe.watch(cmd, 20)
        self.assertTrue(ok, why)
        self.assertIn("a guest ran on KVM", why)


class Opts:
    def __init__(self, accel="auto", hyperv=False, icount=None):
        self.accel, self.hyperv, self.icount = accel, hyperv, icount


class ChooseAccel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runner = load_runner()

    def choose(self, opts, usable):
        calls = []

        def check():
            calls.append(1)
            return usable, "why-%s" % usable
        return self.runner.choose_accel(opts, check), calls

    def test_auto_falls_back_to_tcg_with_the_reason(self):
        (accel, why), _ = self.choose(Opts(), False)
        self.assertEqual(accel, "tcg")
        self.assertIn("KVM not usable: why-False", why)

    def test_auto_uses_kvm_that_ran_a_guest(self):
        (accel, _), _ = self.choose(Opts(), True)
        self.assertEqual(accel, "kvm")

    def test_kvm_requested_but_unusable_is_a_setup_error(self):
        with self.assertRaises(self.runner.SetupError) as e:
            self.choose(Opts(accel="kvm"), False)
        self.assertIn("why-False", str(e.exception))

    def test_hyperv_needs_a_working_kvm(self):
        with self.assertRaises(self.runner.SetupError):
            self.choose(Opts(hyperv=True), False)

    def test_tcg_and_icount_never_probe(self):
        (accel, _), calls = self.choose(Opts(accel="tcg"), True)
        self.assertEqual((accel, calls), ("tcg", []))
        (accel, _), calls = self.choose(Opts(icount=3), True)
        self.assertEqual((accel, calls), ("tcg", []))


if __name__ == "__main__":
    unittest.main()
