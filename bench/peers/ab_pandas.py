"""bench/ab peer: the comparisons `rigor ab` makes, done the usual way — pandas to load,
scipy and statsmodels to test.

  python ab_pandas.py DATA  ->  JSON on stdout: p-values and deltas, timings

Computes, as rigor does with
`--unit-col user_id --metric converted --metric revenue --metric sessions --metric latency
 --metric add_to_cart --covariate revenue=pre_revenue --segment country`:
  * duplicate unit ids;
  * SRM: chisquare overall and per country (Holm across countries);
  * per metric, treatment vs control: 0/1 metrics by proportions_ztest (pooled) with the
    Wald interval (confint_proportions_2indep), others by ttest_ind(equal_var=False) with
    its interval; relative lift by the delta method; revenue CUPED-adjusted with
    theta = cov/var pooled over both arms (Welch t on y - theta x) and its covariate
    balance test; Mann-Whitney for the non-0/1 metrics;
  * Holm across the metrics;
  * the same tests within each country (Holm within the country).
"""
import json
import sys
import time

t0 = time.perf_counter()
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

METRICS = ["converted", "revenue", "sessions", "latency", "add_to_cart"]
COVARIATE = {"revenue": "pre_revenue"}
ALPHA = 0.05


def compare(a, b, metric, mann_whitney):
    ya = a[metric].to_numpy(dtype=float)
    yb = b[metric].to_numpy(dtype=float)
    out = {}
    cov = COVARIATE.get(metric)
    binary = metric in ("converted", "add_to_cart")
    if cov:
        xa = a[cov].to_numpy(dtype=float)
        xb = b[cov].to_numpy(dtype=float)
        y = np.concatenate([ya, yb]); x = np.concatenate([xa, xb])
        theta = np.cov(x, y, ddof=1)[0, 1] / np.var(x, ddof=1)
        r = stats.ttest_ind(yb - theta * xb, ya - theta * xa, equal_var=False)
        ci = r.confidence_interval(1 - ALPHA)
        out.update(delta=float(np.mean(yb - theta * xb) - np.mean(ya - theta * xa)),
                   p_value=float(r.pvalue), ci=[float(ci.low), float(ci.high)], theta=float(theta),
                   balance_p=float(stats.ttest_ind(xb, xa, equal_var=False).pvalue))
    elif binary:
        ca, cb = ya.sum(), yb.sum()
        z, p = proportions_ztest([cb, ca], [len(yb), len(ya)])
        lo, hi = confint_proportions_2indep(cb, len(yb), ca, len(ya), method="wald", compare="diff",
                                            alpha=ALPHA)
        out.update(delta=float(cb / len(yb) - ca / len(ya)), p_value=float(p), ci=[float(lo), float(hi)])
    else:
        r = stats.ttest_ind(yb, ya, equal_var=False)
        ci = r.confidence_interval(1 - ALPHA)
        out.update(delta=float(np.mean(yb) - np.mean(ya)), p_value=float(r.pvalue),
                   ci=[float(ci.low), float(ci.high)])
    ma, mb = ya.mean(), yb.mean()
    if binary and not cov:
        va, vb = ma * (1 - ma), mb * (1 - mb)
    elif cov:
        va = np.var(ya - out["theta"] * xa, ddof=1)
        vb = np.var(yb - out["theta"] * xb, ddof=1)
    else:
        va, vb = ya.var(ddof=1), yb.var(ddof=1)
    # relative to the unadjusted control mean (gbstats; the adjusted delta under CUPED)
    rel = out["delta"] / ma
    se = np.sqrt(vb / (ma ** 2 * len(yb)) + va * mb ** 2 / (ma ** 4 * len(ya)))
    out.update(relative_lift=float(rel), relative_se=float(se))
    if mann_whitney and not binary:
        out["mann_whitney_p"] = float(stats.mannwhitneyu(yb, ya).pvalue)
    return out


def family(df, mann_whitney):
    a = df[df["variant"] == "control"]
    b = df[df["variant"] == "treatment"]
    res = {m: compare(a, b, m, mann_whitney) for m in METRICS}
    _, padj, _, _ = multipletests([res[m]["p_value"] for m in METRICS], alpha=ALPHA, method="holm")
    for m, p in zip(METRICS, padj):
        res[m]["p_adjusted"] = float(p)
    return res


def srm(df):
    counts = df["variant"].value_counts()
    obs = [int(counts.get("control", 0)), int(counts.get("treatment", 0))]
    return float(stats.chisquare(obs, [sum(obs) / 2] * 2).pvalue)


def main():
    path = sys.argv[1]
    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    if path.endswith(".parquet"):
        df = pd.read_parquet(path)
    else:
        df = pd.read_csv(path)
    t_load = time.perf_counter() - t1
    t2 = time.perf_counter()
    if df["user_id"].duplicated().any():
        raise SystemExit("duplicate unit ids")
    out = {"units": int(len(df)), "srm_p": srm(df), "metrics": family(df, True)}
    seg_p = {}
    segments = {}
    for country, sub in df.groupby("country", sort=True):
        seg_p[country] = srm(sub)
        segments[country] = family(sub, False)
    keys = sorted(seg_p)
    _, padj, _, _ = multipletests([seg_p[k] for k in keys], alpha=0.001, method="holm")
    out["srm_segments"] = {k: {"p_value": seg_p[k], "p_adjusted": float(p)} for k, p in zip(keys, padj)}
    out["segments"] = segments
    out["timing"] = {"import_s": t_import, "load_s": t_load, "analyse_s": time.perf_counter() - t2}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
