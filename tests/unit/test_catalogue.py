"""The log format is a public schema: every metric, info and check name the guest prints
with a literal name must be documented in docs/log-format.md. Names built at run time
(mname(), "<src>.x") are documented by pattern in the catalogue tables and are not checked
here. Run: python3 -m unittest tests/unit/test_catalogue.py  (or tests/run_unit.py)."""
import glob
import os
import re
import unittest

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SOURCES = ["boot/*.c", "arch/x86/*.c", "time/*.c", "lib/*.c"]
# call -> index of the argument that is the name
CALLS = {"metric_u64": 0, "metric_i64": 0, "metric_hex": 0, "metric_fixed": 0, "info": 0,
         "check_pass": 0, "check_fail": 0, "check_skip": 0, "check": 1}
CALL_RE = re.compile(r"\b(%s)\(" % "|".join(CALLS))
LITERAL_RE = re.compile(r'\s*"([^"\\]*)"\s*$')


def split_args(text, start):
    """Top-level arguments of the call whose '(' is at text[start - 1]."""
    args, depth, cur, i, in_str = [], 0, [], start, False
    while i < len(text):
        c = text[i]
        if in_str:
            cur.append(c)
            if c == "\\":
                cur.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
            cur.append(c)
        elif c in "([{":
            depth += 1
            cur.append(c)
        elif c in ")]}":
            if depth == 0:
                args.append("".join(cur))
                return args
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    return args


def literal_names():
    """(file, name) for every report call whose name argument is a plain string literal."""
    out = set()
    for pat in SOURCES:
        for path in glob.glob(os.path.join(REPO, pat)):
            with open(path) as f:
                text = f.read()
            for m in CALL_RE.finditer(text):
                args = split_args(text, m.end())
                k = CALLS[m.group(1)]
                if len(args) > k:
                    lit = LITERAL_RE.match(args[k])
                    if lit and re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", lit.group(1)):
                        out.add((os.path.relpath(path, REPO), lit.group(1)))
    return out


class Catalogue(unittest.TestCase):
    def test_found_names(self):
        names = {n for _, n in literal_names()}
        # the parser sees both argument positions
        self.assertIn("tsc.freq", names)          # check_pass("tsc.freq")
        self.assertIn("rtc.second_edge", names)   # check(cond, "rtc.second_edge", ...)
        self.assertIn("efi.unix_s", names)        # metric_u64("efi.unix_s", ...)

    def test_every_literal_name_documented(self):
        with open(os.path.join(REPO, "docs", "log-format.md")) as f:
            doc = f.read()
        missing = sorted("%s: %s" % (f, n) for f, n in literal_names() if "`%s`" % n not in doc)
        self.assertEqual(missing, [], "undocumented names (add them to docs/log-format.md):\n" + "\n".join(missing))




DECL_RE = re.compile(r'\[SET_\w+\]\s*=\s*\{\s*"([a-z0-9_]+)",\s*ST_(\w+),\s*([^,]+),\s*([^,]+),\s*([^,]+),'
                     r'\s*(0|"[^"]*"),\s*"([^"]*)",\s*"((?:[^"]|"\s*")*)"\s*\}', re.S)
TOL_RE = re.compile(r"#define (TOL_\w+) (\d+)")


def declared_settings():
    """{key: (type, min, max, default, choices, unit, meaning)} from lib/settings.c."""
    with open(os.path.join(REPO, "lib", "settings.c")) as f:
        text = f.read()
    with open(os.path.join(REPO, "time", "tolerance.h")) as f:
        tols = dict(TOL_RE.findall(f.read()))
    tols["PPM_MAX"] = "1000000"

    def num(x):
        x = x.strip().rstrip("ULL").rstrip("U")
        return int(tols.get(x, x), 0)
    out = {}
    for key, typ, lo, hi, dflt, choices, unit, meaning in DECL_RE.findall(text):
        meaning = re.sub(r'"\s*"', "", meaning)
        out[key] = (typ, num(lo), num(hi), num(dflt), choices.strip('"') if choices != "0" else None, unit, meaning)
    return out


class ConfigTable(unittest.TestCase):
    """docs/log-format.md's configuration table is tested against lib/settings.c."""

    def test_table_matches_declaration(self):
        decl = declared_settings()
        self.assertGreaterEqual(len(decl), 15)
        with open(os.path.join(REPO, "docs", "log-format.md")) as f:
            rows = {m.group(1): [c.strip() for c in m.group(2).split("|")]
                    for m in re.finditer(r"^\| `([a-z0-9_]+)` \|(.*)\|$", f.read(), re.M)}
        for key, (typ, lo, hi, dflt, choices, unit, meaning) in decl.items():
            self.assertIn(key, rows, "configuration key %s missing from the docs table" % key)
            ty, rng, dflt_doc, meaning_doc = rows[key]
            self.assertEqual(meaning_doc, meaning, key)
            if typ == "U64":
                self.assertEqual((ty, rng), ("number", ("%d..%d %s" % (lo, hi, unit)).strip()), key)
                self.assertEqual(dflt_doc, str(dflt), key)
            elif typ == "BOOL":
                self.assertEqual((ty, dflt_doc), ("boolean", str(dflt)), key)
            elif typ == "CHOICE":
                opts = choices.split("|")
                self.assertEqual((ty, rng, dflt_doc), ("choice", ", ".join(opts), opts[dflt]), key)
            else:
                self.assertEqual(ty, "name", key)


if __name__ == "__main__":
    unittest.main()
