"""bench/ab: time `rigor ab` against pandas + scipy/statsmodels on a large experiment.

Run through the `bench/ab` wrapper, which provides the Python venv. See bench/README.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
RIGOR = os.path.join(TARGET, "release", "rigor")
TIME = "/usr/bin/time"
METRICS = ["converted", "revenue", "sessions", "latency", "add_to_cart"]


def generate(data_dir, n, seed, fmt):
    """Seeded unit table: user_id, variant, country, 5 metrics and a covariate."""
    import numpy as np
    import pandas as pd

    tag = f"ab-{n}-s{seed}"
    path = os.path.join(data_dir, f"{tag}.{fmt}")
    done = path + ".done"
    if os.path.exists(done) and os.path.exists(path):
        return path
    os.makedirs(data_dir, exist_ok=True)
    print(f"generating {n:,} units into {path} ...", file=sys.stderr)
    rng = np.random.default_rng(seed)
    treat = rng.random(n) < 0.5
    pre = np.round(rng.gamma(2.0, 10.0, n), 2)
    revenue = np.where(rng.random(n) < 0.3, 0.0,
                       np.maximum(0.8 * pre + rng.normal(0, 8, n) + np.where(treat, 0.05, 0.0), 0))
    df = pd.DataFrame({
        "user_id": np.char.add("u", rng.permutation(n).astype(str)),
        "variant": np.where(treat, "treatment", "control"),
        "country": rng.choice(np.array(["US", "DE", "FR", "GB"]), n, p=[0.4, 0.25, 0.2, 0.15]),
        "converted": (rng.random(n) < np.where(treat, 0.101, 0.100)).astype(np.int64),
        "revenue": np.round(revenue, 2),
        "pre_revenue": pre,
        "sessions": rng.poisson(3, n) + 1,
        "latency": np.round(rng.normal(np.where(treat, 200.1, 200.0), 25, n), 1),
        "add_to_cart": (rng.random(n) < 0.3).astype(np.int64),
    })
    tmp = path + ".tmp"
    if fmt == "parquet":
        df.to_parquet(tmp, index=False)
    else:
        df.to_csv(tmp, index=False)
    os.replace(tmp, path)
    open(done, "w").close()
    return path


def timed(cmd):
    """Run cmd under /usr/bin/time -v: (stdout, wall seconds, CPU seconds, max RSS in MB)."""
    p = subprocess.run([TIME, "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", err)
    secs = 0.0
    for x in m.group(1).split(":"):
        secs = secs * 60 + float(x)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([0-9.]+)", err).group(1))
              for k in ("User", "System"))
    return p.stdout.decode(), secs, cpu, rss_kb / 1024.0


def ensure_time():
    if os.path.exists(TIME):
        return
    print("installing Debian package 'time' ...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(prog="bench/ab", description=__doc__)
    ap.add_argument("--units", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--data-dir", default=os.path.join(BENCH, "data"))
    ap.add_argument("--repeat", type=int, default=3,
                    help="rigor's time is the median of this many runs (the peer runs once)")
    ap.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    args = ap.parse_args()

    ensure_time()
    data = generate(args.data_dir, args.units, args.seed, args.format)
    if not args.no_build:
        print("cargo build --release ...", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    cmd = [RIGOR, "ab", "--data", data, "--unit-col", "user_id"]
    for m in METRICS:
        cmd += ["--metric", m]
    cmd += ["--covariate", "revenue=pre_revenue", "--segment", "country", "--format", "json"]

    # Both tools read a warm file: one untimed pass puts it in the page cache.
    with open(data, "rb") as fh:
        while fh.read(1 << 24):
            pass
    print(f"timing rigor (median of {args.repeat}) ...", file=sys.stderr)
    runs = sorted((timed(cmd) for _ in range(max(1, args.repeat))), key=lambda r: r[1])
    out, r_secs, r_cpu, r_rss = runs[len(runs) // 2]
    print(f"rigor runs (s): {[round(r[1], 2) for r in runs]}", file=sys.stderr)
    rig = json.loads(out)
    print("timing pandas + scipy/statsmodels ...", file=sys.stderr)
    out, p_secs, p_cpu, p_rss = timed([sys.executable, os.path.join(BENCH, "peers", "ab_pandas.py"), data])
    peer = json.loads(out)

    size = os.path.getsize(data) / 1e6
    print()
    print(f"data: {data} ({args.units:,} units x {len(METRICS)} metrics + covariate, "
          f"{args.format}, {size:.0f} MB); {os.cpu_count()} cores")
    print("work: duplicate ids, SRM overall and per country (Holm), 5 metrics treatment vs "
          "control (Welch / pooled z, CUPED on revenue, Mann-Whitney on 3 continuous metrics, "
          "delta-method lift), Holm, and the same per country")
    print()
    rows = [("rigor ab", r_secs, r_cpu, r_rss), ("pandas + scipy/statsmodels", p_secs, p_cpu, p_rss)]
    print(f"{'tool':<28}  {'seconds':>8}  {'CPU s':>7}  {'peak RSS MB':>11}  {'vs rigor':>8}")
    print(f"{'-' * 28}  {'-' * 8}  {'-' * 7}  {'-' * 11}  {'-' * 8}")
    for tool, s, cpu, rss in rows:
        print(f"{tool:<28}  {s:8.2f}  {cpu:7.2f}  {rss:11.0f}  {s / r_secs:7.2f}x")
    t = peer["timing"]
    print(f"peer in-process: import {t['import_s']:.2f} s, load {t['load_s']:.2f} s, "
          f"analyse {t['analyse_s']:.2f} s")
    print(f"ratios: wall time {p_secs / r_secs:.1f}x faster, CPU time {p_cpu / r_cpu:.1f}x less, "
          f"peak memory {p_rss / r_rss:.1f}x smaller")
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores"
          + (" (busy machine: wall times are inflated; CPU seconds are the steadier measure)"
             if load > (os.cpu_count() or 1) else ""))
    print()

    ok = True
    worst = 0.0
    comp = {c["metric"]: c for c in rig["comparisons"]}
    for m in METRICS:
        pm = peer["metrics"][m]
        for key, theirs in [("p_value", pm["p_value"]), ("delta", pm["delta"]),
                            ("ci_low", pm["ci"][0]), ("ci_high", pm["ci"][1]),
                            ("p_adjusted", pm["p_adjusted"]), ("relative_lift", pm["relative_lift"])]:
            d = abs(comp[m][key] - theirs) / max(1.0, abs(theirs))
            worst = max(worst, d)
            ok &= d <= 1e-9
        if "mann_whitney_p" in pm:
            d = abs(comp[m]["mann_whitney"]["p_value"] - pm["mann_whitney_p"])
            worst = max(worst, d)
            ok &= d <= 1e-9
    d = abs(rig["srm"]["p_value"] - peer["srm_p"])
    worst = max(worst, d)
    ok &= d <= 1e-9
    for s in rig["segments"]:
        ps = peer["segments"][s["value"]]
        for c in s["comparisons"]:
            d = abs(c["p_value"] - ps[c["metric"]]["p_value"])
            worst = max(worst, d)
            ok &= d <= 1e-9
    print(f"check rigor vs peer (p-values, deltas, intervals, lifts, Mann-Whitney, SRM, per "
          f"country) to 1e-9: {'PASS' if ok else 'FAIL'} (max difference {worst:.1e})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
