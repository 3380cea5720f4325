"""A tiny logistic regression trained by SGD, for `rigor run` and `rigor repro`.

Standard library only, plus the mlflow client to log (pip install mlflow-skinny).
Deterministic for a given seed: the seed comes from RIGOR_SEED (set by
`rigor run --seed S`), so `rigor repro RUN_ID` reproduces every metric exactly.

    rigor run --experiment repro-demo --seed 1 --input examples/repro/data.csv \
        -- python examples/repro/train.py examples/repro/data.csv
"""

import csv
import math
import os
import random
import sys

import mlflow


def main(path: str) -> None:
    seed = int(os.environ.get("RIGOR_SEED", "0"))
    rng = random.Random(seed)
    with open(path, newline="") as f:
        rows = [(float(r["x1"]), float(r["x2"]), int(r["label"])) for r in csv.DictReader(f)]
    rng.shuffle(rows)
    split = int(len(rows) * 0.8)
    train, test = rows[:split], rows[split:]
    w = [rng.uniform(-0.1, 0.1) for _ in range(3)]
    lr, epochs = 0.05, 20

    def prob(x1: float, x2: float) -> float:
        z = w[0] + w[1] * x1 + w[2] * x2
        return 1.0 / (1.0 + math.exp(-z))

    # `rigor run` exported MLFLOW_RUN_ID: this resumes its run instead of making one.
    with mlflow.start_run():
        mlflow.log_params({"lr": lr, "epochs": epochs})
        for epoch in range(epochs):
            rng.shuffle(train)
            loss = 0.0
            for x1, x2, y in train:
                p = prob(x1, x2)
                loss -= math.log(max(p if y else 1.0 - p, 1e-12))
                g = p - y
                w[0] -= lr * g
                w[1] -= lr * g * x1
                w[2] -= lr * g * x2
            mlflow.log_metric("train_loss", loss / len(train), step=epoch)
        accuracy = sum((prob(x1, x2) >= 0.5) == bool(y) for x1, x2, y in test) / len(test)
        mlflow.log_metric("test_accuracy", accuracy)
        print(f"seed {seed}: test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/repro/data.csv")
