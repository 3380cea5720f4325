"""End-to-end goldens for `rigor eval ir` comparisons on the bundled examples.

Per-query values come from pytrec_eval (trec_eval 9.0.8); the paired tests from scipy
(ttest_rel, wilcoxon with its defaults), Cohen's d_z from numpy, and the correction
across every (candidate, measure) pair from statsmodels multipletests.

    $(tools/venv.sh goldens-ir-compare tools/goldens/ir_compare/requirements.txt) \
        tools/goldens/ir_compare/generate.py
"""
import json
import pathlib

import numpy as np
import pytrec_eval
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = pathlib.Path(__file__).resolve().parent / "expected.json"
MEASURES = {"nDCG@10": "ndcg_cut_10", "AP": "map", "RR": "recip_rank", "P@10": "P_10", "R@100": "recall_100"}


def read_qrels(path):
    qrels = {}
    for line in open(path):
        f = line.split()
        if f:
            qrels.setdefault(f[0], {})[f[2]] = int(f[3])
    return qrels


def read_run(path):
    run = {}
    for line in open(path):
        f = line.split()
        if f:
            run.setdefault(f[0], {})[f[2]] = float(f[4])
    return run


def main():
    qrels = read_qrels(ROOT / "examples/qrels.txt")
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "map", "recip_rank", "P.10", "recall.100"})
    runs = {name: evaluator.evaluate(read_run(ROOT / f"examples/{name}.run")) for name in ["bm25", "dense"]}
    qids = sorted(set(runs["bm25"]) & set(runs["dense"]))
    out = {
        "generator": f"pytrec-eval-terrier (trec_eval 9.0.8); scipy {scipy.__version__}; statsmodels {statsmodels.__version__}",
        "qrels": "examples/qrels.txt",
        "runs": ["examples/bm25.run", "examples/dense.run"],
        "measures": list(MEASURES),
        "tests": {},
    }
    for test in ["paired-t", "wilcoxon"]:
        rows = []
        for name, key in MEASURES.items():
            b = np.array([runs["bm25"][q][key] for q in qids])
            c = np.array([runs["dense"][q][key] for q in qids])
            d = c - b
            if test == "paired-t":
                p = stats.ttest_rel(c, b).pvalue
            else:
                p = stats.wilcoxon(c, b).pvalue
            rows.append({
                "measure": name, "baseline_mean": b.mean(), "candidate_mean": c.mean(),
                "delta": d.mean(), "effect_size": d.mean() / d.std(ddof=1), "p_value": float(p),
            })
        for method, ours in [("holm", "holm"), ("fdr_bh", "bh"), ("bonferroni", "bonferroni")]:
            reject, adjusted, _, _ = multipletests([r["p_value"] for r in rows], alpha=0.05, method=method)
            for r, a, rej in zip(rows, adjusted, reject):
                r.setdefault("p_adjusted", {})[ours] = float(a)
                r.setdefault("significant", {})[ours] = bool(rej)
        out["tests"][test] = rows
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
