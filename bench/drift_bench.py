"""bench/drift: time `rigor drift` against Evidently 0.7's DataDriftPreset and plain scipy.

Run through the `bench/drift` wrapper, which provides the Python venv (the drift
goldens' pinned references). See bench/README.md.
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

N_FLOAT, N_INT, N_LEVEL, N_TEXT, N_BINARY = 30, 5, 5, 8, 2


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def frame(rng, n, current):
    """50 columns: 30 floats (10 shifted by 0.1 sd in the current file; 5 with 5% missing,
    one whose missing share grows from 0% to 20%), 5 integer columns with ~1000 values,
    5 small integer codes (categorical), 8 text labels (20 values; one gains a new
    label), 2 binary flags (one shifts from 30% to 33%)."""
    import numpy as np
    import pyarrow as pa

    cols = {}
    for i in range(N_FLOAT):
        shift = 0.1 if (current and i < 10) else 0.0
        v = np.round(rng.normal(shift, 1.0, n), 4)
        if 20 <= i < 25:
            v[rng.random(n) < 0.05] = np.nan
        if i == 25 and current:
            v[rng.random(n) < 0.20] = np.nan
        cols[f"f{i:02d}"] = pa.array(v, from_pandas=True)
    for i in range(N_INT):
        cols[f"i{i:02d}"] = pa.array(rng.integers(0, 1000, n))
    for i in range(N_LEVEL):
        cols[f"k{i:02d}"] = pa.array(rng.integers(0, 8, n))
    labels = np.array([f"label{j:02d}" for j in range(21)])
    for i in range(N_TEXT):
        hi = 21 if (current and i == 0) else 20
        cols[f"s{i:02d}"] = pa.array(labels[rng.integers(0, hi, n)])
    for i in range(N_BINARY):
        p = 0.33 if (current and i == 0) else 0.30
        cols[f"b{i:02d}"] = pa.array((rng.random(n) < p).astype(np.int64))
    return pa.table(cols)


def generate(data_dir, rows, seed, fmt):
    """The reference and current files in `fmt` (the same tables for csv and parquet)."""
    import numpy as np
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    tag = f"drift-{rows}x50-s{seed}"
    paths = [os.path.join(data_dir, f"{tag}-{side}.{fmt}") for side in ("reference", "current")]
    done = os.path.join(data_dir, f"{tag}-{fmt}.done")
    if os.path.exists(done) and all(os.path.exists(p) for p in paths):
        return paths
    os.makedirs(data_dir, exist_ok=True)
    print(f"generating 2 x {rows:,} rows x 50 columns ({fmt}) into {data_dir} ...", file=sys.stderr)
    rng = np.random.default_rng(seed)
    for path, current in zip(paths, (False, True)):
        table = frame(rng, rows, current)
        if fmt == "csv":
            pcsv.write_csv(table, path + ".tmp", pcsv.WriteOptions(quoting_style="none"))
        else:
            pq.write_table(table, path + ".tmp")
        os.replace(path + ".tmp", path)
    open(done, "w").close()
    return paths


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

def timed(cmd):
    """Run cmd under /usr/bin/time -v: (stdout, wall s, user+sys s, max RSS MB)."""
    p = subprocess.run([TIME, "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", err)
    secs = 0.0
    for x in m.group(1).split(":"):
        secs = secs * 60 + float(x)
    user = float(re.search(r"User time \(seconds\): ([0-9.]+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): ([0-9.]+)", err).group(1))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    return p.stdout.decode(), secs, user + system, rss_kb / 1024.0


def ensure_time():
    if os.path.exists(TIME):
        return
    print("installing Debian package 'time' ...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True, stdout=subprocess.DEVNULL)


def build_rigor():
    print("cargo build --release ...", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "rigor-cli"], cwd=ROOT, check=True)


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(prog="bench/drift", description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows in each file")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--input", choices=["parquet", "csv"], default="parquet",
                    help="file format every tool reads")
    ap.add_argument("--data-dir", default=os.path.join(BENCH, "data"))
    ap.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    ap.add_argument("--skip", action="append", default=[], choices=["evidently", "scipy"],
                    help="leave a peer out (repeatable)")
    args = ap.parse_args()

    ensure_time()
    ref, cur = generate(args.data_dir, args.rows, args.seed, args.input)
    if not args.no_build:
        build_rigor()
    if not os.path.exists(RIGOR):
        raise SystemExit(f"{RIGOR} not found")
    py = sys.executable

    rows = []  # (tool, wall s, cpu s, rss MB)
    print("timing rigor drift ...", file=sys.stderr)
    out, secs, cpu, rss = timed([RIGOR, "drift", "--reference", ref, "--current", cur, "--format", "json"])
    rigor_json = json.loads(out)
    rows.append(("rigor drift (every statistic, JSON)", secs, cpu, rss))

    ev = None
    if "evidently" not in args.skip:
        print("timing Evidently DataDriftPreset (minutes at full size) ...", file=sys.stderr)
        out, secs, cpu, rss = timed([py, os.path.join(BENCH, "peers", "drift_evidently.py"), ref, cur])
        ev = json.loads(out)
        rows.append(("Evidently 0.7 DataDriftPreset", secs, cpu, rss))
    sp = None
    if "scipy" not in args.skip:
        print("timing plain scipy per column ...", file=sys.stderr)
        out, secs, cpu, rss = timed([py, os.path.join(BENCH, "peers", "drift_scipy.py"), ref, cur])
        sp = json.loads(out)
        rows.append(("plain scipy per column (pandas)", secs, cpu, rss))

    size_mb = sum(os.path.getsize(p) for p in (ref, cur)) / 1e6
    print()
    print(f"inputs: {ref}")
    print(f"        {cur}")
    print(f"        2 x {args.rows:,} rows x 50 columns, {args.input}, {size_mb:.0f} MB on disk; "
          f"{os.cpu_count()} cores")
    print()
    base_s, base_rss = rows[0][1], rows[0][3]
    w = max(len(r[0]) for r in rows)
    print(f"{'tool':<{w}}  {'wall s':>7}  {'CPU s':>7}  {'peak RSS MB':>11}  {'time vs rigor':>13}  {'RSS vs rigor':>12}")
    print(f"{'-' * w}  {'-' * 7}  {'-' * 7}  {'-' * 11}  {'-' * 13}  {'-' * 12}")
    for tool, secs, cpu, rss in rows:
        print(f"{tool:<{w}}  {secs:7.2f}  {cpu:7.2f}  {rss:11.0f}  {secs / base_s:12.1f}x  {rss / base_rss:11.1f}x")
    if ev:
        print(f"Evidently in-process: import {ev['import_s']:.1f} s, read {ev['read_s']:.1f} s, "
              f"report {ev['report_s']:.1f} s")
    if sp:
        print(f"scipy in-process: import {sp['import_s']:.1f} s, read {sp['read_s']:.1f} s, "
              f"statistics {sp['stats_s']:.1f} s")
    print()

    ok = True
    if ev:
        ours = {c["name"]: c for c in rigor_json["columns"]}
        diff_method = [c for c, v in ev["columns"].items() if ours[c]["method"] != v["method"]]
        diff_verdict = [c for c, v in ev["columns"].items() if ours[c]["drifted"] != v["drifted"]]
        worst = max(abs(ours[c]["score"] - v["score"]) for c, v in ev["columns"].items())
        ok = not diff_method and not diff_verdict and rigor_json["dataset"]["drifted"] == ev["drifted"]
        print(f"check vs Evidently: {len(ev['columns'])} columns, methods differ in {len(diff_method)}, "
              f"verdicts differ in {len(diff_verdict)}; drifted {rigor_json['dataset']['drifted']} vs "
              f"{ev['drifted']}; max |score diff| {worst:.1e}: {'PASS' if ok and worst <= 1e-9 else 'FAIL'}")
        ok = ok and worst <= 1e-9
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
