#!/usr/bin/env python3
"""Turn the raw output of the 'make bench' guests into results.md,
results.json and the data of reg_mr.png.

    report.py RAWDIR OUTDIR

RAWDIR holds one folder per kernel (project/, stock/), each with the
guest's NAME.txt files (lines "S name samples...", "I key value...",
"E error") and vm.rc / splat.txt written by run.sh.
"""
import json
import os
import random
import statistics
import sys
import time

raw, out = sys.argv[1], sys.argv[2]
KERNELS = ("project", "stock")


def load(tag):
    series, infos, errors = {}, {}, []
    d = os.path.join(raw, tag)
    if not os.path.isdir(d):
        return None
    for f in sorted(os.listdir(d)):
        if not f.endswith(".txt"):
            continue
        src = f[:-4]
        with open(os.path.join(d, f), errors="replace") as fh:
            for line in fh:
                parts = line.rstrip("\n").split(" ")
                if parts[0] == "S" and len(parts) > 2:
                    series[parts[1]] = [float(x) for x in parts[2:]]
                elif parts[0] == "I" and len(parts) > 1:
                    infos.setdefault(parts[1], []).append(" ".join(parts[2:]))
                    if parts[1] == "wall_s":
                        infos.setdefault("wall_s." + src, []).append(parts[2])
                elif parts[0] == "E":
                    errors.append("%s: %s" % (src, " ".join(parts[1:])))
    rc = open(os.path.join(d, "vm.rc")).read().strip() if os.path.exists(os.path.join(d, "vm.rc")) else "?"
    splat = open(os.path.join(d, "splat.txt")).read().strip() if os.path.exists(os.path.join(d, "splat.txt")) else ""
    return {"series": series, "info": infos, "errors": errors, "vm_rc": rc, "splat": splat}


data = {k: load(k) for k in KERNELS}
P, S = data["project"], data["stock"]


def q(v, p):
    v = sorted(v)
    if len(v) == 1:
        return v[0]
    x = p * (len(v) - 1)
    i = int(x)
    return v[i] if i + 1 >= len(v) else v[i] + (v[i + 1] - v[i]) * (x - i)


def stats(v):
    if not v:
        return None
    return {"n": len(v), "median": statistics.median(v), "p25": q(v, 0.25),
            "p75": q(v, 0.75), "min": min(v), "max": max(v)}


def get(d, name):
    if d is None:
        return None
    return d["series"].get(name)


rng = random.Random(1)


def ratio_ci(a, b, scale_a=None, scale_b=None, n=1000):
    """Ratio of medians a/b (optionally each divided by the median of a
    calibration series) with a 95% bootstrap interval."""
    def r(x, y, sx, sy):
        m = statistics.median(x) / statistics.median(y)
        if sx is not None:
            m *= statistics.median(sy) / statistics.median(sx)
        return m
    est = r(a, b, scale_a, scale_b)
    bs = []
    for _ in range(n):
        ra = rng.choices(a, k=len(a))
        rb = rng.choices(b, k=len(b))
        sa = rng.choices(scale_a, k=len(scale_a)) if scale_a else None
        sb = rng.choices(scale_b, k=len(scale_b)) if scale_b else None
        bs.append(r(ra, rb, sa, sb))
    bs.sort()
    return est, bs[int(0.025 * n)], bs[int(0.975 * n) - 1]


def fmt_us(x):
    if x >= 10000:
        return "%.1f ms" % (x / 1000)
    if x >= 1000:
        return "%.2f ms" % (x / 1000)
    if x >= 100:
        return "%.0f µs" % x
    return "%.1f µs" % x


def desc(v):
    s = stats(v)
    return "%s [%s–%s] n=%d" % (fmt_us(s["median"]), fmt_us(s["p25"]), fmt_us(s["p75"]), s["n"])


rows = []


def workload_errors(wl):
    """The E lines of either kernel's run that name workload wl ("wN ...")."""
    tag = "w%d" % wl
    return [e for d in (P, S) if d for e in d["errors"]
            if e.split(": ", 1)[-1].split(" ", 1)[0].rstrip(":") == tag]


def row(wl, case, a, b, target, op="<=", cal=None, note="", a_label="", b_label=""):
    """One comparison: median(a)/median(b) against target."""
    r = {"workload": wl, "case": case, "note": note,
         "target": "–" if target is None else "%s %s" % ("≤" if op == "<=" else "<", target)}
    if not a or not b:
        r.update(result="n/a", ratio=None, measured="missing data")
        rows.append(r)
        return r
    # A workload that reported an error (a refusal that did not happen, a
    # failed registration) measured something else: no verdict on it.
    errs = workload_errors(wl)
    if errs:
        r.update(result="n/a", ratio=None, measured="workload error: " + "; ".join(errs))
        rows.append(r)
        return r
    if cal:
        est, lo, hi = ratio_ci(a, b, cal[0], cal[1])
        raw_est = statistics.median(a) / statistics.median(b)
        r["ratio_raw"] = raw_est
    else:
        est, lo, hi = ratio_ci(a, b)
    r.update(ratio=est, ci95=[lo, hi], a=stats(a), b=stats(b))
    if target is None:
        r["result"] = "info"
    else:
        ok = est <= target if op == "<=" else est < target
        r["result"] = "PASS" if ok else "MISS"
        if lo <= target <= hi:
            r["result"] += " (within noise)"
    if cal:
        r["measured"] = "%s (%.3f of ref.) vs %s (%.3f of ref.)" % (
            fmt_us(statistics.median(a)), statistics.median(a) / statistics.median(cal[0]),
            fmt_us(statistics.median(b)), statistics.median(b) / statistics.median(cal[1]))
    else:
        r["measured"] = "%s%s vs %s%s" % (a_label, fmt_us(statistics.median(a)), b_label,
                                           fmt_us(statistics.median(b)))
    rows.append(r)
    return r


def info_row(wl, case, measured, note=""):
    rows.append({"workload": wl, "case": case, "measured": measured, "ratio": None,
                 "target": "–", "result": "info", "note": note})


def first(d, key, default=None):
    if d is None or key not in d["info"]:
        return default
    return d["info"][key][0]


# ---------------------------------------------------------------- workload 1
w1mib = int(first(P, "w1.size_bytes", "0")) >> 20
pc = first(P, "w1.pages_per_call", "?")
t = lambda c: get(P, "w1.%s.total" % c)
pmd_row = row(1, "PMD-mapped DAX, vaddr_pin vs THP anon, PIN_LONGTERM (%d MiB, get+put)" % w1mib,
    t("dax_pmd.vaddr_pin"), t("anon_thp.pin_longterm"), 1.5,
    note="DAX mapped with %s faults (%s)" % (first(P, "w1.dax_pmd.faults", "?"),
                                            first(P, "w1.dax_pmd.mapped_with", "?")))
row(1, "4 KiB-mapped DAX, vaddr_pin vs 4 KiB anon, PIN_LONGTERM (%d MiB)" % w1mib,
    t("dax_4k.vaddr_pin"), t("anon_4k.pin_longterm"), 1.1)
row(1, "THP anon: vaddr_pin vs PIN_LONGTERM, same memory", t("anon_thp.vaddr_pin"),
    t("anon_thp.pin_longterm"), 1.05)
row(1, "4 KiB anon: vaddr_pin vs PIN_LONGTERM, same memory", t("anon_4k.vaddr_pin"),
    t("anon_4k.pin_longterm"), 1.05)
row(1, "THP anon: vaddr_pin vs pin_user_pages_fast(FOLL_LONGTERM), the stock ib_umem_get() path",
    t("anon_thp.vaddr_pin"), t("anon_thp.pin_fast_longterm"), None)
row(1, "4 KiB anon: vaddr_pin vs pin_user_pages_fast(FOLL_LONGTERM), the stock ib_umem_get() path",
    t("anon_4k.vaddr_pin"), t("anon_4k.pin_fast_longterm"), None)
gp = []
for c in ("anon_thp.pin_longterm", "anon_thp.vaddr_pin", "anon_thp.pin_fast_longterm",
          "anon_4k.pin_longterm", "anon_4k.vaddr_pin", "anon_4k.pin_fast_longterm",
          "dax_pmd.vaddr_pin", "dax_4k.vaddr_pin"):
    g, p_ = get(P, "w1.%s.get" % c), get(P, "w1.%s.put" % c)
    if g and p_:
        gp.append("%s %s + %s" % (c, fmt_us(statistics.median(g)), fmt_us(statistics.median(p_))))
if gp:
    pmd_row["note"] = (pmd_row.get("note", "") + "; " if pmd_row.get("note") else "") + \
        "get + put medians: " + ", ".join(gp) + "; %s pages per call; plain PIN_LONGTERM on DAX: %s" % (
            pc, first(P, "w1.dax.pin_longterm", "?"))
# Project vs stock without an in-boot reference: indicative only, the
# host's speed changed by up to 2x between boots here.  Notes, not rows.
crossboot = []
if S:
    for c in ("anon_thp", "anon_4k"):
        a, b = get(P, "w1.%s.pin_longterm.total" % c), get(S, "w1.%s.pin_longterm.total" % c)
        if a and b:
            crossboot.append("W1 %s PIN_LONGTERM: project %s, stock %s (%.2fx)" % (
                c.replace("_", " "), fmt_us(statistics.median(a)), fmt_us(statistics.median(b)),
                statistics.median(a) / statistics.median(b)))

# ---------------------------------------------------------------- workload 2
SIZES = [4096, 65536, 1 << 20, 16 << 20, 128 << 20, 1 << 30]


def sz(s):
    if s >= 1 << 30:
        return "%d GiB" % (s >> 30)
    return "%d MiB" % (s >> 20) if s >= 1 << 20 else "%d KiB" % (s >> 10)



def reg_dereg(kind, s):
    r, d = get(P, "w2.%s.%d.reg" % (kind, s)), get(P, "w2.%s.%d.dereg" % (kind, s))
    if not (r and d):
        return "?"
    return "%s + %s" % (fmt_us(statistics.median(r)), fmt_us(statistics.median(d)))


for s in SIZES:
    r = row(2, "ibv_reg_mr+dereg %s: DAX vs anon (default mmap: PMD DAX, THP anon)" % sz(s),
            get(P, "w2.dax.%d.total" % s), get(P, "w2.anon.%d.total" % s), 1.1)
    if s == SIZES[-1]:
        # Where the time goes: FS-DAX pays a refcount update per 4 KiB
        # page in each direction, THP one per 2 MiB folio.
        r["note"] = "reg + dereg medians: DAX %s, anon %s" % (reg_dereg("dax", s),
                                                            reg_dereg("anon", s))
for s in SIZES:
    row(2, "ibv_reg_mr+dereg %s: DAX vs anon (both 4 KiB-mapped)" % sz(s),
        get(P, "w2.dax_4k.%d.total" % s), get(P, "w2.anon_4k.%d.total" % s), 1.1)
if S:
    for s in (4096, 1 << 20, 1 << 30):
        a, b = get(P, "w2.anon.%d.total" % s), get(S, "w2.anon.%d.total" % s)
        if a and b:
            crossboot.append("W2 anon ibv_reg_mr+dereg %s: project %s, stock %s (%.2fx)" % (
                sz(s), fmt_us(statistics.median(a)), fmt_us(statistics.median(b)),
                statistics.median(a) / statistics.median(b)))

# ---------------------------------------------------------------- workload 3
# Separate boots of different kernels under TCG differ by more than the
# 2 % asked for (host load, and code layout changes TCG's speed), so each
# boot's DAX figures are taken relative to truncating a tmpfs file in the
# same boot, interleaved: shmem code the series does not touch, and at
# ~250 µs steadier than the 4 KiB tmpfs punch (which read 0.87x-1.05x
# across boots).  Every ext4 DAX truncate, mapped or not, passes the pin
# check, so no DAX file can be the reference.
Pt, St = get(P, "w3.tmpfs_ref.truncate"), get(S, "w3.tmpfs_ref.truncate")
ref = (Pt, St) if Pt and St else None
rel = "each relative to the tmpfs truncate of its own boot"
# Without the reference, raw cross-boot ratios decide nothing.
xt = 1.02 if ref else None
if not ref:
    rel = "raw ratio across boots, no tmpfs reference: not judged"
for op in ("truncate", "punch"):
    what = "ftruncate 2→1 MiB" if op == "truncate" else "punch 4 KiB"
    row(3, "%s, unmapped file without pins: project vs stock" % what,
        get(P, "w3.unpinned.%s" % op), get(S, "w3.unpinned.%s" % op), xt, cal=ref, note=rel)
    row(3, "%s, mapped file without pins: project vs stock" % what,
        get(P, "w3.mapped_unpinned.%s" % op), get(S, "w3.mapped_unpinned.%s" % op), xt, cal=ref,
        note=rel)
    row(3, "%s, pins elsewhere in the file (project) vs mapped file, no pins (stock)" % what,
        get(P, "w3.pinned_elsewhere.%s" % op), get(S, "w3.mapped_unpinned2.%s" % op), xt, cal=ref,
        note=rel + "; the stock file is mapped [0, 64 KiB) like the pinned one and handled alike, "
                   "without lease and pin")
    row(3, "%s, pins elsewhere vs mapped file without pins, same project boot" % what,
        get(P, "w3.pinned_elsewhere.%s" % op), get(P, "w3.mapped_unpinned.%s" % op), 1.02,
        note="interleaved in one boot: the cost of the lease and the pin record alone")
    row(3, "%s, leased file without pins vs mapped file without pins, same project boot" % what,
        get(P, "w3.leased_unpinned.%s" % op), get(P, "w3.mapped_unpinned.%s" % op), None,
        note="the share of the lease (exclusive layout lease, no pin)")
    row(3, "%s, pins elsewhere vs leased file without pins, same project boot" % what,
        get(P, "w3.pinned_elsewhere.%s" % op), get(P, "w3.leased_unpinned.%s" % op), None,
        note="the share of the pin record")
    Pr, Sr = get(P, "w3.tmpfs_ref.%s" % op), get(S, "w3.tmpfs_ref.%s" % op)
    if Pr and Sr:
        info_row(3, "%s, tmpfs file: project vs stock, raw (separate boots)" % what,
                 "%s vs %s = %.2fx" % (fmt_us(statistics.median(Pr)), fmt_us(statistics.median(Sr)),
                                       statistics.median(Pr) / statistics.median(Sr)),
                 note="code both kernels share: how far the two boots' speeds differ"
                      + ("; the truncate is the reference of the rows above" if op == "truncate" else ""))
calP, calS = get(P, "cal.getppid.w3"), get(S, "cal.getppid.w3")
if calP and calS:
    info_row(3, "getppid() during workload 3 (host speed indicator)",
             "project %.3f µs [%.3f–%.3f], stock %.3f µs [%.3f–%.3f]" % (
                 statistics.median(calP), q(calP, .25), q(calP, .75),
                 statistics.median(calS), q(calS, .25), q(calS, .75)))

# ---------------------------------------------------------------- workload 4
for who, label in (("other", "another process"), ("holder", "the lease holder")):
    for op in ("truncate", "punch"):
        row(4, "refused %s (ETXTBSY, exclusive lease, by %s) vs successful one" % (op, label),
            get(P, "w4.refused_%s.%s" % (who, op)), get(P, "w4.success_%s.%s" % (who, op)), 1.0,
            op="<")

# ---------------------------------------------------------------- workload 5
reads = {}
for k in (P["series"] if P else {}):
    if k.startswith("w5.read."):
        reads[int(k.split(".")[2])] = P["series"][k]
per_line = {n: statistics.median(v) / n for n, v in sorted(reads.items())}
if per_line:
    info_row(5, "read /proc/<pid>/file_pins of a process with N DAX MRs: time per line",
             ", ".join("N=%d: %s" % (n, fmt_us(v)) for n, v in per_line.items()),
             note="total read time: " + ", ".join("N=%d: %s" % (n, fmt_us(statistics.median(v)))
                                                  for n, v in sorted(reads.items())))
    ns = sorted(per_line)
    base = 100 if 100 in per_line else ns[0]
    big = ns[-1]
    a = [x / big for x in reads[big]]
    b = [x / base for x in reads[base]]
    import math
    xs = [math.log(n) for n in ns if n >= base]
    ys = [math.log(statistics.median(reads[n])) for n in ns if n >= base]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    row(5, "file_pins read: time per line at N=%d vs N=%d (linear = 1.0)" % (big, base), a, b, 1.5,
        note="'roughly constant' taken as ≤ 1.5x; read time grows as N^%.2f over N=%d..%d" % (slope, base, big))


regs = {}
for k, v in (P["series"].items() if P else []):
    if k.startswith("w5.dax.reg_per_mr."):
        n_, pass_ = k.split(".")[3], k.split(".")[4]
        regs.setdefault(int(n_), []).append(v[0])
if regs:
    info_row(5, "ibv_reg_mr per one-page DAX MR while N MRs of the file exist (mean over each decade)",
             ", ".join("N≤%d: %s" % (n_, "/".join(fmt_us(x) for x in v)) for n_, v in sorted(regs.items())),
             note="one value per DAX pass; registration does not walk the file's records")


def mem_n(d):
    for s_ in (d["info"].get("w5.mem", []) if d else []):
        return dict(x.split("=") for x in s_.split()[1:]).get("n", "?")
    return "?"


def mem_per_reg(d, kind, key="w5.mem"):
    vals = []
    for s in (d["info"].get(key, []) if d else []):
        f = dict(x.split("=") for x in s.split()[1:])
        if s.split()[0] == kind and int(f["n"]) > 0:
            vals.append(int(f["slab_kB"]) * 1024 / int(f["n"]))
    return vals


def tracking_row(case, dax, anon, anon_kind, note, target=None):
    """Workload 5 row: slab per DAX MR minus slab per anonymous MR."""
    track = statistics.mean(dax) - statistics.mean(anon)
    r = {"workload": 5, "case": case,
         "measured": "%.0f B (DAX MR %s B, %s MR %s B per registration)" % (
             track, "/".join("%.0f" % x for x in dax), anon_kind,
             "/".join("%.0f" % x for x in anon)),
         "ratio": None, "target": "–", "result": "info", "note": note}
    if target:
        r.update(ratio=track / target, target="≤ %d B" % target,
                 result="PASS" if track <= target else "MISS")
    rows.append(r)
    return track


dax_b, anon_b = mem_per_reg(P, "dax"), mem_per_reg(P, "anon")
mem = {}
if dax_b and anon_b:
    method = ("delta of the Slab line of /proc/meminfo over %s registrations, which counts every "
              "cache the registration path allocates from" % mem_n(P))
    sa = mem_per_reg(S, "anon")
    if not sa:
        rows.append({"workload": 5, "case": "kernel memory the series adds per DAX registration "
                     "(slab: DAX MR − stock kernel's anon MR)", "measured": "missing data (no stock run)",
                     "ratio": None, "target": "≤ 128 B", "result": "n/a", "note": ""})
    else:
        mem["added_bytes"] = tracking_row(
            "kernel memory the series adds per DAX registration (slab: DAX MR − stock kernel's anon MR)",
            dax_b, sa, "stock anon",
            "%s; the record (struct file_pin, %s B in its cache) and struct vaddr_pin, which "
            "struct ib_umem now embeds for every MR (88 B: two pointers, a 64-byte device name, "
            "the records); memory is counted, not timed, so separate boots compare directly (the two passes of one boot differ by 10-20 B)" % (
                method, first(P, "file_pin_slab_size", "?")), 128)
    track = tracking_row(
        "kernel memory per DAX registration beyond an anon MR, same project boot (the record)",
        dax_b, anon_b, "anon", method)
    mem.update({"dax_bytes_per_reg": dax_b, "anon_bytes_per_reg": anon_b, "tracking_bytes": track,
                "stock_anon_bytes_per_reg": sa, "method": "meminfo Slab"})
    dax64, anon64 = mem_per_reg(P, "dax", "w5.mem64k"), mem_per_reg(P, "anon", "w5.mem64k")
    if dax64 and anon64:
        mem["tracking_bytes_64k"] = track64 = tracking_row(
            "the same for 64 KiB MRs (O(1) in the MR's size)",
            dax64, anon64, "anon THP",
            "16 times the pages per MR, as many MRs; against THP anonymous "
            "memory, so that both kinds have one scatterlist entry per MR")
        # O(1): sixteen times the pages cost no more tracking (slab noise
        # of a few bytes either way).
        rows.append({"workload": 5, "case": "tracking per registration: 64 KiB vs 4 KiB MRs (O(1) = 1.0)",
                     "measured": "%.0f B vs %.0f B" % (track64, track),
                     "ratio": track64 / track if track else None, "target": "≤ 1.25",
                     "result": "PASS" if track and track64 / track <= 1.25 else "MISS",
                     "note": "a per-page cost would show as 16x"})
    if sa:
        info_row(5, "slab per anon MR (ib_mr, rxe, umem...): project vs stock",
                 "%.0f B vs %.0f B" % (statistics.mean(anon_b), statistics.mean(sa)),
                 note="struct ib_umem grew by struct vaddr_pin (88 B) for every MR, which moves it up a kmalloc size class")

# ---------------------------------------------------------------- output
meta = {
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "make_bench_wall_s": os.environ.get("BENCH_WALL_S"),
    "kernel_builds": os.environ.get("BENCH_BUILDS", "?"),
    "host_nproc": os.cpu_count(),
    "kernels": {k: {"uname": first(data[k], "kernel"), "vm_rc": data[k]["vm_rc"],
                    "splat": data[k]["splat"], "errors": data[k]["errors"],
                    "wall_s": {x[7:]: float(v[0]) for x, v in data[k]["info"].items()
                               if x.startswith("wall_s.")}}
                for k in KERNELS if data[k]},
    "w1_pages_per_call": pc,
    "pmem_bytes": first(P, "pmem0_bytes"),
}
allseries = {k: {n: stats(v) for n, v in data[k]["series"].items()} for k in KERNELS if data[k]}
with open(os.path.join(out, "results.json"), "w") as fh:
    json.dump({"meta": meta, "rows": rows, "memory": mem, "cross_boot": crossboot,
               "info": {k: data[k]["info"] for k in KERNELS if data[k]},
               "series_stats": allseries,
               "samples": {k: data[k]["series"] for k in KERNELS if data[k]}}, fh, indent=1)

# reg_mr.dat for gnuplot: size, then median p25 p75 of each kind
with open(os.path.join(out, "reg_mr.dat"), "w") as fh:
    fh.write("# size_bytes  " + "  ".join("%s_med %s_p25 %s_p75" % (k, k, k)
                                         for k in ("dax", "anon", "dax_4k", "anon_4k", "stock_anon")) + "\n")
    for s in SIZES:
        cols = [str(s)]
        for d, k in ((P, "dax"), (P, "anon"), (P, "dax_4k"), (P, "anon_4k"), (S, "anon")):
            v = get(d, "w2.%s.%d.total" % (k, s))
            st = stats(v) if v else None
            cols += ["%.3f %.3f %.3f" % (st["median"], st["p25"], st["p75"]) if st else "NaN NaN NaN"]
        fh.write(" ".join(cols) + "\n")


def fmt_ratio(r):
    if r.get("ratio") is None:
        return "–"
    if r["target"] == "≤ 128 B":
        return "%.2fx of target" % r["ratio"]
    s = "%.2fx" % r["ratio"]
    if r.get("ci95"):
        s += " [%.2f–%.2f]" % tuple(r["ci95"])
    return s


md = ["| # | case | measured (median) | ratio [95% CI] | target | result |",
      "|---|---|---|---|---|---|"]
for r in rows:
    md.append("| %s | %s | %s | %s | %s | %s |" % (r["workload"], r["case"], r["measured"],
                                                    fmt_ratio(r), r["target"], r["result"]))
notes = []
for r in rows:
    if r.get("note"):
        notes.append("- W%s %s: %s" % (r["workload"], r["case"], r["note"]))
    if r.get("ratio_raw") is not None:
        notes.append("- W%s %s: raw ratio of the medians across boots %.3fx" % (r["workload"], r["case"], r["ratio_raw"]))
kern = []
for k in KERNELS:
    d = data[k]
    if not d:
        kern.append("- %s kernel: not run" % k)
        continue
    walls = ", ".join("%s %ss" % (x[7:], v[0]) for x, v in sorted(d["info"].items()) if x.startswith("wall_s."))
    kern.append("- %s kernel (%s): VM exit %s; kernel splats: %s; errors: %s; guest time: %s" % (
        k, first(d, "kernel", "?"), d["vm_rc"], "none" if not d["splat"] else d["splat"].replace("\n", " / "),
        "none" if not d["errors"] else "; ".join(d["errors"]), walls))
pass_n = sum(r["result"].startswith("PASS") for r in rows)
miss_n = sum(r["result"].startswith("MISS") for r in rows)
na_n = sum(r["result"] == "n/a" for r in rows)
text = "\n".join(
    ["# make bench results", "",
     "%s; %d PASS, %d MISS%s; `make bench` wall time %s s (kernel builds: %s)." % (
         meta["date"], pass_n, miss_n, ", %d n/a (no data, or the workload reported an error)" % na_n if na_n else "",
         meta["make_bench_wall_s"] or "?", meta["kernel_builds"]),
     "Times are medians of repeated runs inside one VM boot (QEMU TCG, noisy); "
     "[a–b] after a ratio is a 95% bootstrap interval; \"within noise\" marks a result whose interval "
     "contains the target.", ""] + md + ["", "Notes:", ""] + notes +
    ["", "Project vs stock without an in-boot reference (separate boots; the host's speed changed by up to "
     "2x between boots while this was written, so these are indicative only):", ""] +
    ["- " + x for x in crossboot] + ["", "Kernels:", ""] + kern) + "\n"
with open(os.path.join(out, "results.md"), "w") as fh:
    fh.write(text)
print(text)
