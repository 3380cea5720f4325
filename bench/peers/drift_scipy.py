"""Plain scipy per column: what a hand-written drift script does.

Reads both files with pandas (Parquet or CSV); for every numerical column computes scipy's
ks_2samp and the normed Wasserstein distance, for every other column a chi-square
test of the value counts and the Jensen-Shannon distance (scipy.spatial). No
reporting layer. Prints JSON with the in-process seconds.
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.spatial import distance  # noqa: E402

t_import = time.perf_counter()
read = pd.read_parquet if sys.argv[1].endswith(".parquet") else pd.read_csv
ref = read(sys.argv[1])
cur = read(sys.argv[2])
t_read = time.perf_counter()
out = {}
for col in ref.columns:
    r, c = ref[col].dropna(), cur[col].dropna()
    numeric = pd.api.types.is_float_dtype(r) or (pd.api.types.is_integer_dtype(r) and r.nunique() > 10)
    if numeric:
        ks = stats.ks_2samp(r.to_numpy(), c.to_numpy())
        w = stats.wasserstein_distance(r.to_numpy(), c.to_numpy()) / max(float(np.std(r.to_numpy())), 0.001)
        out[col] = {"ks_p_value": float(ks.pvalue), "wasserstein_normed": float(w)}
    else:
        keys = sorted(set(r.unique()) | set(c.unique()), key=str)
        rc = r.value_counts().reindex(keys, fill_value=0).to_numpy(dtype=float)
        cc = c.value_counts().reindex(keys, fill_value=0).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            chi = stats.chisquare(cc, rc * len(c) / len(r))
        js = distance.jensenshannon(rc / len(r), cc / len(c))
        out[col] = {"chi_square_p_value": float(chi.pvalue), "jensen_shannon": float(js)}
t_stats = time.perf_counter()
print(json.dumps({"columns": out, "import_s": t_import - t0, "read_s": t_read - t_import, "stats_s": t_stats - t_read}))
