#!/usr/bin/env python3
"""The peer side of bench/classify: pandas reads the file, scikit-learn computes
accuracy, macro F1, ROC AUC, log loss and Brier score. Prints them as JSON."""
import json
import sys

import pandas as pd
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, log_loss, roc_auc_score

path = sys.argv[1]
df = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
y = df["label"].to_numpy()
p = df["pred"].to_numpy()
s = df["score"].to_numpy()
print(
    json.dumps(
        {
            "accuracy": accuracy_score(y, p),
            "f1": f1_score(y, p, average="macro"),
            "roc_auc": roc_auc_score(y, s),
            "log_loss": log_loss(y, s),
            "brier": brier_score_loss(y, s),
        }
    )
)
