#!/usr/bin/env python3
"""Generate the A/B golden files for `rigor ab` and `rigor ab power`.

Writes the unit tables under cases/ and expected.json: for each rigor invocation, the
values its JSON must hold, each computed by a reference implementation:

  * scipy 1.17: ttest_ind(equal_var=False) (+ confidence_interval), mannwhitneyu,
    chisquare, t/norm quantiles;
  * statsmodels 0.15: proportions_ztest, confint_proportions_2indep(method='wald'),
    test_proportions_2indep(method='wald'), multipletests, NormalIndPower,
    proportion_effectsize;
  * GrowthBook gbstats 0.8.0 (PyPI wheel, its own venv: see gbstats_reference.py):
    TwoSidedTTest, SequentialTwoSidedTTest, OneSided*TTest on SampleMean / Proportion /
    Ratio / RegressionAdjusted statistics, check_srm.

Formulas written here (not a library call) are marked "formula" in each check's `ref`.
Deterministic (fixed seeds). Usage, from the repository root: tools/goldens/ab/generate.sh
"""
import csv
import io
import json
import math
import os
import subprocess
import sys

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    test_proportions_2indep,
)

HERE = os.path.dirname(os.path.abspath(__file__))
GB_PYTHON = os.environ.get("GBSTATS_PYTHON")
ALPHA = 0.05
TUNING = 5000.0
SRM_THRESHOLD = 0.001


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def write_csv(name, header, rows):
    path = os.path.join(HERE, "cases", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    with open(path, "w") as f:
        f.write(buf.getvalue())
    return "cases/" + name


def read_csv(rel):
    with open(os.path.join(HERE, rel)) as f:
        return list(csv.DictReader(f))


def money(v):
    return repr(round(float(v), 2))


def make_two_arm():
    rng = np.random.default_rng(1)
    n = 3000
    treat = rng.random(n) < 0.5
    country = rng.choice(["US", "DE", "FR", "GB"], n, p=[0.4, 0.25, 0.2, 0.15])
    day = rng.integers(1, 8, n)
    pre = rng.gamma(2.0, 10.0, n)
    converted = rng.random(n) < np.where(treat, 0.125, 0.10)
    base = 0.8 * pre + rng.normal(0, 8, n) + np.where(treat, 1.5, 0.0)
    revenue = np.where(rng.random(n) < 0.3, 0.0, np.maximum(base, 0.0))
    outliers = rng.choice(n, 6, replace=False)
    revenue[outliers] = rng.uniform(400, 2000, 6)
    sessions = rng.poisson(3, n) + 1
    latency = rng.normal(np.where(treat, 203.0, 200.0), 25, n)
    missing = rng.random(n) < 0.01
    rows = []
    for i in rng.permutation(n):
        rows.append([
            f"u{i:05d}",
            "treatment" if treat[i] else "control",
            country[i],
            f"2024-05-0{day[i]}",
            int(converted[i]),
            money(revenue[i]),
            money(pre[i]),
            int(sessions[i]),
            None if missing[i] else repr(round(float(latency[i]), 1)),
        ])
    path = write_csv(
        "two_arm.csv",
        ["user_id", "variant", "country", "day", "converted", "revenue", "pre_revenue",
         "sessions", "latency"],
        rows,
    )
    # The same table as Parquet, written by pandas/pyarrow the way users write it (a
    # missing latency becomes a Parquet null).
    import pandas as pd
    df = pd.read_csv(os.path.join(HERE, path), dtype={"user_id": str, "day": str})
    df.to_parquet(os.path.join(HERE, "cases", "two_arm.parquet"), index=False,
                  compression="snappy", row_group_size=1000)
    return path


def make_three_arm():
    rng = np.random.default_rng(2)
    n = 2400
    arm = rng.choice(["control", "b", "c"], n)
    p = np.select([arm == "control", arm == "b"], [0.10, 0.13], 0.095)
    converted = rng.random(n) < p
    revenue = rng.gamma(1.5, np.select([arm == "b"], [14.0], 12.0), n) * (rng.random(n) < 0.6)
    rows = [[f"id{i}", arm[i], int(converted[i]), money(revenue[i])] for i in range(n)]
    return write_csv("three_arm.csv", ["id", "variant", "converted", "revenue"], rows)


def make_aa():
    rng = np.random.default_rng(3)
    n = 2000
    arm = rng.choice(["control", "treatment"], n)
    converted = rng.random(n) < 0.2
    revenue = rng.lognormal(2.0, 1.0, n)
    rows = [[i, arm[i], int(converted[i]), money(revenue[i])] for i in range(n)]
    return write_csv("aa.csv", ["unit", "variant", "converted", "revenue"], rows)


def make_srm_segment():
    rng = np.random.default_rng(4)
    n = 4400
    arm = rng.choice(["control", "treatment"], n)
    country = rng.choice(["US", "DE", "FR", "GB"], n, p=[0.4, 0.25, 0.2, 0.15])
    converted = rng.random(n) < 0.11
    # A logging bug loses half of the treatment units in DE.
    keep = ~((arm == "treatment") & (country == "DE") & (rng.random(n) < 0.5))
    rows = [[f"s{i}", arm[i], country[i], int(converted[i])] for i in range(n) if keep[i]]
    return write_csv("srm_segment.csv", ["user", "variant", "country", "converted"], rows)


# ---------------------------------------------------------------------------
# gbstats, in its own venv
# ---------------------------------------------------------------------------

class Gb:
    def __init__(self):
        self.tasks = []
        self.results = None
        self.version = None

    def task(self, t):
        self.tasks.append(t)
        return len(self.tasks) - 1

    def run(self):
        out = subprocess.run(
            [GB_PYTHON, os.path.join(HERE, "gbstats_reference.py")],
            input=json.dumps(self.tasks), capture_output=True, text=True, check=True,
        )
        doc = json.loads(out.stdout)
        self.results = doc["results"]
        self.version = doc["gbstats"]

    def __getitem__(self, i):
        return self.results[i]


GB = Gb()


class Deferred:
    """A value read from a gbstats result after GB.run()."""

    def __init__(self, fn):
        self.fn = fn


def gb(i, fn):
    return Deferred(lambda: fn(GB[i]))


# ---------------------------------------------------------------------------
# Reference computations
# ---------------------------------------------------------------------------

def f(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def sums(y, kind):
    y = np.asarray(y, dtype=float)
    return {"type": kind, "n": int(len(y)), "sum": float(np.sum(y)),
            "sum_squares": float(np.sum(y * y))}


def is_binary(values):
    vals = [v for v in values if v is not None]
    return bool(vals) and all(v in (0.0, 1.0) for v in vals)


def num(v):
    v = v.strip()
    if v in ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"):
        return None
    return float(v)


class Metric:
    """One metric of a run, as rigor is asked to analyse it."""

    def __init__(self, name, column=None, covariate=None, ratio=None, guardrail=None,
                 cap=None):
        self.name = name
        self.column = column if column is not None else (None if ratio else name)
        self.covariate = covariate
        self.ratio = ratio
        self.guardrail = guardrail  # (direction, absolute margin or "2%")
        self.cap = cap


class Check:
    def __init__(self):
        self.items = []

    def add(self, path, value, ref):
        self.items.append({"path": path, "value": value, "ref": ref})

    def resolved(self):
        out = []
        for it in self.items:
            v = it["value"]
            if isinstance(v, Deferred):
                v = v.fn()
            if isinstance(v, (float, np.floating)):
                v = f(v)
            elif isinstance(v, (np.bool_,)):
                v = bool(v)
            elif isinstance(v, (np.integer,)):
                v = int(v)
            out.append({"path": it["path"], "value": v, "ref": it["ref"]})
        return out


def margin_of(g, control_mean):
    m = g[1]
    if isinstance(m, str) and m.endswith("%"):
        return float(m[:-1]) / 100.0 * abs(control_mean)
    return float(m)


def verdict(p_ni, p_inf):
    if p_ni is not None and p_ni < ALPHA:
        return "pass"
    if p_inf is not None and p_inf < ALPHA:
        return "fail"
    return "inconclusive"


def comparison(rows, arm_col, control, cand, metric, types, compat, sequential, full):
    """Expected fields of one comparison, as (field, value, ref) triples."""
    out = []

    def put(field, value, ref):
        out.append((field, value, ref))

    sel_a = [r for r in rows if r[arm_col] == control]
    sel_b = [r for r in rows if r[arm_col] == cand]

    if metric.ratio:
        nc, dc = metric.ratio
        pa = [(num(r[nc]), num(r[dc])) for r in sel_a]
        pb = [(num(r[nc]), num(r[dc])) for r in sel_b]
        pa = [(m, d) for m, d in pa if m is not None and d is not None]
        pb = [(m, d) for m, d in pb if m is not None and d is not None]
        tm = "binomial" if (compat == "growthbook" and types[nc]) else "count"
        td = "binomial" if (compat == "growthbook" and types[dc]) else "count"

        def arm_sums(p):
            m = np.array([v[0] for v in p]); d = np.array([v[1] for v in p])
            return {"n": len(p), "m": sums(m, tm), "d": sums(d, td),
                    "m_d_sum_of_products": float(np.sum(m * d))}

        sa, sb = arm_sums(pa), arm_sums(pb)
        stat = "ratio"
        put("baseline_n", len(pa), "count")
        put("candidate_n", len(pb), "count")
        put("baseline_mean", sa["m"]["sum"] / sa["d"]["sum"], "formula: sum/sum")
        put("candidate_mean", sb["m"]["sum"] / sb["d"]["sum"], "formula: sum/sum")
        test_name = "welch-t (delta method)" if compat == "scipy" else "gbstats-t (delta method)"
        gb_types = None
        raw_a = raw_b = None
        cov = None
    else:
        col = metric.column
        cov = metric.covariate
        keep = lambda r: num(r[col]) is not None and (cov is None or num(r[cov]) is not None)
        ra = [r for r in sel_a if keep(r)]
        rb = [r for r in sel_b if keep(r)]
        ya = np.array([num(r[col]) for r in ra]); yb = np.array([num(r[col]) for r in rb])
        raw_a, raw_b = ya.copy(), yb.copy()
        if metric.cap is not None:
            allv = np.array([num(r[col]) for r in full if num(r[col]) is not None])
            cap = float(np.quantile(allv, metric.cap))
            ya = np.minimum(ya, cap); yb = np.minimum(yb, cap)
        binary = types[col]
        put("baseline_n", len(ya), "count")
        put("candidate_n", len(yb), "count")
        put("baseline_mean", np.mean(ya), "numpy mean")
        put("candidate_mean", np.mean(yb), "numpy mean")
        # gbstats types: growthbook reads 0/1 columns as proportions; scipy mode's plain
        # proportion test uses p(1-p) too (Wald), its CUPED uses sample variances.
        post_t = "binomial" if (binary and (compat == "growthbook" or cov is None)) else "count"
        if cov is not None:
            xa = np.array([num(r[cov]) for r in ra]); xb = np.array([num(r[cov]) for r in rb])
            pre_t = "binomial" if (compat == "growthbook" and types[cov]) else "count"
            sa = {"n": len(ya), "post": sums(ya, post_t), "pre": sums(xa, pre_t),
                  "post_pre_sum_of_products": float(np.sum(ya * xa))}
            sb = {"n": len(yb), "post": sums(yb, post_t), "pre": sums(xb, pre_t),
                  "post_pre_sum_of_products": float(np.sum(yb * xb))}
            stat = "mean_ra"
        else:
            sa, sb = sums(ya, post_t), sums(yb, post_t)
            stat = "mean"

    def gbt(diff, test, tv=0.0, s=None, a=None, b=None):
        return GB.task({"kind": "test", "stat": s or stat, "a": a or sa, "b": b or sb,
                        "difference_type": diff, "test": test, "alpha": ALPHA,
                        "tuning": TUNING, "test_value": tv})

    ia = gbt("absolute", "two_sided")
    ir = gbt("relative", "two_sided")

    # CUPED bookkeeping.
    theta = None
    if not metric.ratio and cov is not None:
        y_all = np.concatenate([ya, yb]); x_all = np.concatenate([xa, xb])
        if compat == "scipy":
            vx = np.var(x_all, ddof=1); vy = np.var(y_all, ddof=1)
            theta = float(np.cov(x_all, y_all, ddof=1)[0, 1] / vx) if vx != 0 and vy != 0 else 0.0
            put("cuped.theta", theta, "numpy cov/var pooled over both arms (= gbstats compute_theta)")
        else:
            put("cuped.theta", gb(ia, lambda r: r["theta"] if r["theta"] is not None else 0.0),
                "gbstats compute_theta")
        put("cuped.unadjusted_delta", np.mean(yb) - np.mean(ya), "numpy")
        put("cuped.covariate_balance_p",
            stats.ttest_ind(xb, xa, equal_var=False).pvalue, "scipy ttest_ind(x_b, x_a, equal_var=False)")
        raw = GB.task({"kind": "test", "stat": "mean", "a": sums(ya, post_t), "b": sums(yb, post_t),
                       "difference_type": "absolute", "test": "two_sided", "alpha": ALPHA,
                       "tuning": TUNING, "test_value": 0})
        put("cuped.variance_reduction",
            Deferred(lambda: 1.0 - GB[ia]["stddev"] ** 2 / GB[raw]["stddev"] ** 2),
            "gbstats: 1 - Var(adjusted)/Var(unadjusted)")
        test_name = ("welch-t (cuped)" if compat == "scipy" else "gbstats-t (cuped)")
        if (compat == "scipy" and theta == 0.0):
            test_name = None  # not exercised in the goldens
    elif not metric.ratio:
        test_name = None

    scipy_prop = compat == "scipy" and not metric.ratio and cov is None and types[metric.column]
    g = metric.guardrail

    if compat == "scipy" and not metric.ratio and cov is None and not scipy_prop:
        # Welch t.
        r = stats.ttest_ind(yb, ya, equal_var=False)
        ci = r.confidence_interval(1 - ALPHA)
        put("test", "welch-t" + (" non-inferiority" if g else ""), "name")
        put("delta", np.mean(yb) - np.mean(ya), "numpy")
        put("se", math.sqrt(np.var(ya, ddof=1) / len(ya) + np.var(yb, ddof=1) / len(yb)),
            "formula: sqrt(var_a/n_a + var_b/n_b)")
        put("df", r.df, "scipy ttest_ind(equal_var=False).df")
        put("ci_low", ci.low, "scipy ttest_ind(...).confidence_interval")
        put("ci_high", ci.high, "scipy ttest_ind(...).confidence_interval")
        if not g:
            put("statistic", r.statistic, "scipy ttest_ind")
            put("p_value", r.pvalue, "scipy ttest_ind(b, a, equal_var=False)")
        put("relative_lift", gb(ir, lambda x: x["expected"]), "gbstats TwoSidedTTest relative")
        put("relative_ci_low", gb(ir, lambda x: x["ci"][0]), "gbstats TwoSidedTTest relative")
        put("relative_ci_high", gb(ir, lambda x: x["ci"][1]), "gbstats TwoSidedTTest relative")
    elif scipy_prop:
        xa_, xb_ = float(np.sum(ya)), float(np.sum(yb))
        na, nb = len(ya), len(yb)
        z, p = proportions_ztest([xb_, xa_], [nb, na])
        lo, hi = confint_proportions_2indep(xb_, nb, xa_, na, method="wald", compare="diff", alpha=ALPHA)
        pa, pb = xa_ / na, xb_ / nb
        put("test", "z (pooled)" + (" non-inferiority" if g else ""), "name")
        put("delta", pb - pa, "formula")
        put("se", math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb), "formula: Wald")
        put("df", None, "z test")
        put("ci_low", lo, "statsmodels confint_proportions_2indep(method='wald')")
        put("ci_high", hi, "statsmodels confint_proportions_2indep(method='wald')")
        if not g:
            put("statistic", z, "statsmodels proportions_ztest")
            put("p_value", p, "statsmodels proportions_ztest")
        rel = (pb - pa) / pa
        var = pb * (1 - pb) / (pa * pa * nb) + pa * (1 - pa) * pb * pb / (pa ** 4 * na)
        q = stats.norm.isf(ALPHA / 2)
        put("relative_lift", rel, "formula")
        put("relative_ci_low", rel - q * math.sqrt(var), "formula: delta method, scipy norm.isf")
        put("relative_ci_high", rel + q * math.sqrt(var), "formula: delta method, scipy norm.isf")
    elif compat == "scipy":
        # CUPED or ratio in scipy mode: gbstats with sample variances.
        if cov is not None:
            adj_a = ya - theta * xa; adj_b = yb - theta * xb
            r = stats.ttest_ind(adj_b, adj_a, equal_var=False)
            ci = r.confidence_interval(1 - ALPHA)
            put("delta", np.mean(adj_b) - np.mean(adj_a), "numpy on y - theta x")
            put("df", r.df, "scipy ttest_ind on y - theta x")
            put("ci_low", ci.low, "scipy ttest_ind on y - theta x")
            put("ci_high", ci.high, "scipy ttest_ind on y - theta x")
            put("se", math.sqrt(np.var(adj_a, ddof=1) / len(adj_a) + np.var(adj_b, ddof=1) / len(adj_b)),
                "formula on y - theta x")
            if not g:
                put("p_value", r.pvalue, "scipy ttest_ind on y - theta x")
                put("statistic", r.statistic, "scipy ttest_ind on y - theta x")
            # cross-check: gbstats mean_ra with count types gives the same numbers
            put("delta", gb(ia, lambda x: x["expected"]), "gbstats RegressionAdjustedStatistic absolute")
            put("ci_low", gb(ia, lambda x: x["ci"][0]), "gbstats RegressionAdjustedStatistic absolute")
            if not g:
                put("p_value", gb(ia, lambda x: x["p_value"]), "gbstats RegressionAdjustedStatistic absolute")
        else:
            put("delta", gb(ia, lambda x: x["expected"]), "gbstats RatioStatistic absolute")
            put("se", gb(ia, lambda x: x["stddev"]), "gbstats RatioStatistic absolute")
            put("df", gb(ia, lambda x: x["dof"]), "gbstats TTest.dof")
            put("ci_low", gb(ia, lambda x: x["ci"][0]), "gbstats RatioStatistic absolute")
            put("ci_high", gb(ia, lambda x: x["ci"][1]), "gbstats RatioStatistic absolute")
            if not g:
                put("p_value", gb(ia, lambda x: x["p_value"]), "gbstats TwoSidedTTest absolute")
                put("statistic", gb(ia, lambda x: x["expected"] / x["stddev"]), "gbstats")
        if test_name:
            put("test", test_name + (" non-inferiority" if g else ""), "name")
        put("relative_lift", gb(ir, lambda x: x["expected"]), "gbstats TwoSidedTTest relative")
        put("relative_ci_low", gb(ir, lambda x: x["ci"][0]), "gbstats TwoSidedTTest relative")
        put("relative_ci_high", gb(ir, lambda x: x["ci"][1]), "gbstats TwoSidedTTest relative")
    else:
        # growthbook
        put("delta", gb(ia, lambda x: x["expected"]), "gbstats TwoSidedTTest absolute")
        put("se", gb(ia, lambda x: x["stddev"]), "gbstats TwoSidedTTest absolute")
        put("df", gb(ia, lambda x: x["dof"]), "gbstats TTest.dof")
        put("ci_low", gb(ia, lambda x: x["ci"][0]), "gbstats TwoSidedTTest absolute")
        put("ci_high", gb(ia, lambda x: x["ci"][1]), "gbstats TwoSidedTTest absolute")
        put("relative_lift", gb(ir, lambda x: x["expected"]), "gbstats TwoSidedTTest relative")
        put("relative_ci_low", gb(ir, lambda x: x["ci"][0]), "gbstats TwoSidedTTest relative")
        put("relative_ci_high", gb(ir, lambda x: x["ci"][1]), "gbstats TwoSidedTTest relative")
        if not g:
            put("p_value", gb(ir, lambda x: x["p_value"]), "gbstats TwoSidedTTest relative")
            put("statistic", gb(ir, lambda x: x["expected"] / x["stddev"]), "gbstats relative")
        if test_name:
            put("test", test_name + (" non-inferiority" if g else ""), "name")
        elif metric.ratio is None and cov is None:
            put("test", "gbstats-t" + (" non-inferiority" if g else ""), "name")

    if sequential:
        isa = gbt("absolute", "sequential")
        isr = gbt("relative", "sequential")
        put("sequential.ci_low", gb(isa, lambda x: x["ci"][0]), "gbstats SequentialTwoSidedTTest absolute")
        put("sequential.ci_high", gb(isa, lambda x: x["ci"][1]), "gbstats SequentialTwoSidedTTest absolute")
        put("sequential.relative_ci_low", gb(isr, lambda x: x["ci"][0]), "gbstats SequentialTwoSidedTTest relative")
        put("sequential.relative_ci_high", gb(isr, lambda x: x["ci"][1]), "gbstats SequentialTwoSidedTTest relative")
        if compat == "scipy":
            put("sequential.p_value", gb(isa, lambda x: x["p_value"]), "gbstats SequentialTwoSidedTTest absolute")
        else:
            put("sequential.p_value", gb(isr, lambda x: x["p_value"]), "gbstats SequentialTwoSidedTTest relative")
    else:
        put("sequential", None, "no --sequential")

    if g:
        if metric.ratio:
            control_mean = sa["m"]["sum"] / sa["d"]["sum"]
        else:
            control_mean = float(np.mean(ya))
        m = margin_of(g, control_mean)
        put("guardrail.margin", m, "formula")
        put("guardrail.direction", g[0], "name")
        higher = g[0] == "higher"
        if compat == "scipy" and scipy_prop:
            xa_, xb_ = float(np.sum(ya)), float(np.sum(yb))
            value = -m if higher else m
            ni = test_proportions_2indep(xb_, len(yb), xa_, len(ya), value=value, method="wald",
                                         compare="diff", alternative="larger" if higher else "smaller").pvalue
            inf = test_proportions_2indep(xb_, len(yb), xa_, len(ya), value=value, method="wald",
                                          compare="diff", alternative="smaller" if higher else "larger").pvalue
            ref = "statsmodels test_proportions_2indep(method='wald', value=∓m)"
        elif compat == "scipy" and not metric.ratio and cov is None:
            shift = m if higher else -m
            ni = stats.ttest_ind(yb + shift, ya, equal_var=False,
                                 alternative="greater" if higher else "less").pvalue
            inf = stats.ttest_ind(yb + shift, ya, equal_var=False,
                                  alternative="less" if higher else "greater").pvalue
            ref = "scipy ttest_ind(b ± m, a, equal_var=False, alternative=…)"
        else:
            tv = -m if higher else m
            i_ni = gbt("absolute", "greater" if higher else "lesser", tv)
            i_inf = gbt("absolute", "lesser" if higher else "greater", tv)
            ni = gb(i_ni, lambda x: x["p_value"])
            inf = gb(i_inf, lambda x: x["p_value"])
            ref = "gbstats OneSidedTreatment{Greater,Lesser}TTest(absolute, test_value=∓m)"
        put("p_value", ni, ref)
        if isinstance(ni, Deferred) or isinstance(inf, Deferred):
            put("guardrail.verdict", Deferred(lambda: verdict(
                ni.fn() if isinstance(ni, Deferred) else ni,
                inf.fn() if isinstance(inf, Deferred) else inf)), ref)
        else:
            put("guardrail.verdict", verdict(ni, inf), ref)
    else:
        put("guardrail", None, "not a guardrail")

    return out, (raw_a, raw_b)


def adjust(pvals, method):
    defined = [i for i, p in enumerate(pvals) if p is not None]
    if not defined:
        return [None] * len(pvals), [False] * len(pvals)
    if method == "none":
        return ([None if p is None else float(p) for p in pvals],
                [p is not None and p <= ALPHA for p in pvals])
    rej, padj, _, _ = multipletests([pvals[i] for i in defined], alpha=ALPHA,
                                    method={"bh": "fdr_bh"}.get(method, method))
    out_p, out_r = [None] * len(pvals), [False] * len(pvals)
    for k, i in enumerate(defined):
        out_p[i] = float(padj[k]); out_r[i] = bool(rej[k])
    return out_p, out_r


def srm_expect(counts, weights):
    total = sum(counts)
    exp = [w / sum(weights) * total for w in weights]
    r = stats.chisquare(counts, exp)
    return exp, float(r.statistic), float(r.pvalue)


class Run:
    def __init__(self, case, data, args, arms, metrics, compat="scipy", correction="holm",
                 sequential=False, segments=(), day=None, weights=None, unit=None,
                 mann_whitney=True):
        self.case = case
        self.data = data
        self.args = args
        self.arms = arms
        self.metrics = metrics
        self.compat = compat
        self.correction = correction
        self.sequential = sequential
        self.segments = segments
        self.day = day
        self.weights = weights or [1.0] * len(arms)
        self.check = Check()
        self.rows = read_csv(data)
        self.mann_whitney = mann_whitney

    def types(self):
        cols = set()
        for m in self.metrics:
            if m.column: cols.add(m.column)
            if m.covariate: cols.add(m.covariate)
            if m.ratio: cols.update(m.ratio)
        return {c: is_binary([num(r[c]) for r in self.rows]) for c in cols}

    def build(self):
        types = self.types()
        c = self.check
        # SRM overall
        counts = [sum(1 for r in self.rows if r["variant"] == a) for a in self.arms]
        exp, chi2, p = srm_expect(counts, self.weights)
        c.add("units", len(self.rows), "count")
        for a, n, e in zip(self.arms, counts, exp):
            c.add(f"srm.observed.{a}", n, "count")
            c.add(f"srm.expected.{a}", e, "formula: w/Σw · total")
        c.add("srm.chi2", chi2, "scipy chisquare")
        c.add("srm.p_value", p, "scipy chisquare")
        i = GB.task({"kind": "srm", "users": counts, "weights": self.weights})
        c.add("srm.p_value", gb(i, lambda x: x["p_value"]), "gbstats check_srm")
        c.add("srm.status", "mismatch" if p < SRM_THRESHOLD else "ok", "threshold")
        # metric summaries
        for m in self.metrics:
            if m.ratio or m.cap is not None:
                continue
            for a in self.arms:
                keep = [r for r in self.rows if r["variant"] == a and num(r[m.column]) is not None
                        and (m.covariate is None or num(r[m.covariate]) is not None)]
                y = np.array([num(r[m.column]) for r in keep])
                c.add(f"metrics.{m.name}.arms.{a}.n", len(y), "count")
                c.add(f"metrics.{m.name}.arms.{a}.mean", np.mean(y), "numpy mean")
                c.add(f"metrics.{m.name}.arms.{a}.sd", np.std(y, ddof=1), "numpy std(ddof=1)")
        self.emit(self.rows, "comparisons", types, overall=True)
        # segments
        for seg in self.segments:
            values = sorted({r[seg] for r in self.rows})
            ps = []
            results = []
            for v in values:
                sub = [r for r in self.rows if r[seg] == v]
                cnt = [sum(1 for r in sub if r["variant"] == a) for a in self.arms]
                e, x2, pv = srm_expect(cnt, self.weights)
                ps.append(pv)
                results.append((v, cnt, e, x2, pv))
                self.emit(sub, f"segments[column={seg},value={v}].comparisons", types, overall=False)
                c.add(f"segments[column={seg},value={v}].units", len(sub), "count")
            padj, _ = adjust(ps, "holm")
            for (v, cnt, e, x2, pv), pa in zip(results, padj):
                base = f"srm.segments[column={seg},value={v}]"
                c.add(f"{base}.chi2", x2, "scipy chisquare")
                c.add(f"{base}.p_value", pv, "scipy chisquare")
                c.add(f"{base}.p_adjusted", pa, "statsmodels multipletests(method='holm')")
                status = ("insufficient" if min(e) < 5 else
                          "mismatch" if pa < SRM_THRESHOLD else "ok")
                c.add(f"{base}.status", status, "threshold on the Holm-adjusted p")
        # looks
        if self.day:
            days = sorted({r[self.day] for r in self.rows})
            ps = []
            for d in days:
                cum = [r for r in self.rows if r[self.day] <= d]
                coh = [r for r in self.rows if r[self.day] == d]
                cnt = [sum(1 for r in cum if r["variant"] == a) for a in self.arms]
                _, _, pv = srm_expect(cnt, self.weights)
                ps.append(pv)
                c.add(f"looks[day={d}].units", len(cum), "count")
                c.add(f"looks[day={d}].cohort.units", len(coh), "count")
                c.add(f"looks[day={d}].srm.p_value", pv, "scipy chisquare")
                self.emit(cum, f"looks[day={d}].comparisons", types, overall=False)
                self.emit(coh, f"looks[day={d}].cohort.comparisons", types, overall=False)
            padj, _ = adjust(ps, "holm")
            for d, pa in zip(days, padj):
                c.add(f"looks[day={d}].srm.p_adjusted", pa, "statsmodels multipletests(method='holm')")

    def emit(self, rows, prefix, types, overall):
        entries = []
        for m in self.metrics:
            for cand in self.arms[1:]:
                fields, raw = comparison(rows, "variant", self.arms[0], cand, m, types,
                                         self.compat, self.sequential, self.rows)
                entries.append((m, cand, fields, raw))
        fam_idx, fam_p = [], []
        for k, (m, cand, fields, _) in enumerate(entries):
            sel = f"{prefix}[metric={m.name},candidate={cand}]"
            for name, value, ref in fields:
                self.check.add(f"{sel}.{name}", value, ref)
            if overall and self.mann_whitney and not m.ratio and not types[m.column]:
                ra, rb = entries[k][3]
                mw = stats.mannwhitneyu(rb, ra)
                self.check.add(f"{sel}.mann_whitney.u", mw.statistic, "scipy mannwhitneyu(b, a)")
                self.check.add(f"{sel}.mann_whitney.p_value", mw.pvalue, "scipy mannwhitneyu(b, a)")
            if overall and m.cap is not None:
                ra, rb = entries[k][3]
                allv = np.array([num(r[m.column]) for r in self.rows if num(r[m.column]) is not None])
                capv = float(np.quantile(allv, m.cap))
                self.check.add(f"{sel}.cap.cap", capv, "numpy quantile (linear)")
                self.check.add(f"{sel}.cap.capped_units", int(np.sum(allv > capv)), "count")
                r = stats.ttest_ind(rb, ra, equal_var=False)
                ci = r.confidence_interval(1 - ALPHA)
                self.check.add(f"{sel}.cap.uncapped.delta", np.mean(rb) - np.mean(ra), "numpy")
                self.check.add(f"{sel}.cap.uncapped.p_value", r.pvalue, "scipy ttest_ind uncapped")
                self.check.add(f"{sel}.cap.uncapped.ci_low", ci.low, "scipy ttest_ind uncapped")
                self.check.add(f"{sel}.cap.uncapped.ci_high", ci.high, "scipy ttest_ind uncapped")
            if not m.guardrail:
                ps = [v for n, v, _ in fields if n == "p_value"]
                fam_idx.append(sel)
                fam_p.append(ps[0] if ps else None)
        # correction (deferred: p-values may come from gbstats)
        method = self.correction

        def corrected(k, what):
            def fn():
                vals = [p.fn() if isinstance(p, Deferred) else (None if p is None else float(p))
                        for p in fam_p]
                padj, rej = adjust(vals, method)
                return padj[k] if what == "p" else rej[k]
            return Deferred(fn)

        ref = f"statsmodels multipletests(method='{ {'bh': 'fdr_bh'}.get(method, method)}')"
        for k, sel in enumerate(fam_idx):
            self.check.add(f"{sel}.p_adjusted", corrected(k, "p"), ref)
            self.check.add(f"{sel}.significant", corrected(k, "r"), ref)

    def entry(self):
        return {"case": self.case, "args": self.args, "checks": self.check.resolved()}


# ---------------------------------------------------------------------------
# Power
# ---------------------------------------------------------------------------

def power_cases():
    p = NormalIndPower()
    out = []
    cases = [
        # (args, kind, control, mde, relative, alpha, power, ratio, n)
        (["--p-control", "0.1", "--mde", "0.01"], "proportion", 0.1, 0.01, False, 0.05, 0.8, 1.0, None),
        (["--p-control", "0.1", "--mde", "0.05", "--relative", "--power", "0.9"], "proportion", 0.1, 0.05, True, 0.05, 0.9, 1.0, None),
        (["--p-control", "0.32", "--mde", "-0.02", "--alpha", "0.01", "--ratio", "2", "--n", "5000"], "proportion", 0.32, -0.02, False, 0.01, 0.8, 2.0, 5000.0),
        (["--mean", "42", "--sd", "80", "--mde", "2", "--n", "20000"], "mean", (42.0, 80.0), 2.0, False, 0.05, 0.8, 1.0, 20000.0),
        (["--mean", "10", "--sd", "3", "--mde", "0.01", "--relative", "--ratio", "0.5", "--power", "0.95"], "mean", (10.0, 3.0), 0.01, True, 0.05, 0.95, 0.5, None),
    ]
    for args, kind, control, mde, rel, alpha, power, ratio, n in cases:
        if kind == "proportion":
            p1 = control
            p2 = p1 * (1 + mde) if rel else p1 + mde
            es = float(proportion_effectsize(p2, p1))
        else:
            m, sd = control
            d = mde * m if rel else mde
            es = d / sd
        esa = abs(es)
        from scipy.optimize import brentq
        exact = brentq(lambda x: p.power(esa, x, alpha, ratio) - power, 1.0001, 1e9,
                       xtol=1e-300, rtol=8.9e-16, maxiter=1000)
        solved = p.solve_power(effect_size=esa, nobs1=None, alpha=alpha, power=power, ratio=ratio)
        assert abs(exact - solved) < 1e-4, (exact, solved)
        checks = [
            {"path": "effect_size", "value": es, "ref": "statsmodels proportion_effectsize(p2, p1)" if kind == "proportion" else "formula: delta/sd"},
            {"path": "n_control_exact", "value": exact, "ref": "scipy brentq (rtol 8.9e-16) on statsmodels NormalIndPower().power"},
            {"path": "n_control", "value": math.ceil(solved), "ref": "ceil of statsmodels NormalIndPower().solve_power"},
            {"path": "n_treatment", "value": math.ceil(exact * ratio), "ref": "ceil(ratio · n1)"},
        ]
        solve = {"path": "n_control_exact", "value": float(solved), "ref": "statsmodels solve_power (brentq_expanding xtol=1e-5)", "tolerance": 1e-4}
        checks.append(solve)
        if n is not None:
            checks.append({"path": "at_n.power", "value": float(p.power(esa, n, alpha, ratio)), "ref": "statsmodels NormalIndPower().power"})
            es_n = brentq(lambda d: p.power(d, n, alpha, ratio) - power, 1e-12, 50,
                          xtol=1e-300, rtol=8.9e-16, maxiter=1000)
            checks.append({"path": "at_n.effect_size", "value": es_n, "ref": "scipy brentq on statsmodels NormalIndPower().power"})
            es_sm = p.solve_power(effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=ratio)
            checks.append({"path": "at_n.effect_size", "value": float(es_sm), "ref": "statsmodels solve_power (xtol=1e-5)", "tolerance": 1e-4})
        out.append({"case": "power", "args": ["ab", "power", *args, "--format", "json"], "checks": checks})
    return out


# ---------------------------------------------------------------------------

def main():
    if not GB_PYTHON:
        sys.exit("set GBSTATS_PYTHON to the python of the gbstats venv (see generate.sh)")
    two = make_two_arm()
    three = make_three_arm()
    aa = make_aa()
    srm = make_srm_segment()

    two_metrics = [
        Metric("converted"),
        Metric("revenue", covariate="pre_revenue"),
        Metric("revenue_per_session", ratio=("revenue", "sessions")),
        Metric("latency", guardrail=("lower", "2%")),
        Metric("sessions", guardrail=("higher", 0.1)),
    ]
    two_args = ["--data", two, "--unit-col", "user_id", "--metric", "converted", "--metric",
                "revenue", "--covariate", "revenue=pre_revenue", "--ratio",
                "revenue_per_session=revenue/sessions", "--guardrail", "latency:lower:2%",
                "--guardrail", "sessions:higher:0.1", "--segment", "country", "--day-col", "day",
                "--sequential", "--format", "json"]
    runs = [
        Run("two_arm", two, ["ab", *two_args], ["control", "treatment"], two_metrics,
            sequential=True, segments=["country"], day="day"),
        Run("two_arm", two, ["ab", *two_args, "--compat", "growthbook"], ["control", "treatment"],
            two_metrics, compat="growthbook", sequential=True, segments=["country"], day="day"),
        Run("two_arm_parquet", two,
            ["ab", *[a if a != two else "cases/two_arm.parquet" for a in two_args]],
            ["control", "treatment"], two_metrics, sequential=True, segments=["country"],
            day="day"),
        Run("two_arm_cap", two, ["ab", "--data", two, "--metric", "revenue", "--metric", "pre_revenue",
                                 "--cap", "revenue=0.99", "--correction", "none", "--format", "json"],
            ["control", "treatment"], [Metric("revenue", cap=0.99), Metric("pre_revenue")],
            correction="none"),
        Run("three_arm", three, ["ab", "--data", three, "--unit-col", "id", "--metric", "converted",
                                 "--metric", "revenue", "--sequential", "--format", "json"],
            ["control", "b", "c"], [Metric("converted"), Metric("revenue")], sequential=True),
        Run("three_arm", three, ["ab", "--data", three, "--metric", "converted", "--metric", "revenue",
                                 "--compat", "growthbook", "--correction", "bh", "--format", "json"],
            ["control", "b", "c"], [Metric("converted"), Metric("revenue")], compat="growthbook",
            correction="bh"),
        Run("three_arm", three, ["ab", "--data", three, "--metric", "converted", "--metric", "revenue",
                                 "--correction", "bonferroni", "--weights", "control=2,b=1,c=1",
                                 "--format", "json"],
            ["control", "b", "c"], [Metric("converted"), Metric("revenue")],
            correction="bonferroni", weights=[2.0, 1.0, 1.0]),
        Run("aa", aa, ["ab", "--data", aa, "--unit-col", "unit", "--metric", "converted", "--metric",
                       "revenue", "--format", "json"],
            ["control", "treatment"], [Metric("converted"), Metric("revenue")]),
        Run("aa", aa, ["ab", "--data", aa, "--metric", "converted", "--metric", "revenue",
                       "--compat", "growthbook", "--sequential", "--format", "json"],
            ["control", "treatment"], [Metric("converted"), Metric("revenue")], compat="growthbook",
            sequential=True),
        Run("srm_segment", srm, ["ab", "--data", srm, "--unit-col", "user", "--metric", "converted",
                                 "--segment", "country", "--weights", "control=1,treatment=1",
                                 "--format", "json"],
            ["control", "treatment"], [Metric("converted")], segments=["country"]),
    ]
    for r in runs:
        r.build()
    GB.run()
    entries = [r.entry() for r in runs] + power_cases()
    doc = {
        "generator": "tools/goldens/ab/generate.py",
        "references": {
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "numpy": np.__version__,
            "gbstats": GB.version,
        },
        "alpha": ALPHA,
        "runs": entries,
    }
    with open(os.path.join(HERE, "expected.json"), "w") as fh:
        json.dump(doc, fh, indent=1, sort_keys=False)
        fh.write("\n")
    total = sum(len(e["checks"]) for e in entries)
    print(f"{len(entries)} runs, {total} checks", file=sys.stderr)


if __name__ == "__main__":
    main()
