"""bench/ir: time `rigor eval ir` against pytrec_eval and ranx on a large TREC run.

Run through the `bench/ir` wrapper, which provides the Python venv. See bench/README.md.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
RIGOR = os.path.join(ROOT, "target", "release", "rigor")
TIME = "/usr/bin/time"

# rigor measure -> (pytrec_eval key, ranx metric)
MEASURES = [
    ("nDCG@10", "ndcg_cut_10", "ndcg@10"),
    ("AP", "map", "map"),
    ("RR", "recip_rank", "mrr"),
    ("P@10", "P_10", "precision@10"),
    ("R@100", "recall_100", "recall@100"),
]
GRADES = [0, 1, 2, 3]
GRADE_P = [0.55, 0.25, 0.12, 0.08]


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def generate(data_dir, n_q, n_docs, seed):
    """Seeded TREC run (n_q x n_docs lines) and graded qrels (~100 judged docs per query,
    ~70 of them retrieved, biased to the top; ~30 relevant-or-not docs never retrieved)."""
    import numpy as np

    tag = f"ir-{n_q}x{n_docs}-s{seed}"
    run_path = os.path.join(data_dir, tag + ".run")
    qrels_path = os.path.join(data_dir, tag + ".qrels")
    done = os.path.join(data_dir, tag + ".done")
    if os.path.exists(done) and os.path.exists(run_path) and os.path.exists(qrels_path):
        return qrels_path, run_path
    os.makedirs(data_dir, exist_ok=True)
    print(f"generating {n_q} queries x {n_docs} docs into {data_dir} ...", file=sys.stderr)
    rng = np.random.default_rng(seed)
    n_ret_judged = min(70, n_docs)
    n_unret_judged = 30
    w = 1.0 / (np.arange(n_docs) + 10.0)
    w /= w.sum()
    ranks = [str(r) for r in range(1, n_docs + 1)]
    with open(run_path + ".tmp", "w") as rf, open(qrels_path + ".tmp", "w") as qf:
        for q in range(n_q):
            qid = str(1000 + q)
            ids = rng.permutation(2 * n_docs + n_unret_judged)
            docs = [f"doc{q:05d}-{j:06d}" for j in ids[:n_docs]]
            unret = [f"doc{q:05d}-{j:06d}" for j in ids[n_docs:n_docs + n_unret_judged]]
            scores = np.round(np.sort(rng.normal(10.0, 3.0, n_docs))[::-1], 4)
            rf.write("".join(f"{qid} Q0 {d} {r} {s:.4f} bench\n"
                             for d, r, s in zip(docs, ranks, scores.tolist())))
            judged_pos = rng.choice(n_docs, size=n_ret_judged, replace=False, p=w)
            judged = [docs[i] for i in judged_pos] + unret
            grades = rng.choice(GRADES, size=len(judged), p=GRADE_P)
            qf.write("".join(f"{qid} 0 {d} {g}\n" for d, g in zip(judged, grades.tolist())))
    os.replace(run_path + ".tmp", run_path)
    os.replace(qrels_path + ".tmp", qrels_path)
    open(done, "w").close()
    return qrels_path, run_path


def generate_candidates(data_dir, qrels_path, base_run, n_runs, seed):
    """n_runs - 1 candidate runs over the same queries and documents as `base_run`:
    each candidate perturbs the baseline's scores (seeded), so measures differ a little
    per query. Only the first 100 documents per query are kept, so the comparison step
    (not parsing) dominates the timing."""
    import numpy as np

    paths = []
    base_small = os.path.join(data_dir, os.path.basename(base_run) + f".top100")
    if not os.path.exists(base_small):
        with open(base_run) as f, open(base_small + ".tmp", "w") as out:
            for line in f:
                if int(line.split()[3]) <= 100:
                    out.write(line)
        os.replace(base_small + ".tmp", base_small)
    paths.append(base_small)
    rng = np.random.default_rng(seed + 1)
    for k in range(1, n_runs):
        path = base_small + f".cand{k}"
        if not os.path.exists(path):
            with open(base_small) as f, open(path + ".tmp", "w") as out:
                lines = f.read().splitlines()
                noise = rng.normal(0.0, 0.5 + 0.1 * k, len(lines))
                for line, e in zip(lines, noise.tolist()):
                    q, q0, d, r, sc, _ = line.split()
                    out.write(f"{q} {q0} {d} {r} {float(sc) + e:.4f} cand{k}\n")
            os.replace(path + ".tmp", path)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

def timed(cmd):
    """Run cmd under /usr/bin/time -v: (stdout, wall seconds, max RSS in MB)."""
    p = subprocess.run([TIME, "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd)}")
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", err)
    parts = [float(x) for x in m.group(1).split(":")]
    secs = 0.0
    for x in parts:
        secs = secs * 60 + x
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    return p.stdout.decode(), secs, rss_kb / 1024.0


def median_timed(cmd, repeat):
    """`timed` `repeat` times: the median run's (stdout, seconds, RSS) and every time."""
    runs = sorted((timed(cmd) for _ in range(max(1, repeat))), key=lambda r: r[1])
    out, secs, rss = runs[len(runs) // 2]
    return out, secs, rss, [round(r[1], 2) for r in runs]


def ensure_time():
    if os.path.exists(TIME):
        return
    print("installing Debian package 'time' ...", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True,
                   stdout=subprocess.DEVNULL)


def build_rigor():
    print("cargo build --release ...", file=sys.stderr)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(prog="bench/ir", description=__doc__)
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--docs", type=int, default=1_000, help="documents per query in the run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", default=os.path.join(BENCH, "data"))
    ap.add_argument("--no-build", action="store_true", help="use target/release/rigor as it is")
    ap.add_argument("--skip", action="append", default=[], choices=["pytrec_eval", "ranx", "compare"],
                    help="leave a part out (repeatable)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="rigor is timed this many times before the peers and as many after; "
                         "its time is the median of all")
    ap.add_argument("--peer-repeat", type=int, default=3,
                    help="pytrec_eval (with and without CIs) is timed this many times, its time "
                         "the median (ranx, far behind, runs once)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed runs before each series of timed runs of rigor and "
                         "pytrec_eval, as hyperfine's --warmup (ranx has its own warm-up)")
    ap.add_argument("--compare-runs", type=int, default=10,
                    help="runs in the comparison timing (baseline + candidates)")
    args = ap.parse_args()

    ensure_time()
    qrels, run = generate(args.data_dir, args.queries, args.docs, args.seed)
    if not args.no_build:
        build_rigor()
    if not os.path.exists(RIGOR):
        raise SystemExit(f"{RIGOR} not found")

    py = sys.executable
    rows = []  # (tool, seconds, rss_mb or None)
    base = [RIGOR, "eval", "ir", "--qrels", qrels, "--run", run]
    for m, _, _ in MEASURES:
        base += ["-m", m]
    base += ["--format", "json"]

    # Before every series of timed runs, of any tool: both inputs read, untimed, so the
    # series starts from a warm page cache (the 415 MB run file has been seen to fall
    # out of it after a large peer's process, and a cold read stalls for seconds), and
    # `--warmup` untimed runs of the series' own command, as hyperfine's `--warmup`
    # (on this virtual machine, the first process after a pause or after a large one
    # pays for memory the host took back).
    def warm(cmd=None):
        for path in (qrels, run):
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass
        for _ in range(args.warmup if cmd else 0):
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # rigor is timed `--repeat` times before the peers and as many after them: a change
    # of load on the machine during the peers' long runs then weighs on both sides.
    def time_rigor(timings):
        print(f"timing rigor ({args.repeat} runs each) ...", file=sys.stderr)
        for key, extra in (("ci", []), ("noci", ["--no-ci"])):
            warm(base + extra)
            for _ in range(max(1, args.repeat)):
                timings[key].append(timed(base + extra))

    rigor_runs = {"ci": [], "noci": []}
    time_rigor(rigor_runs)

    pyt = pyt_ci = rnx = None
    if "pytrec_eval" not in args.skip:
        # One noisy run of a 10-second peer would move the ratio as much as rigor's
        # own changes do: the peer's time is a median too.
        peer = [py, os.path.join(BENCH, "peers", "ir_pytrec_eval.py"), qrels, run]
        print(f"timing pytrec_eval ({args.peer_repeat} runs) ...", file=sys.stderr)
        warm(peer)
        out, secs, rss, times = median_timed(peer, args.peer_repeat)
        print(f"pytrec_eval runs (s): {times}", file=sys.stderr)
        pyt = json.loads(out)
        rows.append(("pytrec_eval (Python parsing + evaluate)", secs, rss))
        print(f"timing pytrec_eval + numpy bootstrap CIs ({args.peer_repeat} runs) ...", file=sys.stderr)
        warm(peer + ["--bootstrap", "10000"])
        out, secs, rss, times = median_timed(peer + ["--bootstrap", "10000"], args.peer_repeat)
        print(f"pytrec_eval + numpy CIs runs (s): {times}", file=sys.stderr)
        pyt_ci = json.loads(out)
        rows.append(("pytrec_eval + numpy bootstrap CIs (10,000)", secs, rss))
    if "ranx" not in args.skip:
        print("timing ranx ...", file=sys.stderr)
        # an untimed first process fills numba's on-disk cache (cache=True), so the timed
        # process measures a user's steady state, not a first-ever compilation
        subprocess.run([py, os.path.join(BENCH, "peers", "ir_ranx.py"), "--warmup"], check=True)
        warm()
        out, secs, rss = timed([py, os.path.join(BENCH, "peers", "ir_ranx.py"), qrels, run])
        rnx = json.loads(out)
        rows.append(("ranx (whole process, incl. import + JIT warm-up)", secs, rss))
        rows.append(("ranx load+evaluate in-process (warm JIT)", rnx["load_s"] + rnx["evaluate_s"], None))

    time_rigor(rigor_runs)
    rigor_rows = []
    for key, tool in (("ci", "rigor eval ir (bootstrap CIs)"), ("noci", "rigor eval ir --no-ci")):
        secs = statistics.median(r[1] for r in rigor_runs[key])
        rigor_rows.append((tool, secs, max(r[2] for r in rigor_runs[key])))
        print(f"rigor runs (s), {key}: {[round(r[1], 2) for r in rigor_runs[key]]}", file=sys.stderr)
    rows = rigor_rows + rows
    rigor_json = json.loads(rigor_runs["ci"][0][0])
    rigor_noci = json.loads(rigor_runs["noci"][0][0])

    size_mb = os.path.getsize(run) / 1e6
    n_lines = args.queries * args.docs
    print()
    print(f"run file: {run}")
    print(f"          {n_lines:,} lines, {size_mb:.1f} MB on disk; qrels {os.path.getsize(qrels) / 1e6:.1f} MB")
    print(f"measures: {', '.join(m for m, _, _ in MEASURES)}; "
          f"{rigor_json['runs'][0]['queries']} queries evaluated; {os.cpu_count()} cores")
    print()
    ref = rows[0][1]
    w = max(len(r[0]) for r in rows)
    print(f"{'tool':<{w}}  {'seconds':>8}  {'peak RSS MB':>11}  {'vs rigor':>8}")
    print(f"{'-' * w}  {'-' * 8}  {'-' * 11}  {'-' * 8}")
    for tool, secs, rss in rows:
        rss_s = f"{rss:11.0f}" if rss is not None else f"{'-':>11}"
        ratio = f"{secs / ref:7.2f}x" if ref > 0 else "      -"
        print(f"{tool:<{w}}  {secs:8.2f}  {rss_s}  {ratio}")
    print(f"(vs rigor = tool seconds / seconds of `rigor eval ir` with bootstrap CIs)")
    noci = rows[1][1]
    for tool, secs, _ in rows[2:]:
        if noci > 0 and "bootstrap" not in tool:
            print(f"{tool}: {secs / noci:.1f}x the time of `rigor eval ir --no-ci` (the same work: means, no intervals)")
    if pyt:
        print(f"pytrec_eval in-process: parse {pyt['parse_s']:.2f} s, evaluate {pyt['evaluate_s']:.2f} s; "
              f"with CIs, bootstrap {pyt_ci['bootstrap_s']:.2f} s")
    if rnx:
        print(f"ranx in-process: load {rnx['load_s']:.2f} s, evaluate {rnx['evaluate_s']:.2f} s")
    print()

    if "compare" not in args.skip:
        runs = generate_candidates(args.data_dir, qrels, run, args.compare_runs, args.seed)
        cmd = [RIGOR, "eval", "ir", "--qrels", qrels]
        for r in runs:
            cmd += ["--run", r]
        for m, _, _ in MEASURES:
            cmd += ["-m", m]
        cmd += ["--format", "json"]
        print(f"timing {len(runs)}-run comparisons ...", file=sys.stderr)
        _, t_parse, _, _ = median_timed(cmd + ["--no-ci", "--test", "paired-t"], args.repeat)
        out, t_perm, rss, _ = median_timed(cmd + ["--no-ci", "--test", "permutation"], args.repeat)
        n_cmp = len(json.loads(out)["comparisons"])
        _, t_all, _, _ = median_timed(cmd + ["--test", "permutation"], args.repeat)
        print(f"comparisons: {len(runs)} runs x {len(MEASURES)} measures on {args.queries} queries "
              f"(top 100 docs), {n_cmp} comparisons, 10,000 resamples each (medians of {args.repeat})")
        print(f"  --test paired-t --no-ci     {t_parse:6.2f} s  (reading + evaluating + t tests)")
        print(f"  --test permutation --no-ci  {t_perm:6.2f} s  -> sign-flip tests alone: {t_perm - t_parse:.2f} s; peak RSS {rss:.0f} MB")
        print(f"  --test permutation (+ CIs)  {t_all:6.2f} s  (bootstrap CIs of {len(runs)} runs and {len(runs) - 1} deltas)")
        print()

    ok = True
    agg = rigor_json["runs"][0]["aggregate"]
    agg_noci = rigor_noci["runs"][0]["aggregate"]
    for m, _, _ in MEASURES:
        if agg[m]["mean"] != agg_noci[m]["mean"]:
            ok = False
            print(f"MISMATCH rigor with and without --no-ci: {m}")
    if pyt:
        if pyt["queries"] != rigor_json["runs"][0]["queries"]:
            ok = False
            print(f"MISMATCH query count: rigor {rigor_json['runs'][0]['queries']}, pytrec_eval {pyt['queries']}")
        worst = 0.0
        for m, key, _ in MEASURES:
            d = abs(agg[m]["mean"] - pyt["means"][key])
            worst = max(worst, d)
            status = "ok" if d <= 1e-9 else "MISMATCH"
            ok &= d <= 1e-9
            print(f"check {m:<8} rigor {agg[m]['mean']:.12f}  pytrec_eval {pyt['means'][key]:.12f}  "
                  f"|diff| {d:.1e}  {status}")
        print(f"check rigor vs pytrec_eval means to 1e-9: {'PASS' if ok else 'FAIL'} (max |diff| {worst:.1e})")
    if pyt:
        # Different generators draw different resamples: bounds agree to Monte Carlo error.
        diffs = ", ".join(
            f"{m} {max(abs(agg[m]['ci_low'] - pyt_ci['intervals'][k][0]), abs(agg[m]['ci_high'] - pyt_ci['intervals'][k][1])):.1e}"
            for m, k, _ in MEASURES)
        print(f"info: |rigor - numpy| CI bounds (other draws, same method): {diffs}")
    if rnx:
        diffs = ", ".join(f"{m} {abs(agg[m]['mean'] - rnx['means'][r]):.1e}" for m, _, r in MEASURES)
        print(f"info: |rigor - ranx| means (ranx breaks score ties its own way): {diffs}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
