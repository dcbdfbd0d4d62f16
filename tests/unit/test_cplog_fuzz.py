"""Generative fuzz test of tools/cplog.py (issue 11): random valid logs from the grammar in
docs/log-format.md must parse without errors to the expected verdict; mutated ones (byte flips,
truncation, escape sequences, huge numbers, duplicated markers, random unicode, very long lines,
shuffled lines) must never make parse() raise, must keep the documented keys and a JSON-encodable
result, and verdict() must stay one of 0/1/2 with a reason.

Seeded and bounded in time (FUZZ_SECONDS per test). A failure names its seed and case; rerun
exactly that with CPLOG_FUZZ_SEED=<seed> CPLOG_FUZZ_CASE=<case>.
Run: python3 -m unittest tests/unit/test_cplog_fuzz.py  (or tests/run_unit.py)."""
import json
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import cplog  # noqa: E402

FUZZ_SECONDS = 1.5  # per test; cases run until this is spent (at least MIN_CASES)
MIN_CASES = 50
SEED = int(os.environ.get("CPLOG_FUZZ_SEED") or random.SystemRandom().randrange(2 ** 32))
ONLY_CASE = os.environ.get("CPLOG_FUZZ_CASE")

# The keys docs/log-format.md promises for parse()'s result.
DOC_KEYS = {"protocol", "started", "ended", "status", "tap_version", "checks", "metrics", "info", "plan",
            "summary", "bail_out", "diagnostics", "errors", "warnings", "start_t", "end_t"}
OVMF_NOISE = ["\x1b[2J\x1b[01;01H\x1b[=3h\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 \"UEFI Misc Device\"",
              "BdsDxe: starting Boot0001 \"UEFI Misc Device\" from PciRoot(0x0)/Pci(0x1,0x0)"]
NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"
# printable ASCII without '#' (a '#' in free text could form "# SKIP" or "# TODO host finding")
TEXT_CHARS = "".join(chr(c) for c in range(0x21, 0x7f) if chr(c) != "#")
# complete escape sequences: cleaning removes them wherever they are put
ESCAPES = ["\x1b[2J", "\x1b[01;01H", "\x1b[=3h", "\x1b[0m", "\x1b[38;5;196m", "\x1b]0;title\x07",
           "\x1b]8;;http://example.org/x\x1b\\", "\x1bPq#0;2;0;0\x1b\\", "\x1b(B", "\x1b7", "\x1b8", "\x9b0m",
           "\x9d2;t\x9c", "\x1b_apc\x1b\\", "\x07", "\x00", "\x7f"]


def case_label(case):
    return "seed %d case %d (rerun: CPLOG_FUZZ_SEED=%d CPLOG_FUZZ_CASE=%d)" % (SEED, case, SEED, case)


def cases():
    """Case numbers to run until the time budget is spent (or the one case asked for)."""
    if ONLY_CASE is not None:
        yield int(ONLY_CASE)
        return
    end, case = time.monotonic() + FUZZ_SECONDS, 0
    while case < MIN_CASES or time.monotonic() < end:
        yield case
        case += 1


def name(rng):
    return ".".join("".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(1, 8)))
                    for _ in range(rng.randint(1, 4)))


def text(rng, words=(1, 8)):
    out = " ".join("".join(rng.choice(TEXT_CHARS) for _ in range(rng.randint(1, 10)))
                   for _ in range(rng.randint(*words)))
    if rng.random() < 0.1:  # configuration values that quote a marker must not forge one
        out += rng.choice([" CLOCKPROBE-START protocol=1", " CLOCKPROBE-END status=pass"])
    return out


def value(rng):
    """(text as the guest prints it, the value cplog must return)."""
    kind = rng.randrange(5)
    if kind == 0:
        v = rng.choice([0, 1, 2 ** 64 - 1, 2 ** 63, rng.randrange(2 ** 64)])
        return str(v), v
    if kind == 1:
        v = rng.choice([-1, -2 ** 63, rng.randrange(-2 ** 63, 0)])
        return str(v), v
    if kind == 2:
        v = rng.choice([0, 2 ** 64 - 1, rng.randrange(2 ** 64)])
        return "0x%x" % v, v
    decimals = rng.randint(1, 9)
    raw = "%s%d.%0*d" % (rng.choice(["", "-"]), rng.randrange(10 ** 12), decimals, rng.randrange(10 ** decimals))
    return raw, float(raw)


def valid_log(rng):
    """(lines, expected) of a random log that follows the grammar: expected holds the verdict
    code, the counts and the last value of every metric."""
    lines = list(OVMF_NOISE) if rng.random() < 0.5 else []
    lines += ["CLOCKPROBE-START protocol=1", "TAP version 13"]
    counts = {"passed": 0, "failed": 0, "skipped": 0, "host findings": 0}
    metrics, units, checks = {}, {}, set()
    for _ in range(rng.randint(0, 60)):
        kind = rng.randrange(7)
        if kind == 0:  # a check
            check = name(rng)
            while check in checks:
                check = name(rng)
            checks.add(check)
            n = len(checks)
            result = rng.choice(["passed", "passed", "failed", "skipped", "host findings"])
            counts[result] += 1
            if result == "passed":
                lines.append("ok %d - %s" % (n, check))
            elif result == "skipped":
                lines.append("ok %d - %s # SKIP %s" % (n, check, text(rng)))
            elif result == "failed":
                lines += ["not ok %d - %s" % (n, check), "# fail: %s" % text(rng)]
            else:
                lines += ["not ok %d - %s # TODO host finding" % (n, check), "# host-finding: %s" % text(rng)]
        elif kind in (1, 2):  # a metric, sometimes a repeat (a series)
            metric = rng.choice(sorted(metrics)) if metrics and rng.random() < 0.3 else name(rng)
            unit = units.setdefault(metric, rng.choice(sorted(cplog.KNOWN_UNITS)))
            raw, metrics[metric] = value(rng)
            lines.append("# metric %s %s %s" % (metric, raw, unit))
        elif kind == 3:
            lines.append("# info %s %s" % (name(rng), rng.choice(["-", text(rng)])))
        elif kind == 4:
            lines.append("# sample %d " % rng.randrange(10 ** 6)
                         + " ".join("%s=%d" % (s, rng.randrange(2 ** 64)) for s in ("tsc", "hpet", "rtc")))
        else:  # a diagnostic: any other '#' line
            lines.append("# %s %s" % (rng.choice(["note", "source", "exception", "reanchor", "config:"]), text(rng)))
    if rng.random() < 0.15:  # the crash form: no plan, no summary
        lines += ["# exception #PF vector=14 error=0x0 cpu=0", "Bail out! %s" % text(rng), "CLOCKPROBE-END status=crash"]
        code = 2
    else:
        host = ", %d host findings" % counts["host findings"] if counts["host findings"] else ""
        lines += ["1..%d" % len(checks),
                  "# summary: %d passed, %d failed, %d skipped%s" % (counts["passed"], counts["failed"],
                                                                     counts["skipped"], host),
                  "CLOCKPROBE-END status=%s" % ("fail" if counts["failed"] else "pass")]
        code = 1 if counts["failed"] else 0
    return lines, {"code": code, "counts": counts, "metrics": metrics}


def joined(rng, lines):
    return rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n", "\r\n"])


# ---------------------------------------------------------------- mutations of the log text

def insert(rng, s, piece):
    k = rng.randint(0, len(s))
    return s[:k] + piece + s[k:]


def sprinkle(rng, s, pieces):
    """s with each piece put at a random place of the original s (never inside another piece)."""
    at = sorted(rng.randint(0, len(s)) for _ in pieces)
    out, last = [], 0
    for k, piece in zip(at, pieces):
        out += [s[last:k], piece]
        last = k
    return "".join(out) + s[last:]


def byte_flips(rng, s):
    data = bytearray(s.encode("utf-8", "surrogatepass"))
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    return bytes(data)


def truncate(rng, s):
    return s[:rng.randint(0, len(s))]


def escapes(rng, s):
    return sprinkle(rng, s, [rng.choice(ESCAPES + ["\x1b]0;unterminated", "\x1b[", "\x9d", "\x1b]", "\x1b"])
                             for _ in range(rng.randint(1, 6))])


def huge_numbers(rng, s):
    piece = rng.choice(["9" * rng.randint(21, 6000), "-" + "9" * 5000, "0x" + "f" * rng.randint(17, 5000),
                        "1" * 5000 + ".5", str(2 ** 64), "0." + "1" * 5000])
    lines = s.split("\n")
    k = rng.randrange(len(lines))
    words = lines[k].split(" ")
    words[rng.randrange(len(words))] = piece
    lines[k] = " ".join(words)
    return "\n".join(lines)


def duplicated_markers(rng, s):
    lines = s.split("\n")
    for _ in range(rng.randint(1, 3)):
        lines.insert(rng.randint(0, len(lines)), rng.choice(
            ["CLOCKPROBE-START protocol=1", "CLOCKPROBE-END status=pass", "CLOCKPROBE-END status=fail",
             "CLOCKPROBE-END status=crash", "junkCLOCKPROBE-START protocol=1", "CLOCKPROBE-START", "CLOCKPROBE-END"]))
    return "\n".join(lines)


def random_unicode(rng, s):
    for _ in range(rng.randint(1, 10)):
        c = rng.choice([rng.randrange(0x20), rng.randrange(0x80, 0x100), rng.randrange(0x100, 0xD800),
                        rng.randrange(0xD800, 0xE000), rng.randrange(0xE000, 0x110000), 0x202E, 0xFEFF, 0x2028])
        s = insert(rng, s, chr(c))
    return s


def long_line(rng, s):
    n = rng.choice([600, 5000, 100000, 300000])
    piece = rng.choice(["# metric a.b " + " " * n + "1 count", "ok 1 - x" + " " * n + "#" + " " * n + "TODO host finding",
                        "# info x " + "y" * n, "\x1b[" + "0;" * n, "#" * n, " " * n])
    lines = s.split("\n")
    lines.insert(rng.randint(0, len(lines)), piece)
    return "\n".join(lines)


def shuffle_lines(rng, s):
    lines = s.split("\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        op, k = rng.randrange(3), rng.randrange(len(lines))
        if op == 0:
            del lines[k]
        elif op == 1:
            lines.insert(k, lines[k])
        else:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
    return "\n".join(lines)


MUTATIONS = [byte_flips, truncate, escapes, huge_numbers, duplicated_markers, random_unicode, long_line, shuffle_lines]


def parse_any(rng, data):
    """parse() through one of the forms callers use: raw text or bytes, or stamped lines."""
    form = 1 if isinstance(data, bytes) else rng.randrange(3)
    if form == 0:
        return cplog.parse_text(data, t=1.0)
    if form == 1:
        return cplog.parse_text(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return cplog.parse([(1000.0 + i, line) for i, line in enumerate(data.split("\n"))])


class Fuzz(unittest.TestCase):
    def check_shape(self, p, label):
        self.assertEqual(set(p), DOC_KEYS, label)
        json.dumps(p)  # tools/run writes it as JSON
        code, reason = cplog.verdict(p)
        self.assertIn(code, (0, 1, 2), label)
        self.assertIsInstance(reason, str, label)
        if p["errors"]:
            self.assertEqual(code, 2, label)
        for m in p["metrics"].values():
            if isinstance(m["value"], int):
                self.assertTrue(-2 ** 63 <= m["value"] < 2 ** 64, label)
        return code

    def test_valid_logs(self):
        n = 0
        for case in cases():
            rng = random.Random("valid:%d:%d" % (SEED, case))
            lines, want = valid_log(rng)
            label = case_label(case)
            p = parse_any(rng, joined(rng, lines))
            self.assertEqual((p["errors"], p["warnings"]), ([], []), label)
            self.assertEqual(self.check_shape(p, label), want["code"], label)
            self.assertEqual(cplog.counts(p), want["counts"], label)
            self.assertEqual({k: m["value"] for k, m in p["metrics"].items()}, want["metrics"], label)
            n += 1
        self.assertGreaterEqual(n, 1)

    def test_invisible_escapes_change_nothing(self):
        # complete escape sequences anywhere, or an unterminated OSC at a line's end, are cleaned away
        for case in cases():
            rng = random.Random("escape:%d:%d" % (SEED, case))
            lines, _ = valid_log(rng)
            text = joined(rng, lines)
            dirty = sprinkle(rng, text, [rng.choice(ESCAPES) for _ in range(rng.randint(1, 10))])
            k = dirty.find("\n", rng.randrange(len(dirty)))
            if k >= 0:
                dirty = dirty[:k] + "\x1b]0;no end" + dirty[k:]
            self.assertEqual(cplog.parse_text(dirty), cplog.parse_text(text), case_label(case))

    def test_mutated_logs(self):
        for case in cases():
            rng = random.Random("mutated:%d:%d" % (SEED, case))
            lines, _ = valid_log(rng)
            data = joined(rng, lines)
            applied = []
            for mutation in rng.sample(MUTATIONS, rng.randint(1, 3)):
                if isinstance(data, bytes):  # only byte flips give bytes; keep them last
                    break
                data = mutation(rng, data)
                applied.append(mutation.__name__)
            label = "%s, mutations %s" % (case_label(case), ", ".join(applied))
            try:
                p = parse_any(rng, data)
            except Exception as e:  # the never-raise promise
                self.fail("parse raised %s: %s; %s" % (type(e).__name__, e, label))
            self.check_shape(p, label)


if __name__ == "__main__":
    unittest.main()
