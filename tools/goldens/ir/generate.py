#!/usr/bin/env python3
"""Generate the IR golden files for `rigor eval ir`.

Writes the input files under cases/<case>/ and the expected per-query values in
expected.json, all computed by reference implementations:

  * trec_eval-defined measures: pytrec_eval (pytrec-eval-terrier, trec_eval 9.0.8)
  * RR@k: pytrec_eval recip_rank on the run truncated to its top k (trec_eval order)
  * Judged@k: ir_measures' `judged` provider on the canonicalised run
  * ERR@k: ir_measures' `gdeval` provider (gdeval.pl) on the canonicalised run,
    re-run with only its printf widened to %.17g to get full precision (checked
    against ir_measures' own 5-decimal output)

Deterministic: fixed seeds, sorted output, gzip with mtime 0. Re-running reproduces
byte-identical files. Usage (from the repository root):

    $(tools/venv.sh goldens-ir tools/goldens/ir/requirements.txt) tools/goldens/ir/generate.py

Optional: --trec-eval PATH cross-checks every pytrec_eval value against a trec_eval
command-line binary (exactly if it prints full precision, i.e. a build whose
per-query printf uses %.17g, else to its 4 printed decimals), including `-c` means.
It never changes the outputs.
"""
import argparse
import gzip
import importlib.metadata
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

import numpy as np
import pytrec_eval
import ir_measures
from ir_measures import ERR, Judged

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------

# (rigor name, pytrec_eval measure request, pytrec_eval output key) at relevance level 1
LEVEL1 = [
    ("P@1", "P.1,5,10,20", "P_1"),
    ("P@5", "P.1,5,10,20", "P_5"),
    ("P@10", "P.1,5,10,20", "P_10"),
    ("P@20", "P.1,5,10,20", "P_20"),
    ("R@5", "recall.5,10,100", "recall_5"),
    ("R@10", "recall.5,10,100", "recall_10"),
    ("R@100", "recall.5,10,100", "recall_100"),
    ("AP", "map", "map"),
    ("AP@10", "map_cut.10,100", "map_cut_10"),
    ("AP@100", "map_cut.10,100", "map_cut_100"),
    ("RR", "recip_rank", "recip_rank"),
    ("nDCG", "ndcg", "ndcg"),
    ("nDCG@5", "ndcg_cut.5,10,20", "ndcg_cut_5"),
    ("nDCG@10", "ndcg_cut.5,10,20", "ndcg_cut_10"),
    ("nDCG@20", "ndcg_cut.5,10,20", "ndcg_cut_20"),
    ("Rprec", "Rprec", "Rprec"),
    ("Bpref", "bpref", "bpref"),
    ("Success@1", "success.1,5,10", "success_1"),
    ("Success@5", "success.1,5,10", "success_5"),
    ("Success@10", "success.1,5,10", "success_10"),
    ("NumRet", "num_ret", "num_ret"),
    ("NumRel", "num_rel", "num_rel"),
    ("NumRelRet", "num_rel_ret", "num_rel_ret"),
]
# the same at relevance level 2 (trec_eval -l2 / pytrec_eval relevance_level=2)
LEVEL2 = [
    ("P(rel=2)@10", "P.10", "P_10"),
    ("R(rel=2)@100", "recall.100", "recall_100"),
    ("AP(rel=2)", "map", "map"),
    ("RR(rel=2)", "recip_rank", "recip_rank"),
    ("Rprec(rel=2)", "Rprec", "Rprec"),
    ("Bpref(rel=2)", "bpref", "bpref"),
    ("Success(rel=2)@5", "success.5", "success_5"),
    ("NumRel(rel=2)", "num_rel", "num_rel"),
    ("NumRelRet(rel=2)", "num_rel_ret", "num_rel_ret"),
]
RR_CUTOFFS = [1, 3, 10]
JUDGED_CUTOFFS = [5, 10]
ERR_CUTOFFS = [5, 10, 20]
COUNT_KEYS = {"num_ret", "num_rel", "num_rel_ret"}  # summed, not averaged, by trec_eval


def measure_order(with_err):
    names = [m[0] for m in LEVEL1] + [m[0] for m in LEVEL2]
    names += [f"RR@{k}" for k in RR_CUTOFFS]
    names += [f"Judged@{k}" for k in JUDGED_CUTOFFS]
    if with_err:
        names += [f"ERR@{k}" for k in ERR_CUTOFFS]
    return names


# ---------------------------------------------------------------------------
# Parsing exactly like trec_eval 9.0.8 (whitespace split; score atof -> float)
# ---------------------------------------------------------------------------

def read_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data


def parse_qrels(data):
    qrels = {}
    for line in data.split(b"\n"):
        fields = line.split()
        if not fields:
            continue
        qid, _iter, docid, rel = fields
        qrels.setdefault(qid.decode(), {})
        d = docid.decode()
        assert d not in qrels[qid.decode()], "duplicate (qid, docid) in qrels"
        qrels[qid.decode()][d] = int(rel)
    return qrels


def parse_run(data):
    run = {}
    for line in data.split(b"\n"):
        fields = line.split()
        if not fields:
            continue
        qid, _q0, docid, _rank, score, _tag = fields
        run.setdefault(qid.decode(), {})
        d = docid.decode()
        assert d not in run[qid.decode()], "duplicate (qid, docid) in run"
        run[qid.decode()][d] = float(score)
    return run


def f32(x):
    return float(np.float32(x))


def trec_order(docs):
    """Docids in trec_eval ranking order: score as float32 descending, then docid
    descending in byte order."""
    items = [(f32(s), d.encode()) for d, s in docs.items()]
    items.sort(reverse=True)
    return [d.decode() for _s, d in items]


def canonical_run(run):
    """Same ranking as trec_eval, but with strictly decreasing scores, so that tools
    that break ties differently (ir_measures, gdeval) see trec_eval's order."""
    out = {}
    for qid, docs in run.items():
        order = trec_order(docs)
        n = len(order)
        out[qid] = {d: float(n - i) for i, d in enumerate(order)}
    return out


# ---------------------------------------------------------------------------
# Reference evaluations
# ---------------------------------------------------------------------------

def pytrec(qrels, run, spec, level):
    req = sorted({m[1] for m in spec})
    ev = pytrec_eval.RelevanceEvaluator(qrels, req, relevance_level=level)
    res = ev.evaluate(run)
    out = {}
    for name, _req, key in spec:
        out[name] = {qid: float(vals[key]) for qid, vals in res.items()}
    return out


def rr_at(qrels, run, k):
    trunc = {}
    for qid, docs in run.items():
        top = trec_order(docs)[:k]
        trunc[qid] = {d: docs[d] for d in top}
    ev = pytrec_eval.RelevanceEvaluator(qrels, ["recip_rank"])
    return {qid: float(v["recip_rank"]) for qid, v in ev.evaluate(trunc).items()}


def judged_at(qrels, canon):
    ms = [Judged @ k for k in JUDGED_CUTOFFS]
    out = {f"Judged@{k}": {} for k in JUDGED_CUTOFFS}
    for m in ir_measures.judged.evaluator(ms, qrels).iter_calc(canon):
        out[f"Judged@{m.measure['cutoff']}"][m.query_id] = float(m.value)
    return out


_GDEVAL_PRINTF = 'printf  "$runid,$topicCurrent,%.5f,%.5f\\n",$ndcg,$err;'


def err_at(qrels, canon):
    """ERR@k from ir_measures' gdeval provider (5 decimals) and the same gdeval.pl with
    only its printf widened to %.17g on the same input files (full precision)."""
    ms = [ERR @ k for k in ERR_CUTOFFS]
    rounded = {f"ERR@{k}": {} for k in ERR_CUTOFFS}
    for m in ir_measures.gdeval.evaluator(ms, qrels).iter_calc(canon):
        rounded[f"ERR@{m.measure['cutoff']}"][m.query_id] = float(m.value)

    import pkgutil
    script = pkgutil.get_data("ir_measures", "bin/gdeval.pl").decode()
    assert script.count(_GDEVAL_PRINTF) == 1, "unexpected gdeval.pl"
    script = script.replace(_GDEVAL_PRINTF, _GDEVAL_PRINTF.replace("%.5f", "%.17g"))
    full = {f"ERR@{k}": {} for k in ERR_CUTOFFS}
    with tempfile.NamedTemporaryFile("w", suffix=".pl") as pf, \
            ir_measures.util.QrelsConverter(qrels).as_tmp_file() as qf, \
            ir_measures.util.RunConverter(canon).as_tmp_file() as rf:
        pf.write(script)
        pf.flush()
        for k in ERR_CUTOFFS:
            outp = subprocess.check_output(["perl", pf.name, qf.name, rf.name, str(k)]).decode()
            for line in outp.split("\n")[1:]:
                if not line:
                    continue
                _runid, qid, _ndcg, err = line.split(",")
                full[f"ERR@{k}"][qid] = float(err)
    # queries gdeval does not report (no grade > 0) get ir_measures' default
    for name, vals in rounded.items():
        for qid, v in vals.items():
            if qid in full[name]:
                assert abs(full[name][qid] - v) <= 5e-6 + 1e-12, (name, qid, full[name][qid], v)
            else:
                full[name][qid] = v
    return full


BOGUS_DOC = "ceci_nest_pas_un_docno"  # what trec_eval 10 ranks for a query missing under -c


def evaluate(qrels, run, with_err, complete):
    """Per-query values {measure: {qid: value}} for the queries trec_eval evaluates
    (qrels and run both have them), or, complete, for every qrels query."""
    values = {}
    values.update(pytrec(qrels, run, LEVEL1, 1))
    values.update(pytrec(qrels, run, LEVEL2, 2))
    for k in RR_CUTOFFS:
        values[f"RR@{k}"] = rr_at(qrels, run, k)
    evaluated = set(values["AP"])
    assert evaluated == set(qrels) & set(run)
    canon = canonical_run(run)
    ir = judged_at(qrels, canon)
    if with_err:
        ir.update(err_at(qrels, canon))
    if complete:
        missing = sorted(set(qrels) - set(run))
        # pytrec_eval on trec_eval 10's single non-relevant bogus document: every value
        # is 0 except num_ret (1 -> 0: trec_eval -c contributes 0) and num_rel.
        bogus = {q: {BOGUS_DOC: 1.0} for q in missing}
        if missing:
            extra = {}
            extra.update(pytrec(qrels, bogus, LEVEL1, 1))
            extra.update(pytrec(qrels, bogus, LEVEL2, 2))
            for k in RR_CUTOFFS:
                extra[f"RR@{k}"] = rr_at(qrels, bogus, k)
            for name, vals in extra.items():
                for q, v in vals.items():
                    if name == "NumRet":
                        assert v == 1.0
                        v = 0.0
                    elif name not in ("NumRel", "NumRel(rel=2)"):
                        assert v == 0.0, (name, q, v)
                    values[name][q] = v
        keep = set(qrels)
    else:
        keep = evaluated
    for name, vals in ir.items():
        values[name] = {q: v for q, v in vals.items() if q in keep}
        assert set(values[name]) == keep, (name, sorted(keep - set(values[name])))
    for name in values:
        assert set(values[name]) == keep, name
    return values


# ---------------------------------------------------------------------------
# Optional cross-check with a trec_eval binary
# ---------------------------------------------------------------------------

def run_trec_eval(binary, args, qrels_path, run_path):
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for p in (qrels_path, run_path):
            if p.endswith(".gz"):
                q = os.path.join(tmp, os.path.basename(p)[:-3])
                with open(q, "wb") as f:
                    f.write(read_bytes(p))
                p = q
            paths.append(p)
        env = dict(os.environ, TE_FULLPREC="1")
        out = subprocess.run([binary] + args + paths, env=env, capture_output=True, check=True).stdout
    per_q, summary = {}, {}
    for line in out.decode().splitlines():
        name, qid, val = line.split()
        if name == "runid":
            continue
        if qid == "all":
            summary[name] = val
        else:
            per_q.setdefault(name, {})[qid] = val
    return per_q, summary


def same(printed, value):
    v = float(printed)
    if v == value:
        return True
    return bool(re.fullmatch(r"-?\d+\.\d{4}", printed)) and abs(v - value) <= 5e-5 + 1e-12


def cross_check(binary, ev, values):
    qp = os.path.join(HERE, ev["qrels"])
    rp = os.path.join(HERE, ev["run"])
    complete = ev["complete"]
    flag = ["-c"] if complete else []
    checks = [(LEVEL1, ["-q"] + flag), (LEVEL2, ["-q", "-l2"] + flag)]
    checks += [([(f"RR@{k}", "recip_rank", "recip_rank")], ["-q", f"-M{k}"] + flag) for k in RR_CUTOFFS]
    n = 0
    for spec, args in checks:
        margs = []
        for req in sorted({m[1] for m in spec}):
            margs += ["-m", req]
        per_q, summary = run_trec_eval(binary, args + margs, qp, rp)
        all_q = set(values[spec[0][0]])
        for name, _req, key in spec:
            evaluated = set(per_q[key])
            if complete:
                assert evaluated <= all_q
            else:
                assert evaluated == all_q, (ev["case"], name, evaluated ^ all_q)
            for qid, printed in per_q[key].items():
                assert same(printed, values[name][qid]), (ev["case"], name, qid, printed, values[name][qid])
                n += 1
            # summary line: -c averages over every qrels query, 0 for missing ones;
            # num_* are sums over queries
            vals = [values[name][q] for q in sorted(all_q)]
            expect = math.fsum(vals) if key in COUNT_KEYS else math.fsum(vals) / len(vals)
            if complete and key == "num_rel":
                # trec_eval -c recounts num_rel over every qrels query as rel > 0,
                # ignoring -l (te_calc_avg_num_rel); per-query values are not affected
                expect = math.fsum(values["NumRel"][q] for q in sorted(all_q))
            got = summary[key]
            tol = 5e-5 if re.fullmatch(r"-?\d+\.\d{4}", got) else 1e-12
            assert math.isclose(float(got), expect, rel_tol=1e-12, abs_tol=tol), (ev["case"], name, got, expect)
            n += 1
    return n


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def lines(rows, sep=" ", eol="\n"):
    return "".join(sep.join(str(x) for x in r) + eol for r in rows).encode()


def case_basic():
    qrels = [
        ("101", 0, "d1", 1), ("101", 0, "d2", 0), ("101", 0, "d3", 1), ("101", 0, "d5", 1),
        ("102", 0, "a", 1), ("102", 0, "b", 1), ("102", 0, "c", 0),
        ("103", 0, "x", 0), ("103", 0, "y", 1),
    ]
    run = [
        ("101", "Q0", "d1", 1, 0.9, "basic"), ("101", "Q0", "d4", 2, 0.8, "basic"),
        ("101", "Q0", "d3", 3, 0.7, "basic"), ("101", "Q0", "d2", 4, 0.6, "basic"),
        ("101", "Q0", "d6", 5, 0.5, "basic"),
        ("102", "Q0", "c", 1, 3, "basic"), ("102", "Q0", "a", 2, 2, "basic"), ("102", "Q0", "z", 3, 1, "basic"),
        ("103", "Q0", "y", 1, 10, "basic"), ("103", "Q0", "x", 2, 9, "basic"),
    ]
    return {"qrels.txt": lines(qrels), "run1.txt": lines(run)}, [("qrels.txt", "run1.txt", False)]


def case_ties():
    qrels = [
        # numeric-looking docids: byte order 99 > 9 > 20 > 2 > 1000 > 100 > 10
        ("t1", 0, "9", 1), ("t1", 0, "99", 0), ("t1", 0, "1000", 1), ("t1", 0, "10", 2),
        ("t1", 0, "100", 0), ("t1", 0, "2", 1),
        # equal only as float32
        ("t2", 0, "c", 1), ("t2", 0, "b", 0), ("t2", 0, "a", 0), ("t2", 0, "n", 1), ("t2", 0, "m", 0),
        ("t2", 0, "p", 2),
        # ties across the cutoffs 1, 5, 10; case-sensitive docids (byte order 'D' < 'd')
        ("t3", 0, "doc", 1), ("t3", 0, "Doc", 0), ("t3", 0, "DOC", 2), ("t3", 0, "e07", 1),
        ("t3", 0, "e11", 1), ("t3", 0, "e03", 0), ("t3", 0, "e12", 3),
    ]
    run = []
    for d in ["9", "99", "1000", "10", "100", "2", "20"]:
        run.append(("t1", "Q0", d, 1, "1.0", "ties"))
    t2 = [("a", "0.1000000003"), ("b", "0.1000000002"), ("c", "0.1000000001"), ("z", "0.1"),
          ("m", "16777217"), ("n", "16777216"), ("o", "0.10000001"), ("p", "0.099999994")]
    for i, (d, s) in enumerate(t2):
        run.append(("t2", "Q0", d, i + 1, s, "ties"))
    t3 = [("Doc", "5"), ("doc", "5"), ("DOC", "5")]
    t3 += [(f"e{i:02d}", "2") for i in range(1, 14)]
    t3 += [("zz", "1")]
    for i, (d, s) in enumerate(t3):
        run.append(("t3", "Q0", d, i + 1, s, "ties"))
    return {"qrels.txt": lines(qrels), "run1.txt": lines(run)}, [("qrels.txt", "run1.txt", False)]


def case_graded():
    qrels = [
        # grades 0..4 and the negative labels -1, -2
        ("201", 0, "a", 4), ("201", 0, "b", 3), ("201", 0, "c", 2), ("201", 0, "d", 1), ("201", 0, "e", 0),
        ("201", 0, "f", -1), ("201", 0, "g", -2), ("201", 0, "h", 2), ("201", 0, "i", 1),
        # no relevant document: only 0 and negative labels
        ("202", 0, "a", 0), ("202", 0, "b", -1), ("202", 0, "c", -2), ("202", 0, "d", 0),
        # relevant at level 1 only
        ("203", 0, "x1", 1), ("203", 0, "x2", 1), ("203", 0, "x3", 0), ("203", 0, "x4", -1),
        # run shorter than every cutoff
        ("204", 0, "k1", 3), ("204", 0, "k2", 1), ("204", 0, "k3", 2), ("204", 0, "k4", 4),
        # nothing retrieved is judged
        ("205", 0, "j1", 2), ("205", 0, "j2", 0),
        # negative labels retrieved above relevant ones
        ("206", 0, "n1", -1), ("206", 0, "n2", -2), ("206", 0, "n3", 4), ("206", 0, "n4", 0),
        ("206", 0, "n5", 1), ("206", 0, "n6", -1),
    ]
    run = []
    r201 = ["f", "a", "u1", "g", "c", "e", "b", "u2", "d", "u3", "h", "u4", "u5", "u6", "u7", "u8",
            "u9", "u10", "u11", "u12", "u13", "i"]
    for i, d in enumerate(r201):
        run.append(("201", "Q0", d, i + 1, round(30 - i * 1.25, 2), "graded"))
    for i, d in enumerate(["c", "a", "zz", "b"]):
        run.append(("202", "Q0", d, i + 1, 4 - i, "graded"))
    for i, d in enumerate(["x4", "x3", "y", "x2"]):
        run.append(("203", "Q0", d, i + 1, 10 - i, "graded"))
    for i, d in enumerate(["k2", "k5", "k4"]):
        run.append(("204", "Q0", d, i + 1, 0.5 - i * 0.1, "graded"))
    for i, d in enumerate(["q1", "q2", "q3", "q4", "q5", "q6"]):
        run.append(("205", "Q0", d, i + 1, 1, "graded"))
    for i, d in enumerate(["n1", "n2", "n6", "n4", "n5", "n3"]):
        run.append(("206", "Q0", d, i + 1, 6 - i, "graded"))
    return {"qrels.txt": lines(qrels), "run1.txt": lines(run)}, [("qrels.txt", "run1.txt", False)]


def case_coverage():
    qrels = [
        ("301", 0, "a", 2), ("301", 0, "b", 0), ("301", 0, "c", 4), ("301", 0, "d", 1),
        ("302", 0, "a", 1), ("302", 0, "e", 3),
        ("303", 0, "a", 0), ("303", 0, "b", -1),                      # no relevant, in run
        ("304", 0, "a", 1), ("304", 0, "b", 2), ("304", 0, "c", 0),   # only in qrels
        ("305", 0, "x", 4),                                           # only in qrels
        ("306", 0, "x", 0), ("306", 0, "y", -2),                      # only in qrels, no relevant
    ]
    run1 = [
        ("301", "Q0", "c", 1, 2.0, "cov"), ("301", "Q0", "zz", 2, 1.0, "cov"),   # 2 docs < every cutoff
        ("302", "Q0", "e", 1, 1.0, "cov"),                                        # 1 doc
        ("303", "Q0", "a", 1, 3.0, "cov"), ("303", "Q0", "b", 2, 2.0, "cov"), ("303", "Q0", "q", 3, 1.0, "cov"),
        ("307", "Q0", "a", 1, 1.0, "cov"), ("307", "Q0", "b", 2, 0.5, "cov"),   # only in run
        ("308", "Q0", "x", 1, 9.0, "cov"),                                        # only in run
    ]
    run2 = [
        ("302", "Q0", "a", 1, 0.2, "cov2"), ("302", "Q0", "e", 2, 0.1, "cov2"),
        ("305", "Q0", "x", 1, 0.3, "cov2"), ("305", "Q0", "y", 2, 0.3, "cov2"),
        ("309", "Q0", "x", 1, 0.3, "cov2"),
    ]
    files = {"qrels.txt": lines(qrels), "run1.txt": lines(run1), "run2.txt": lines(run2)}
    evals = [("qrels.txt", "run1.txt", False), ("qrels.txt", "run1.txt", True),
             ("qrels.txt", "run2.txt", False), ("qrels.txt", "run2.txt", True)]
    return files, evals


def case_format():
    # tabs, runs of spaces, CRLF, exponent notation, signs, rank column disagreeing with scores
    qrels = (
        "f1 0 d1 1\r\n"
        "f1\t0\td2\t2\r\n"
        "f1  0   d3 0\r\n"
        "f1 \t 0 \t d4 \t 1\r\n"
        "f2\t0\t1e5\t1\r\n"
        "f2 0 x-y 0\r\n"
        "f2 0 x_y 3\r\n"
        "f3 0 d1 1\n"
        "f3 0 d9 0\n"
    ).encode()
    run = (
        "f1 Q0 d1 1 1e-3 fmt\r\n"
        "f1\tQ0\td2\t2\t-2.5E+02\tfmt\r\n"
        "f1   Q0  d3   3  1.5e2  fmt\r\n"
        "f1 Q0 d4 4 -1e-3 fmt\r\n"
        "f1 Q0 d5 0 0 fmt\r\n"
        "f1 Q0 d6 0 -0.0 fmt\r\n"
        "f2 Q0 1e5 10 -3.5 fmt\n"
        "f2 Q0 x-y 9 -3.25 fmt\n"
        "f2 Q0 x_y 1 -7 fmt\n"
        "f2 Q0 zz 1 +2 fmt\n"
        "f3\tQ0\td1\t3\t.5\tfmt\r\n"
        "f3\tQ0\td9\t2\t5.\tfmt\r\n"
        "f3\tQ0\td8\t1\t5E-1\tfmt\r\n"
    ).encode()
    files = {"qrels.txt": qrels, "run1.txt": run}
    return files, [("qrels.txt", "run1.txt", False)]


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def case_gzip():
    rng = random.Random(7)
    qrels, run = [], []
    for q in range(1, 9):
        pool = [f"g{q}d{i}" for i in range(25)]
        for d in rng.sample(pool, 12):
            qrels.append((str(900 + q), 0, d, rng.choice([0, 0, 0, 1, 2, 3, 4, -1])))
        for i, d in enumerate(rng.sample(pool, rng.randint(1, 20))):
            run.append((str(900 + q), "Q0", d, i + 1, round(rng.uniform(-1, 1), 2), "gzrun"))
    rng.shuffle(qrels)
    q, r = lines(qrels, sep="\t", eol="\r\n"), lines(run)
    files = {"qrels.txt": q, "run1.txt": r, "qrels.txt.gz": gz(q), "run1.txt.gz": gz(r)}
    evals = [("qrels.txt", "run1.txt", False), ("qrels.txt.gz", "run1.txt.gz", False),
             ("qrels.txt.gz", "run1.txt", False)]
    return files, evals


def random_case(seed, n_q, grades, weights, qid_fmt, doc_fmt, score_fn, n_runs=2, extra_run_q=3,
                missing_q=4, force_max=None):
    rng = random.Random(seed)
    qids = [qid_fmt(i) for i in range(1, n_q + 1)]
    qrels = []
    for qi, q in enumerate(qids):
        pool = [doc_fmt(rng, qi, i) for i in range(200)]
        pool = list(dict.fromkeys(pool))
        judged = rng.sample(pool, rng.randint(3, 40))
        for d in judged:
            qrels.append((q, 0, d, rng.choices(grades, weights)[0]))
    if force_max is not None:
        # make sure the maximum grade occurs
        qrels[0] = qrels[0][:3] + (force_max,)
    runs = []
    for r in range(n_runs):
        run = []
        run_q = qids[missing_q:] if r == 0 else qids[: n_q - missing_q]
        run_q = run_q + [qid_fmt(n_q + 100 + i) for i in range(extra_run_q)]
        for q in run_q:
            qi = qids.index(q) if q in qids else 0
            judged = [row[2] for row in qrels if row[0] == q]
            pool = list(dict.fromkeys(judged + [doc_fmt(rng, qi, i) for i in range(200, 400)]))
            n = rng.choice([1, 2, 4, 7, 9, 15, 30, 60, 120, 150])
            docs = rng.sample(pool, min(n, len(pool)))
            for i, d in enumerate(docs):
                run.append((q, "Q0", d, i + 1, score_fn(rng, i), f"run{r + 1}"))
        rng.shuffle(run)  # input order is irrelevant to trec_eval
        runs.append(run)
    rng.shuffle(qrels)
    files = {"qrels.txt": lines(qrels)}
    evals = []
    for r, run in enumerate(runs):
        files[f"run{r + 1}.txt"] = lines(run)
        evals.append(("qrels.txt", f"run{r + 1}.txt", False))
    evals.append(("qrels.txt", "run1.txt", True))
    return files, evals


def case_random_graded4():
    return random_case(
        seed=4, n_q=60, grades=[-1, 0, 1, 2, 3, 4], weights=[3, 50, 20, 12, 8, 4],
        qid_fmt=lambda i: str(400 + i),
        doc_fmt=lambda rng, qi, i: f"D{qi}-{i}" if i % 3 else str(i * 7 % 1000),
        score_fn=lambda rng, i: round(rng.gauss(10, 3), 1),
        force_max=4)


def case_random_binary():
    return random_case(
        seed=2, n_q=40, grades=[0, 1], weights=[70, 30],
        qid_fmt=lambda i: f"q{i:03d}",
        doc_fmt=lambda rng, qi, i: str(rng.randint(1, 5000)),
        score_fn=lambda rng, i: rng.randint(0, 12),
        n_runs=2)


def case_random_graded3():
    # scores that collide only once rounded to float32
    def score(rng, i):
        base = rng.choice([0.3, 0.7, 1.1, 12.5, -0.2])
        return repr(base + rng.choice([0, 1e-9, 2e-9, -1e-9, 3e-8, 1e-6]))
    return random_case(
        seed=3, n_q=30, grades=[-2, -1, 0, 1, 2, 3], weights=[2, 4, 50, 20, 10, 6],
        qid_fmt=lambda i: f"topic_{i}",
        doc_fmt=lambda rng, qi, i: f"doc{rng.randint(0, 300)}",
        score_fn=score, force_max=3)


CASES = [
    ("basic", case_basic, "hand-written: binary relevance, 3 queries, no ties"),
    ("ties", case_ties, "exact score ties, ties only as float32 (0.1000000001/0.1000000002, 16777216/16777217), "
                        "numeric docids in byte order (9, 99, 1000, 10), case-sensitive docids, ties across cutoffs"),
    ("graded", case_graded, "grades 0..4 and -1/-2, unjudged docs, a query with no relevant doc, "
                            "run shorter than cutoffs, nothing judged retrieved"),
    ("coverage", case_coverage, "queries only in qrels, only in run, with no relevant docs; short runs; "
                                "two runs; complete (-c) evaluations"),
    ("format", case_format, "tabs, runs of spaces, CRLF, exponent scores (1e-3, -2.5E+02, 5E-1, .5, 5., +2, -0.0), "
                            "negative scores, rank column disagreeing with scores"),
    ("gzip", case_gzip, "gzip-compressed qrels and run (tab/CRLF qrels inside), same values as the plain files"),
    ("random_graded4", case_random_graded4, "seeded random, 60 queries, grades -1..4 (max exactly 4), two runs, "
                                            "shuffled lines, queries missing on either side"),
    ("random_binary", case_random_binary, "seeded random, 40 queries, binary relevance, integer scores (many ties), "
                                          "numeric docids"),
    ("random_graded3", case_random_graded3, "seeded random, 30 queries, grades -2..3, scores equal only as float32"),
]

# duplicate (qid, docid) inputs: trec_eval 9.0.8 rejects them (see README); no expected values
ERROR_CASES = {
    "dup_run": {
        "qrels.txt": b"1 0 a 1\n1 0 b 0\n",
        "run1.txt": b"1 Q0 a 1 0.5 dup\n1 Q0 b 2 0.4 dup\n1 Q0 a 3 0.3 dup\n",
    },
    "dup_qrels": {
        "qrels.txt": b"1 0 a 1\n1 0 b 0\n1 0 a 0\n",
        "run1.txt": b"1 Q0 a 1 0.5 dup\n1 Q0 b 2 0.4 dup\n",
    },
}


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def generator_string():
    v = importlib.metadata.version
    return (f"pytrec-eval-terrier {v('pytrec-eval-terrier')} (trec_eval 9.0.8); "
            f"ir-measures {v('ir-measures')} (judged, gdeval.pl 1.2a); numpy {v('numpy')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trec-eval", help="trec_eval binary to cross-check against (optional)")
    args = ap.parse_args()

    evaluations = []
    for name, fn, _desc in CASES:
        files, evals = fn()
        for fname, data in files.items():
            write(os.path.join(HERE, "cases", name, fname), data)
        for qf, rf, complete in evals:
            qrels = parse_qrels(read_bytes(os.path.join(HERE, "cases", name, qf)))
            run = parse_run(read_bytes(os.path.join(HERE, "cases", name, rf)))
            max_grade = max(r for docs in qrels.values() for r in docs.values())
            with_err = max_grade == 4
            values = evaluate(qrels, run, with_err, complete)
            ordered = {}
            for m in measure_order(with_err):
                ordered[m] = {q: values[m][q] for q in sorted(values[m])}
            evaluations.append({
                "case": name, "qrels": f"cases/{name}/{qf}", "run": f"cases/{name}/{rf}",
                "complete": complete, "values": ordered,
            })
    for name, files in ERROR_CASES.items():
        for fname, data in files.items():
            write(os.path.join(HERE, "cases", name, fname), data)

    doc = {"generator": generator_string(), "evaluations": evaluations}
    text = json.dumps(doc, indent=1) + "\n"
    # one query per line is plenty readable and keeps the file small
    text = re.sub(r'\n\s+("[^"\n]*": [-0-9.e+]+,?)', r" \1", text)
    text = re.sub(r'([0-9])\n\s+\}', r"\1 }", text)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        f.write(text)
    assert json.loads(text) == doc

    n_values = sum(len(v) for e in evaluations for v in e["values"].values())
    print(f"{len(evaluations)} evaluations, {n_values} per-query values -> expected.json")

    if args.trec_eval:
        n = sum(cross_check(args.trec_eval, ev, ev["values"]) for ev in evaluations)
        print(f"trec_eval cross-check: {n} values agree")


if __name__ == "__main__":
    main()
