#!/usr/bin/env python3
"""Writes the bench/classify data: N rows of (label, pred, score) as CSV and Parquet.

A binary classifier's output: label ~ Bernoulli(0.3); score = sigmoid(logit) with
full float64 precision (as a model writes it); pred = score >= 0.5. Seeded.
Usage: classify_data.py N OUT_DIR
"""
import os
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
label = (rng.random(n) < 0.3).astype(np.int64)
score = 1.0 / (1.0 + np.exp(-rng.normal(1.5 * (2 * label - 1), 1.5)))
pred = (score >= 0.5).astype(np.int64)
df = pd.DataFrame({"label": label, "pred": pred, "score": score})
df.to_csv(os.path.join(out, f"classify_{n}.csv"), index=False, lineterminator="\n")
pq.write_table(pa.Table.from_pandas(df, preserve_index=False), os.path.join(out, f"classify_{n}.parquet"))
