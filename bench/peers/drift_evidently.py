"""Evidently 0.7 DataDriftPreset on two files (Parquet or CSV), as a user would run it.

Prints JSON: per-column method, score and verdict, the drifted-column count, and the
in-process seconds for reading and for the report.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

t0 = time.perf_counter()
import pandas as pd  # noqa: E402
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

t_import = time.perf_counter()
read = pd.read_parquet if sys.argv[1].endswith(".parquet") else pd.read_csv
ref = read(sys.argv[1])
cur = read(sys.argv[2])
t_read = time.perf_counter()
snap = Report([DataDriftPreset()], include_tests=True).run(cur, ref)
d = snap.dict()
t_report = time.perf_counter()

methods = {
    "K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon", "PSI": "psi",
}
columns = {}
count = None
for m in d["metrics"]:
    cfg = m["config"]
    if cfg["type"].endswith("ValueDrift"):
        columns[cfg["column"]] = {"method": methods[cfg["method"]], "score": float(m["value"])}
    elif cfg["type"].endswith("DriftedColumnsCount"):
        count = int(m["value"]["count"])
for t in d["tests"]:
    if t["name"].startswith("Value Drift for column "):
        columns[t["name"][len("Value Drift for column "):]]["drifted"] = t["status"] == "FAIL"
print(json.dumps({
    "columns": columns, "drifted": count,
    "import_s": t_import - t0, "read_s": t_read - t_import, "report_s": t_report - t_read,
}))
