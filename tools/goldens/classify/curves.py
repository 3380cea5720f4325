#!/usr/bin/env python3
"""Golden ROC and precision-recall curves for `rigor eval classify` (the `roc` and `pr`
fields of its JSON), from scikit-learn's roc_curve and precision_recall_curve with
drop_intermediate=False: one point per distinct score. Every binary evaluation of
expected.json with one --score column is covered; its data has fewer rows than the
1,000 points rigor keeps, so rigor's curve must be scikit-learn's whole curve:

  roc: x = fpr, y = tpr (scikit-learn's order, from (0, 0));
  pr:  x = recall, y = precision, reversed to run from scikit-learn's final point
       (recall 0, precision 1) towards full recall.

Evaluations whose labels hold only one class get null (the ROC curve is undefined;
rigor leaves both curves out). Usage (from the repository root):

    $(tools/venv.sh goldens-classify tools/goldens/classify/requirements.txt) tools/goldens/classify/curves.py
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import precision_recall_curve, roc_curve

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    if path.endswith(".csv"):
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if path.endswith(".jsonl"):
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


def option(args, name):
    return [args[i + 1] for i, a in enumerate(args) if a == name]


def main():
    with open(os.path.join(HERE, "expected.json")) as f:
        evaluations = json.load(f)["evaluations"]
    out = []
    for i, ev in enumerate(evaluations):
        args = ev["args"]
        scores = option(args, "--score")
        if len(scores) != 1 or "=" in scores[0]:
            continue
        df = read(os.path.join(HERE, option(args, "--data")[0]))
        label = option(args, "--label")[0]
        positive = option(args, "--positive")[0]
        y = (df[label].astype(str) == positive).to_numpy()
        s = df[scores[0]].astype(float).to_numpy()
        entry = {"index": i, "case": ev["case"], "args": args}
        if y.all() or not y.any():
            entry["roc"] = None
            entry["pr"] = None
        else:
            fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
            precision, recall, _ = precision_recall_curve(y, s, drop_intermediate=False)
            entry["roc"] = {"x": fpr.tolist(), "y": tpr.tolist()}
            entry["pr"] = {"x": recall[::-1].tolist(), "y": precision[::-1].tolist()}
        out.append(entry)
    doc = {"generator": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
           "curves": out}
    with open(os.path.join(HERE, "curves.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out)} evaluations, {sum(e['roc'] is not None for e in out)} with curves")


if __name__ == "__main__":
    main()
