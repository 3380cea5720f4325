//! The one store test suite. Every case runs on SQLite (a fresh file each time) and, when
//! `RIGOR_TEST_POSTGRES_URL` names a PostgreSQL server, on a fresh database there.

use std::sync::Arc;

use rigor_store::{
    Dataset, DatasetInput, Error, ExperimentSearch, Lifecycle, Metric, NewRun, RunSearch,
    RunStatus, RunUpdate, SqlStore, Store, Tag, ViewType,
};

struct Backend {
    store: SqlStore,
    _dir: Option<tempfile::TempDir>,
    uri: String,
}

async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    let uri = format!("sqlite:///{}/suite.db", dir.path().display());
    Backend {
        store: SqlStore::connect(&uri).await.expect("connect sqlite"),
        _dir: Some(dir),
        uri,
    }
}

async fn postgres() -> Option<Backend> {
    let base = std::env::var("RIGOR_TEST_POSTGRES_URL").ok()?;
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let name = format!("rigor_test_{}", uuid_like());
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect postgres");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    admin.close().await;
    let (head, _) = base.rsplit_once('/').expect("postgres URL with a database");
    let uri = format!("{head}/{name}");
    Some(Backend {
        store: SqlStore::connect(&uri)
            .await
            .expect("connect test database"),
        _dir: None,
        uri,
    })
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let b = super::sqlite().await;
                    super::$case(&b).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(b) = super::postgres().await else {
                        eprintln!("skipped: RIGOR_TEST_POSTGRES_URL is not set");
                        return;
                    };
                    super::$case(&b).await;
                }
            )*
        }
    };
}

suite!(
    experiments_lifecycle,
    runs_lifecycle,
    params_are_immutable,
    metrics_latest_and_history,
    metric_values_read_back_bit_for_bit,
    log_batch_is_atomic,
    search_filters,
    search_order_and_pages,
    dataset_inputs,
    concurrent_writers_lose_nothing,
    search_experiments,
    data_survives_reconnect,
);

async fn new_run(s: &SqlStore, exp: &str, name: &str, start: i64) -> String {
    s.create_run(&NewRun {
        experiment_id: exp.to_string(),
        user_id: Some("alice".into()),
        run_name: Some(name.into()),
        start_time: Some(start),
        tags: vec![],
    })
    .await
    .expect("create run")
    .info
    .run_id
}

fn code(r: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.error_code(),
    }
}

async fn experiments_lifecycle(b: &Backend) {
    let s = &b.store;
    let default = s.get_experiment("0").await.expect("default experiment");
    assert_eq!(default.name, "Default");
    assert_eq!(default.artifact_location, "mlflow-artifacts:/0");

    let id = s
        .create_experiment("exp", None, &[Tag::new("team", "ir")])
        .await
        .expect("create");
    let e = s.get_experiment(&id).await.expect("get");
    assert_eq!(e.name, "exp");
    assert_eq!(e.artifact_location, format!("mlflow-artifacts:/{id}"));
    assert_eq!(e.tags, vec![Tag::new("team", "ir")]);
    assert_eq!(
        s.get_experiment_by_name("exp")
            .await
            .expect("by name")
            .experiment_id,
        id
    );
    assert_eq!(
        code(s.create_experiment("exp", None, &[]).await),
        "RESOURCE_ALREADY_EXISTS"
    );
    assert_eq!(
        code(s.create_experiment("", None, &[]).await),
        "INVALID_PARAMETER_VALUE"
    );
    assert_eq!(
        code(s.get_experiment("999").await),
        "RESOURCE_DOES_NOT_EXIST"
    );
    assert_eq!(
        code(s.get_experiment("abc").await),
        "INVALID_PARAMETER_VALUE"
    );
    assert_eq!(
        code(s.get_experiment_by_name("nope").await),
        "RESOURCE_DOES_NOT_EXIST"
    );

    s.rename_experiment(&id, "exp2").await.expect("rename");
    assert_eq!(s.get_experiment(&id).await.expect("get").name, "exp2");
    let other = s
        .create_experiment("other", Some("s3://b/p"), &[])
        .await
        .expect("create");
    assert_eq!(
        s.get_experiment(&other)
            .await
            .expect("get")
            .artifact_location,
        "s3://b/p"
    );
    assert_eq!(
        code(s.rename_experiment(&other, "exp2").await),
        "RESOURCE_ALREADY_EXISTS"
    );

    s.set_experiment_tag(&id, &Tag::new("team", "nlp"))
        .await
        .expect("tag");
    s.set_experiment_tag(&id, &Tag::new("k", "v"))
        .await
        .expect("tag");
    s.delete_experiment_tag(&id, "k").await.expect("delete tag");
    assert_eq!(
        code(s.delete_experiment_tag(&id, "k").await),
        "RESOURCE_DOES_NOT_EXIST"
    );
    assert_eq!(
        s.get_experiment(&id).await.expect("get").tags,
        vec![Tag::new("team", "nlp")]
    );

    let run = new_run(s, &id, "r", 1).await;
    s.delete_experiment(&id).await.expect("delete");
    let e = s.get_experiment(&id).await.expect("get deleted");
    assert_eq!(e.lifecycle_stage, Lifecycle::Deleted);
    assert_eq!(
        s.get_run(&run).await.expect("run").info.lifecycle_stage,
        Lifecycle::Deleted
    );
    let refused = s
        .create_run(&NewRun {
            experiment_id: id.clone(),
            ..Default::default()
        })
        .await;
    assert_eq!(code(refused), "INVALID_PARAMETER_VALUE");
    s.restore_experiment(&id).await.expect("restore");
    assert_eq!(
        s.get_run(&run).await.expect("run").info.lifecycle_stage,
        Lifecycle::Active
    );
    assert_eq!(
        code(s.delete_experiment("0").await),
        "INVALID_PARAMETER_VALUE"
    );
}

async fn runs_lifecycle(b: &Backend) {
    let s = &b.store;
    let exp = s
        .create_experiment("runs", None, &[])
        .await
        .expect("create");
    let run = s
        .create_run(&NewRun {
            experiment_id: exp.clone(),
            user_id: Some("bob".into()),
            run_name: None,
            start_time: Some(1000),
            tags: vec![
                Tag::new("mlflow.runName", "named-by-tag"),
                Tag::new("k", "v"),
            ],
        })
        .await
        .expect("create run");
    assert_eq!(run.info.run_name, "named-by-tag");
    assert_eq!(run.info.status, RunStatus::Running);
    assert_eq!(
        run.info.artifact_uri,
        format!("mlflow-artifacts:/{exp}/{}/artifacts", run.info.run_id)
    );
    let id = run.info.run_id.clone();
    assert_eq!(id.len(), 32);

    let unnamed = s
        .create_run(&NewRun {
            experiment_id: exp.clone(),
            ..Default::default()
        })
        .await
        .expect("create");
    assert!(!unnamed.info.run_name.is_empty());
    assert!(unnamed
        .data
        .tags
        .contains(&Tag::new("mlflow.runName", unnamed.info.run_name.clone())));

    let info = s
        .update_run(
            &id,
            &RunUpdate {
                status: Some(RunStatus::Finished),
                end_time: Some(2000),
                run_name: Some("renamed".into()),
            },
        )
        .await
        .expect("update");
    assert_eq!(info.status, RunStatus::Finished);
    assert_eq!(info.end_time, Some(2000));
    let got = s.get_run(&id).await.expect("get");
    assert_eq!(got.info.run_name, "renamed");
    assert!(got
        .data
        .tags
        .contains(&Tag::new("mlflow.runName", "renamed")));

    s.set_tag(&id, &Tag::new("mlflow.runName", "by-set-tag"))
        .await
        .expect("tag");
    assert_eq!(
        s.get_run(&id).await.expect("get").info.run_name,
        "by-set-tag"
    );
    s.delete_tag(&id, "k").await.expect("delete tag");
    assert_eq!(
        code(s.delete_tag(&id, "k").await),
        "RESOURCE_DOES_NOT_EXIST"
    );

    s.delete_run(&id).await.expect("delete");
    assert_eq!(
        s.get_run(&id).await.expect("get").info.lifecycle_stage,
        Lifecycle::Deleted
    );
    assert_eq!(
        code(s.log_metric(&id, &Metric::new("m", 1.0, 1, 0)).await),
        "INVALID_PARAMETER_VALUE"
    );
    s.restore_run(&id).await.expect("restore");
    s.log_metric(&id, &Metric::new("m", 1.0, 1, 0))
        .await
        .expect("log after restore");

    assert_eq!(
        code(s.get_run("0123456789abcdef0123456789abcdef").await),
        "RESOURCE_DOES_NOT_EXIST"
    );
    assert_eq!(code(s.get_run("../etc").await), "INVALID_PARAMETER_VALUE");
    assert_eq!(
        code(
            s.create_run(&NewRun {
                experiment_id: "4242".into(),
                ..Default::default()
            })
            .await
        ),
        "RESOURCE_DOES_NOT_EXIST"
    );
}

async fn params_are_immutable(b: &Backend) {
    let s = &b.store;
    let run = new_run(s, "0", "p", 1).await;
    s.log_param(&run, &Tag::new("lr", "0.01"))
        .await
        .expect("param");
    s.log_param(&run, &Tag::new("lr", "0.01"))
        .await
        .expect("same value again");
    let err = s.log_param(&run, &Tag::new("lr", "0.02")).await;
    assert_eq!(code(err), "INVALID_PARAMETER_VALUE");
    let long = "x".repeat(7000);
    s.log_param(&run, &Tag::new("long", long))
        .await
        .expect("long param");
    let got = s.get_run(&run).await.expect("get");
    let long = got
        .data
        .params
        .iter()
        .find(|p| p.key == "long")
        .expect("long");
    assert_eq!(long.value.len(), 6000);
    assert_eq!(
        code(s.log_param(&run, &Tag::new("a/../b", "x")).await),
        "INVALID_PARAMETER_VALUE"
    );
    assert_eq!(
        code(s.log_param(&run, &Tag::new("k".repeat(251), "x")).await),
        "INVALID_PARAMETER_VALUE"
    );
}

async fn metrics_latest_and_history(b: &Backend) {
    let s = &b.store;
    let run = new_run(s, "0", "m", 1).await;
    for (v, ts, step) in [(0.5, 10, 1), (0.4, 20, 2), (0.9, 5, 0), (0.3, 30, 2)] {
        s.log_metric(&run, &Metric::new("loss", v, ts, step))
            .await
            .expect("log");
    }
    // Logging the same (value, ts, step) twice keeps one entry.
    s.log_metric(&run, &Metric::new("loss", 0.3, 30, 2))
        .await
        .expect("dup");
    s.log_batch(
        &run,
        &[
            Metric::new("nan", f64::NAN, 1, 0),
            Metric::new("pinf", f64::INFINITY, 1, 0),
            Metric::new("ninf", f64::NEG_INFINITY, 1, 0),
        ],
        &[],
        &[],
    )
    .await
    .expect("nan/inf");
    let got = s.get_run(&run).await.expect("get");
    let m = |k: &str| {
        got.data
            .metrics
            .iter()
            .find(|m| m.key == k)
            .expect(k)
            .clone()
    };
    // Latest is by (step, timestamp, value): step 2, ts 30.
    assert_eq!(m("loss"), Metric::new("loss", 0.3, 30, 2));
    assert!(m("nan").value.is_nan());
    assert_eq!(m("pinf").value, f64::MAX);
    assert_eq!(m("ninf").value, f64::MIN);

    let h = s
        .get_metric_history(&run, "loss", None, None)
        .await
        .expect("history");
    let seen: Vec<(f64, i64, i64)> = h
        .items
        .iter()
        .map(|m| (m.value, m.timestamp, m.step))
        .collect();
    assert_eq!(
        seen,
        vec![(0.9, 5, 0), (0.5, 10, 1), (0.4, 20, 2), (0.3, 30, 2)]
    );
    assert!(h.next_page_token.is_none());

    let p1 = s
        .get_metric_history(&run, "loss", Some(3), None)
        .await
        .expect("page 1");
    assert_eq!(p1.items.len(), 3);
    let p2 = s
        .get_metric_history(&run, "loss", Some(3), p1.next_page_token.as_deref())
        .await
        .expect("page 2");
    assert_eq!(p2.items, vec![Metric::new("loss", 0.3, 30, 2)]);
    assert!(p2.next_page_token.is_none());
    assert!(s
        .get_metric_history(&run, "none", None, None)
        .await
        .expect("empty")
        .items
        .is_empty());
    assert_eq!(
        code(
            s.get_metric_history("0123456789abcdef0123456789abcdef", "loss", None, None)
                .await
        ),
        "RESOURCE_DOES_NOT_EXIST"
    );
    let nan = s
        .get_metric_history(&run, "nan", None, None)
        .await
        .expect("nan history");
    assert!(nan.items[0].value.is_nan());
}

/// Every finite double logged comes back from get-run and search with the same bits:
/// subnormals, extremes, values needing all 17 digits, negative zero aside (as in
/// MLflow's SQL store, -0 reads back as 0).
async fn metric_values_read_back_bit_for_bit(b: &Backend) {
    let s = &b.store;
    let mut values = vec![
        0.1 + 0.2,
        1.0 / 3.0,
        5e-324,
        2.2250738585072014e-308,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        -123_456_789.123_456_78,
        9007199254740993.0,
        1e22,
        1e23,
    ];
    // Deterministic pseudo-random bit patterns (splitmix64), finite only.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    while values.len() < 600 {
        x = x.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        let v = f64::from_bits(z ^ (z >> 31));
        if v.is_finite() {
            values.push(v);
        }
    }
    let run = new_run(s, "0", "bits", 1).await;
    for chunk in values.chunks(200).enumerate() {
        let metrics: Vec<Metric> = chunk
            .1
            .iter()
            .enumerate()
            .map(|(i, &v)| Metric::new(format!("k{}", chunk.0 * 200 + i), v, 1, 0))
            .collect();
        s.log_batch(&run, &metrics, &[], &[]).await.expect("log");
    }
    let check = |got: &[Metric], how: &str| {
        assert_eq!(got.len(), values.len(), "{how}");
        for m in got {
            let i: usize = m.key[1..].parse().expect("key");
            assert_eq!(
                m.value.to_bits(),
                values[i].to_bits(),
                "{how}: {} logged {:e}, read {:e}",
                m.key,
                values[i],
                m.value
            );
        }
    };
    check(&s.get_run(&run).await.expect("get").data.metrics, "get_run");
    let found = s
        .search_runs(&RunSearch {
            experiment_ids: vec!["0".into()],
            filter: "attributes.run_name = 'bits'".into(),
            ..RunSearch::default()
        })
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1);
    check(&found.items[0].data.metrics, "search_runs");
    // The same values as one metric's history, step by step.
    let history: Vec<Metric> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| Metric::new("h", v, 1, i as i64))
        .collect();
    for chunk in history.chunks(500) {
        s.log_batch(&run, chunk, &[], &[])
            .await
            .expect("log history");
    }
    let got = s
        .get_metric_history(&run, "h", None, None)
        .await
        .expect("history");
    let bits: Vec<u64> = got.items.iter().map(|m| m.value.to_bits()).collect();
    let want: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
    assert_eq!(bits, want, "get_metric_history");
}

async fn log_batch_is_atomic(b: &Backend) {
    let s = &b.store;
    let run = new_run(s, "0", "atomic", 1).await;
    s.log_param(&run, &Tag::new("fixed", "1"))
        .await
        .expect("param");
    let metrics: Vec<Metric> = (0..500).map(|i| Metric::new("m", i as f64, i, i)).collect();
    // A conflicting param at the end of the batch: nothing of the batch is written.
    let err = s
        .log_batch(
            &run,
            &metrics,
            &[Tag::new("new", "x"), Tag::new("fixed", "2")],
            &[Tag::new("t", "v")],
        )
        .await;
    assert_eq!(code(err), "INVALID_PARAMETER_VALUE");
    let got = s.get_run(&run).await.expect("get");
    assert!(got.data.metrics.is_empty());
    assert_eq!(got.data.params, vec![Tag::new("fixed", "1")]);
    assert!(!got.data.tags.iter().any(|t| t.key == "t"));
    assert!(s
        .get_metric_history(&run, "m", None, None)
        .await
        .expect("h")
        .items
        .is_empty());

    // A bad metric name anywhere refuses the whole batch.
    let mut bad = metrics.clone();
    bad[250].key = "bad/../name".into();
    assert_eq!(
        code(s.log_batch(&run, &bad, &[], &[]).await),
        "INVALID_PARAMETER_VALUE"
    );
    // Limits: 1000 metrics, 100 params, 100 tags.
    let too_many: Vec<Metric> = (0..1001).map(|i| Metric::new("m", 0.0, i, 0)).collect();
    assert_eq!(
        code(s.log_batch(&run, &too_many, &[], &[]).await),
        "INVALID_PARAMETER_VALUE"
    );
    let params: Vec<Tag> = (0..101).map(|i| Tag::new(format!("p{i}"), "v")).collect();
    assert_eq!(
        code(s.log_batch(&run, &[], &params, &[]).await),
        "INVALID_PARAMETER_VALUE"
    );
    let dup = [Tag::new("d", "1"), Tag::new("d", "2")];
    assert_eq!(
        code(s.log_batch(&run, &[], &dup, &[]).await),
        "INVALID_PARAMETER_VALUE"
    );

    let ok: Vec<Metric> = (0..996)
        .map(|i| Metric::new(format!("k{}", i % 7), i as f64, i, i))
        .collect();
    s.log_batch(
        &run,
        &ok,
        &[Tag::new("d", "1"), Tag::new("d", "1")],
        &[Tag::new("t", "1"), Tag::new("t", "2")],
    )
    .await
    .expect("full batch");
    let got = s.get_run(&run).await.expect("get");
    assert_eq!(got.data.metrics.len(), 7);
    assert!(got.data.tags.contains(&Tag::new("t", "2")));
    let total: usize = {
        let mut n = 0;
        for k in 0..7 {
            n += s
                .get_metric_history(&run, &format!("k{k}"), None, None)
                .await
                .expect("h")
                .items
                .len();
        }
        n
    };
    assert_eq!(total, 996);
}

async fn search_filters(b: &Backend) {
    let s = &b.store;
    let exp = s
        .create_experiment("search", None, &[])
        .await
        .expect("create");
    let a = new_run(s, &exp, "alpha", 100).await;
    let bb = new_run(s, &exp, "Beta", 200).await;
    let c = new_run(s, &exp, "gamma", 300).await;
    s.log_batch(
        &a,
        &[Metric::new("acc", 0.9, 1, 0)],
        &[Tag::new("lr", "0.01")],
        &[Tag::new("team", "IR")],
    )
    .await
    .expect("a");
    s.log_batch(
        &bb,
        &[Metric::new("acc", 0.5, 1, 0)],
        &[Tag::new("lr", "0.1")],
        &[Tag::new("team", "ir-lab")],
    )
    .await
    .expect("b");
    s.log_batch(&c, &[Metric::new("acc", f64::NAN, 1, 0)], &[], &[])
        .await
        .expect("c");
    s.update_run(
        &c,
        &RunUpdate {
            status: Some(RunStatus::Failed),
            end_time: Some(400),
            run_name: None,
        },
    )
    .await
    .expect("update");

    let find = |filter: &'static str| {
        let exp = exp.clone();
        async move {
            let page = s
                .search_runs(&RunSearch {
                    experiment_ids: vec![exp],
                    filter: filter.into(),
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("{filter}: {e}"));
            let mut names: Vec<String> =
                page.items.iter().map(|r| r.info.run_name.clone()).collect();
            names.sort();
            names.join(",")
        }
    };
    assert_eq!(find("").await, "Beta,alpha,gamma");
    assert_eq!(find("metrics.acc > 0.6").await, "alpha");
    assert_eq!(find("metrics.acc >= 0.5").await, "Beta,alpha");
    assert_eq!(find("metrics.acc != 0.9").await, "Beta,gamma"); // NaN satisfies !=
    assert_eq!(find("metrics.acc = 0").await, ""); // NaN is stored as 0 but never equals
    assert_eq!(find("metrics.acc < 1 and params.lr = '0.1'").await, "Beta");
    assert_eq!(find("params.lr != '0.1'").await, "alpha");
    assert_eq!(find("params.lr IS NULL").await, "gamma");
    assert_eq!(find("params.lr IS NOT NULL").await, "Beta,alpha");
    assert_eq!(find("tags.team LIKE 'ir%'").await, "Beta"); // LIKE is case-sensitive
    assert_eq!(find("tags.team ILIKE 'ir%'").await, "Beta,alpha");
    assert_eq!(find("tags.team LIKE '%r_l%'").await, "Beta");
    assert_eq!(find("attributes.status = 'FAILED'").await, "gamma");
    assert_eq!(find("status != 'FAILED'").await, "Beta,alpha");
    assert_eq!(find("attributes.run_name = 'alpha'").await, "alpha");
    assert_eq!(find("run_name ILIKE 'b%'").await, "Beta");
    assert_eq!(
        find("attributes.user_id = 'alice'").await,
        "Beta,alpha,gamma"
    );
    assert_eq!(find("attributes.start_time > 150").await, "Beta,gamma");
    assert_eq!(find("created <= 200").await, "Beta,alpha");
    assert_eq!(find("attributes.end_time = 400").await, "gamma");
    let ids = format!("attributes.run_id IN ('{a}', '{c}')");
    let ids: &'static str = Box::leak(ids.into_boxed_str());
    assert_eq!(find(ids).await, "alpha,gamma");
    let not_ids: &'static str = Box::leak(format!("run_id NOT IN ('{a}')").into_boxed_str());
    assert_eq!(find(not_ids).await, "Beta,gamma");
    assert_eq!(find("tags.`mlflow.runName` = 'gamma'").await, "gamma");
    assert_eq!(find("metrics.missing > 0").await, "");

    for bad in [
        "metrics.acc >> 1",
        "params.lr > '1'",
        "metrics.a = 'x'",
        "a.b = 'c'",
        "metrics.a > 1 OR metrics.b > 1",
    ] {
        let r = s
            .search_runs(&RunSearch {
                experiment_ids: vec![exp.clone()],
                filter: bad.into(),
                ..Default::default()
            })
            .await;
        assert_eq!(code(r), "INVALID_PARAMETER_VALUE", "{bad}");
    }

    s.delete_run(&bb).await.expect("delete");
    let view = |v: ViewType| {
        let exp = exp.clone();
        async move {
            s.search_runs(&RunSearch {
                experiment_ids: vec![exp],
                view: v,
                ..Default::default()
            })
            .await
            .expect("search")
            .items
            .len()
        }
    };
    assert_eq!(view(ViewType::ActiveOnly).await, 2);
    assert_eq!(view(ViewType::DeletedOnly).await, 1);
    assert_eq!(view(ViewType::All).await, 3);
}

async fn search_order_and_pages(b: &Backend) {
    let s = &b.store;
    let exp = s
        .create_experiment("order", None, &[])
        .await
        .expect("create");
    let mut ids = Vec::new();
    for i in 0..25i64 {
        let id = new_run(s, &exp, &format!("r{i:02}"), 1000 + i).await;
        let value = match i {
            3 => f64::NAN,
            _ => (i % 5) as f64,
        };
        if i != 7 {
            s.log_metric(&id, &Metric::new("score", value, 1, 0))
                .await
                .expect("log");
        }
        s.log_param(&id, &Tag::new("p", format!("{:02}", 24 - i)))
            .await
            .expect("param");
        ids.push(id);
    }
    let search = |order: Vec<&str>, token: Option<String>, max: Option<i64>| {
        let exp = exp.clone();
        let order: Vec<String> = order.into_iter().map(String::from).collect();
        async move {
            s.search_runs(&RunSearch {
                experiment_ids: vec![exp],
                order_by: order,
                max_results: max,
                page_token: token,
                ..Default::default()
            })
            .await
            .expect("search")
        }
    };
    // Default: start_time DESC.
    let all = search(vec![], None, None).await;
    assert_eq!(all.items[0].info.run_name, "r24");
    assert_eq!(all.items[24].info.run_name, "r00");

    // Metric DESC: values, then NaN, then missing; ties by start_time DESC.
    let by = search(vec!["metrics.score DESC"], None, None).await;
    let names: Vec<&str> = by.items.iter().map(|r| r.info.run_name.as_str()).collect();
    assert_eq!(&names[..3], &["r24", "r19", "r14"]);
    assert_eq!(names[23], "r03");
    assert_eq!(names[24], "r07");
    let asc = search(vec!["metrics.score ASC"], None, None).await;
    let names: Vec<&str> = asc.items.iter().map(|r| r.info.run_name.as_str()).collect();
    assert_eq!(&names[..2], &["r20", "r15"]);
    assert_eq!(&names[23..], &["r03", "r07"]);

    let by_param = search(vec!["params.p ASC"], None, None).await;
    assert_eq!(by_param.items[0].info.run_name, "r24");
    let by_name = search(vec!["attributes.run_name DESC"], None, None).await;
    assert_eq!(by_name.items[0].info.run_name, "r24");

    // Pages cover every run once, in order.
    let mut token = None;
    let mut seen = Vec::new();
    loop {
        let page = search(vec!["metrics.score DESC"], token.clone(), Some(7)).await;
        assert!(page.items.len() <= 7);
        seen.extend(page.items.iter().map(|r| r.info.run_id.clone()));
        token = page.next_page_token;
        if token.is_none() {
            break;
        }
    }
    let expected: Vec<String> = by.items.iter().map(|r| r.info.run_id.clone()).collect();
    assert_eq!(seen, expected);

    let bad = s
        .search_runs(&RunSearch {
            experiment_ids: vec![exp.clone()],
            page_token: Some("not a token".into()),
            ..Default::default()
        })
        .await;
    assert_eq!(code(bad), "INVALID_PARAMETER_VALUE");
    let bad = s
        .search_runs(&RunSearch {
            experiment_ids: vec![exp.clone()],
            max_results: Some(50001),
            ..Default::default()
        })
        .await;
    assert_eq!(code(bad), "INVALID_PARAMETER_VALUE");
}

async fn dataset_inputs(b: &Backend) {
    let s = &b.store;
    let exp = s
        .create_experiment("data", None, &[])
        .await
        .expect("create");
    let run = new_run(s, &exp, "d", 1).await;
    let other = new_run(s, &exp, "e", 2).await;
    let ds = |name: &str, digest: &str, ctx: &str| DatasetInput {
        tags: vec![Tag::new("mlflow.data.context", ctx)],
        dataset: Dataset {
            name: name.into(),
            digest: digest.into(),
            source_type: "code".into(),
            source: "{}".into(),
            schema: Some("{\"mlflow_colspec\": []}".into()),
            profile: None,
        },
    };
    s.log_inputs(
        &run,
        &[
            ds("train", "abc", "training"),
            ds("train", "abc", "dup"),
            ds("eval", "def", "eval"),
        ],
    )
    .await
    .expect("inputs");
    s.log_inputs(&run, &[ds("train", "abc", "again")])
        .await
        .expect("again");
    s.log_inputs(&other, &[ds("train", "abc", "training")])
        .await
        .expect("other");
    let got = s.get_run(&run).await.expect("get");
    assert_eq!(got.inputs.len(), 2);
    assert_eq!(got.inputs[0].dataset.name, "train");
    assert_eq!(
        got.inputs[0].tags,
        vec![Tag::new("mlflow.data.context", "training")]
    );
    assert_eq!(got.inputs[0].dataset.profile, None);
    assert_eq!(got.inputs[1].dataset.digest, "def");
    let find = |f: &str| {
        let f = f.to_string();
        let exp = exp.clone();
        async move {
            let mut n: Vec<String> = s
                .search_runs(&RunSearch {
                    experiment_ids: vec![exp],
                    filter: f,
                    ..Default::default()
                })
                .await
                .expect("search")
                .items
                .into_iter()
                .map(|r| r.info.run_name)
                .collect();
            n.sort();
            n.join(",")
        }
    };
    assert_eq!(find("datasets.name = 'eval'").await, "d");
    assert_eq!(find("datasets.digest IN ('abc')").await, "d,e");
    assert_eq!(find("datasets.context = 'training'").await, "d,e");
    let bad = DatasetInput {
        tags: vec![],
        dataset: Dataset {
            name: String::new(),
            ..ds("x", "y", "z").dataset
        },
    };
    assert_eq!(
        code(s.log_inputs(&run, &[bad]).await),
        "INVALID_PARAMETER_VALUE"
    );
}

async fn concurrent_writers_lose_nothing(b: &Backend) {
    let store = Arc::new(b.store.clone());
    let run = new_run(&store, "0", "load", 1).await;
    let mut tasks = Vec::new();
    for w in 0..16i64 {
        let s = store.clone();
        let run = run.clone();
        tasks.push(tokio::spawn(async move {
            for batch in 0..20i64 {
                let metrics: Vec<Metric> = (0..50i64)
                    .map(|i| {
                        Metric::new(
                            format!("w{w}"),
                            (batch * 50 + i) as f64,
                            batch * 50 + i,
                            batch * 50 + i,
                        )
                    })
                    .collect();
                s.log_batch(
                    &run,
                    &metrics,
                    &[Tag::new(format!("p{w}_{batch}"), "v")],
                    &[],
                )
                .await
                .expect("batch under load");
                s.log_metric(
                    &run,
                    &Metric::new("single", (w * 100 + batch) as f64, w * 100 + batch, 0),
                )
                .await
                .expect("single under load");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    for w in 0..16 {
        let h = store
            .get_metric_history(&run, &format!("w{w}"), None, None)
            .await
            .expect("history");
        assert_eq!(h.items.len(), 1000, "writer {w}");
    }
    let single = store
        .get_metric_history(&run, "single", None, None)
        .await
        .expect("single");
    assert_eq!(single.items.len(), 16 * 20);
    let got = store.get_run(&run).await.expect("get");
    assert_eq!(got.data.params.len(), 16 * 20);
    assert_eq!(
        store.stats().await.expect("stats").metric_values,
        16 * 1000 + 320
    );
}

async fn search_experiments(b: &Backend) {
    let s = &b.store;
    for name in ["alpha", "Beta", "gamma-1", "gamma-2"] {
        s.create_experiment(
            name,
            None,
            &[Tag::new(
                "kind",
                if name.starts_with('g') { "g" } else { "x" },
            )],
        )
        .await
        .expect("create");
    }
    let gid = s
        .get_experiment_by_name("gamma-2")
        .await
        .expect("get")
        .experiment_id;
    s.delete_experiment(&gid).await.expect("delete");
    let names = |filter: &str, order: Vec<&str>, view: ViewType| {
        let search = ExperimentSearch {
            filter: filter.into(),
            order_by: order.into_iter().map(String::from).collect(),
            view,
            ..Default::default()
        };
        async move {
            s.search_experiments(&search)
                .await
                .expect("search")
                .items
                .into_iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    assert_eq!(
        names("", vec!["name ASC"], ViewType::ActiveOnly).await,
        "Beta,Default,alpha,gamma-1"
    );
    assert_eq!(
        names("name LIKE 'gamma%'", vec!["name DESC"], ViewType::All).await,
        "gamma-2,gamma-1"
    );
    assert_eq!(
        names("name ILIKE 'b%'", vec![], ViewType::ActiveOnly).await,
        "Beta"
    );
    assert_eq!(
        names("tags.kind = 'g'", vec![], ViewType::DeletedOnly).await,
        "gamma-2"
    );
    let first = s
        .search_experiments(&ExperimentSearch {
            max_results: Some(2),
            order_by: vec!["name".into()],
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!(first.items.len(), 2);
    let second = s
        .search_experiments(&ExperimentSearch {
            max_results: Some(2),
            order_by: vec!["name".into()],
            page_token: first.next_page_token,
            ..Default::default()
        })
        .await
        .expect("page 2");
    assert_eq!(
        second
            .items
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        vec!["alpha", "gamma-1"]
    );
    assert!(second.next_page_token.is_none());
}

async fn data_survives_reconnect(b: &Backend) {
    let s = &b.store;
    let run = new_run(s, "0", "durable", 1).await;
    s.log_batch(
        &run,
        &[Metric::new("m", 1.5, 1, 0)],
        &[Tag::new("p", "v")],
        &[Tag::new("t", "v")],
    )
    .await
    .expect("log");
    s.close().await;
    let again = SqlStore::connect(&b.uri).await.expect("reconnect");
    let got = again.get_run(&run).await.expect("get");
    assert_eq!(got.data.metrics, vec![Metric::new("m", 1.5, 1, 0)]);
    assert_eq!(got.data.params, vec![Tag::new("p", "v")]);
}
