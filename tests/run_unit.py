#!/usr/bin/env python3
"""Run the host unit tests: every cmocka program named on the command line, then every
Python unittest suite tests/unit/test_*.py. Prints one result line per program or suite
(and the full output of anything that failed), then exactly one closing line

    unit: N passed, N failed

counting individual tests (cmocka's "[  PASSED  ] N test(s)." lines, unittest's result).
A program that fails without a cmocka summary (sanitizer abort, crash) counts as one
failed test. Exit status 1 if anything failed. Standard library only.
"""
import glob
import importlib.util
import io
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM_TIMEOUT_S = 300  # generous: ASan/UBSan builds are slow, but a hang must end

CMOCKA_COUNT_RE = re.compile(r"^\[\s*(PASSED|FAILED|SKIPPED)\s*\]\s+(\d+) test\(s\)", re.M)


def run_cmocka(path):
    """(passed, failed, skipped, output) for one cmocka program."""
    # UBSan findings abort the program (a failure), they are not just printed.
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="STDOUT", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    try:
        p = subprocess.run([path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=PROGRAM_TIMEOUT_S)
        output, rc = p.stdout.decode("utf-8", errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode("utf-8", errors="replace")
        output += "\n(killed after %d s)\n" % PROGRAM_TIMEOUT_S
        rc = None
    except OSError as e:
        return 0, 1, 0, "cannot run: %s\n" % e
    n = {"PASSED": 0, "FAILED": 0, "SKIPPED": 0}
    for kind, count in CMOCKA_COUNT_RE.findall(output):
        n[kind] += int(count)
    if rc != 0 and n["FAILED"] == 0:
        n["FAILED"] = 1  # died outside a test, or without a summary
        output += "\n(exit status %s)\n" % rc
    elif rc == 0 and not any(n.values()):
        n["PASSED"] = 1  # no cmocka summary, but the program says it passed
    return n["PASSED"], n["FAILED"], n["SKIPPED"], output


def run_python_suite(path):
    """(passed, failed, skipped, output) for one unittest file, run in this process."""
    stream = io.StringIO()
    try:
        name = "unit_" + os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    except Exception as e:  # an import error is one failure, not the end of the run
        return 0, 1, 0, "cannot load: %s: %s\n" % (type(e).__name__, e)
    try:
        result = unittest.TextTestRunner(stream=stream, verbosity=1).run(suite)
    except Exception as e:
        return 0, 1, 0, stream.getvalue() + "runner error: %s: %s\n" % (type(e).__name__, e)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    return passed, failed, skipped, stream.getvalue()


def main(argv):
    total_passed = total_failed = 0
    jobs = [(p, run_cmocka) for p in argv]
    jobs += [(p, run_python_suite) for p in sorted(glob.glob(os.path.join(HERE, "unit", "test_*.py")))]
    for path, runner in jobs:
        passed, failed, skipped, output = runner(path)
        total_passed += passed
        total_failed += failed
        print("%s %s: %d passed, %d failed, %d skipped"
              % ("FAIL" if failed else "ok  ", os.path.basename(path), passed, failed, skipped))
        if failed:
            print("".join("    " + line + "\n" for line in output.rstrip("\n").split("\n")))
        sys.stdout.flush()
    print("unit: %d passed, %d failed" % (total_passed, total_failed))
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
