"""Goldens for rigor-stats' paired comparisons, produced by scipy and statsmodels.

Writes expected.json next to this file. Every case is seeded, so re-running with the
pinned requirements.txt reproduces the file byte for byte. NaN results are written as
null (rigor reports an undefined value as null); `notes` fields say why a case exists.

    python=$(tools/venv.sh stats tools/goldens/stats/requirements.txt)
    $python tools/goldens/stats/generate.py
"""

import json
import math
import pathlib
import warnings

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

OUT = pathlib.Path(__file__).with_name("expected.json")
SIZES = [1, 2, 5, 8, 10, 13, 14, 20, 50, 51, 200, 500, 5000]


def num(v):
    """A float for JSON, or None for NaN / infinity."""
    v = float(v)
    return v if math.isfinite(v) else None


def wilcoxon_branch(d):
    """Which branch scipy's method='auto' takes (for the reader; rigor re-derives it)."""
    n = len(d)
    nz = np.abs(d[d != 0])
    ties = len(np.unique(nz)) < len(nz)
    if n > 50:
        return "normal"
    if not ties and not np.any(d == 0):
        return "exact"
    if n <= 13:
        return "permutation"
    return "normal"


def make_pairs(kind, n, rng):
    """Return (x, y, note) for one kind of paired data of size n."""
    if kind == "small_effect":
        x = rng.normal(0.5, 0.2, n)
        y = x - rng.normal(0.01, 0.1, n)
        return x, y, "continuous, effect small relative to noise"
    if kind == "large_effect":
        x = rng.normal(0.5, 0.2, n)
        y = x - rng.normal(0.3, 0.05, n)
        return x, y, "continuous, effect large relative to noise: tiny p-values"
    if kind == "negative_effect":
        x = rng.normal(0.4, 0.2, n)
        y = x + rng.normal(0.05, 0.1, n)
        return x, y, "candidate worse: negative statistic"
    if kind == "ties":
        x = np.round(rng.uniform(0, 1, n), 1)
        y = np.round(x - rng.choice([-0.2, -0.1, 0.0, 0.1, 0.2, 0.3], n), 1)
        return x, y, "values on a 0.1 grid: tied |d| and zero differences"
    if kind == "ties_no_zeros":
        x = rng.integers(0, 8, n) / 8.0
        y = x - rng.choice([-0.375, -0.125, 0.125, 0.25, 0.5], n)
        return x, y, "dyadic grid: exact ties among |d|, no zeros"
    if kind == "zeros":
        x = rng.uniform(0, 1, n)
        y = x - rng.normal(0.05, 0.1, n)
        same = rng.uniform(0, 1, n) < 0.3
        y[same] = x[same]
        return x, y, "about 30% exact zero differences, no other ties"
    if kind == "ir_like":
        x = np.clip(np.round(rng.beta(0.6, 0.8, n) * 16) / 16, 0, 1)
        y = np.clip(np.round((x + rng.normal(0.03, 0.15, n)) * 16) / 16, 0, 1)
        return x, y, "nDCG-like scores on a 1/16 grid, many 0s and 1s"
    if kind == "all_zeros":
        x = rng.uniform(0, 1, n)
        return x, x.copy(), "all differences exactly zero"
    if kind == "constant":
        x = rng.integers(0, 16, n) / 16.0
        return x, x - 0.25, "every difference exactly 0.25 (zero variance)"
    if kind == "near_constant":
        x = rng.uniform(0, 1, n)
        return x, x - 0.1, "differences equal up to rounding: scipy's t is rounding noise"
    raise ValueError(kind)


KINDS = [
    "small_effect",
    "large_effect",
    "negative_effect",
    "ties",
    "ties_no_zeros",
    "zeros",
    "ir_like",
    "all_zeros",
    "constant",
    "near_constant",
]


def paired_cases():
    cases = []
    seed = 0
    for kind in KINDS:
        for n in SIZES:
            seed += 1
            rng = np.random.default_rng(seed)
            x, y, note = make_pairs(kind, n, rng)
            x = np.asarray(x, dtype=np.float64)
            y = np.asarray(y, dtype=np.float64)
            d = x - y
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = stats.ttest_rel(x, y)
                try:
                    w = stats.wilcoxon(x, y)
                    wres = {"statistic": num(w.statistic), "pvalue": num(w.pvalue)}
                except ValueError as e:  # n = 1 with a zero difference
                    wres = {"statistic": None, "pvalue": None, "error": str(e)}
                sd = np.std(d, ddof=1) if n > 1 else float("nan")
                dz = np.mean(d) / sd if n > 1 and sd > 0 else float("nan")
            cases.append(
                {
                    "name": f"{kind}_n{n}",
                    "notes": note,
                    "seed": seed,
                    "x": [float(v) for v in x],
                    "y": [float(v) for v in y],
                    "all_equal": bool(np.all(d == d[0])),
                    "mean_x": float(np.mean(x)),
                    "mean_y": float(np.mean(y)),
                    "mean_d": float(np.mean(d)),
                    "ttest": {
                        "statistic": num(t.statistic),
                        "df": int(n - 1),
                        "pvalue": num(t.pvalue),
                    },
                    "wilcoxon": {"branch": wilcoxon_branch(d), **wres},
                    "cohen_dz": num(dz),
                }
            )
    return cases


def permutation_cases():
    """scipy.stats.permutation_test on paired data: sign flips of x - y, mean difference."""

    def statistic(a, b, axis):
        return np.mean(a - b, axis=axis)

    cases = []
    for i, (kind, n) in enumerate(
        [
            ("small_effect", 10),
            ("small_effect", 13),
            ("ties", 12),
            ("small_effect", 20),
            ("negative_effect", 30),
            ("ir_like", 50),
            ("small_effect", 200),
        ]
    ):
        rng = np.random.default_rng(1000 + i)
        x, y, note = make_pairs(kind, n, rng)
        res = stats.permutation_test(
            (x, y),
            statistic,
            permutation_type="samples",
            alternative="two-sided",
            vectorized=True,
            n_resamples=99_999,
            rng=np.random.default_rng(5000 + i),
        )
        exact = 2**n <= 99_999
        cases.append(
            {
                "name": f"perm_{kind}_n{n}",
                "notes": note,
                "x": [float(v) for v in x],
                "y": [float(v) for v in y],
                "pvalue": float(res.pvalue),
                "exact": exact,
                "n_resamples": 2**n if exact else 99_999,
            }
        )
    return cases


def bootstrap_cases():
    """Large-resample reference for the paired bootstrap test: numpy draws 200,000
    resamples of the differences; p = (#{|m_r - mean(d)| >= |mean(d)| - tol} + 1) / (B + 1)."""
    cases = []
    for i, (kind, n) in enumerate(
        [("small_effect", 10), ("ties", 12), ("small_effect", 20), ("negative_effect", 30), ("ir_like", 50), ("small_effect", 200)]
    ):
        rng = np.random.default_rng(2000 + i)
        x, y, note = make_pairs(kind, n, rng)
        d = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
        b = 200_000
        draws = np.random.default_rng(7000 + i)
        means = np.concatenate([d[draws.integers(0, n, size=(10_000, n))].mean(axis=1) for _ in range(b // 10_000)])
        m = d.mean()
        # "at least as extreme" counts ties within rounding (the documented 1e-12 relative
        # tolerance): with tied data many resample means equal |mean| mathematically.
        hits = int(np.sum(np.abs(means - m) >= abs(m) - 1e-12 * np.mean(np.abs(d))))
        cases.append(
            {
                "name": f"boot_{kind}_n{n}",
                "notes": note,
                "x": [float(v) for v in x],
                "y": [float(v) for v in y],
                "pvalue": (hits + 1) / (b + 1),
                "exact": False,
                "n_resamples": b,
            }
        )
    return cases


def pvalue_vectors():
    rng = np.random.default_rng(77)
    vecs = [
        ("typical", [0.01, 0.04, 0.03, 0.005]),
        ("ties", [0.02, 0.02, 0.02, 0.5, 0.02]),
        ("single_at_alpha", [0.05]),
        ("at_alpha_steps", [0.0125, 0.025, 0.0375, 0.05]),
        ("bh_boundary", [0.025, 0.05]),
        ("bonferroni_rounding", [0.05 / 3, 0.05 / 3 + 1e-18, 0.5]),
        ("holm_rounding", [0.05 / 3, 0.025, 0.05]),
        ("zeros_and_ones", [0.0, 1.0, 0.0, 0.7, 1.0]),
        ("none_significant", [0.2, 0.5, 0.9, 0.06]),
        ("all_significant", [1e-10, 1e-8, 1e-6, 1e-4]),
        ("step_down_stops", [0.001, 0.02, 0.011, 0.04, 0.3]),
        ("bh_step_up_rescues", [0.04, 0.041, 0.042, 0.043, 0.044]),
        ("uniform_20", list(rng.uniform(0, 0.2, 20))),
        ("mixed_30", list(np.concatenate([rng.uniform(0, 0.01, 10), rng.uniform(0, 1, 20)]))),
        ("empty", []),
    ]
    # Find, by search, p-values where the step thresholds and the adjusted values round
    # differently, so the goldens pin down which comparison statsmodels makes.
    for m in range(2, 40):
        p = 0.05 / m
        if (p * m > 0.05) != (p > 0.05 / m):
            vecs.append((f"bonferroni_edge_m{m}", [p] * 1 + [0.9] * (m - 1)))
            break
    for m in range(3, 40):
        for k in range(1, m):
            fac = k / m
            p = fac * 0.05
            if (p <= fac * 0.05) != (p / fac <= 0.05):
                vec = [p / 10] * (k - 1) + [p] + [0.99] * (m - k)
                vecs.append((f"bh_edge_m{m}_k{k}", vec))
                break
        else:
            continue
        break
    out = []
    for name, p in vecs:
        p = [float(v) for v in p]
        entry = {"name": name, "pvalues": p, "alpha": 0.05, "methods": {}}
        for method in ["bonferroni", "holm", "fdr_bh"]:
            rej, adj, _, _ = multipletests(np.asarray(p, dtype=float), alpha=0.05, method=method)
            entry["methods"][method] = {
                "p_adjusted": [float(v) for v in adj],
                "reject": [bool(v) for v in rej],
            }
        out.append(entry)
    # Undefined tests (None) are left out of the family and come back as None.
    with_none = [0.01, None, 0.04, 0.03, None, 0.005]
    kept = [v for v in with_none if v is not None]
    entry = {"name": "with_none", "pvalues": with_none, "alpha": 0.05, "methods": {}}
    for method in ["bonferroni", "holm", "fdr_bh"]:
        rej, adj, _, _ = multipletests(np.asarray(kept), alpha=0.05, method=method)
        it = iter(zip(adj, rej))
        adj_full, rej_full = [], []
        for v in with_none:
            if v is None:
                adj_full.append(None)
                rej_full.append(False)
            else:
                a, r = next(it)
                adj_full.append(float(a))
                rej_full.append(bool(r))
        entry["methods"][method] = {"p_adjusted": adj_full, "reject": rej_full}
    out.append(entry)
    return out


def tails():
    """Two-sided tail probabilities as scipy computes them inside the tests, next to
    50-digit mpmath values (`exact`), which show where scipy itself is off."""
    mp.mp.dps = 50
    half = mp.mpf(1) / 2

    def t_exact(t, df):
        t, df = mp.mpf(t), mp.mpf(df)
        try:
            return float(mp.betainc(df / 2, half, 0, df / (df + t * t), regularized=True))
        except ValueError:  # mpmath gives up far below float64's range
            return None

    ts = [0.0, 1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0, 30.0,
          50.0, 100.0, 1e3]
    dfs = [1, 2, 3, 4, 5, 9, 10, 12, 19, 30, 49, 50, 100, 199, 500, 1000, 5000, 10_000,
           100_000, 1_000_000]
    student_t = [
        {"t": t, "df": df, "p": float(2 * special.stdtr(df, -abs(t))), "exact": t_exact(t, df)}
        for df in dfs
        for t in ts
    ]
    zs = [0.0, 1e-8, 0.1, 0.5, 0.7, 0.7071067811865476, 0.8, 1.0, 1.2, 1.5, 1.96, 2.5, 3.0,
          4.0, 5.0, 6.5, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 35.0, 37.0, 37.5, 38.0]
    normal = [
        {"z": z, "p": float(2 * special.ndtr(-abs(z))),
         "exact": float(mp.erfc(mp.mpf(z) / mp.sqrt(2)))}
        for z in zs
    ]
    return {"student_t": student_t, "normal": normal}


def main():
    doc = {
        "generator": "tools/goldens/stats/generate.py",
        "versions": {
            "mpmath": mp.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
        },
        "paired": paired_cases(),
        "permutation": permutation_cases(),
        "bootstrap": bootstrap_cases(),
        "multipletests": pvalue_vectors(),
        "tails": tails(),
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
