#!/usr/bin/env python3
"""Generate the goldens for `rigor eval text` with several --hyp (paired comparisons).

For each evaluation (a reference set and three systems, the first the baseline) writes
into compare.json, computed by the reference implementations:

  * corpus BLEU, chrF, chrF++, TER of every system (sacrebleu 2.6.0 defaults);
  * sacrebleu's paired bootstrap resampling test (`PairedTest(test_type='bs')`, the
    CLI's --paired-bs: 1000 resamples, SACREBLEU_SEED 12345): every candidate's
    p-value and bootstrap "mean ± 95% CI", and the baseline's;
  * sacrebleu's approximate randomization test (`PairedTest(test_type='ar')`, the
    CLI's --paired-ar: 10000 trials): every candidate's p-value;
  * sentence-level items of ROUGE-1/2/L/Lsum (rouge-score 0.1.2, use_stemmer=True,
    max F over references) and ExactMatch/TokenF1 (official SQuAD v1.1 functions, 0-100),
    and per candidate and measure: the means, the mean difference, Cohen's d_z
    (np.std ddof=1), scipy.stats.ttest_rel(candidate, baseline) and
    scipy.stats.wilcoxon(candidate, baseline) p-values (scipy defaults).

The bootstrap and AR p-values are Monte-Carlo estimates (numpy's RNG, not rigor's): the
test compares them within 3 standard errors; everything else is deterministic.

The systems are existing golden segment files (cases/*/), so no input is written.
Usage (from the repository root; a few minutes, mostly sacrebleu's pure-Python TER):

    $(tools/venv.sh goldens-text-compare tools/goldens/text/requirements-compare.txt) tools/goldens/text/compare.py
"""
import importlib.metadata
import json
import os
import re
import string
import sys
from collections import Counter

import numpy as np
import scipy.stats
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.significance import PairedTest

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Official SQuAD v1.1 evaluation functions (evaluate-v1.1.py), verbatim.
# ---------------------------------------------------------------------------


def normalize_answer(s):
    """Lower text and remove punctuation, articles and extra whitespace."""
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def exact_match_score(prediction, ground_truth):
    return (normalize_answer(prediction) == normalize_answer(ground_truth))


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    scores_for_ground_truths = []
    for ground_truth in ground_truths:
        score = metric_fn(prediction, ground_truth)
        scores_for_ground_truths.append(score)
    return max(scores_for_ground_truths)


# ---------------------------------------------------------------------------


def read_lines(path):
    """As the sacrebleu CLI: UTF-8, split on \\n only, rstrip() every line."""
    with open(os.path.join(HERE, path), encoding="utf-8", newline="\n") as f:
        return [line.rstrip() for line in f]


ROUGE = {"ROUGE-1": "rouge1", "ROUGE-2": "rouge2", "ROUGE-L": "rougeL", "ROUGE-Lsum": "rougeLsum"}
SENTENCE = list(ROUGE) + ["ExactMatch", "TokenF1"]
# rigor name -> sacrebleu metric factory
CORPUS = {
    "BLEU": lambda: BLEU(),
    "chrF": lambda: CHRF(),
    "chrF++": lambda: CHRF(word_order=2),
    "TER": lambda: TER(),
}

# (name, hypothesis files — baseline first, reference files)
EVALUATIONS = [
    ("random", ["cases/random/hyp.txt", "cases/random/ref3.txt", "cases/random/ref4.txt"],
     ["cases/random/ref1.txt", "cases/random/ref2.txt"]),
    ("edge", ["cases/edge/hyp.txt", "cases/edge/ref2.txt", "cases/edge/ref3.txt"],
     ["cases/edge/ref1.txt"]),
]


def items(hyps, refs):
    seg_refs = list(zip(*refs))
    scorer = rouge_scorer.RougeScorer(list(ROUGE.values()), use_stemmer=True)
    out = {m: [] for m in SENTENCE}
    for h, rs in zip(hyps, seg_refs):
        s = scorer.score_multi([r.replace("\\n", "\n") for r in rs], h.replace("\\n", "\n"))
        for m, key in ROUGE.items():
            out[m].append(float(s[key].fmeasure))
        out["ExactMatch"].append(100.0 * metric_max_over_ground_truths(exact_match_score, h, list(rs)))
        out["TokenF1"].append(100.0 * metric_max_over_ground_truths(f1_score, h, list(rs)))
    return out


def nan_to_none(x):
    x = float(x)
    return None if np.isnan(x) else x


def paired(test_type, named, refs):
    os.environ["SACREBLEU_SEED"] = "12345"
    metrics = {name: make() for name, make in CORPUS.items()}
    _, scores = PairedTest(named, metrics, refs, test_type=test_type, n_samples=0)()
    # sacrebleu keys results by its score names (BLEU, chrF2, chrF2++, TER), in order.
    keys = [k for k in scores if k != "System"]
    assert len(keys) == len(CORPUS), keys
    return {name: scores[key] for name, key in zip(CORPUS, keys)}


def evaluate(name, hyp_paths, ref_paths):
    hyps = [read_lines(p) for p in hyp_paths]
    refs = [read_lines(p) for p in ref_paths]
    n = len(hyps[0])
    assert all(len(x) == n for x in hyps + refs)
    systems = [os.path.splitext(os.path.basename(p))[0] for p in hyp_paths]
    named = list(zip(systems, hyps))
    print(f"{name}: paired bootstrap", file=sys.stderr)
    bs = paired("bs", named, refs)
    print(f"{name}: approximate randomization", file=sys.stderr)
    ar = paired("ar", named, refs)
    corpus = {m: [float(r.score) for r in bs[m]] for m in CORPUS}
    for m in CORPUS:
        assert [r.score for r in ar[m]] == corpus[m]
    per_item = [items(h, refs) for h in hyps]
    comparisons = []
    for j in range(1, len(hyps)):
        for m in CORPUS:
            b, c = bs[m][0], bs[m][j]
            comparisons.append({
                "candidate": systems[j], "measure": m,
                "baseline_score": float(b.score), "candidate_score": float(c.score),
                "delta": float(c.score) - float(b.score),
                # sacrebleu rescores float32 statistics: numpy scalars -> float.
                "paired_bs": {"p_value": float(c.p_value), "resamples": 1000,
                              "baseline_mean": float(b.mean), "baseline_ci": float(b.ci),
                              "candidate_mean": float(c.mean), "candidate_ci": float(c.ci)},
                "paired_ar": {"p_value": float(ar[m][j].p_value), "trials": 10000},
            })
        for m in SENTENCE:
            base = np.array(per_item[0][m])
            cand = np.array(per_item[j][m])
            d = cand - base
            all_zero = bool(np.all(d == 0))
            t = scipy.stats.ttest_rel(cand, base)
            w = None if all_zero else scipy.stats.wilcoxon(cand, base).pvalue
            sd = np.std(d, ddof=1)
            comparisons.append({
                "candidate": systems[j], "measure": m,
                "baseline_mean": float(np.mean(base)), "candidate_mean": float(np.mean(cand)),
                "delta": float(np.mean(d)),
                "effect_size": None if sd == 0 else float(np.mean(d) / sd),
                "paired_t": nan_to_none(t.pvalue),
                "wilcoxon": None if w is None else nan_to_none(w),
            })
    return {
        "name": name, "hyps": hyp_paths, "refs": ref_paths, "systems": systems,
        "segments": n, "corpus": corpus, "per_item": per_item, "comparisons": comparisons,
    }


def main():
    generator = {p: importlib.metadata.version(p) for p in
                 ["sacrebleu", "rouge-score", "nltk", "numpy", "scipy"]}
    generator["sacrebleu_seed"] = 12345
    evaluations = [evaluate(*e) for e in EVALUATIONS]
    with open(os.path.join(HERE, "compare.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": generator, "evaluations": evaluations}, f,
                  ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(evaluations)} evaluations, "
          f"{sum(len(e['comparisons']) for e in evaluations)} comparisons", file=sys.stderr)


if __name__ == "__main__":
    main()
