"""ranx peer for bench/ir: load Qrels/Run with ranx's own file loaders and evaluate.

usage: python ir_ranx.py QRELS RUN   -> one JSON line on stdout
       python ir_ranx.py --warmup      -> only fills numba's on-disk cache (untimed)

numba's JIT is warmed first on a tiny input, so the in-process time (load + evaluate)
excludes compilation; the whole-process time measured outside includes it.
"""
import json
import sys
import time

METRICS = ["ndcg@10", "map", "mrr", "precision@10", "recall@100"]


def main():
    from ranx import Qrels, Run, evaluate

    # warm the JIT
    tq = Qrels.from_dict({"q1": {"d1": 1, "d2": 2}, "q2": {"d3": 1}})
    tr = Run.from_dict({"q1": {"d1": 0.5, "d3": 0.4}, "q2": {"d3": 1.0, "d4": 0.1}})
    evaluate(tq, tr, METRICS)
    if sys.argv[1] == "--warmup":
        return
    qrels_path, run_path = sys.argv[1], sys.argv[2]

    t0 = time.perf_counter()
    qrels = Qrels.from_file(qrels_path, kind="trec")
    run = Run.from_file(run_path, kind="trec")
    t1 = time.perf_counter()
    means = evaluate(qrels, run, METRICS)
    t2 = time.perf_counter()
    print(json.dumps({"means": {k: float(v) for k, v in means.items()},
                      "load_s": t1 - t0, "evaluate_s": t2 - t1}))


if __name__ == "__main__":
    main()
