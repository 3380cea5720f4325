#!/usr/bin/env python3
"""GrowthBook gbstats (0.8.0, PyPI wheel) as a reference for tools/goldens/ab.

Runs in its own venv (the wheel pins numpy<2 and pandas<2); generate.py calls it with a
JSON list of tasks on stdin and reads a JSON list of results on stdout. Each task gives
per-arm sufficient statistics (the sums gbstats' SQL would return) computed by
generate.py from the committed CSV files, and names the gbstats objects to build:

  {"kind": "test", "stat": "mean"|"ratio"|"mean_ra", "a": {...}, "b": {...},
   "difference_type": "absolute"|"relative", "test": "two_sided"|"sequential"|
   "greater"|"lesser", "alpha": 0.05, "tuning": 5000, "test_value": 0}
  {"kind": "srm", "users": [...], "weights": [...]}

Arm sums: mean -> {"type": "binomial"|"count", "n", "sum", "sum_squares"};
ratio -> {"n", "m": {...}, "d": {...}, "m_d_sum_of_products"};
mean_ra -> {"n", "post": {...}, "pre": {...}, "post_pre_sum_of_products"}.

Results: {"expected", "ci": [lo, hi], "p_value", "stddev", "dof", "error_message",
"theta"} with NaN/inf as null.
"""
import json
import math
import sys

import gbstats
from gbstats.frequentist.tests import (
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm


def base(s, n):
    if s["type"] == "binomial":
        return ProportionStatistic(n=n, sum=s["sum"])
    return SampleMeanStatistic(n=n, sum=s["sum"], sum_squares=s["sum_squares"])


def statistic(kind, arm):
    n = arm["n"]
    if kind == "mean":
        return base(arm, n)
    if kind == "ratio":
        return RatioStatistic(
            n=n,
            m_statistic=base(arm["m"], n),
            d_statistic=base(arm["d"], n),
            m_d_sum_of_products=arm["m_d_sum_of_products"],
        )
    if kind == "mean_ra":
        return RegressionAdjustedStatistic(
            n=n,
            post_statistic=base(arm["post"], n),
            pre_statistic=base(arm["pre"], n),
            post_pre_sum_of_products=arm["post_pre_sum_of_products"],
            theta=0,
        )
    raise ValueError(kind)


def clean(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def run_test(t):
    a = statistic(t["stat"], t["a"])
    b = statistic(t["stat"], t["b"])
    common = dict(difference_type=t["difference_type"], alpha=t["alpha"])
    if t["test"] == "sequential":
        test = SequentialTwoSidedTTest(
            a, b, SequentialConfig(**common, sequential_tuning_parameter=t["tuning"])
        )
    else:
        cls = {
            "two_sided": TwoSidedTTest,
            "greater": OneSidedTreatmentGreaterTTest,
            "lesser": OneSidedTreatmentLesserTTest,
        }[t["test"]]
        test = cls(a, b, FrequentistConfig(**common, test_value=t.get("test_value", 0)))
    res = test.compute_result()
    theta = getattr(test.stat_a, "theta", None)
    return {
        "expected": clean(res.expected),
        "ci": [clean(res.ci[0]), clean(res.ci[1])],
        "p_value": clean(res.p_value),
        "stddev": clean(res.uplift.stddev),
        "dof": clean(test.dof) if res.error_message is None else None,
        "error_message": res.error_message,
        "theta": clean(theta),
    }


def main():
    tasks = json.load(sys.stdin)
    out = []
    for t in tasks:
        if t["kind"] == "srm":
            out.append({"p_value": clean(check_srm(t["users"], t["weights"]))})
        else:
            out.append(run_test(t))
    json.dump({"gbstats": gbstats.__version__ if hasattr(gbstats, "__version__") else
               __import__("importlib.metadata").metadata.version("gbstats"), "results": out},
              sys.stdout)


if __name__ == "__main__":
    main()
