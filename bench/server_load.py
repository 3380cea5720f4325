"""Drives `rigor server` and `mlflow server` with the same load; prints ratios.

Per server, in a fresh temp dir with a SQLite store on 127.0.0.1 (loopback only):
  ready     time from process start to the first `GET /health` answering 200
  idle RSS  resident memory of the server's whole process tree once ready
  (a) client  the official client: --runs runs, each one log_batch (10 params,
              1000 metric values over 4 keys) and end_run; then search_runs with a
              filter (p50/p95 over 30 calls) and get_metric_history (p50 over 30)
  (b) raw     --clients threads posting log-batch requests (1000 metric values each)
              over keep-alive HTTP for --seconds: acknowledged values/s and errors
  peak RSS  the largest tree RSS seen during (a) and (b)
Every request loop is bounded in count and time.
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tree_rss(pid):
    """RSS in bytes of pid and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


class Server:
    def __init__(self, name, cmd, workdir):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        self.log = open(os.path.join(workdir, f"{name}.log"), "w")
        start = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=workdir, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        deadline = start + 180
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except Exception:
                pass
            if time.perf_counter() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"{name} did not become healthy; see {self.log.name}")
            time.sleep(0.005)
        self.ready_s = time.perf_counter() - start
        time.sleep(2)
        self.idle_rss = tree_rss(self.proc.pid)
        self.peak_rss = self.idle_rss
        self._stop = False
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        while not self._stop:
            self.peak_rss = max(self.peak_rss, tree_rss(self.proc.pid))
            time.sleep(0.25)

    def stop(self):
        self._stop = True
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except Exception:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def client_load(url, runs):
    import mlflow
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    mlflow.set_tracking_uri(url)
    client = MlflowClient(url)
    exp = client.create_experiment(f"bench-{time.time_ns()}")
    start = time.perf_counter()
    values = 0
    for i in range(runs):
        run = client.create_run(exp, run_name=f"run-{i}")
        ts = int(time.time() * 1000)
        metrics = [Metric(f"m{k}", (i * 1000 + j) / 1000.0, ts + j, j) for k in range(4) for j in range(250)]
        params = [Param(f"p{k}", str((i + k) % 7)) for k in range(9)] + [Param("lr", "0.01" if i % 2 else "0.1")]
        client.log_batch(run.info.run_id, metrics=metrics, params=params)
        client.log_metric(run.info.run_id, "acc", (i % 20) / 20.0)
        client.set_terminated(run.info.run_id)
        values += len(metrics) + 1
    log_s = time.perf_counter() - start
    search = []
    for _ in range(30):
        t = time.perf_counter()
        found = client.search_runs([exp], "metrics.acc > 0.5 and params.lr = '0.01'", max_results=1000)
        search.append(time.perf_counter() - t)
    assert len(found) > 0
    # The same search as raw HTTP: the server's share, without the client's parsing.
    host, port = url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    body = json.dumps({"experiment_ids": [exp], "filter": "metrics.acc > 0.5 and params.lr = '0.01'",
                       "max_results": 1000, "run_view_type": "ACTIVE_ONLY"})
    raw = []
    for _ in range(30):
        t = time.perf_counter()
        conn.request("POST", "/api/2.0/mlflow/runs/search", body=body, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        assert r.status == 200 and len(json.loads(r.read())["runs"]) == len(found)
        raw.append(time.perf_counter() - t)
    conn.close()
    history = []
    rid = found[0].info.run_id
    for _ in range(30):
        t = time.perf_counter()
        h = client.get_metric_history(rid, "m0")
        history.append(time.perf_counter() - t)
    assert len(h) == 250, len(h)
    q = statistics.quantiles(search, n=20)
    return {
        "client_values_per_s": values / log_s,
        "search_p50_ms": statistics.median(search) * 1000,
        "search_p95_ms": q[18] * 1000,
        "history_p50_ms": statistics.median(history) * 1000,
        "search_raw_p50_ms": statistics.median(raw) * 1000,
        "matched_runs": len(found),
    }


def raw_load(url, clients, seconds):
    host, port = url.split("//")[1].split(":")
    # One run per client.
    def post(conn, path, body):
        conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        return r.status, data

    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    status, data = post(conn, "/api/2.0/mlflow/runs/create", {"experiment_id": "0", "start_time": 1})
    assert status == 200, data
    runs = []
    for _ in range(clients):
        status, data = post(conn, "/api/2.0/mlflow/runs/create", {"experiment_id": "0", "start_time": 1})
        runs.append(json.loads(data)["run"]["info"]["run_id"])
    conn.close()
    acked = [0] * clients
    errors = [0] * clients
    deadline = time.perf_counter() + seconds

    def worker(c):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        b = 0
        while time.perf_counter() < deadline:
            metrics = [{"key": f"k{j % 10}", "value": float(b * 1000 + j), "timestamp": b * 1000 + j,
                        "step": b * 1000 + j} for j in range(1000)]
            try:
                status, _ = post(conn, "/api/2.0/mlflow/runs/log-batch", {"run_id": runs[c], "metrics": metrics})
            except Exception:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
            if status == 200:
                acked[c] += 1000
            else:
                errors[c] += 1
            b += 1
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    # Count every acknowledged value back.
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    stored = 0
    for run in runs:
        for k in range(10):
            conn.request("GET", f"/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key=k{k}")
            r = conn.getresponse()
            stored += len(json.loads(r.read()).get("metrics", []))
    conn.close()
    return {"raw_values_per_s": sum(acked) / elapsed, "raw_errors": sum(errors), "raw_values": sum(acked),
            "raw_lost": sum(acked) - stored if stored <= sum(acked) else 0,
            "raw_in_flight_extra": max(0, stored - sum(acked))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rigor", required=True)
    ap.add_argument("--mlflow", required=True)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--only", choices=["rigor", "mlflow"])
    args = ap.parse_args()
    results = {}
    for name, cmd in [
        ("rigor", [args.rigor, "server", "--port", "{port}", "--backend-store-uri", "sqlite:///rigor.db",
                   "--artifacts-destination", "./artifacts"]),
        ("mlflow", [args.mlflow, "server", "--port", "{port}", "--host", "127.0.0.1",
                    "--backend-store-uri", "sqlite:///mlflow.db", "--artifacts-destination", "./artifacts"]),
    ]:
        if args.only and args.only != name:
            continue
        work = tempfile.mkdtemp(prefix=f"bench-{name}-")
        print(f"[{name}] starting in {work}", file=sys.stderr, flush=True)
        server = Server(name, cmd, work)
        try:
            r = {"ready_ms": server.ready_s * 1000, "idle_rss_mb": server.idle_rss / 2**20}
            print(f"[{name}] ready in {r['ready_ms']:.0f} ms, idle RSS {r['idle_rss_mb']:.1f} MB; client load",
                  file=sys.stderr, flush=True)
            with contextlib.redirect_stdout(sys.stderr):  # the client prints run links
                r.update(client_load(server.url, args.runs))
            print(f"[{name}] raw load: {args.clients} clients for {args.seconds:.0f}s", file=sys.stderr, flush=True)
            r.update(raw_load(server.url, args.clients, args.seconds))
            r["peak_rss_mb"] = server.peak_rss / 2**20
        finally:
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
        results[name] = r
        print(f"[{name}] {json.dumps(r)}", file=sys.stderr, flush=True)

    rows = [
        ("ready (first healthy /health)", "ready_ms", "ms", False),
        ("idle RSS", "idle_rss_mb", "MB", False),
        ("peak RSS", "peak_rss_mb", "MB", False),
        ("client log_batch throughput", "client_values_per_s", "values/s", True),
        ("search_runs p50", "search_p50_ms", "ms", False),
        ("search_runs p95", "search_p95_ms", "ms", False),
        ("search_runs p50, raw HTTP (no client parsing)", "search_raw_p50_ms", "ms", False),
        ("get_metric_history p50", "history_p50_ms", "ms", False),
        (f"raw log-batch throughput ({args.clients} conns)", "raw_values_per_s", "values/s", True),
        ("raw log-batch errors", "raw_errors", "", False),
        ("acknowledged values lost", "raw_lost", "", False),
    ]
    r, m = results.get("rigor", {}), results.get("mlflow", {})
    print(f"| measure | rigor | mlflow | ratio (better = >1) |\n|---|---|---|---|")
    for label, key, unit, higher in rows:
        a, b = r.get(key), m.get(key)
        fmt = lambda v: "—" if v is None else (f"{v:,.0f} {unit}" if v >= 100 else f"{v:.2f} {unit}")
        ratio = "—"
        if a is not None and b is not None and a > 0 and b > 0:
            ratio = f"{(a / b) if higher else (b / a):.1f}×"
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {ratio} |")


if __name__ == "__main__":
    main()
