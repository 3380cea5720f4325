"""pytrec_eval peer for bench/ir: parse both files with plain Python, evaluate, print means.

usage: python ir_pytrec_eval.py QRELS RUN   -> one JSON line on stdout
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
    print(json.dumps({"queries": len(per_query), "means": means,
                      "parse_s": t1 - t0, "evaluate_s": t2 - t1}))


if __name__ == "__main__":
    main()
