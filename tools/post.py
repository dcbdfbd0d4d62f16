"""Post-processing of a tools/run result (docs/log-format.md, "Runner post-processing").

Hooks (tools/run POST_HOOKS) take the whole result dict and store findings under
result["post"][name]:
  rtc_offset  RTC offset from host UTC, from the host stamps of lines printed right after
              an RTC second edge; also stored as the metric rtc.offset_ms.
  drift       drift mode (`# sample` lines): every source's ticks against the host stamps
              and against the TSC, least-squares drift in ppm; optional CSV and SVG files.
  wall_rewrite  kvm-clock wall-clock rewrites (`# wall_rewrite` lines, config wall_rewrite_s):
              each new wall clock against the host stamp of its line, beside the guest's base
              change and RTC comparison.
report_lines() formats the source table, TSC rates, hints, pair matrix and both hooks'
findings for the human report. Standard library only; never raises on odd input.
"""
import math
import re
from xml.sax.saxutils import escape, quoteattr

EXIT_SETUP = 3  # tools/run: the run was fine, but an output file could not be written

# Report order of the sources (time/sources.c); sources not listed here follow, sorted.
SOURCE_ORDER = ("tsc", "hpet", "pmtimer", "pit", "rtc", "kvmclock", "hyperv", "apic")
# A source whose tick is longer than this is quantised far beyond the serial jitter
# (the RTC: 1 s). Its offset is a staircase; the SVG gives it a panel of its own.
COARSE_TICK_S = 0.01
# Lines the guest prints right after it saw the RTC seconds register change.
RTC_EDGE_METRICS = ("rtc.edge_ticks", "rtc.unix_s")

# Counts are 64-bit: at most 20 digits (a longer one is malformed, not a Python error).
_SAMPLE_RE = re.compile(r"sample ([0-9]{1,20})((?: [a-z0-9_]+=[0-9]{1,20})+)$")


def metric_samples(log, name):
    """[(value, t)] of every occurrence of a metric, in log order (cplog keeps repeats
    in "samples"; a metric printed once has only value and t)."""
    m = (log or {}).get("metrics", {}).get(name)
    if not m:
        return []
    return [(s["value"], s["t"]) for s in m.get("samples") or [m]]


def metric_value(log, name):
    m = (log or {}).get("metrics", {}).get(name)
    return None if m is None else m.get("value")


# ---------------------------------------------------------------- RTC offset

# Time zones are multiples of 15 min; within a minute of one (beyond the RTC's whole-second
# start) an offset is taken to be a zone (the guest's time/wallclock.c uses the same rule).
# Real UTC offsets run from -12 h to +14 h: anything beyond 14 h is another date, not a zone.
TZ_STEP_S, TZ_SLACK_S, TZ_MAX_S = 15 * 60, 60, 14 * 3600


def tz_minutes(offset_s):
    """The time zone (minutes from UTC) an offset looks like, 0 if none."""
    steps = round(abs(offset_s) / TZ_STEP_S)
    if not steps or steps * TZ_STEP_S > TZ_MAX_S or abs(abs(offset_s) - steps * TZ_STEP_S) > TZ_SLACK_S:
        return 0
    return int(math.copysign(steps * TZ_STEP_S // 60, offset_s))


def rtc_offset_of(log):
    """An edge line with value v (unix seconds) and host stamp t: the edge, when the RTC
    read exactly v.000, happened before t, so RTC - host >= v - t. The serial path only
    adds delay: the largest v - t is the best estimate, the spread shows the jitter.
    {"offset_ms", "samples", "spread_ms"} or None without edge lines."""
    diffs = [v - t for name in RTC_EDGE_METRICS for v, t in metric_samples(log, name)
             if isinstance(t, (int, float)) and isinstance(v, int)]
    if not diffs:
        return None
    best = max(diffs)
    return {"offset_ms": round(best * 1e3, 3), "samples": len(diffs), "spread_ms": round((best - min(diffs)) * 1e3, 3)}


def rtc_offset(result):
    """rtc.offset_ms of the run (rtc_offset_of), with a note on what it cannot be."""
    log = result["log"]
    out = rtc_offset_of(log)
    if out is None:
        return None
    best = out["offset_ms"] / 1e3
    tz = tz_minutes(best)
    if (result.get("run") or {}).get("rtc_clock") == "vm":
        out["note"] = "-rtc clock=vm: the RTC follows virtual time, not host UTC"
    elif tz:
        out["note"] = "%+d min from UTC: the RTC keeps local time (-rtc base=localtime?)" % tz
    elif abs(best) > TZ_STEP_S - TZ_SLACK_S:
        out["note"] = ("%+.1f h from UTC is not a time zone (zones are within 14 h, in steps of 15 min): "
                       "the RTC holds another time" % (best / 3600))
    result["post"]["rtc_offset"] = out
    log["metrics"]["rtc.offset_ms"] = {"value": out["offset_ms"], "unit": "ms",
                                       "raw": "%.3f" % out["offset_ms"], "t": None,
                                       "source": "runner"}
    return None


# ---------------------------------------------------------------- drift

def parse_sample_lines(diagnostics):
    """([(t, seq, {src: ticks})], warnings) from the `# sample` diagnostic lines."""
    rows, warnings = [], []
    for d in diagnostics or []:
        text = d.get("text", "")
        if not (text == "sample" or text.startswith("sample ")):
            continue
        m = _SAMPLE_RE.match(text)
        pairs = [p.split("=") for p in m.group(2).split()] if m else []
        why = None
        if not m:
            why = "malformed"
        elif len({k for k, _ in pairs}) != len(pairs):
            why = "a source twice"
        elif not isinstance(d.get("t"), (int, float)):
            why = "no host stamp"
        elif rows and int(m.group(1)) <= rows[-1][1]:
            why = "sequence number not increasing"
        if why:
            warnings.append("sample line ignored (%s): %r" % (why, text[:120]))
            continue
        rows.append((d["t"], int(m.group(1)), {k: int(v) for k, v in pairs}))
    return rows, warnings


_REANCHOR_RE = re.compile(r"reanchor (\d+) ([a-z0-9_]+) gap_us=(\d+)$")


def parse_reanchors(diagnostics):
    """{src: [(seq, gap_us)]} from the `# reanchor` lines: from sample seq on, the source's
    count was re-anchored after a gap that may have hidden a wrap."""
    out = {}
    for d in diagnostics or []:
        m = _REANCHOR_RE.match(d.get("text", ""))
        if m:
            out.setdefault(m.group(2), []).append((int(m.group(1)), int(m.group(3))))
    return out


def source_rate(log, src):
    """(Hz, "nominal"|"measured") to turn a source's ticks into seconds, or (None, None)."""
    for name, kind in ((src + ".nominal_hz", "nominal"), (src + ".freq_hz", "measured")):
        hz = metric_value(log, name)
        if isinstance(hz, (int, float)) and hz > 0:
            return float(hz), kind
    if src == "tsc" and (metric_value(log, "drift.tsc_hz") or 0) > 0:
        return float(metric_value(log, "drift.tsc_hz")), "measured"
    return None, None


def linfit(xs, ys, segs=None):
    """Least squares y = a_k + b x with one intercept per segment k (segs[i], default one
    segment): (b, a of the first segment, rms residual, standard error of b or None).
    Centred sums keep the precision."""
    n = len(xs)
    segs = segs or [0] * n
    groups = {}
    for x, y, k in zip(xs, ys, segs):
        groups.setdefault(k, []).append((x, y))
    means = {k: (sum(x for x, _ in g) / len(g), sum(y for _, y in g) / len(g)) for k, g in groups.items()}
    dx = [x - means[k][0] for x, k in zip(xs, segs)]
    dy = [y - means[k][1] for y, k in zip(ys, segs)]
    sxx = sum(d * d for d in dx)
    b = sum(u * v for u, v in zip(dx, dy)) / sxx if sxx > 0 else 0.0
    a = means[segs[0]][1] - b * means[segs[0]][0]
    ss = sum((v - b * u) ** 2 for u, v in zip(dx, dy))
    dof = n - len(groups) - 1
    se = math.sqrt(ss / dof / sxx) if dof > 0 and sxx > 0 else None
    return b, a, math.sqrt(ss / n), se


def ticks_delta(v, v0):
    """v - v0 of two extended 64-bit counts, modulo 2^64 as a signed number: a count that
    passed 2^64 (or started just below it) still gives the right elapsed ticks."""
    return ((v - v0 + 2 ** 63) % 2 ** 64) - 2 ** 63


def _ppm(x):
    return None if x is None else round(x * 1e6, 4)


def drift_series(rows, rates):
    """{src: [(host_s, offset_s, seq, tsc_s)]}: host seconds since the first sample line,
    the source's elapsed seconds minus host elapsed seconds since the first line the source
    appears in, and the TSC's elapsed seconds at the same line (None without a TSC)."""
    t0 = rows[0][0]
    first, out = {}, {}
    for t, seq, ticks in rows:
        tsc = None
        if "tsc" in ticks and "tsc" in rates:
            first.setdefault("tsc", (t, ticks["tsc"]))
            tsc = ticks_delta(ticks["tsc"], first["tsc"][1]) / rates["tsc"]
        for src, v in ticks.items():
            if src not in rates:
                continue
            ft, fv = first.setdefault(src, (t, v))
            elapsed = ticks_delta(v, fv) / rates[src]
            out.setdefault(src, []).append((t - t0, elapsed - (t - ft), seq, tsc))
    return out


def segments(points, reanchors):
    """Segment index of each point: a re-anchor at seq s starts a new one at the first point
    with seq >= s (the count's advance across it is unknown modulo its wrap)."""
    marks = sorted(seq for seq, _ in reanchors or [])
    out, k = [], 0
    for p in points:
        while k < len(marks) and p[2] >= marks[k]:
            k += 1
        out.append(k)
    return out


def fit_source(points, rate, duration, is_tsc=False, reanchors=None):
    """One source's findings from its drift_series points; re-anchored counts are fitted in
    segments (one offset each, one common rate)."""
    host = [p[0] for p in points]
    src = [p[0] + p[1] for p in points]  # elapsed source seconds (plus the constant t0 shift)
    segs = segments(points, reanchors)
    b, _, rms, se = linfit(host, src, segs)
    out = {"ppm_vs_host": _ppm(b - 1), "ppm_vs_host_unc": _ppm(se),
           "offset_end_ms": round(points[-1][1] * 1e3, 4), "rms_ms": round(rms * 1e3, 4),
           "samples": len(points), "rate_hz": rate,
           "resolution_ppm": float("%.3g" % (1e6 / rate / duration)) if duration > 0 else None,
           "ppm_vs_tsc": None, "ppm_vs_tsc_unc": None, "rms_vs_tsc_ms": None}
    out.update(reanchors=len(reanchors or []), segments=len(set(segs)))
    vs = [(p[3], p[0] + p[1], k) for p, k in zip(points, segs) if p[3] is not None]
    if len(vs) >= 2 and not is_tsc:
        b, _, rms, se = linfit([x for x, _, _ in vs], [y for _, y, _ in vs], [k for _, _, k in vs])
        out.update(ppm_vs_tsc=_ppm(b - 1), ppm_vs_tsc_unc=_ppm(se), rms_vs_tsc_ms=round(rms * 1e3, 4))
    return out


def drift(result):
    """Drift mode findings; see the module comment. Runs only if there are sample lines."""
    log = result["log"]
    rows, warnings = parse_sample_lines(log.get("diagnostics"))
    if not rows and not warnings:
        return None
    out = {"sources": {}, "duration_s": 0.0, "samples": len(rows),
           "requested_s": metric_value(log, "drift.duration_s"), "warnings": warnings}
    result["post"]["drift"] = out
    if len(rows) < 2:
        warnings.append("fewer than 2 usable sample lines: no drift fit")
        return None
    out["duration_s"] = round(rows[-1][0] - rows[0][0], 6)
    rates, rate_from = {}, {}
    for src in sorted({s for _, _, ticks in rows for s in ticks}):
        hz, kind = source_rate(log, src)
        if hz is None:
            warnings.append("%s: no %s.nominal_hz or %s.freq_hz metric: not fitted" % (src, src, src))
        else:
            rates[src], rate_from[src] = hz, kind
    series = drift_series(rows, rates)
    reanchors = parse_reanchors(log.get("diagnostics"))
    for src in order_sources(series):
        points = series[src]
        if len(points) < 2 or points[-1][0] <= points[0][0]:
            warnings.append("%s: fewer than 2 samples at distinct host times: not fitted" % src)
            continue
        out["sources"][src] = dict(fit_source(points, rates[src], out["duration_s"], src == "tsc",
                                              reanchors.get(src)), rate_from=rate_from[src])
    return write_drift_files(result, series, rows[0][0], rates)


def write_drift_files(result, series, t0, rates):
    run = result.get("run") or {}
    for path, render in ((run.get("drift_csv"), drift_csv), (run.get("drift_svg"), drift_svg)):
        if not path:
            continue
        try:
            with open(path, "w") as f:
                f.write(render(series, t0, rates))
        except OSError as e:
            return EXIT_SETUP, "cannot write %s: %s" % (path, e.strerror)
        result["post"]["drift"].setdefault("files", []).append(path)
    return None


def drift_csv(series, t0, rates=None):
    """host_t (unix s), seq, then <src>_ms: each source's offset vs host in ms."""
    srcs = order_sources(series)
    rows = {}
    for src in srcs:
        for host_s, off, seq, _ in series[src]:
            rows.setdefault(seq, {"t": t0 + host_s})[src] = off
    lines = ["host_t,seq," + ",".join(s + "_ms" for s in srcs)]
    for seq in sorted(rows):
        r = rows[seq]
        lines.append("%.6f,%d," % (r["t"], seq) +
                     ",".join("%.6f" % (r[s] * 1e3) if s in r else "" for s in srcs))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- kvm-clock wall-clock rewrites

_WR_FILL_RE = re.compile(r"wall_rewrite (\d+) seq=(\d+|none) version=(\d+) unix_ns=(-?\d+) "
                         r"base_change_ns=([+-]?\d+) interval_ns=(-?\d+)$")
_WR_RTC_RE = re.compile(r"wall_rewrite (\d+) rtc minus_rtc_us=([+-]?\d+) bound_us=(\d+) edge_unix_s=(\d+)$")
_WR_NONE_RE = re.compile(r"wall_rewrite (\d+) rtc none (.*)$")
_WR_FAIL_RE = re.compile(r"wall_rewrite (\d+) failed (.*)$")


def wall_rewrite(result):
    """Every `# wall_rewrite` fill line: the new wall clock (unix_ns, read just before the line
    was written) minus the host stamp of the line (when its first byte reached the runner, so
    never before the read): minus_host_ms is the wall clock's offset from host time less the
    serial path's delay. The old base carried forward is that minus the base change. The
    guest's RTC comparison is attached; old_minus_rtc_ms likewise."""
    log = result["log"]
    rows, failed, warnings = {}, [], []
    for d in log.get("diagnostics") or []:
        text = d.get("text", "")
        if not text.startswith("wall_rewrite "):
            continue
        m = _WR_FILL_RE.match(text)
        if m:
            n, t = int(m.group(1)), d.get("t")
            r = {"n": n, "seq": None if m.group(2) == "none" else int(m.group(2)), "version": int(m.group(3)),
                 "unix_ns": int(m.group(4)), "base_change_ns": int(m.group(5)), "interval_ns": int(m.group(6)),
                 "t_host": t, "minus_host_ms": None, "old_minus_host_ms": None,
                 "minus_rtc_ms": None, "rtc_bound_ms": None, "old_minus_rtc_ms": None, "rtc_none": None}
            if isinstance(t, (int, float)):
                r["minus_host_ms"] = round((r["unix_ns"] - round(t * 1e9)) / 1e6, 3)
                r["old_minus_host_ms"] = round(r["minus_host_ms"] - r["base_change_ns"] / 1e6, 3)
            else:
                warnings.append("wall_rewrite %d: no host stamp" % n)
            rows[n] = r
            continue
        m = _WR_RTC_RE.match(text) or _WR_NONE_RE.match(text) or _WR_FAIL_RE.match(text)
        if not m:
            warnings.append("wall_rewrite line not understood: %r" % text[:120])
        elif m.re is _WR_FAIL_RE:
            failed.append({"n": int(m.group(1)), "why": m.group(2)})
        elif int(m.group(1)) not in rows:
            warnings.append("wall_rewrite %s: RTC line before its fill line" % m.group(1))
        elif m.re is _WR_NONE_RE:
            rows[int(m.group(1))]["rtc_none"] = m.group(2)
        else:
            r = rows[int(m.group(1))]
            r["minus_rtc_ms"] = int(m.group(2)) / 1e3
            r["rtc_bound_ms"] = int(m.group(3)) / 1e3
            r["old_minus_rtc_ms"] = round(r["minus_rtc_ms"] - r["base_change_ns"] / 1e6, 3)
    if not rows and not failed and not warnings:
        return None
    result["post"]["wall_rewrite"] = {"rewrites": [rows[n] for n in sorted(rows)], "failed": failed,
                                      "warnings": warnings}
    return None


def wall_rewrite_lines(w):
    if not w:
        return []
    out = ["   kvm-clock wall-clock rewrites (base change: the new wall clock minus the old one carried on by "
           "kvm-clock; -host: minus the line's host stamp, serial delay included; -rtc: at an RTC second edge):",
           "   %4s %5s %17s %11s %12s %12s %22s %12s" % ("n", "seq", "base_change_ns", "interval_s", "new-host_ms",
                                                         "old-host_ms", "new-rtc_ms", "old-rtc_ms")]
    for r in w["rewrites"]:
        rtc = ("%.3f +- %.3f" % (r["minus_rtc_ms"], r["rtc_bound_ms"])) if r["minus_rtc_ms"] is not None else "-"
        out.append("   %4d %5s %+17d %11.3f %12s %12s %22s %12s" % (
            r["n"], "-" if r["seq"] is None else r["seq"], r["base_change_ns"], r["interval_ns"] / 1e9,
            "-" if r["minus_host_ms"] is None else "%.3f" % r["minus_host_ms"],
            "-" if r["old_minus_host_ms"] is None else "%.3f" % r["old_minus_host_ms"], rtc,
            "-" if r["old_minus_rtc_ms"] is None else "%.3f" % r["old_minus_rtc_ms"]))
        if r["rtc_none"]:
            out.append("        rewrite %d not compared with the RTC: %s" % (r["n"], r["rtc_none"]))
    out += ["   wall rewrite %d failed: %s" % (f["n"], f["why"]) for f in w["failed"]]
    out += ["   wall rewrite warning: " + x for x in w["warnings"][:5]]
    return out


# ---------------------------------------------------------------- SVG plot

SVG_W, SVG_H = 960, 560
PLOT_L, PLOT_R, PLOT_T, PLOT_B = 80, 760, 50, 490  # the plot area, split into panels
COARSE_PANEL_H = 120  # height of the panel for coarse sources, below the fine ones
COLORS = {"tsc": "#1f77b4", "hpet": "#ff7f0e", "pmtimer": "#2ca02c", "pit": "#d62728",
          "rtc": "#9467bd", "kvmclock": "#8c564b", "hyperv": "#e377c2", "apic": "#17becf"}
EXTRA_COLORS = ("#7f7f7f", "#bcbd22", "#393b79", "#637939")


def nice_ticks(lo, hi, want=6):
    """(ticks, step): round values (1, 2, 5 x 10^k) inside [lo, hi]."""
    raw = (hi - lo) / want
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw * 0.99)
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int(math.floor((hi - first) / step + 1e-9)) + 1)], step


def axis_range(values, pad):
    """[lo, hi] around the values, widened by pad (a fraction) and never empty."""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    return lo - pad * (hi - lo), hi + pad * (hi - lo)


def tick_label(v, step):
    decimals = max(0, -int(math.floor(math.log10(step)))) if step < 1 else 0
    return "%.*f" % (decimals, 0.0 if abs(v) < step / 1e6 else v)


def drift_svg(series, t0, rates, title="clockprobe drift: source offset vs host time"):
    """Hand-written SVG: one polyline per source, offset vs host (ms) over host seconds.
    Coarse sources (the RTC's 1 s staircase, up to a second of quantisation) get their own
    panel below the fine ones, with their own y scale, so they do not flatten the others."""
    srcs = order_sources(series)
    coarse = [s for s in srcs if 1.0 / rates[s] > COARSE_TICK_S]
    fine = [s for s in srcs if s not in coarse]
    x0, x1 = axis_range([0.0] + [p[0] for s in srcs for p in series[s]], 0.0)
    if fine and coarse:
        mid = PLOT_B - COARSE_PANEL_H
        panels = [(fine, PLOT_T, mid - 30, "offset vs host (ms)"), (coarse, mid, PLOT_B, "coarse (ms)")]
    else:
        panels = [(srcs, PLOT_T, PLOT_B, "offset vs host (ms)")]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (SVG_W, SVG_H, SVG_W, SVG_H),
           "<title>%s</title>" % escape(title), '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="28" text-anchor="middle" font-size="16">%s</text>'
           % ((PLOT_L + PLOT_R) // 2, escape(title))]
    colors = {s: COLORS.get(s, EXTRA_COLORS[k % len(EXTRA_COLORS)]) for k, s in enumerate(srcs)}
    for k, (names, top, bottom, ylabel) in enumerate(panels):
        svg_panel(out, "p%d" % k, [(series[s], colors[s]) for s in names], (x0, x1), (top, bottom), ylabel)
    out.append('<text x="%d" y="%d" text-anchor="middle">host time since first sample (s); host t0 = %.3f</text>'
               % ((PLOT_L + PLOT_R) // 2, PLOT_B + 40, t0))
    for k, src in enumerate(srcs):
        ly = PLOT_T + 10 + 20 * k
        label = src + (" (%g s steps)" % (1.0 / rates[src]) if src in coarse else "")
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke=%s stroke-width="2"/>'
                   % (PLOT_R + 12, ly, PLOT_R + 36, ly, quoteattr(colors[src])))
        out.append('<text x="%d" y="%d">%s</text>' % (PLOT_R + 42, ly + 4, escape(label)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def svg_panel(out, pid, lines, xr, yr, ylabel):
    """One framed panel: grid, tick labels, y label, one clipped polyline per (points, color)."""
    (x0, x1), (t, b), l, r = xr, yr, PLOT_L, PLOT_R
    y0, y1 = axis_range([0.0] + [p[1] * 1e3 for pts, _ in lines for p in pts], 0.05)
    xt, xstep = nice_ticks(x0, x1)
    yt, ystep = nice_ticks(y0, y1, 6 if b - t > 200 else 3)

    def px(x):
        return l + (x - x0) / (x1 - x0) * (r - l)

    def py(y):
        return b - (y - y0) / (y1 - y0) * (b - t)

    out.append('<clipPath id="%s"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>'
               % (pid, l, t, r - l, b - t))
    for x in xt:
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (px(x), t, px(x), b))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (px(x), b + 16, tick_label(x, xstep)))
    for y in yt:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>'
                   % (l, py(y), r, py(y), "#999" if abs(y) < ystep / 1e6 else "#ddd"))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (l - 6, py(y) + 4, tick_label(y, ystep)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="black"/>' % (l, t, r - l, b - t))
    out.append('<text transform="translate(22 %d) rotate(-90)" text-anchor="middle">%s</text>'
               % ((t + b) // 2, escape(ylabel)))
    for pts, color in lines:
        out.append('<polyline clip-path="url(#%s)" fill="none" stroke=%s stroke-width="1.5" points="%s"/>'
                   % (pid, quoteattr(color),
                      " ".join("%.2f,%.2f" % (px(p[0]), py(p[1] * 1e3)) for p in pts)))


# ---------------------------------------------------------------- human report

def order_sources(names):
    names = set(names)
    return [s for s in SOURCE_ORDER if s in names] + sorted(names - set(SOURCE_ORDER))


def _raw(log, name):
    m = log.get("metrics", {}).get(name)
    return "-" if m is None else str(m.get("raw", m.get("value")))


def _verdict(log, src):
    results = [c["result"] for c in log.get("checks", []) if c.get("name", "").startswith(src + ".")]
    if not results:
        return "-"
    return "FAIL" if "fail" in results else "ok" if "pass" in results else "skip"


def source_table(log):
    # a clock source reports <src>.present and a <src>.discover check (time/sources.c)
    discovered = {c.get("name", "")[:-len(".discover")] for c in log.get("checks", [])
                  if c.get("name", "").endswith(".discover")}
    srcs = order_sources(n[:-len(".present")] for n in log.get("metrics", {})
                         if n.endswith(".present") and n[:-len(".present")] in discovered)
    if not srcs:
        return []
    fmt = "   %-9s %-4s %18s %20s %10s %8s %13s %5s %s"
    lines = ["   sources:", fmt % ("source", "pres", "nominal_hz", "measured_hz", "ppm", "unc_ppm",
                                    "cost_ns p50/99", "back", "verdict")]
    for s in srcs:
        present = {1: "yes", 0: "no"}.get(metric_value(log, s + ".present"), "-")
        cost = "%s/%s" % (_raw(log, s + ".read_cost_ns"), _raw(log, s + ".read_cost_p99_ns"))
        lines.append(fmt % (s, present, _raw(log, s + ".nominal_hz"), _raw(log, s + ".freq_hz"),
                            _raw(log, s + ".ppm"), _raw(log, s + ".rate_unc_ppm"),
                            "-" if cost == "-/-" else cost, _raw(log, s + ".backwards"), _verdict(log, s)))
    return lines


def tsc_lines(log):
    names = sorted(log.get("metrics", {}))
    vs = ["%s %s" % (n[len("tsc.freq_hz.vs."):], _raw(log, n)) for n in names if n.startswith("tsc.freq_hz.vs.")]
    hints = ["%s %s" % (n[len("tsc.hint_ppm."):], _raw(log, n)) for n in names if n.startswith("tsc.hint_ppm.")]
    out = []
    if "tsc.freq_hz" in log.get("metrics", {}) or vs:
        out.append("   tsc.freq_hz %s Hz%s" % (_raw(log, "tsc.freq_hz"), ("; vs " + ", ".join(vs)) if vs else ""))
    if hints:
        out.append("   tsc.hint_ppm: " + ", ".join(hints))
    return out


def pair_grid(log):
    """pair.<a>.<b>.ppm as a grid: row a runs that many ppm from column b."""
    cells = {}
    for n in log.get("metrics", {}):
        p = n.split(".")
        if len(p) == 4 and p[0] == "pair" and p[3] == "ppm":
            cells[(p[1], p[2])] = _raw(log, n)
    if not cells:
        return []
    rows, cols = order_sources({a for a, _ in cells}), order_sources({b for _, b in cells})
    w = max(9, max(len(v) for v in cells.values()) + 1)
    out = ["   pair ppm (row runs that many ppm from column):",
           "   %-9s" % "" + "".join("%*s" % (w, c) for c in cols)]
    for a in rows:
        out.append("   %-9s" % a + "".join("%*s" % (w, "." if a == b else cells.get((a, b), "" if (b, a) in cells
                                                                                    else "-")) for b in cols))
    return out


def _check_result(log, name):
    for c in log.get("checks", []):
        if c.get("name") == name:
            return {"pass": "ok", "fail": "FAIL"}.get(c.get("result"), c.get("result", "-"))
    return "-"


def wall_lines(log):
    """wall.<a>.<b>.offset_ms / .bound_ms: wall clocks against each other (time/wallclock.c)."""
    out = []
    for n in sorted(log.get("metrics", {})):
        p = n.split(".")
        if len(p) == 4 and p[0] == "wall" and p[3] == "offset_ms":
            pair = ".".join(p[:3])
            out.append("   %s minus %s: %s +- %s ms %s" % (p[1], p[2], _raw(log, n), _raw(log, pair + ".bound_ms"),
                                                        _check_result(log, pair)))
    return (["   wall clocks (offset interval midpoint +- half width, resolution included):"] + out) if out else []


def _pm(v, unc):
    """'value +- unc' with 3 decimals, '-' for a missing value."""
    if v is None:
        return "-"
    return "%.3f" % v + ("" if unc is None else " +- %.3f" % unc)


def drift_lines(d):
    if not d:
        return []
    out = ["   drift: %d sample lines over %.1f s host time" % (d["samples"], d["duration_s"])]
    if d["sources"]:
        fmt = "   %-9s %-8s %22s %13s %9s %22s %9s"
        out.append(fmt % ("source", "rate", "ppm_vs_host", "offset_end_ms", "rms_ms", "ppm_vs_tsc", "res_ppm"))
        for src, v in d["sources"].items():
            out.append(fmt % (src, v["rate_from"], _pm(v["ppm_vs_host"], v["ppm_vs_host_unc"]),
                              "%.3f" % v["offset_end_ms"], "%.3f" % v["rms_ms"],
                              _pm(v["ppm_vs_tsc"], v["ppm_vs_tsc_unc"]),
                              "-" if v["resolution_ppm"] is None else "%.3g" % v["resolution_ppm"]))
    out += ["   drift warning: " + w for w in d.get("warnings", [])[:5]]
    if len(d.get("warnings", [])) > 5:
        out.append("   ... %d more drift warnings" % (len(d["warnings"]) - 5))
    out += ["   wrote " + f for f in d.get("files", [])]
    return out


def report_lines(result):
    log, post = result.get("log") or {}, result.get("post") or {}
    out = source_table(log) + tsc_lines(log) + pair_grid(log) + wall_lines(log)
    r = post.get("rtc_offset")
    if r:
        out.append("   rtc.offset_ms %.3f (RTC minus host UTC; %d edge lines, spread %.3f ms)%s"
                   % (r["offset_ms"], r["samples"], r["spread_ms"], ("; " + r["note"]) if r.get("note") else ""))
    return out + drift_lines(post.get("drift")) + wall_rewrite_lines(post.get("wall_rewrite"))


HOOKS = [rtc_offset, drift, wall_rewrite]
