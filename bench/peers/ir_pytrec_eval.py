"""pytrec_eval peer for bench/ir: parse both files with plain Python, evaluate, print means.

usage: python ir_pytrec_eval.py QRELS RUN [--bootstrap N]   -> one JSON line on stdout

With --bootstrap N it also computes what `rigor eval ir` reports by default: 95%
percentile-bootstrap intervals of every mean over N resamples of the queries, the way a
careful numpy user would (all measures from one draw per resample; draws counted per
query with bincount and turned into means by one matrix product, in chunks).
"""
import json
import math
import sys
import time

MEASURES = ["ndcg_cut_10", "map", "recip_rank", "P_10", "recall_100"]


def main():
    qrels_path, run_path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    qrels = {}
    with open(qrels_path) as f:
        for line in f:
            qid, _, docid, rel = line.split()
            qrels.setdefault(qid, {})[docid] = int(rel)
    run = {}
    with open(run_path) as f:
        for line in f:
            qid, _, docid, _, score, _ = line.split()
            run.setdefault(qid, {})[docid] = float(score)
    t1 = time.perf_counter()
    import pytrec_eval
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, set(MEASURES))
    per_query = evaluator.evaluate(run)
    means = {m: math.fsum(v[m] for v in per_query.values()) / len(per_query) for m in MEASURES}
    t2 = time.perf_counter()
    out = {"queries": len(per_query), "means": means, "parse_s": t1 - t0, "evaluate_s": t2 - t1}
    if "--bootstrap" in sys.argv:
        resamples = int(sys.argv[sys.argv.index("--bootstrap") + 1])
        out["intervals"] = bootstrap(per_query, resamples)
        out["bootstrap_s"] = time.perf_counter() - t2
    print(json.dumps(out))


def bootstrap(per_query, resamples, seed=0, chunk=500):
    """{measure: [low, high]}: 95% percentile intervals over `resamples` resamples."""
    import numpy as np
    values = np.array([[per_query[q][m] for m in MEASURES] for q in sorted(per_query)])
    n = len(values)
    rng = np.random.default_rng(seed)
    resampled = np.empty((resamples, len(MEASURES)))
    for start in range(0, resamples, chunk):
        k = min(chunk, resamples - start)
        draws = rng.integers(0, n, size=(k, n))
        counts = np.bincount((draws + np.arange(k)[:, None] * n).ravel(), minlength=k * n)
        resampled[start:start + k] = counts.reshape(k, n) @ values / n
    low, high = np.percentile(resampled, [2.5, 97.5], axis=0)
    return {m: [low[i], high[i]] for i, m in enumerate(MEASURES)}


if __name__ == "__main__":
    main()
