"""Parser for the clockprobe serial log (schema: docs/log-format.md).

Input is what the runner saw on COM1: a list of (host_stamp, text) pairs, one per
line, where host_stamp is time.time() when the line arrived (or None) and text may
still carry '\\r', ANSI escapes and firmware noise. Only the lines from the guest's
start marker to its end marker are the guest's; everything before is ignored.

parse() never raises: whatever is wrong with the log ends up in "errors" (the log
cannot be trusted, verdict 2) or "warnings" (worth a look, verdict unchanged).
verdict() turns a parsed log into (exit_code, reason). Standard library only.
"""
import re

PROTOCOL_VERSION = 1

START_MARKER = "CLOCKPROBE-START"
END_MARKER = "CLOCKPROBE-END"

EXIT_PASS, EXIT_FAIL, EXIT_CRASH = 0, 1, 2

# Units a metric may carry. An unknown unit is a warning, not an error, so a new
# unit in the guest does not break older runners; add it here and in the doc.
KNOWN_UNITS = {
    "count", "bool", "bytes", "Hz", "fs", "ns", "cycles", "ppm", "s", "addr",
    "port", "hex", "bits", "1e-6ppm", "rev", "index", "ticks", "permille", "ratio", "ms",
}

# CSI sequences (ESC [ ... final byte, including OVMF's "ESC [=3h"), other two-byte
# ESC sequences, then every remaining control character except TAB.
_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|\x1b")
_CTRL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

_NAME = r"[a-z0-9_]+(?:\.[a-z0-9_]+)*"
_NAME_RE = re.compile(_NAME + r"$")
_START_RE = re.compile(START_MARKER + r"(?:\s+protocol=(\S*))?\s*(.*)$")
_END_RE = re.compile(END_MARKER + r"(?:\s+status=(\S*))?\s*(.*)$")
_CHECK_RE = re.compile(r"(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$")
_SKIP_RE = re.compile(r"^(.*?)\s*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)
_PLAN_RE = re.compile(r"1\.\.(\d+)\s*(?:#.*)?$")
_SUMMARY_RE = re.compile(r"(\d+) passed, (\d+) failed, (\d+) skipped(?:, (\d+) host findings)?$")
# A check the host never promised (lib/report.h check_host): not a failure of the run.
_HOST_RE = re.compile(r"^(.*?)\s*#\s*TODO\s+host finding\s*$")
RESULT_KEYS = {"pass": "passed", "fail": "failed", "skip": "skipped", "host": "host findings"}
_INT_RE = re.compile(r"[+-]?\d+$")
_HEX_RE = re.compile(r"0[xX][0-9a-fA-F]+$")
_FIXED_RE = re.compile(r"[+-]?\d+\.\d+$")
_UNIT_RE = re.compile(r"[A-Za-z0-9_.%/+-]+$")


def clean_line(text):
    """Text of one serial line without line ends, ANSI escapes or control characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = str(text)
    return _CTRL_RE.sub("", _ANSI_RE.sub("", text)).rstrip()


def _pairs(stamped):
    """(number, stamp, clean text) for each input line; tolerates bare strings."""
    out = []
    for i, item in enumerate(stamped or [], 1):
        if isinstance(item, (tuple, list)) and len(item) == 2:
            t, text = item
        else:
            t, text = None, item
        if not isinstance(t, (int, float)) or isinstance(t, bool):
            t = None
        out.append((i, t, clean_line(text)))
    return out


def split_log(stamped):
    """Split the input into (preamble, guest, after), each a list of
    (line_number, stamp, clean_text). guest runs from the first start marker to the
    first end marker, both included; a start marker preceded by junk on the same line
    is cut out of it. after is what follows the end marker."""
    lines = _pairs(stamped)
    start = end = None
    for k, (_, _, text) in enumerate(lines):
        if start is None and START_MARKER in text:
            start = k
        elif start is not None and text.startswith(END_MARKER):
            end = k
            break
    if start is None:
        return lines, [], []
    n, t, text = lines[start]
    guest_first = (n, t, text[text.index(START_MARKER):])
    stop = len(lines) if end is None else end + 1
    return lines[:start], [guest_first] + lines[start + 1:stop], lines[stop:]


def _number(raw):
    """Metric value from its text: int (decimal or 0x hex) or float (fixed point)."""
    if _HEX_RE.match(raw):
        return int(raw, 16)
    if _INT_RE.match(raw):
        return int(raw)
    if _FIXED_RE.match(raw):
        return float(raw)
    return None


def _empty_result():
    return {
        "protocol": None, "started": False, "ended": False, "status": None,
        "tap_version": None, "checks": [], "metrics": {}, "info": {}, "plan": None,
        "summary": None, "bail_out": None, "diagnostics": [], "errors": [],
        "warnings": [], "start_t": None, "end_t": None,
    }


def _add_metric(res, n, t, rest):
    parts = rest.split()
    if len(parts) != 3:
        res["errors"].append("line %d: bad metric line (want '<name> <value> <unit>'): %r"
                             % (n, rest))
        return
    name, raw, unit = parts
    value = _number(raw)
    if not _NAME_RE.match(name):
        res["errors"].append("line %d: bad metric line: name %r is not [a-z0-9_.]" % (n, name))
        return
    if value is None:
        res["errors"].append("line %d: bad metric line: value %r of %s is not a number"
                             % (n, raw, name))
        return
    if not _UNIT_RE.match(unit):
        res["errors"].append("line %d: bad metric line: unit %r of %s" % (n, unit, name))
        return
    if unit not in KNOWN_UNITS:
        res["warnings"].append("line %d: metric %s has unknown unit %r" % (n, name, unit))
    old = res["metrics"].get(name)
    entry = {"value": value, "raw": raw, "unit": unit, "t": t}
    if old is not None:
        samples = old.get("samples") or [{"value": old["value"], "t": old["t"]}]
        entry["samples"] = samples + [{"value": value, "t": t}]
        if old["unit"] != unit:
            res["errors"].append("line %d: metric %s changed unit from %s to %s"
                                 % (n, name, old["unit"], unit))
    res["metrics"][name] = entry


def _add_info(res, n, t, rest):
    name, _, text = rest.partition(" ")
    if not _NAME_RE.match(name):
        res["errors"].append("line %d: bad info line: name %r is not [a-z0-9_.]" % (n, name))
        return
    old = res["info"].get(name)
    entry = {"text": text.strip(), "t": t}
    if old is not None:
        entry["list"] = (old.get("list") or [{"text": old["text"], "t": old["t"]}]) + \
            [{"text": entry["text"], "t": t}]
    res["info"][name] = entry


def _add_check(res, n, t, m):
    failed = m.group(1) == "not ok"
    num = int(m.group(2)) if m.group(2) else None
    name, message, result = m.group(3).strip(), "", "fail" if failed else "pass"
    skip = _SKIP_RE.match(name)
    host = _HOST_RE.match(name)
    if host:
        name = host.group(1).strip()
        if failed:
            result = "host"
        else:
            res["errors"].append("line %d: 'ok' check %s marked host finding" % (n, name))
    elif skip:
        name, message = skip.group(1).strip(), skip.group(2).strip()
        if failed:
            res["errors"].append("line %d: 'not ok' check %s marked SKIP" % (n, name))
        else:
            result = "skip"
    expected = len(res["checks"]) + 1
    if num != expected:
        res["errors"].append("line %d: check number %s out of sequence (expected %d)"
                             % (n, num, expected))
    if res["plan"] is not None:
        res["errors"].append("line %d: check %s after the plan" % (n, num))
    if any(c["name"] == name for c in res["checks"]):
        res["warnings"].append("line %d: check name %s used twice" % (n, name))
    res["checks"].append({"n": num, "name": name, "result": result, "message": message, "t": t})


def _add_comment(res, n, t, body):
    """A '#' line: metric, info, fail message, summary or plain diagnostic."""
    if body.startswith("metric ") or body == "metric":
        _add_metric(res, n, t, body[len("metric"):].strip())
        return
    if body.startswith("info ") or body == "info":
        _add_info(res, n, t, body[len("info"):].strip())
        return
    if body.startswith("fail:"):
        last = res["checks"][-1] if res["checks"] else None
        if last is not None and last["result"] == "fail" and not last["message"]:
            last["message"] = body[len("fail:"):].strip()
            return
        res["warnings"].append("line %d: '# fail:' not right after a failing check" % n)
    elif body.startswith("host-finding:"):
        last = res["checks"][-1] if res["checks"] else None
        if last is not None and last["result"] == "host" and not last["message"]:
            last["message"] = body[len("host-finding:"):].strip()
            return
        res["warnings"].append("line %d: '# host-finding:' not right after a host-finding check" % n)
    elif body.startswith("summary:"):
        m = _SUMMARY_RE.match(body[len("summary:"):].strip())
        if not m:
            res["errors"].append("line %d: bad summary line: %r" % (n, body))
        elif res["summary"] is not None:
            res["errors"].append("line %d: second summary line" % n)
        else:
            res["summary"] = {"passed": int(m.group(1)), "failed": int(m.group(2)),
                              "skipped": int(m.group(3)), "host findings": int(m.group(4) or 0)}
        return
    res["diagnostics"].append({"text": body, "t": t})


def _guest_line(res, n, t, text):
    if not text:
        return
    if START_MARKER in text:
        res["errors"].append("line %d: duplicate start marker (guest restarted?)" % n)
        return
    if text.startswith("#"):
        body = text[1:]
        _add_comment(res, n, t, body[1:] if body.startswith(" ") else body)
        return
    m = _CHECK_RE.match(text)
    if m:
        _add_check(res, n, t, m)
        return
    m = _PLAN_RE.match(text)
    if m:
        if res["plan"] is not None:
            res["errors"].append("line %d: second plan line" % n)
        else:
            res["plan"] = int(m.group(1))
        return
    if text.startswith("Bail out!"):
        res["bail_out"] = text[len("Bail out!"):].strip()
        return
    if text.startswith("TAP version"):
        res["tap_version"] = text[len("TAP version"):].strip()
        return
    res["warnings"].append("line %d: unrecognised line: %r" % (n, text[:120]))
    res["diagnostics"].append({"text": text, "t": t})


def _check_totals(res):
    """Cross-checks that need the whole log."""
    err = res["errors"]
    counted = {k: 0 for k in RESULT_KEYS.values()}
    for c in res["checks"]:
        counted[RESULT_KEYS[c["result"]]] += 1
    crashed = res["status"] == "crash" or res["bail_out"] is not None
    if res["started"] and not res["ended"]:
        err.append("missing end marker (log truncated: guest hung, crashed or timed out)")
    if res["bail_out"] is not None and res["ended"] and res["status"] != "crash":
        err.append("Bail out! but end marker says status=%s" % res["status"])
    if res["ended"] and not crashed:
        if res["plan"] is None:
            err.append("missing plan line 1..N")
        elif res["plan"] != len(res["checks"]):
            err.append("plan mismatch: plan 1..%d but %d checks"
                       % (res["plan"], len(res["checks"])))
        if res["summary"] is None:
            err.append("missing summary line")
    if res["summary"] is not None and res["summary"] != counted:
        err.append("summary disagrees with the counted checks: summary says %(passed)d passed, "
                   "%(failed)d failed, %(skipped)d skipped, %(host findings)d host findings" % res["summary"]
                   + "; counted %(passed)d passed, %(failed)d failed, %(skipped)d skipped, "
                   "%(host findings)d host findings" % counted)
    if res["status"] == "pass" and counted["failed"]:
        err.append("end marker says status=pass but %d check(s) failed" % counted["failed"])
    if res["status"] == "fail" and not counted["failed"]:
        err.append("end marker says status=fail but no check failed")
    if res["tap_version"] is None and res["started"]:
        res["warnings"].append("no 'TAP version' line")


def parse(stamped):
    """Parse a stamped serial log; see the module comment and docs/log-format.md."""
    res = _empty_result()
    try:
        preamble, guest, after = split_log(stamped)
    except Exception as e:  # the never-raise promise, whatever the input
        res["errors"].append("unreadable input: %s: %s" % (type(e).__name__, e))
        return res
    if not guest:
        res["errors"].append("no start marker: the guest never started (%d lines of firmware "
                             "output)" % len(preamble))
        return res
    n, t, text = guest[0]
    m = _START_RE.match(text)
    res["started"], res["start_t"] = True, t
    try:
        res["protocol"] = int(m.group(1))
    except (TypeError, ValueError):
        res["errors"].append("line %d: start marker without a valid protocol=N: %r" % (n, text))
    if res["protocol"] is not None and res["protocol"] != PROTOCOL_VERSION:
        res["errors"].append("protocol %d not understood (this parser knows %d)"
                             % (res["protocol"], PROTOCOL_VERSION))
    for n, t, text in guest[1:]:
        if text.startswith(END_MARKER):
            m = _END_RE.match(text)
            res["ended"], res["end_t"] = True, t
            res["status"] = m.group(1) if m.group(1) in ("pass", "fail", "crash") else None
            if res["status"] is None or m.group(2):
                res["errors"].append("line %d: bad end marker: %r" % (n, text))
            continue
        try:
            _guest_line(res, n, t, text)
        except Exception as e:  # a parser bug must not hide the rest of the log
            res["errors"].append("line %d: parser error %s: %s" % (n, type(e).__name__, e))
    extra = [x for x in after if x[2]]
    if extra:
        res["errors"].append("%d line(s) after the end marker, first at line %d: %r"
                             % (len(extra), extra[0][0], extra[0][2][:120]))
    try:
        _check_totals(res)
    except Exception as e:
        res["errors"].append("parser error %s: %s" % (type(e).__name__, e))
    return res


def parse_text(text, t=None):
    """Convenience for tests and saved logs: parse raw text, every line stamped t."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return parse([(t, line) for line in text.split("\n")])


def counts(parsed):
    """{"passed","failed","skipped","host findings"} counted from the check lines."""
    out = {k: 0 for k in RESULT_KEYS.values()}
    for c in parsed.get("checks", []):
        key = RESULT_KEYS.get(c.get("result"))
        if key:
            out[key] += 1
    return out


def verdict(parsed):
    """(exit_code, reason): 0 pass, 1 a check failed, 2 crash or untrustworthy log.
    Severity only goes up: a crash or a protocol error outranks failed checks."""
    c = counts(parsed)
    failed = [x for x in parsed.get("checks", []) if x.get("result") == "fail"]
    if not parsed.get("started"):
        return EXIT_CRASH, "no start marker: the guest never started"
    if parsed.get("bail_out") is not None or parsed.get("status") == "crash":
        return EXIT_CRASH, "crash: %s" % (parsed.get("bail_out") or "end marker status=crash")
    if parsed.get("errors"):
        errs = parsed["errors"]
        more = " (+%d more)" % (len(errs) - 1) if len(errs) > 1 else ""
        return EXIT_CRASH, "untrustworthy log: %s%s" % (errs[0], more)
    if failed or parsed.get("status") == "fail":
        return EXIT_FAIL, "%d check(s) failed: %s" % (
            len(failed), ", ".join(x.get("name") or "?" for x in failed))
    if parsed.get("status") == "pass":
        host = ", %d host findings" % c["host findings"] if c["host findings"] else ""
        return EXIT_PASS, "all checks passed: %d passed, %d skipped%s" % (c["passed"], c["skipped"], host)
    return EXIT_CRASH, "no verdict in the log"


SOURCES = ("tsc", "hpet", "pmtimer", "pit", "rtc", "kvmclock", "hyperv", "apic")
VERDICT_NAMES = {EXIT_PASS: "PASS", EXIT_FAIL: "FAIL", EXIT_CRASH: "CRASH"}


def summary_lines(parsed):
    """A short human summary of a parsed log: boot path, each source's presence (rate or
    reason), failed checks and host findings, log errors and warnings."""
    info = parsed.get("info", {})
    metrics = parsed.get("metrics", {})
    out = []
    for name in ("boot.path", "exit.method"):
        if name in info:
            out.append("%s: %s" % (name, info[name]["text"]))
    for src in SOURCES:
        present = metrics.get(src + ".present")
        if present is None:
            continue
        if present["value"]:
            hz = metrics.get(src + ".freq_hz")
            out.append("%-8s present, %s" % (src, "%s Hz" % hz["raw"] if hz else "no rate"))
        else:
            why = info.get(src + ".absent_reason")
            out.append("%-8s absent: %s" % (src, why["text"] if why else "(no reason given)"))
    for c in parsed.get("checks", []):
        if c.get("result") in ("fail", "host"):
            out.append("%s %s - %s: %s" % ("not ok" if c["result"] == "fail" else "host finding", c.get("n"),
                                          c.get("name"), c.get("message") or "(no message)"))
    out += ["log error: %s" % e for e in parsed.get("errors", [])[:10]]
    out += ["log warning: %s" % w for w in parsed.get("warnings", [])[:5]]
    return out


def main(argv):
    """python3 tools/cplog.py LOG [LOG...]: judge serial logs captured elsewhere (a Firecracker
    or Cloud Hypervisor serial file, a VirtualBox raw file). Prints each log's verdict and
    summary; the exit status is the worst: 0 pass, 1 a check failed, 2 crash, untrustworthy log
    or no log at all, 3 a file that cannot be read."""
    if not argv or argv[0] in ("-h", "--help"):
        print(main.__doc__)
        return 0 if argv else 3
    worst = EXIT_PASS
    for path in argv:
        try:
            with open(path, "rb") as f:
                parsed = parse_text(f.read())
        except OSError as e:
            print("%s: cannot read: %s" % (path, e))
            worst = 3
            continue
        code, reason = verdict(parsed)
        worst = max(worst, code)
        print("%s: %s (exit %d): %s" % (path, VERDICT_NAMES[code], code, reason))
        for line in summary_lines(parsed):
            print("  " + line)
    return worst


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
