"""Compatibility suite: the official MLflow client against a running `rigor server`.

Run by tests/mlflow_compat.rs with MLFLOW_TRACKING_URI pointing at the server. Each
case uses only the public client (mlflow, MlflowClient, mlflow.artifacts, and the
client's own REST helper for limits the high-level API splits up). Prints one line per
case and a closing "N passed, N failed"; exits 1 if any case failed.

With COMPAT_REFERENCE=mlflow the same cases run against a real `mlflow server` (minus
the one about rigor's own endpoints), which is how the expectations were checked.
"""

import math
import os
import sys
import tempfile
import time
import traceback

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException, RestException

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def error_code(fn):
    """Runs fn, which must fail; returns MLflow's error code."""
    try:
        fn()
    except MlflowException as e:
        return e.error_code
    raise AssertionError("expected an MlflowException")


def eq(got, want, what=""):
    assert got == want, f"{what}: got {got!r}, want {want!r}"


def fresh_experiment(name):
    name = f"{name}-{time.time_ns()}"
    mlflow.set_experiment(name)
    return mlflow.get_experiment_by_name(name)


client = MlflowClient()


@case
def set_experiment_creates_then_reuses():
    name = f"exp-{time.time_ns()}"
    first = mlflow.set_experiment(name)
    again = mlflow.set_experiment(name)
    eq(first.experiment_id, again.experiment_id, "same experiment")
    eq(first.artifact_location, f"mlflow-artifacts:/{first.experiment_id}", "artifact location")
    eq(mlflow.get_experiment_by_name("no such experiment"), None, "missing by name")


@case
def experiment_crud_and_tags():
    name = f"crud-{time.time_ns()}"
    eid = client.create_experiment(name, tags={"team": "ir"})
    exp = client.get_experiment(eid)
    eq(exp.name, name)
    eq(exp.tags, {"team": "ir"})
    eq(error_code(lambda: client.create_experiment(name)), "RESOURCE_ALREADY_EXISTS")
    client.rename_experiment(eid, name + "-renamed")
    eq(client.get_experiment_by_name(name + "-renamed").experiment_id, eid)
    client.set_experiment_tag(eid, "stage", "dev")
    eq(client.get_experiment(eid).tags, {"team": "ir", "stage": "dev"})
    client.delete_experiment(eid)
    eq(client.get_experiment(eid).lifecycle_stage, "deleted")
    eq(error_code(lambda: client.create_run(eid)), "INVALID_PARAMETER_VALUE")
    client.restore_experiment(eid)
    eq(client.get_experiment(eid).lifecycle_stage, "active")
    eq(error_code(lambda: client.get_experiment("987654")), "RESOURCE_DOES_NOT_EXIST")


@case
def search_experiments_filter_order_pages():
    prefix = f"se-{time.time_ns()}"
    for s in ["b", "a", "c"]:
        client.create_experiment(f"{prefix}-{s}")
    found = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"])
    eq([e.name for e in found], [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"])
    page = client.search_experiments(filter_string=f"name LIKE '{prefix}%'", max_results=2, order_by=["name DESC"])
    eq(len(page), 2)
    assert page.token, "a next page token"
    rest = client.search_experiments(
        filter_string=f"name LIKE '{prefix}%'", max_results=2, order_by=["name DESC"], page_token=page.token
    )
    eq([e.name for e in rest], [f"{prefix}-a"])
    eq(rest.token, None)
    all_names = [e.name for e in mlflow.search_experiments()]
    assert "Default" in all_names


@case
def start_run_nested_and_end():
    exp = fresh_experiment("nested")
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("child_metric", 1.0)
    p = mlflow.get_run(parent.info.run_id)
    c = mlflow.get_run(child.info.run_id)
    eq(p.info.status, "FINISHED")
    eq(p.info.run_name, "parent")
    eq(c.data.tags["mlflow.parentRunId"], parent.info.run_id)
    eq(c.info.experiment_id, exp.experiment_id)
    assert p.info.end_time >= p.info.start_time
    kids = mlflow.search_runs(
        [exp.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'", output_format="list"
    )
    eq([r.info.run_id for r in kids], [child.info.run_id])


@case
def params_logged_once_and_immutable():
    fresh_experiment("params")
    with mlflow.start_run() as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"batch": 32, "optimizer": "adam"})
        mlflow.log_param("lr", 0.01)  # same value again is fine
        code = error_code(lambda: mlflow.log_param("lr", 0.02))
        mlflow.log_param("long", "x" * 7000)
    eq(code, "INVALID_PARAMETER_VALUE")
    params = mlflow.get_run(run.info.run_id).data.params
    eq(params["lr"], "0.01")
    eq(params["batch"], "32")
    eq(params["optimizer"], "adam")
    eq(len(params["long"]), 6000, "long values are truncated to 6000 characters")


@case
def metrics_with_steps_and_history():
    fresh_experiment("metrics")
    with mlflow.start_run() as run:
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.5, "f1": 0.25}, step=1)
        mlflow.log_metrics({"acc": 0.75}, step=2)
    data = mlflow.get_run(run.info.run_id).data
    eq(data.metrics["loss"], 0.2)
    eq(data.metrics["acc"], 0.75)
    history = client.get_metric_history(run.info.run_id, "loss")
    eq([m.step for m in history], [0, 1, 2, 3, 4])
    eq([round(m.value, 6) for m in history], [1.0, 0.5, 0.333333, 0.25, 0.2])
    eq(client.get_metric_history(run.info.run_id, "nothing"), [])


@case
def nan_and_infinite_metrics():
    fresh_experiment("nan")
    with mlflow.start_run() as run:
        mlflow.log_metrics({"nan": float("nan"), "pinf": float("inf"), "ninf": float("-inf")})
    m = mlflow.get_run(run.info.run_id).data.metrics
    assert math.isnan(m["nan"]), m["nan"]
    eq(m["pinf"], 1.7976931348623157e308)
    eq(m["ninf"], -1.7976931348623157e308)
    assert math.isnan(client.get_metric_history(run.info.run_id, "nan")[0].value)


@case
def tags_set_and_delete():
    fresh_experiment("tags")
    with mlflow.start_run() as run:
        mlflow.set_tag("team", "ir")
        mlflow.set_tags({"a": "1", "b": "2"})
        mlflow.set_tag("a", "changed")
        client.delete_tag(run.info.run_id, "b")
        eq(error_code(lambda: client.delete_tag(run.info.run_id, "b")), "RESOURCE_DOES_NOT_EXIST")
    tags = mlflow.get_run(run.info.run_id).data.tags
    eq(tags["team"], "ir")
    eq(tags["a"], "changed")
    assert "b" not in tags


@case
def log_batch_and_limits():
    fresh_experiment("batch")
    with mlflow.start_run() as run:
        rid = run.info.run_id
        ts = int(time.time() * 1000)
        client.log_batch(
            rid,
            metrics=[Metric("m", float(i), ts + i, i) for i in range(2500)],  # the client splits
            params=[Param(f"p{i}", str(i)) for i in range(10)],
            tags=[RunTag("t", "v")],
        )
        eq(len(client.get_metric_history(rid, "m")), 2500)
        # The server's own limits, through the client's REST store (no client-side split).
        store = mlflow.tracking._tracking_service.utils._get_store()
        too_many = [Metric("x", 0.0, ts + i, 0) for i in range(1001)]
        eq(error_code(lambda: store.log_batch(rid, too_many, [], [])), "INVALID_PARAMETER_VALUE")
        eq(len(client.get_metric_history(rid, "x")), 0, "nothing of a refused batch")
        # Atomic: a changed param refuses the whole batch, metrics included.
        code = error_code(
            lambda: store.log_batch(rid, [Metric("y", 1.0, ts, 0)], [Param("p1", "changed")], [RunTag("u", "v")])
        )
        eq(code, "INVALID_PARAMETER_VALUE")
        eq(len(client.get_metric_history(rid, "y")), 0, "no metric of a refused batch")
        assert "u" not in mlflow.get_run(rid).data.tags


@case
def search_runs_filters():
    exp = fresh_experiment("search")
    ids = {}
    for name, acc, lr, team in [("a", 0.9, "0.01", "IR"), ("b", 0.5, "0.1", "ir-lab"), ("c", 0.7, None, "nlp")]:
        with mlflow.start_run(run_name=name) as r:
            mlflow.log_metric("acc", acc)
            if lr:
                mlflow.log_param("lr", lr)
            mlflow.set_tag("team", team)
            ids[name] = r.info.run_id

    def names(flt, **kw):
        runs = client.search_runs([exp.experiment_id], flt, **kw)
        return sorted(r.info.run_name for r in runs)

    eq(names("metrics.acc > 0.6"), ["a", "c"])
    eq(names("metrics.acc >= 0.5 and params.lr = '0.1'"), ["b"])
    eq(names("params.lr != '0.1'"), ["a"])
    eq(names("params.lr IS NULL"), ["c"])
    eq(names("tags.team LIKE 'ir%'"), ["b"])
    eq(names("tags.team ILIKE 'ir%'"), ["a", "b"])
    eq(names("attributes.status = 'FINISHED'"), ["a", "b", "c"])
    eq(names("attributes.run_name = 'b'"), ["b"])
    eq(names(f"attributes.run_id IN ('{ids['a']}', '{ids['c']}')"), ["a", "c"])
    eq(names("tags.`mlflow.runName` != 'a'"), ["b", "c"])
    eq(error_code(lambda: client.search_runs([exp.experiment_id], "metrics.acc >> 1")), "INVALID_PARAMETER_VALUE")
    df = mlflow.search_runs([exp.experiment_id], filter_string="metrics.acc > 0.6", order_by=["metrics.acc DESC"])
    eq(list(df["tags.mlflow.runName"]), ["a", "c"])
    eq(list(df["metrics.acc"]), [0.9, 0.7])


@case
def search_runs_order_and_pages():
    exp = fresh_experiment("pages")
    for i in range(12):
        with mlflow.start_run(run_name=f"r{i:02}"):
            mlflow.log_metric("score", i % 4)
    seen, token = [], None
    while True:
        page = client.search_runs([exp.experiment_id], order_by=["metrics.score DESC", "attributes.run_name ASC"],
                                  max_results=5, page_token=token)
        seen += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    eq(seen, ["r03", "r07", "r11", "r02", "r06", "r10", "r01", "r05", "r09", "r00", "r04", "r08"])
    default = client.search_runs([exp.experiment_id], max_results=1)
    eq(default[0].info.run_name, "r11", "newest first by default")


@case
def delete_restore_and_view_types():
    exp = fresh_experiment("views")
    with mlflow.start_run() as r:
        pass
    client.delete_run(r.info.run_id)
    eq(client.get_run(r.info.run_id).info.lifecycle_stage, "deleted")
    eq(len(client.search_runs([exp.experiment_id])), 0)
    eq(len(client.search_runs([exp.experiment_id], run_view_type=ViewType.DELETED_ONLY)), 1)
    eq(error_code(lambda: client.log_metric(r.info.run_id, "m", 1.0)), "INVALID_PARAMETER_VALUE")
    client.restore_run(r.info.run_id)
    eq(len(client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL)), 1)
    client.update_run(r.info.run_id, status="KILLED", name="renamed")
    got = client.get_run(r.info.run_id)
    eq(got.info.status, "KILLED")
    eq(got.info.run_name, "renamed")


@case
def dataset_inputs_from_pandas():
    exp = fresh_experiment("datasets")
    df = pd.DataFrame({"x": [1, 2, 3], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(df, name="train-set", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
        mlflow.log_input(dataset, context="training")  # logged once
    inputs = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    eq(len(inputs), 1)
    eq(inputs[0].dataset.name, "train-set")
    eq(inputs[0].dataset.digest, dataset.digest)
    eq({t.key: t.value for t in inputs[0].tags}, {"mlflow.data.context": "training"})
    found = client.search_runs([exp.experiment_id], "datasets.name = 'train-set' and datasets.context = 'training'")
    eq([r.info.run_id for r in found], [run.info.run_id])


@case
def artifacts_upload_list_download():
    fresh_experiment("artifacts")
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "model.txt"), "w").write("weights")
        os.makedirs(os.path.join(d, "plots", "deep"))
        open(os.path.join(d, "plots", "a.csv"), "w").write("x,y\n1,2\n")
        open(os.path.join(d, "plots", "deep", "b.bin"), "wb").write(bytes(range(256)) * 40)
        with mlflow.start_run() as run:
            mlflow.log_artifact(os.path.join(d, "model.txt"))
            mlflow.log_artifacts(os.path.join(d, "plots"), artifact_path="plots")
            mlflow.log_text("hello", "notes/hello.txt")
            mlflow.log_dict({"k": [1, 2]}, "config.json")
    rid = run.info.run_id
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/"), run.info.artifact_uri
    top = {f.path: f for f in client.list_artifacts(rid)}
    eq(sorted(top), ["config.json", "model.txt", "notes", "plots"])
    eq(top["model.txt"].file_size, 7)
    assert top["plots"].is_dir
    eq(sorted(f.path for f in client.list_artifacts(rid, "plots")), ["plots/a.csv", "plots/deep"])
    eq(mlflow.artifacts.load_text(f"runs:/{rid}/notes/hello.txt"), "hello")
    eq(mlflow.artifacts.load_dict(f"runs:/{rid}/config.json"), {"k": [1, 2]})
    with tempfile.TemporaryDirectory() as out:
        local = mlflow.artifacts.download_artifacts(run_id=rid, artifact_path="plots", dst_path=out)
        eq(open(os.path.join(local, "deep", "b.bin"), "rb").read(), bytes(range(256)) * 40)
        eq(open(os.path.join(local, "a.csv")).read(), "x,y\n1,2\n")


@case
def errors_use_mlflow_codes():
    eq(error_code(lambda: client.get_run("0123456789abcdef0123456789abcdef")), "RESOURCE_DOES_NOT_EXIST")
    eq(error_code(lambda: client.get_experiment_by_name("x") or client.get_experiment("nope")),
       "INVALID_PARAMETER_VALUE")
    fresh_experiment("errors")
    with mlflow.start_run() as run:
        eq(error_code(lambda: mlflow.log_metric("bad/../name", 1.0)), "INVALID_PARAMETER_VALUE")
        eq(error_code(lambda: client.set_tag(run.info.run_id, "k" * 300, "v")), "INVALID_PARAMETER_VALUE")


@case
def rigor_health_metrics_and_unknown_endpoints():
    """rigor's own promises (MLflow answers unknown paths with an HTML 404)."""
    if os.environ.get("COMPAT_REFERENCE") == "mlflow":
        return
    from mlflow.utils.rest_utils import http_request, MlflowHostCreds

    creds = MlflowHostCreds(os.environ["MLFLOW_TRACKING_URI"])
    resp = http_request(creds, "/api/2.0/mlflow/no-such-endpoint", "GET", max_retries=0)
    eq(resp.status_code, 404)
    eq(resp.json()["error_code"], "ENDPOINT_NOT_FOUND")
    eq(http_request(creds, "/health", "GET", max_retries=0).text, "OK")
    metrics = http_request(creds, "/metrics", "GET", max_retries=0).text
    assert "rigor_http_requests_total" in metrics, metrics[:200]


def main():
    passed = failed = 0
    only = set(sys.argv[1:])
    for fn in CASES:
        if only and fn.__name__ not in only:
            continue
        try:
            fn()
        except Exception:
            failed += 1
            print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
        else:
            passed += 1
            print(f"ok   {fn.__name__}", flush=True)
        finally:
            while mlflow.active_run():
                mlflow.end_run()
    print(f"compat: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
