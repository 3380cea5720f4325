#!/usr/bin/env python3
"""Generate the classification golden files for `rigor eval classify`.

Writes each case's data file under cases/<case>/ and, in expected.json, the values
that scikit-learn and Fairlearn compute on the same rows, shaped like rigor's JSON
(`rigor eval classify ... --no-ci --format json`):

  * accuracy_score, balanced_accuracy_score, precision_recall_fscore_support
    (per class and --average), matthews_corrcoef, cohen_kappa_score, confusion_matrix
  * roc_auc_score (binary; multiclass multi_class="ovr", labels=<score classes>),
    average_precision_score (binary; multiclass: macro over the classes present in
    the labels, i.e. scikit-learn's multiclass definition on those classes' columns),
    log_loss, brier_score_loss
  * Fairlearn: selection_rate / true_positive_rate / false_positive_rate per group
    (MetricFrame), MetricFrame.difference() / .ratio(), demographic_parity_difference,
    demographic_parity_ratio, equalized_odds_difference, equalized_odds_ratio
  * ECE has no scikit-learn reference: it is computed with numpy from CONTRACT.md's
    definition and cross-checked against sklearn.calibration.calibration_curve
    wherever no confidence lies exactly on an interior bin edge.

NaN (undefined) becomes null. Deterministic: fixed seeds, sorted keys; re-running
reproduces byte-identical files. Usage (from the repository root):

    $(tools/venv.sh goldens-classify tools/goldens/classify/requirements.txt) tools/goldens/classify/generate.py
"""
import importlib.metadata
import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    log_loss,
    matthews_corrcoef,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.utils.multiclass import unique_labels

HERE = os.path.dirname(os.path.abspath(__file__))
warnings.filterwarnings("ignore")


def num(x):
    """A float for JSON; NaN (scikit-learn's undefined) is null."""
    x = float(x)
    return None if math.isnan(x) else x


def key(v):
    """A class / group / slice value as rigor prints it (text)."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


# ---------------------------------------------------------------------------
# ECE: CONTRACT.md's definition
# ---------------------------------------------------------------------------


def ece(conf, outcome, bins):
    conf = np.asarray(conf, dtype=np.float64)
    outcome = np.asarray(outcome, dtype=np.float64)
    b = np.minimum(np.floor(conf * bins).astype(np.int64), bins - 1)
    total = 0.0
    n = len(conf)
    for k in np.unique(b):
        m = b == k
        total += m.sum() / n * abs(outcome[m].mean() - conf[m].mean())
    # Cross-check with scikit-learn's uniform calibration curve where the bin
    # assignment is the same (calibration_curve puts a value on an interior edge in
    # the lower bin; CONTRACT.md's floor puts it in the upper one).
    scaled = conf * bins
    on_edge = (scaled == np.floor(scaled)) & (scaled > 0) & (scaled < bins)
    if not on_edge.any() and len(np.unique(outcome)) == 2:
        prob_true, prob_pred = calibration_curve(outcome, conf, n_bins=bins, strategy="uniform")
        counts = np.array([(b == k).sum() for k in np.unique(b)])
        reference = float(np.sum(counts / n * np.abs(prob_true - prob_pred)))
        assert abs(reference - total) < 1e-12, (reference, total)
    return total


# ---------------------------------------------------------------------------
# One evaluation, as rigor's JSON report
# ---------------------------------------------------------------------------


def report(df, spec):
    y = df[spec["label"]].to_numpy()
    p = df[spec["pred"]].to_numpy()
    classes = unique_labels(y, p)
    out = {"n": len(df)}
    m = {}
    m["accuracy"] = accuracy_score(y, p)
    m["balanced_accuracy"] = balanced_accuracy_score(y, p)
    prec, rec, f1, _ = precision_recall_fscore_support(y, p, average=spec["average"])
    m["precision"], m["recall"], m["f1"] = prec, rec, f1
    m["mcc"] = matthews_corrcoef(y, p)
    m["cohen_kappa"] = cohen_kappa_score(y, p)
    positive = spec.get("positive")
    scores = spec.get("scores")
    bins = spec.get("bins", 15)
    if scores is not None and "binary" in scores:
        s = df[scores["binary"]].to_numpy(dtype=np.float64)
        yb = (y == positive).astype(int)
        m["roc_auc"] = roc_auc_score(yb, s)
        m["average_precision"] = average_precision_score(yb, s)
        m["log_loss"] = log_loss(yb, s, labels=[0, 1])
        m["brier"] = brier_score_loss(yb, s, pos_label=1)
        m["ece"] = ece(s, yb, bins)
    elif scores is not None:
        score_classes = np.array(scores["classes"], dtype=y.dtype)
        P = np.column_stack([df[c].to_numpy(dtype=np.float64) for c in scores["columns"]])
        m["roc_auc"] = roc_auc_score(y, P, multi_class="ovr", labels=score_classes)
        present = [j for j, c in enumerate(score_classes) if (y == c).any()]
        Y = (y[:, None] == score_classes[present][None, :]).astype(int)
        m["average_precision"] = average_precision_score(Y, P[:, present], average="macro")
        m["log_loss"] = log_loss(y, P, labels=score_classes)
        m["brier"] = brier_score_loss(y, P, labels=score_classes)
        best = P.argmax(axis=1)
        m["ece"] = ece(P.max(axis=1), score_classes[best] == y, bins)
    if spec.get("sensitive"):
        yb = (y == positive).astype(int)
        pb = (p == positive).astype(int)
        sf = df[spec["sensitive"]] if len(spec["sensitive"]) > 1 else df[spec["sensitive"][0]]
        m["demographic_parity_difference"] = demographic_parity_difference(
            yb, pb, sensitive_features=sf
        )
        m["demographic_parity_ratio"] = demographic_parity_ratio(yb, pb, sensitive_features=sf)
        m["equalized_odds_difference"] = equalized_odds_difference(yb, pb, sensitive_features=sf)
        m["equalized_odds_ratio"] = equalized_odds_ratio(yb, pb, sensitive_features=sf)
        mf = MetricFrame(
            metrics={
                "n": count,
                "selection_rate": lambda a, b: selection_rate(a, b, pos_label=1),
                "tpr": lambda a, b: true_positive_rate(a, b, pos_label=1),
                "fpr": lambda a, b: false_positive_rate(a, b, pos_label=1),
            },
            y_true=yb,
            y_pred=pb,
            sensitive_features=sf,
        )
        groups = {}
        for g, row in mf.by_group.iterrows():
            name = "|".join(key(v) for v in g) if isinstance(g, tuple) else key(g)
            groups[name] = {
                "n": int(row["n"]),
                "selection_rate": num(row["selection_rate"]),
                "tpr": num(row["tpr"]),
                "fpr": num(row["fpr"]),
            }
        diff, ratio = mf.difference(), mf.ratio()
        out["fairness"] = {
            "groups": groups,
            "between_groups": {
                k: {"difference": num(diff[k]), "ratio": num(ratio[k])}
                for k in ["selection_rate", "tpr", "fpr"]
            },
        }
    out["metrics"] = {k: {"value": num(v)} for k, v in m.items()}
    P_, R_, F_, S_ = precision_recall_fscore_support(y, p, labels=classes, average=None)
    out["per_class"] = {
        key(c): {"precision": num(a), "recall": num(b), "f1": num(f), "support": int(s)}
        for c, a, b, f, s in zip(classes, P_, R_, F_, S_)
    }
    out["confusion_matrix"] = {
        "labels": [key(c) for c in classes],
        "matrix": confusion_matrix(y, p, labels=classes).tolist(),
    }
    return out


def evaluate(df, spec):
    out = report(df, spec)
    if spec.get("by"):
        out["slices"] = {}
        for values, part in df.groupby(spec["by"], sort=True):
            values = values if isinstance(values, tuple) else (values,)
            name = "|".join(key(v) for v in values)
            out["slices"][name] = report(part.reset_index(drop=True), spec)
    return out


def args_of(spec, path):
    args = ["--data", path, "--label", spec["label"], "--pred", spec["pred"]]
    scores = spec.get("scores")
    if scores is not None and "binary" in scores:
        args += ["--score", scores["binary"]]
    elif scores is not None:
        for c, col in zip(scores["classes"], scores["columns"]):
            args += ["--score", f"{key(c)}={col}"]
    if spec.get("positive") is not None:
        args += ["--positive", key(spec["positive"])]
    args += ["--average", spec["average"], "--bins", str(spec.get("bins", 15))]
    for b in spec.get("by", []):
        args += ["--by", b]
    for s in spec.get("sensitive", []):
        args += ["--sensitive", s]
    return args


# ---------------------------------------------------------------------------
# Writers: exact doubles in every format
# ---------------------------------------------------------------------------


def write(df, case, fmt):
    d = os.path.join(HERE, "cases", case)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "data." + fmt)
    if fmt == "csv":
        df.to_csv(path, index=False, lineterminator="\n")
        back = pd.read_csv(path, float_precision="round_trip", keep_default_na=False)
        for c in df.columns:
            if df[c].dtype.kind == "f":
                assert np.array_equal(back[c].to_numpy(), df[c].to_numpy()), c
    elif fmt == "jsonl":
        with open(path, "w") as f:
            for row in df.to_dict(orient="records"):
                f.write(json.dumps({k: to_json(v) for k, v in row.items()}) + "\n")
    elif fmt == "parquet":
        table = pa.Table.from_pandas(df, preserve_index=False)
        pq.write_table(table, path, row_group_size=max(1, len(df) // 3))
    return os.path.relpath(path, HERE)


def to_json(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def binary_frame(rng, n, with_groups=False):
    y = (rng.random(n) < 0.4).astype(int)
    z = rng.normal(1.2 * (2 * y - 1), 1.0)
    s = np.round(1 / (1 + np.exp(-z)), 2)  # 2 decimals: many tied scores
    s[:6] = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0]  # exactly 0 and 1, right and wrong
    y[:6] = [0, 1, 1, 0, 1, 0]
    pred = (s >= 0.5).astype(int)
    flip = rng.random(n) < 0.05
    pred[flip] = 1 - pred[flip]
    df = pd.DataFrame({"label": y, "pred": pred, "score": s})
    if with_groups:
        df["sex"] = rng.choice(["f", "m"], size=n, p=[0.45, 0.55])
        df["age"] = rng.choice(["<30", "30-60", ">60"], size=n)
        df["region"] = rng.choice(["eu", "us", "apac"], size=n)
    return df


def multiclass_frame(rng, n, classes, absent=None, never_predicted=None, label_type=str):
    k = len(classes)
    y_idx = rng.integers(0, k, size=n)
    if absent is not None:
        y_idx[y_idx == absent] = (absent + 1) % k
    alpha = np.ones((n, k))
    alpha[np.arange(n), y_idx] += 3.0
    D = np.vstack([rng.dirichlet(a) for a in alpha])
    # Whole thousandths summing to 1000 per row: ties within and across rows, and
    # rows that sum to 1 (to rounding) as scikit-learn's multiclass roc_auc requires.
    T = np.floor(D * 1000).astype(np.int64)
    T[np.arange(n), D.argmax(axis=1)] += 1000 - T.sum(axis=1)
    T[0] = 0
    T[0, y_idx[0]] = 1000  # a certain, correct row
    T[1] = 0
    T[1, (y_idx[1] + 1) % k] = 1000  # a certain, wrong row
    T[2] = 0
    T[2, [0, 1, 2]] = [400, 400, 200]  # a tie for the most probable class
    P = T / 1000.0
    pred_idx = P.argmax(axis=1)
    noise = rng.random(n) < 0.1
    pred_idx[noise] = rng.integers(0, k, size=noise.sum())
    if never_predicted is not None:
        pred_idx[pred_idx == never_predicted] = (never_predicted + 1) % k
    cls = np.array(classes, dtype=object if label_type is str else np.int64)
    df = pd.DataFrame({"y": cls[y_idx], "yhat": cls[pred_idx]})
    cols = []
    for j, c in enumerate(classes):
        col = f"p_{c}"
        df[col] = P[:, j]
        cols.append(col)
    return df, cols


def main():
    rng = np.random.default_rng(20261127)
    cases = []

    def add(case, df, fmt, specs):
        path = write(df, case, fmt)
        for spec in specs:
            spec = dict(spec)
            cases.append(
                {
                    "case": case,
                    "args": args_of(spec, path),
                    "expected": evaluate(df, spec),
                }
            )

    # Binary: tied scores, exactly 0 and 1, every average, two bin counts.
    df = binary_frame(rng, 600)
    df["score0"] = np.round(1.0 - df["score"], 2)
    base = {"label": "label", "pred": "pred", "positive": 1, "scores": {"binary": "score"}}
    add(
        "binary",
        df,
        "csv",
        [
            {**base, "average": "macro"},
            {**base, "average": "micro", "bins": 10},
            {**base, "average": "weighted", "bins": 7},
            # The other class as positive, with its own probability column.
            {**base, "average": "macro", "positive": 0, "scores": {"binary": "score0"}},
        ],
    )

    # Binary with string labels, slices and sensitive groups (single and intersectional).
    df = binary_frame(rng, 900, with_groups=True)
    df["label"] = np.where(df["label"] == 1, "spam", "ham")
    df["pred"] = np.where(df["pred"] == 1, "spam", "ham")
    spec = {
        "label": "label",
        "pred": "pred",
        "positive": "spam",
        "scores": {"binary": "score"},
        "average": "macro",
    }
    add(
        "fairness",
        df,
        "jsonl",
        [
            {**spec, "sensitive": ["sex"], "by": ["region"]},
            {**spec, "sensitive": ["sex", "age"]},
            {**spec, "sensitive": ["age"], "by": ["region", "sex"], "average": "weighted"},
        ],
    )

    # Fairness edge cases: a group without positive labels (TPR 0/0 -> 0), a group
    # without negatives, no false positive anywhere (FPR ratio 0/0, which Fairlearn's
    # min() passes over), and no true positive anywhere (TPR ratio 0/0 wins).
    rows = []
    rows += [("a", 1, 1)] * 5 + [("a", 0, 0)] * 7 + [("a", 1, 0)] * 2
    rows += [("b", 0, 0)] * 6 + [("b", 0, 1)] * 0
    rows += [("c", 1, 1)] * 3 + [("c", 1, 0)] * 1
    df = pd.DataFrame(rows, columns=["group", "label", "pred"])
    df["split"] = np.where(np.arange(len(df)) % 2 == 0, "even", "odd")
    add(
        "fairness_edges",
        df,
        "csv",
        [
            {"label": "label", "pred": "pred", "positive": 1, "average": "macro",
             "sensitive": ["group"], "by": ["split"]},
        ],
    )
    rows = [("a", 1, 0)] * 3 + [("a", 0, 1)] * 2 + [("a", 0, 0)] * 3
    rows += [("b", 1, 0)] * 2 + [("b", 0, 0)] * 4 + [("b", 0, 1)] * 1
    df = pd.DataFrame(rows, columns=["group", "label", "pred"])
    add(
        "fairness_no_true_positive",
        df,
        "csv",
        [{"label": "label", "pred": "pred", "positive": 1, "average": "macro",
          "sensitive": ["group"]}],
    )

    # No false positive in any group: the FPR ratio is 0/0 and Fairlearn's min()
    # returns the TPR ratio; and nothing selected at all: every ratio is 0/0.
    rows = [("a", 1, 1)] * 3 + [("a", 1, 0)] * 1 + [("a", 0, 0)] * 4
    rows += [("b", 1, 1)] * 1 + [("b", 1, 0)] * 1 + [("b", 0, 0)] * 5
    df = pd.DataFrame(rows, columns=["group", "label", "pred"])
    add(
        "fairness_no_false_positive",
        df,
        "csv",
        [{"label": "label", "pred": "pred", "positive": 1, "average": "macro",
          "sensitive": ["group"]}],
    )
    rows = [("a", 1, 0)] * 2 + [("a", 0, 0)] * 3 + [("b", 1, 0)] * 1 + [("b", 0, 0)] * 2
    df = pd.DataFrame(rows, columns=["group", "label", "pred"])
    add(
        "fairness_nothing_selected",
        df,
        "csv",
        [{"label": "label", "pred": "pred", "positive": 1, "average": "macro",
          "sensitive": ["group"]}],
    )

    # Five classes, string labels, one probability column per class (Parquet).
    classes = ["ant", "bee", "cat", "dog", "eel"]
    df, cols = multiclass_frame(rng, 1500, classes)
    df["site"] = rng.choice(["north", "south"], size=len(df))
    df["site"] = df["site"].astype("category")  # dictionary-encoded in Parquet
    mspec = {
        "label": "y",
        "pred": "yhat",
        "scores": {"classes": classes, "columns": cols},
    }
    add(
        "multiclass5",
        df,
        "parquet",
        [
            {**mspec, "average": "macro", "by": ["site"]},
            {**mspec, "average": "micro", "bins": 20},
            {**mspec, "average": "weighted"},
        ],
    )

    # A class never predicted, and (separately) a class absent from the labels:
    # roc_auc is then undefined (null), average_precision averages the classes present.
    df, cols = multiclass_frame(rng, 700, classes, never_predicted=2)
    add("never_predicted", df, "csv", [{**mspec, "scores": {"classes": classes, "columns": cols},
                                        "average": "macro"}])
    df, cols = multiclass_frame(rng, 700, classes, absent=3)
    add("absent_from_labels", df, "csv", [{**mspec, "scores": {"classes": classes, "columns": cols},
                                           "average": "macro"},
                                          {"label": "y", "pred": "yhat", "average": "weighted"}])

    # Integer labels 1..12: sorted numerically (2 < 10) as scikit-learn does.
    labels12 = list(range(1, 13))
    df, cols = multiclass_frame(rng, 1200, labels12, label_type=int)
    add("integer_labels", df, "jsonl", [
        {"label": "y", "pred": "yhat", "scores": {"classes": labels12, "columns": cols},
         "average": "macro"},
        {"label": "y", "pred": "yhat", "average": "micro"},
    ])

    # One class in the labels: roc_auc undefined, mcc 0 by convention, kappa NaN when
    # the predictions also hold only that class.
    n = 50
    s = np.round(rng.random(n), 2)
    df = pd.DataFrame({"label": [1] * n, "pred": (s > 0.3).astype(int), "score": s})
    add("one_class", df, "csv", [{"label": "label", "pred": "pred", "positive": 1,
                                  "scores": {"binary": "score"}, "average": "macro"}])
    # No positive label: roc_auc undefined, average_precision 0.0 (scikit-learn).
    s = np.round(rng.random(n), 2)
    df = pd.DataFrame({"label": [0] * n, "pred": (s > 0.7).astype(int), "score": s})
    add("no_positive_labels", df, "csv", [{"label": "label", "pred": "pred", "positive": 1,
                                           "scores": {"binary": "score"}, "average": "macro"}])
    df = pd.DataFrame({"label": ["yes"] * 6, "pred": ["yes"] * 6})
    add("one_class_everywhere", df, "csv", [{"label": "label", "pred": "pred", "average": "macro"}])

    # Heavy ties: five distinct scores.
    n = 400
    y = (rng.random(n) < 0.5).astype(int)
    s = np.clip(np.round((y * 0.3 + rng.random(n) * 0.7) * 4) / 4, 0, 1)
    df = pd.DataFrame({"label": y, "pred": (s >= 0.5).astype(int), "score": s})
    add("ties", df, "parquet", [{"label": "label", "pred": "pred", "positive": 1,
                                 "scores": {"binary": "score"}, "average": "macro", "bins": 4}])

    # Two per-class columns: a binary problem read from the positive class's column.
    df = binary_frame(rng, 300)
    df["p_neg"] = np.round(1.0 - df["score"], 2)
    df = df.rename(columns={"score": "p_pos"})
    df["label"] = np.where(df["label"] == 1, "pos", "neg")
    df["pred"] = np.where(df["pred"] == 1, "pos", "neg")
    add("two_columns", df, "csv", [{"label": "label", "pred": "pred", "positive": "pos",
                                    "scores": {"binary": "p_pos"}, "average": "macro"}])
    # (rigor is given --score pos=p_pos --score neg=p_neg; see below.)
    cases[-1]["args"] = [a for a in cases[-1]["args"]]
    i = cases[-1]["args"].index("--score")
    cases[-1]["args"][i : i + 2] = ["--score", "pos=p_pos", "--score", "neg=p_neg"]

    generator = {
        p: importlib.metadata.version(p)
        for p in ["scikit-learn", "fairlearn", "numpy", "pandas", "pyarrow"]
    }
    out = {"generator": generator, "evaluations": cases}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    leaves = sum(count_leaves(c["expected"]) for c in cases)
    print(f"{len(cases)} evaluations, {leaves} expected values")


def count_leaves(v):
    if isinstance(v, dict):
        return sum(count_leaves(x) for x in v.values())
    if isinstance(v, list):
        return sum(count_leaves(x) for x in v)
    return 1


if __name__ == "__main__":
    main()
