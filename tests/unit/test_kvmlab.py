"""Unit tests for the nested KVM lab's pure parts (tools/kvmlab/lab.py): the L2 command it
derives from the runner's, the initramfs writer, and the reading of L1's console.
Run: python3 -m unittest tests/unit/test_kvmlab.py."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
sys.path.insert(0, TOOLS)
from kvmlab import lab  # noqa: E402

KVM_CMD = ["/usr/bin/qemu-system-x86_64", "-machine", "q35", "-accel", "kvm", "-cpu", "host",
           "-serial", "stdio", "-drive", "file=/work/x/build/clockprobe.img,format=raw,if=none,id=d0,snapshot=on",
           "-fw_cfg", "name=opt/clockprobe/args,string=duration=5"]


class L2Command(unittest.TestCase):
    def test_serial_qmp_and_image(self):
        c = lab.l2_command(KVM_CMD, "/work/x/build/clockprobe.img")
        self.assertNotIn("stdio", c)
        self.assertIn("serial,id=com1,path=/dev/ttyS1", c)
        self.assertIn("chardev=qmp,mode=control", c)
        self.assertIn("file=/lab/image.img,format=raw,if=none,id=d0,snapshot=on", c)
        self.assertEqual(c[0], lab.HOST_QEMU)
        self.assertIn("name=opt/clockprobe/args,string=duration=5", c)  # the runner's words pass untouched

    def test_l2_script_runs_the_next_qemu_after_a_migration(self):
        with tempfile.TemporaryDirectory() as d:
            state, fake, script = (os.path.join(d, n) for n in ("state", "qemu", "l2.sh"))
            with open(fake, "w") as f:  # the first run "migrates" when told to; -incoming says what it loads
                f.write("#!/bin/sh\ncase \"$*\" in *-incoming*) echo \"loads ${4}\"; exit 3;; esac\n"
                        "echo first; [ -n \"$MIGRATE\" ] && touch %s; exit ${FIRST_RC:-0}\n" % state)
            os.chmod(fake, 0o755)
            with open(script, "w") as f:
                f.write(lab.l2_script([fake, "-m", "256"], state))

            def run(**env):
                p = subprocess.run(["sh", script], capture_output=True, text=True, env=dict(os.environ, **env))
                return p.returncode, p.stdout.split("\n")[:-1]
            self.assertEqual(run(), (0, ["first"]))  # no migration: one QEMU, its status
            self.assertEqual(run(FIRST_RC="1"), (1, ["first"]))
            self.assertEqual(run(MIGRATE="1"), (3, ["first", "loads exec:cat " + state]))

    def test_host_clock(self):
        self.assertIn("clocksource=tsc tsc=reliable", lab.l1_cmdline("tsc"))
        self.assertIn("clocksource=hpet", lab.l1_cmdline("hpet"))


class Cpio(unittest.TestCase):
    @unittest.skipUnless(shutil.which("cpio"), "cpio not installed")
    def test_archive_lists_and_extracts(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "a.cpio")
            with open(path, "wb") as f:
                c = lab.Cpio(f)
                c.file("/lab/l2.sh", b"exec true\n", 0o755)
                c.file("/a/b/c.txt", b"x" * 5)
                c.close()
            out = subprocess.run(["cpio", "-it"], stdin=open(path, "rb"), capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.split(), ["lab", "lab/l2.sh", "a", "a/b", "a/b/c.txt"])
            ex = os.path.join(d, "x")
            os.mkdir(ex)
            subprocess.run(["cpio", "-id", "--quiet"], stdin=open(path, "rb"), cwd=ex, check=True)
            self.assertEqual(open(os.path.join(ex, "a/b/c.txt")).read(), "xxxxx")
            self.assertTrue(os.access(os.path.join(ex, "lab/l2.sh"), os.X_OK))


class L1Console(unittest.TestCase):
    def report(self, text):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(text)
        try:
            return lab.l1_report(f.name)
        finally:
            os.unlink(f.name)

    def test_exit_and_stderr(self):
        facts, status, err, fail, _ = self.report(
            "[ 1.0] boot\nKVMLAB-L1 clocksource tsc\nKVMLAB-L2-STDERR-BEGIN\nqemu: warning: x\nKVMLAB-L2-STDERR-END\n"
            "KVMLAB-L2-EXIT 3\n")
        self.assertEqual((facts, status, err, fail), (["clocksource tsc"], 3, "qemu: warning: x", None))

    def test_signal_and_failure(self):
        _, status, _, _, _ = self.report("KVMLAB-L2-EXIT 134\n")
        self.assertEqual(status, -6)  # sh reports SIGABRT as 128 + 6; the runner wants -6 like Popen
        _, status, _, fail, _ = self.report("KVMLAB-FAIL insmod kvm-amd.ko failed\n")
        self.assertEqual((status, fail), (None, "insmod kvm-amd.ko failed"))


class AptSources(unittest.TestCase):
    def test_deb822_and_list(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "sources.list.d"))
            with open(os.path.join(d, "sources.list.d", "debian.sources"), "w") as f:
                f.write("Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
                        "Components: main\n\nTypes: deb-src\nURIs: http://x\nSuites: y\n")
            real = lab.glob.glob
            lab.glob.glob = lambda pat: real(pat.replace("/etc/apt", d))
            try:
                got = lab.apt_sources()
            finally:
                lab.glob.glob = real
        self.assertIn(("http://mirror.example/debian", "bookworm", "main"), got)
        self.assertIn(("http://mirror.example/debian", "bookworm-updates", "main"), got)
        self.assertFalse(any(u == "http://x" for u, _, _ in got))


if __name__ == "__main__":
    unittest.main()
