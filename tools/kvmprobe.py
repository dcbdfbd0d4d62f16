"""Is KVM usable here? Only a guest that ran on it says so.

A /dev/kvm that opens is not enough: a paravirtual kvm_pvm module opens fine, then QEMU
either aborts setting an MSR (-cpu host) or stops in OVMF's first instructions with "KVM
internal error ... emulation failure" and waits forever. So the probe boots the very
firmware, machine and CPU model the run would use, with no disk, and counts KVM usable
once the firmware has written a whole line on COM1 (OVMF's BdsDxe lines, long after it
left real mode). Anything else (QEMU exits, QEMU reports a KVM error, silence) is a
reason, given in QEMU's own words. A success is remembered for this boot of the host.

Standard library only.
"""
import hashlib
import json
import os
import select
import subprocess
import time

# OVMF's first COM1 line comes ~3 s after start under TCG and well under 1 s under KVM;
# a KVM error is printed at once. 20 s leaves `--accel kvm` its 30 s limit to exit 3.
PROBE_TIMEOUT_S = 20.0
# Lines of QEMU's stderr that name a KVM failure (the rest is a register dump).
ERROR_MARKS = ("KVM internal error", "emulation failure", "error:", "Assertion", "kvm:",
               "doesn't allow", "failed", "Could not", "not supported")
MAX_REASON_LINES = 4
CACHE_DIR = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                         "clockprobe", "kvm-probe")


def dev_kvm_opens():
    """(ok, why) for /dev/kvm alone: necessary, never sufficient."""
    if not os.path.exists("/dev/kvm"):
        return False, "no /dev/kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm not readable and writable"
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC))
    except OSError as e:
        return False, "cannot open /dev/kvm: %s" % e.strerror
    return True, "/dev/kvm opens"


def qemu_reason(stderr_text):
    """QEMU's own lines that say what went wrong, at most a few, or its last line."""
    lines = [l.strip() for l in stderr_text.splitlines() if l.strip()]
    picked = [l for l in lines if any(m in l for m in ERROR_MARKS)]
    picked = picked or lines[-1:]
    return " | ".join(picked[:MAX_REASON_LINES]) or "(QEMU printed nothing)"


def probe_command(qemu, machine, cpu, code, vars_copy):
    return [qemu, "-machine", machine, "-accel", "kvm", "-cpu", cpu, "-smp", "1", "-m", "256",
            "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]


def watch(cmd, timeout_s):
    """Run cmd; (ran, why). ran once stdout has a newline; not when QEMU exits first,
    reports a KVM error on stderr, or stays silent past timeout_s."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0)
    out, err = b"", b""
    deadline = time.monotonic() + timeout_s
    fds = {proc.stdout.fileno(): "out", proc.stderr.fileno(): "err"}
    ran, why = False, None
    t0 = time.monotonic()
    try:
        while fds and why is None and not ran:
            left = deadline - time.monotonic()
            if left <= 0:
                why = "no firmware output on COM1 within %.0f s under KVM" % timeout_s
                break
            ready, _, _ = select.select(list(fds), [], [], min(left, 0.2))
            for fd in ready:
                data = os.read(fd, 65536)
                if not data:
                    del fds[fd]
                    continue
                if fds[fd] == "out":
                    out += data
                    ran = b"\n" in out
                else:
                    err += data
                    if b"KVM internal error" in err or b"emulation failure" in err:
                        time.sleep(0.2)  # let QEMU finish the lines it is printing
                        why = "QEMU: " + qemu_reason(err.decode("utf-8", "replace") + _drain(proc.stderr))
        if not ran and why is None:
            proc.wait(2)
            rc = proc.returncode
            status = "was killed by signal %d" % -rc if rc < 0 else "exited with status %d" % rc
            why = "QEMU %s before the firmware ran: %s" % (status, qemu_reason(err.decode("utf-8", "replace")))
    except subprocess.TimeoutExpired:
        why = "QEMU closed its output but did not exit"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if ran:
        return True, "a guest ran on KVM (firmware output after %.1f s)" % (time.monotonic() - t0)
    return False, why


def _drain(pipe):
    try:
        os.set_blocking(pipe.fileno(), False)
        return (pipe.read() or b"").decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""


def _boot_id():
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return None


def _cache_path(cmd_key):
    boot = _boot_id()
    if boot is None:
        return None
    h = hashlib.sha256(json.dumps([boot] + cmd_key).encode()).hexdigest()[:24]
    return os.path.join(CACHE_DIR, h + ".json")


def probe(qemu, machine, cpu, code, vars_template, tmpdir, timeout_s=PROBE_TIMEOUT_S, use_cache=True):
    """(usable, why). Boots the firmware under KVM as `machine`/`cpu`; caches successes."""
    ok, why = dev_kvm_opens()
    if not ok:
        return False, why
    st = os.stat(qemu)
    key = [os.path.realpath(qemu), st.st_size, int(st.st_mtime), machine, cpu, os.path.realpath(code)]
    path = _cache_path(key) if use_cache else None
    if path and os.path.isfile(path):
        try:
            with open(path) as f:
                return True, json.load(f)["why"] + " (earlier in this host boot)"
        except (OSError, ValueError, KeyError):
            pass
    vars_copy = os.path.join(tmpdir, "kvm-probe-vars.fd")
    with open(vars_template, "rb") as src, open(vars_copy, "wb") as dst:
        dst.write(src.read())
    try:
        ok, why = watch(probe_command(qemu, machine, cpu, code, vars_copy), timeout_s)
    except OSError as e:
        return False, "cannot run %s: %s" % (qemu, e.strerror)
    finally:
        os.unlink(vars_copy)
    if ok and path:
        try:
            os.makedirs(CACHE_DIR, exist_ok=True)
            with open(path, "w") as f:
                json.dump({"why": why, "key": key}, f)
        except OSError:
            pass  # a cache that cannot be written only costs the next run a probe
    return ok, why
