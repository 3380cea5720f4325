"""Writes the bundled drift example (run once; the CSVs are committed).

    python3 examples/drift/make.py

Reference: last quarter's sign-ups; current: this month's, where incomes rose about
10%, Brazil appeared as a market, and the tenure field broke for some clients
(missing values grew from 2% to 15%). Everything else is unchanged.
"""
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(n, seed, current):
    rng = random.Random(seed)
    countries = ["DE", "FR", "NL", "US"] + (["BR"] if current else [])
    weights = [30, 25, 15, 30] + ([12] if current else [])
    out = []
    for _ in range(n):
        age = max(18, min(80, int(rng.gauss(38, 11))))
        income = round(rng.lognormvariate(10.6, 0.45) * (1.1 if current else 1.0), 2)
        country = rng.choices(countries, weights)[0]
        device = rng.choices(["mobile", "desktop", "tablet"], [55, 35, 10])[0]
        sessions = min(6, int(rng.expovariate(0.6)))
        premium = 1 if rng.random() < 0.22 else 0
        missing = rng.random() < (0.15 if current else 0.02)
        tenure = "" if missing else round(rng.expovariate(1 / 240), 1)
        out.append([age, income, country, device, sessions, premium, tenure])
    return out


for name, n, seed, current in (("reference.csv", 800, 1, False), ("current.csv", 600, 2, True)):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["age", "income", "country", "device", "sessions", "premium", "tenure_days"])
        w.writerows(rows(n, seed, current))
