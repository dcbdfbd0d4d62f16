#!/usr/bin/env python3
"""Run the libFuzzer targets (tests/fuzz/fuzz_*.c, built by `make fuzz` / `make fuzz-smoke`
into build/fuzz/). One target at a time.

    run.py fuzz  --build build/fuzz --seconds 60 fuzz_acpi fuzz_cpuid fuzz_config
    run.py smoke --build build/fuzz --seconds 5  fuzz_acpi fuzz_cpuid fuzz_config

fuzz:  each target for --seconds on a working copy of its corpus (build/fuzz/corpus/<t>,
       kept between runs; the seeds of tests/fuzz/corpus/<t> and tests/fuzz/regressions/<t>
       are copied in first, the repository's corpus is never written), crashes, hangs
       (-timeout) and sanitizer reports saved under build/fuzz/artifacts/<t>/.
smoke: replays every file of tests/fuzz/regressions/<t>/ and tests/fuzz/corpus/<t>/, then
       fuzzes each target for --seconds from a fresh copy of its seeds.
Per target one line: executions, rate, coverage, and whether it crashed (with the artifact
and the log build/fuzz/<t>.log); then one closing line. Exit status 1 if anything crashed,
2 on a usage error (a target not built). Extra libFuzzer options of a target come from a
"fuzz-options:" line in its source. Standard library only.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT_S = 10        # one input running longer than this is a hang (libFuzzer -timeout)
RSS_LIMIT_MB = 2048
SLACK_S = 120         # beyond --seconds before the runner kills a target itself

STAT_RE = re.compile(r"^stat::(\w+):\s*(\d+)", re.M)
STATUS_RE = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+)", re.M)
ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")
REASON_RE = re.compile(r"^(SUMMARY: .*|==\d+==ERROR: .*|fuzz invariant failed.*|.*runtime error: .*|"
                       r"ALARM: working on the last Unit for \d+ seconds|==\d+== ERROR: libFuzzer: .*)$", re.M)


def target_options(target):
    """libFuzzer options from a "fuzz-options:" line of the target's source."""
    path = os.path.join(HERE, target + ".c")
    try:
        with open(path) as f:
            m = re.search(r"fuzz-options:\s*(.*?)\s*(\*/)?$", f.read(), re.M)
    except OSError:
        return []
    return m.group(1).split() if m else []


def files_in(d):
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if os.path.isfile(os.path.join(d, n)) and not n.startswith(".") and n != "README.md")


def copy_seeds(target, work, fresh):
    if fresh and os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    for src in files_in(os.path.join(HERE, "corpus", target)) + files_in(os.path.join(HERE, "regressions", target)):
        shutil.copyfile(src, os.path.join(work, os.path.basename(src)))


def run_libfuzzer(argv, log_path, limit_s):
    """(returncode or None when killed, output text, elapsed s); output also goes to log_path."""
    env = dict(os.environ, UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    start = time.monotonic()
    with open(log_path, "wb") as log:
        try:
            p = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=limit_s)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = None
    with open(log_path, "rb") as log:
        out = log.read().decode("utf-8", errors="replace")
    return rc, out, time.monotonic() - start


def crash_lines(out):
    seen, lines = set(), []
    for m in REASON_RE.finditer(out):
        if m.group(1) not in seen:
            seen.add(m.group(1))
            lines.append(m.group(1))
    return lines[:6]


def fuzz_one(binary, target, build, seconds, fresh):
    """Fuzz one target for `seconds`. Returns (executions, crashed)."""
    work = os.path.join(build, "smoke-corpus" if fresh else "corpus", target)
    artifacts = os.path.join(build, "artifacts", target)
    os.makedirs(artifacts, exist_ok=True)
    copy_seeds(target, work, fresh)
    before = set(os.listdir(artifacts))
    log = os.path.join(build, target + (".smoke.log" if fresh else ".log"))
    argv = [binary, "-max_total_time=%d" % seconds, "-timeout=%d" % TIMEOUT_S, "-rss_limit_mb=%d" % RSS_LIMIT_MB,
            "-print_final_stats=1", "-artifact_prefix=" + artifacts + os.sep] + target_options(target) + [work]
    rc, out, elapsed = run_libfuzzer(argv, log, seconds + SLACK_S)
    stats = {k: int(v) for k, v in STAT_RE.findall(out)}
    status = STATUS_RE.findall(out)
    execs = stats.get("number_of_executed_units", int(status[-1][0]) if status else 0)
    cov = status[-1][1] if status else "?"
    new = sorted(set(os.listdir(artifacts)) - before)
    crashed = rc != 0 or bool(new)
    rate = execs / elapsed if elapsed > 0 else 0
    verdict = "no crash"
    if crashed:
        what = ", ".join(os.path.join(artifacts, n) for n in new) or ARTIFACT_RE.findall(out) or "no artifact"
        verdict = "CRASH (%s): %s; log %s" % ("killed after %d s" % (seconds + SLACK_S) if rc is None
                                             else "exit status %d" % rc, what, log)
    print("%s: %d executions in %.0f s (%.0f/s), coverage %s edges: %s"
          % (target, execs, elapsed, rate, cov, verdict))
    for line in crash_lines(out) if crashed else []:
        print("    " + line)
    sys.stdout.flush()
    return execs, crashed


def replay(binary, target, build):
    """Run every regression and seed input once. Returns (inputs, crashed)."""
    inputs = files_in(os.path.join(HERE, "regressions", target)) + files_in(os.path.join(HERE, "corpus", target))
    if not inputs:
        return 0, False
    log = os.path.join(build, target + ".replay.log")
    argv = [binary, "-timeout=%d" % TIMEOUT_S, "-rss_limit_mb=%d" % RSS_LIMIT_MB] + target_options(target) + inputs
    rc, out, elapsed = run_libfuzzer(argv, log, SLACK_S + TIMEOUT_S * len(inputs))
    crashed = rc != 0
    print("%s: replayed %d regression and seed inputs in %.1f s: %s"
          % (target, len(inputs), elapsed, "CRASH (exit status %s); log %s" % (rc, log) if crashed else "no crash"))
    for line in crash_lines(out) if crashed else []:
        print("    " + line)
    sys.stdout.flush()
    return len(inputs), crashed


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("fuzz", "smoke"))
    ap.add_argument("--build", required=True, help="directory holding the built targets")
    ap.add_argument("--seconds", type=int, required=True, help="fuzzing time per target")
    ap.add_argument("targets", nargs="+")
    a = ap.parse_args(argv)
    if a.seconds < 1:
        print("run.py: --seconds must be at least 1", file=sys.stderr)
        return 2
    start = time.monotonic()
    total_execs = replayed = crashes = 0
    for t in a.targets:
        binary = os.path.join(a.build, t)
        if not os.access(binary, os.X_OK):
            print("run.py: %s is not built (make %s)" % (binary, "fuzz" if a.mode == "fuzz" else "fuzz-smoke"),
                  file=sys.stderr)
            return 2
        if a.mode == "smoke":
            n, crashed = replay(binary, t, a.build)
            replayed += n
            crashes += crashed
        execs, crashed = fuzz_one(binary, t, a.build, a.seconds, fresh=a.mode == "smoke")
        total_execs += execs
        crashes += crashed
    name = "fuzz-smoke" if a.mode == "smoke" else "fuzz"
    extra = ", %d inputs replayed" % replayed if a.mode == "smoke" else ""
    print("%s: %d targets, %d executions%s in %.0f s, %d crashed%s"
          % (name, len(a.targets), total_execs, extra, time.monotonic() - start, crashes,
             " (see tests/fuzz/README.md)" if crashes else ""))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
