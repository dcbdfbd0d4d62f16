#!/usr/bin/env python3
"""Parser for the clockprobe serial log (schema: docs/log-format.md).

Input is what the runner saw on COM1: a list of (host_stamp, text) pairs, one per
line, where host_stamp is time.time() when the line arrived (or None) and text may
still carry '\\r', ANSI escapes and firmware noise. Only the lines from the guest's
start marker to its end marker are the guest's; everything before is ignored.

parse() never raises: whatever is wrong with the log ends up in "errors" (the log
cannot be trusted, verdict 2) or "warnings" (worth a look, verdict unchanged).
verdict() turns a parsed log into (exit_code, reason). Standard library only.

As a command, `tools/cplog.py LOG [--json OUT]` (LOG `-`: standard input) judges a saved log
with tools/run's exit statuses; see main().
"""
import argparse
import json
import os
import re
import sys

PROTOCOL_VERSION = 1

START_MARKER = "CLOCKPROBE-START"
END_MARKER = "CLOCKPROBE-END"

EXIT_PASS, EXIT_FAIL, EXIT_CRASH, EXIT_SETUP = 0, 1, 2, 3
VERDICT_NAMES = {EXIT_PASS: "PASS", EXIT_FAIL: "FAIL", EXIT_CRASH: "CRASH", EXIT_SETUP: "SETUP ERROR"}

# Units a metric may carry. An unknown unit is a warning, not an error, so a new
# unit in the guest does not break older runners; add it here and in the doc.
KNOWN_UNITS = {
    "count", "bool", "bytes", "Hz", "fs", "ns", "cycles", "ppm", "s", "addr",
    "port", "hex", "bits", "1e-6ppm", "rev", "index", "ticks", "permille", "ratio", "ms",
}

# Escape sequences, 7-bit (ESC ...) and 8-bit (C1 characters U+0080-U+009F): CSI (ESC [ ...
# final byte, including OVMF's "ESC [=3h"); the strings OSC, DCS, SOS, PM and APC up to BEL or
# ST (ESC \\), or to the end of the line when unterminated (a line never swallows the next);
# any other ESC sequence; then every remaining control character except TAB.
_ANSI_RE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
                      r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|$)"
                      r"|\x1b[ -/]*[0-~]|\x1b")
_CTRL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# Undecodable bytes (kept by "surrogateescape" as U+DC80-U+DCFF): the 8-bit C1 controls
# 0x80-0x9f become their characters (so the escapes above see them), every other one U+FFFD.
_BYTE_FIXUP = {0xDC00 + b: (b if b < 0xA0 else 0xFFFD) for b in range(0x80, 0x100)}

_NAME = r"[a-z0-9_]+(?:\.[a-z0-9_]+)*"
_NAME_RE = re.compile(_NAME + r"$")
_START_RE = re.compile(START_MARKER + r"(?:\s+protocol=(\S*))?\s*(.*)$")
_END_RE = re.compile(END_MARKER + r"(?:\s+status=(\S*))?\s*(.*)$")
# A marker is a whole line: the marker word first (what follows is checked against the
# marker's grammar). Before the guest's start only, firmware junk that did not end its line
# may precede a complete start marker; a line that merely contains a marker's text (a
# configuration value echoed in an info line) is never one.
_MARKER_RE = re.compile(r"(%s|%s)(?:\s|$)" % (START_MARKER, END_MARKER))
_JUNK_START_RE = re.compile(r".*(%s protocol=[0-9]+)$" % START_MARKER)
_CHECK_RE = re.compile(r"(not ok|ok)\b\s*([0-9]+)?\s*(?:-\s*)?(.*)$")
# Searched, not matched from the start: a leading "(.*?)\s*#" is quadratic on long blank runs.
_SKIP_RE = re.compile(r"#\s*SKIP\b", re.IGNORECASE)
_PLAN_RE = re.compile(r"1\.\.([0-9]+)\s*(?:#.*)?$")
_SUMMARY_RE = re.compile(r"([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped(?:, ([0-9]+) host findings)?$")
# A check the host never promised (lib/report.h check_host): not a failure of the run.
_HOST_RE = re.compile(r"#\s*TODO\s+host finding\s*$")
RESULT_KEYS = {"pass": "passed", "fail": "failed", "skip": "skipped", "host": "host findings"}
# A metric value: sign, hex digits or decimal digits with an optional fraction.
_VALUE_RE = re.compile(r"(?:0[xX]([0-9a-fA-F]+)|([+-]?)([0-9]+)(\.[0-9]+)?)$")
# Numbers are 64-bit (signed or unsigned): more significant digits than 2^64 has is out of range.
_U64_DIGITS = len(str(2 ** 64))
_UNIT_RE = re.compile(r"[A-Za-z0-9_.%/+-]+$")


def decode(data):
    """Text of raw serial bytes: UTF-8; a stray 8-bit C1 control byte stays a C1 control
    (clean_line() strips it and the escape sequence it starts), any other bad byte is U+FFFD."""
    return data.decode("utf-8", errors="surrogateescape").translate(_BYTE_FIXUP)


def clean_line(text):
    """Text of one serial line without line ends, ANSI escapes or control characters."""
    if isinstance(text, bytes):
        text = decode(text)
    if not isinstance(text, str):
        text = str(text)
    text = text.rstrip()
    if text.isprintable():  # the usual line: no escape or control character (TAB included)
        return text
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


def marker(text):
    """START_MARKER or END_MARKER if the cleaned line is that marker (a whole line whose first
    word is the marker; its fields may still be wrong), else None."""
    m = _MARKER_RE.match(text) if text.startswith("CLOCKPROBE-") else None
    return m.group(1) if m else None


def split_log(stamped):
    """Split the input into (preamble, guest, after), each a list of
    (line_number, stamp, clean_text). guest runs from the first start marker to the
    first end marker, both included; a complete start marker preceded by firmware junk on
    the same line is cut out of it. after is what follows the end marker."""
    return _split(_pairs(stamped))


def _is_start(text):
    return marker(text) == START_MARKER or bool(_JUNK_START_RE.match(text))


def _split(lines):
    start = end = None
    for k, (_, _, text) in enumerate(lines):
        if start is None and _is_start(text):
            start = k
        elif start is not None and marker(text) == END_MARKER:
            end = k
            break
    if start is None:
        return lines, [], []
    n, t, text = lines[start]
    junk = _JUNK_START_RE.match(text) if marker(text) != START_MARKER else None
    guest_first = (n, t, junk.group(1) if junk else text)
    stop = len(lines) if end is None else end + 1
    return lines[:start], [guest_first] + lines[start + 1:stop], lines[stop:]


def _number(raw):
    """(value, None) from a metric's text: int (decimal or 0x hex) or float (fixed point), or
    (None, why) when it is not a number or beyond 64 bits (the integer part for fixed point)."""
    m = _VALUE_RE.match(raw)
    if not m:
        return None, "is not a number"
    hexd, sign, digits, frac = m.groups()
    if len((hexd or digits).lstrip("0")) > _U64_DIGITS:
        return None, "is beyond 64 bits"
    whole = int(hexd, 16) if hexd else int(digits)
    if whole >= 2 ** 64 or (sign == "-" and whole > 2 ** 63):
        return None, "is beyond 64 bits"
    if frac:
        return float(raw), None
    return (-whole if sign == "-" else whole), None


def _count(digits):
    """int of a decimal count (check number, plan, summary, protocol), None beyond 64 bits."""
    value = int(digits) if len(digits.lstrip("0")) <= _U64_DIGITS else 2 ** 64
    return value if value < 2 ** 64 else None


def _short(text, keep=60):
    """repr of text, cut to keep characters (a hostile line may be megabytes long)."""
    return repr(text) if len(text) <= keep else "%r... (%d characters)" % (text[:keep], len(text))


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
        res["errors"].append("line %d: bad metric line (want '<name> <value> <unit>'): %s"
                             % (n, _short(rest)))
        return
    name, raw, unit = parts
    value, why = _number(raw)
    if not _NAME_RE.match(name):
        res["errors"].append("line %d: bad metric line: name %r is not [a-z0-9_.]" % (n, name))
        return
    if value is None:
        res["errors"].append("line %d: bad metric line: value %s of %s %s"
                             % (n, _short(raw), name, why))
        return
    if not _UNIT_RE.match(unit):
        res["errors"].append("line %d: bad metric line: unit %r of %s" % (n, unit, name))
        return
    if unit not in KNOWN_UNITS:
        res["warnings"].append("line %d: metric %s has unknown unit %r" % (n, name, unit))
    old = res["metrics"].get(name)
    if old is None:
        res["metrics"][name] = {"value": value, "raw": raw, "unit": unit, "t": t}
        return
    if old["unit"] != unit:
        res["errors"].append("line %d: metric %s changed unit from %s to %s"
                             % (n, name, old["unit"], unit))
    # a series: append in place (copying the list on every repeat made parsing quadratic)
    if "samples" not in old:
        old["samples"] = [{"value": old["value"], "t": old["t"]}]
    old["samples"].append({"value": value, "t": t})
    old.update(value=value, raw=raw, unit=unit, t=t)


def _add_info(res, n, t, rest):
    name, _, text = rest.partition(" ")
    if not _NAME_RE.match(name):
        res["errors"].append("line %d: bad info line: name %r is not [a-z0-9_.]" % (n, name))
        return
    old = res["info"].get(name)
    if old is None:
        res["info"][name] = {"text": text.strip(), "t": t}
        return
    if "list" not in old:
        old["list"] = [{"text": old["text"], "t": old["t"]}]
    old["list"].append({"text": text.strip(), "t": t})
    old.update(text=text.strip(), t=t)


def _add_check(res, n, t, m):
    failed = m.group(1) == "not ok"
    num = _count(m.group(2)) if m.group(2) else None
    name, message, result = m.group(3).strip(), "", "fail" if failed else "pass"
    skip = _SKIP_RE.search(name)
    host = _HOST_RE.search(name)
    if host:
        name = name[:host.start()].strip()
        if failed:
            result = "host"
        else:
            res["errors"].append("line %d: 'ok' check %s marked host finding" % (n, name))
    elif skip:
        name, message = name[:skip.start()].strip(), name[skip.end():].strip()
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
            numbers = [_count(x or "0") for x in m.groups()]
            if None in numbers:
                res["errors"].append("line %d: summary count beyond 64 bits" % n)
            else:
                res["summary"] = dict(zip(RESULT_KEYS.values(), numbers))
        return
    res["diagnostics"].append({"text": body, "t": t})


def _guest_line(res, n, t, text):
    if not text:
        return
    if marker(text) == START_MARKER:
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
        elif _count(m.group(1)) is None:
            res["errors"].append("line %d: plan count beyond 64 bits" % n)
        else:
            res["plan"] = _count(m.group(1))
        return
    if text.startswith("Bail out!"):
        res["bail_out"] = text[len("Bail out!"):].strip()
        return
    if text.startswith("TAP version"):
        res["tap_version"] = text[len("TAP version"):].strip()
        return
    res["warnings"].append("line %d: unrecognised line: %s" % (n, _short(text, 120)))
    res["diagnostics"].append({"text": text, "t": t})


def _check_totals(res):
    """Cross-checks that need the whole log."""
    err = res["errors"]
    counted = {k: 0 for k in RESULT_KEYS.values()}
    for c in res["checks"]:
        counted[RESULT_KEYS[c["result"]]] += 1
    crashed = res["status"] == "crash" or res["bail_out"] is not None
    if res["started"] and not res["ended"] and not res.get("cut"):
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
    first = {}  # check name -> position of its first check line (a set: linear in the checks)
    for k, c in enumerate(res["checks"], 1):
        if first.setdefault(c["name"], k) != k:
            res["warnings"].append("check name %s used twice (check lines %d and %d)"
                                   % (c["name"], first[c["name"]], k))


def parse(stamped):
    """Parse a stamped serial log; see the module comment and docs/log-format.md."""
    try:
        lines = _pairs(stamped)
    except Exception as e:  # the never-raise promise, whatever the input
        res = _empty_result()
        res["errors"].append("unreadable input: %s: %s" % (type(e).__name__, e))
        return res
    return _parse_lines(lines)


def parse_boots(stamped, boots):
    """A log of `boots` boots of the guest, the runner having reset it between them (tools/run
    --event reset, `cplog.py --boots N`): one parsed log per boot, in order. Each boot begins at
    its start marker; every boot but the last was cut short by a reset, so its missing end
    marker is no error (it is marked "cut": True), and the firmware lines that follow its last
    guest line belong to the next boot's preamble. Fewer boots than asked is an error of the
    last one found; a start marker beyond them is the usual duplicate start. Without the runner
    saying it reset the guest, a second boot is never accepted (parse())."""
    try:
        lines = _pairs(stamped)
    except Exception as e:
        res = _empty_result()
        res["errors"].append("unreadable input: %s: %s" % (type(e).__name__, e))
        return [res]
    starts = [k for k, (_, _, text) in enumerate(lines) if _is_start(text)][:boots]
    bounds = [0] + starts[1:] + [len(lines)]
    out = []
    for b in range(len(bounds) - 1):
        seg = lines[bounds[b]:bounds[b + 1]]
        last = b == len(bounds) - 2
        if not last:
            while seg and not _is_guest_text(seg[-1][2]):
                seg = seg[:-1]
        out.append(_parse_lines(seg, cut=not last))
    if len(out) < boots:
        out[-1]["errors"].append("%d boot(s) in the log, %d expected (the runner reset the guest %d time(s))"
                                 % (len(starts), boots, boots - 1))
    return out


def _is_guest_text(text):
    """A line in the guest's grammar (a firmware line after a reset is not)."""
    return bool(text) and (text.startswith("#") or marker(text) is not None or text.startswith("Bail out!")
                           or text.startswith("TAP version") or bool(_CHECK_RE.match(text) or _PLAN_RE.match(text)))


def _parse_lines(lines, cut=False):
    res = _empty_result()
    try:
        preamble, guest, after = _split(lines)
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
    digits = re.fullmatch(r"[0-9]+", m.group(1) or "")
    res["protocol"] = _count(digits.group()) if digits else None
    if res["protocol"] is None:
        res["errors"].append("line %d: start marker without a valid protocol=N: %s" % (n, _short(text)))
    if res["protocol"] is not None and res["protocol"] != PROTOCOL_VERSION:
        res["errors"].append("protocol %d not understood (this parser knows %d)"
                             % (res["protocol"], PROTOCOL_VERSION))
    for n, t, text in guest[1:]:
        if marker(text) == END_MARKER:
            m = _END_RE.match(text)
            res["ended"], res["end_t"] = True, t
            res["status"] = m.group(1) if m.group(1) in ("pass", "fail", "crash") else None
            if res["status"] is None or m.group(2):
                res["errors"].append("line %d: bad end marker: %s" % (n, _short(text)))
            continue
        try:
            _guest_line(res, n, t, text)
        except Exception as e:  # a parser bug must not hide the rest of the log
            res["errors"].append("line %d: parser error %s: %s" % (n, type(e).__name__, e))
    extra = [x for x in after if x[2]]
    if extra:
        res["errors"].append("%d line(s) after the end marker, first at line %d: %s"
                             % (len(extra), extra[0][0], _short(extra[0][2], 120)))
    if cut and not res["ended"]:
        res["cut"] = True  # by the runner's reset: no end marker to expect
    try:
        _check_totals(res)
    except Exception as e:
        res["errors"].append("parser error %s: %s" % (type(e).__name__, e))
    return res


def parse_text(text, t=None):
    """Convenience for tests and saved logs: parse raw text, every line stamped t."""
    return parse([(t, line) for line in text.split(b"\n" if isinstance(text, bytes) else "\n")])


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
    if parsed.get("cut") and not parsed.get("ended"):
        return EXIT_PASS, "cut short by the runner's reset after %d checks: %d passed, %d skipped" % (
            len(parsed.get("checks", [])), c["passed"], c["skipped"])
    if parsed.get("status") == "pass":
        host = ", %d host findings" % c["host findings"] if c["host findings"] else ""
        return EXIT_PASS, "all checks passed: %d passed, %d skipped%s" % (c["passed"], c["skipped"], host)
    return EXIT_CRASH, "no verdict in the log"


def verdict_boots(boots):
    """(exit_code, reason) of a multi-boot log (parse_boots): the worst boot's, naming it."""
    if len(boots) == 1:
        return verdict(boots[0])
    judged = [verdict(b) for b in boots]
    code = max(c for c, _ in judged)
    return code, "; ".join("boot %d of %d: %s" % (k, len(boots), r) for k, (c, r) in enumerate(judged, 1) if c == code)


# ---------------------------------------------------------------- command line and output files

class ArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors are set-up errors: one line on stderr and exit 3 (argparse's
    own exit 2 would read as a crash in tools/run's statuses)."""

    def error(self, message):
        self.exit(EXIT_SETUP, "%s: usage error: %s (see --help)\n" % (self.prog, message))


def check_writable(path):
    """Raise OSError unless path can be opened for writing; leaves no file that was not there.
    Non-blocking, so a FIFO without a reader fails instead of hanging."""
    existed = os.path.lexists(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK, 0o666))
    if not existed:
        os.unlink(path)


def write_json(path, obj):
    """Write obj as indented JSON; encoded in full first, so a failure leaves no half file."""
    text = json.dumps(obj, indent=1) + "\n"
    with open(path, "w") as f:
        f.write(text)


def silence_stdout():
    """After a failed write to stdout (a closed pipe, a full disk): send the rest, and the
    interpreter's final flush, to /dev/null instead of failing again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):  # no real stdout file descriptor: nothing to redirect
        pass


SOURCES = ("tsc", "hpet", "pmtimer", "pit", "rtc", "kvmclock", "hyperv", "apic")


def source_lines(parsed):
    """Boot path and each source's presence (its rate, or why absent): what a Firecracker or
    Cloud Hypervisor user first wants from a log captured there."""
    info, metrics, out = parsed.get("info", {}), parsed.get("metrics", {}), []
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
    return out


def report_lines(parsed, code, reason):
    """The short human report of a parsed log; the last line is the verdict."""
    c = counts(parsed)
    plan = "1..%d" % parsed["plan"] if parsed.get("plan") is not None else "none"
    end = "status=%s" % parsed["status"] if parsed.get("ended") else "missing"
    out = source_lines(parsed)
    out += ["checks: %d passed, %d failed, %d skipped, %d host findings (plan %s, end marker %s)"
            % (c["passed"], c["failed"], c["skipped"], c["host findings"], plan, end)]
    for chk in parsed.get("checks", []):
        if chk["result"] in ("fail", "host"):
            out.append("%s %s - %s: %s" % ("not ok" if chk["result"] == "fail" else "host finding", chk["n"],
                                           chk["name"], chk["message"] or "(no message)"))
    if parsed.get("bail_out") is not None:
        out.append("Bail out! %s" % parsed["bail_out"])
    out += ["log error: %s" % e for e in parsed["errors"][:10]]
    out += ["... %d more log errors" % (len(parsed["errors"]) - 10)] if len(parsed["errors"]) > 10 else []
    out += ["log warning: %s" % w for w in parsed["warnings"][:5]]
    out += ["... %d more log warnings" % (len(parsed["warnings"]) - 5)] if len(parsed["warnings"]) > 5 else []
    return out + ["verdict: %s (exit %d): %s" % (VERDICT_NAMES[code], code, reason)]


def main(argv):
    """tools/cplog.py LOG [--json OUT]: judge a saved serial log (from any hypervisor) and exit
    with tools/run's statuses: 0 pass, 1 a check failed, 2 crash / untrustworthy log / no end
    marker, 3 set-up error (LOG unreadable, OUT not writable, usage)."""
    p = ArgumentParser(prog="cplog.py", description=main.__doc__.split("\n\n")[0])
    p.add_argument("log", metavar="LOG", help="the serial log (raw bytes as captured); - for standard input")
    p.add_argument("--json", metavar="OUT", help='write {"log": parsed log, "verdict": {"exit", "reason"}} here '
                   '(with --boots: "log" is the first boot, "boots" every boot)')
    p.add_argument("--boots", type=int, default=1, metavar="N",
                   help="the log holds N boots because the runner reset the guest N-1 times (tools/run --event "
                   "reset); verdict: the worst boot's. Without it a second boot is an error (the guest restarted)")
    opts = p.parse_args(argv)
    if opts.boots < 1:
        p.error("--boots N with N >= 1")
    try:
        if opts.json:
            check_writable(opts.json)
    except OSError as e:
        return _setup_error("cannot write --json %s: %s" % (opts.json, e.strerror or e))
    try:
        if opts.log == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(opts.log, "rb") as f:
                data = f.read()
    except OSError as e:
        return _setup_error("cannot read %s: %s" % ("standard input" if opts.log == "-" else opts.log,
                                                    e.strerror or e))
    stamped = [(None, line) for line in data.split(b"\n")]
    boots = parse_boots(stamped, opts.boots) if opts.boots > 1 else [parse(stamped)]
    parsed = boots[0]
    code, reason = verdict_boots(boots)
    problem = None
    if opts.json:
        try:
            out = {"log": parsed, "verdict": {"exit": code, "reason": reason}}
            if opts.boots > 1:
                out["boots"] = boots
            write_json(opts.json, out)
        except OSError as e:
            problem = "cannot write --json %s: %s" % (opts.json, e.strerror or e)
    lines = []
    for k, b in enumerate(boots, 1):
        if len(boots) > 1:
            lines.append("boot %d of %d%s:" % (k, len(boots), " (cut short by the reset)" if b.get("cut") else ""))
        lines += report_lines(b, *verdict(b))[:-1]
    try:
        print("\n".join(lines + ["verdict: %s (exit %d): %s" % (VERDICT_NAMES[code], code, reason)]), flush=True)
    except OSError as e:
        silence_stdout()
        problem = problem or "cannot write the report to standard output: %s" % (e.strerror or e)
    return _setup_error(problem) if problem else code


def _setup_error(problem):
    print("cplog: set-up error: %s" % problem, file=sys.stderr)
    return EXIT_SETUP


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
