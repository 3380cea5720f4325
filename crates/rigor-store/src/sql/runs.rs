//! Runs: create, read (with their data and inputs), update, delete/restore, metric
//! history.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::{
    bind_all, get_i64, get_opt_i64, get_opt_str, get_str, new_uuid, now_ms, placeholders, Arg,
    Dialect, SqlStore,
};
use crate::error::{Error, Result};
use crate::model::*;
use crate::search;
use crate::validate;

pub(crate) const RUN_NAME_TAG: &str = "mlflow.runName";

pub(crate) const RUN_COLUMNS: &str = "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, \
     r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

pub(crate) fn run_info_from_row(row: &AnyRow) -> Result<RunInfo> {
    let status = get_str(row, "status")?;
    Ok(RunInfo {
        run_id: get_str(row, "run_uuid")?,
        experiment_id: get_i64(row, "experiment_id")?.to_string(),
        run_name: get_str(row, "name")?,
        user_id: get_str(row, "user_id")?,
        status: RunStatus::parse(&status).unwrap_or(RunStatus::Running),
        start_time: get_i64(row, "start_time")?,
        end_time: get_opt_i64(row, "end_time")?,
        artifact_uri: get_str(row, "artifact_uri")?,
        lifecycle_stage: Lifecycle::parse(&get_str(row, "lifecycle_stage")?),
    })
}

/// A random `adjective-noun-NNN` run name, as MLflow gives runs without one.
fn random_run_name() -> String {
    const ADJ: &[&str] = &[
        "amber", "bold", "brisk", "calm", "clever", "crisp", "daring", "eager", "gentle", "glad",
        "keen", "lucid", "merry", "nimble", "quiet", "rapid", "sturdy", "swift", "tidy", "vivid",
        "wise", "zesty",
    ];
    const NOUN: &[&str] = &[
        "badger", "bee", "crane", "deer", "falcon", "finch", "fox", "gull", "hare", "heron",
        "lark", "lynx", "mole", "newt", "otter", "owl", "panda", "robin", "seal", "shrew", "stoat",
        "wren",
    ];
    let b = uuid::Uuid::new_v4().into_bytes();
    format!(
        "{}-{}-{}",
        ADJ[b[0] as usize % ADJ.len()],
        NOUN[b[1] as usize % NOUN.len()],
        u16::from_le_bytes([b[2], b[3]]) % 1000
    )
}

impl SqlStore {
    pub(crate) async fn create_run_impl(&self, new: &NewRun) -> Result<Run> {
        let tags: Vec<Tag> = new.tags.iter().map(validate::tag).collect::<Result<_>>()?;
        let tag_name = tags
            .iter()
            .find(|t| t.key == RUN_NAME_TAG)
            .map(|t| t.value.clone());
        let run_name = match (&new.run_name, &tag_name) {
            (Some(a), Some(b)) if !a.is_empty() && a != b => {
                return Err(Error::invalid(format!(
                    "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with \
                     different values (run_name='{a}', mlflow.runName='{b}')."
                )))
            }
            (Some(a), _) if !a.is_empty() => a.clone(),
            (_, Some(b)) => b.clone(),
            _ => random_run_name(),
        };
        let mut tx = self.write.begin().await?;
        let (exp_id, location) = {
            let id = validate::experiment_id(&new.experiment_id)?;
            let row = bind_all(
                sqlx::query(
                    "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = $1",
                ),
                &[Arg::Int(id)],
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                Error::not_found(format!("No Experiment with id={} exists", new.experiment_id))
            })?;
            if get_str(&row, "lifecycle_stage")? != "active" {
                return Err(Error::invalid(format!(
                    "The experiment {} must be in the 'active' state. Current state is deleted.",
                    new.experiment_id
                )));
            }
            (id, get_str(&row, "artifact_location")?)
        };
        let run_id = new_uuid();
        let artifact_uri = format!("{}/{run_id}/artifacts", location.trim_end_matches('/'));
        let start_time = new.start_time.unwrap_or_else(now_ms);
        let user_id = new.user_id.clone().unwrap_or_default();
        bind_all(
            sqlx::query(
                "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, \
                 end_time, artifact_uri, lifecycle_stage, deleted_time) \
                 VALUES ($1, $2, $3, $4, 'RUNNING', $5, NULL, $6, 'active', NULL)",
            ),
            &[
                Arg::Text(run_id.clone()),
                Arg::Int(exp_id),
                Arg::Text(run_name.clone()),
                Arg::Text(user_id.clone()),
                Arg::Int(start_time),
                Arg::Text(artifact_uri.clone()),
            ],
        )
        .execute(&mut *tx)
        .await?;
        let mut all_tags = tags;
        if tag_name.is_none() {
            all_tags.push(Tag::new(RUN_NAME_TAG, run_name.clone()));
        }
        for t in &all_tags {
            upsert_tag(&mut tx, &run_id, t).await?;
        }
        tx.commit().await?;
        Ok(Run {
            info: RunInfo {
                run_id,
                experiment_id: exp_id.to_string(),
                run_name,
                user_id,
                status: RunStatus::Running,
                start_time,
                end_time: None,
                artifact_uri,
                lifecycle_stage: Lifecycle::Active,
            },
            data: RunData {
                metrics: Vec::new(),
                params: Vec::new(),
                tags: all_tags,
            },
            inputs: Vec::new(),
        })
    }

    pub(crate) async fn get_run_impl(&self, run_id: &str) -> Result<Run> {
        validate::run_id(run_id)?;
        let row = bind_all(
            sqlx::query(&format!(
                "SELECT {RUN_COLUMNS} FROM runs r WHERE r.run_uuid = $1"
            )),
            &[Arg::Text(run_id.to_string())],
        )
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| Error::not_found(format!("Run with id={run_id} not found")))?;
        let info = run_info_from_row(&row)?;
        let mut runs = self.attach_data(vec![info]).await?;
        runs.pop()
            .ok_or_else(|| Error::not_found(format!("Run with id={run_id} not found")))
    }

    /// `(run_uuid, key, value)` of `table` for the runs in `inlist`, ordered by run
    /// and key, as one row holding a JSON array of triples (column `j`; NULL when
    /// there are none).
    fn text_triples_sql(&self, table: &str, inlist: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => format!(
                "SELECT json_group_array(json_array(run_uuid, key, value)) AS j FROM \
                 (SELECT run_uuid, key, value FROM {table} WHERE run_uuid IN ({inlist}) \
                 ORDER BY run_uuid, key)"
            ),
            Dialect::Postgres => format!(
                "SELECT json_agg(json_build_array(run_uuid, key, value) \
                 ORDER BY run_uuid, key)::text AS j FROM {table} WHERE run_uuid IN ({inlist})"
            ),
        }
    }

    /// One row `j`: a JSON array of `[run_uuid, key, value, is_nan, ts, step]` over
    /// `rows` (a query selecting those columns in the order wanted; `order` repeats it
    /// for PostgreSQL, whose `json_agg` does not keep a subquery's order). The value is
    /// text with every digit it needs to read back bit for bit (SQLite: 17
    /// significant digits; PostgreSQL's float8 text is the shortest exact form).
    fn metrics_json_sql(&self, rows: &str, order: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => format!(
                "SELECT json_group_array(json_array(run_uuid, key, printf('%!.17g', value), \
                 is_nan, ts, step)) AS j FROM ({rows})"
            ),
            Dialect::Postgres => format!(
                "SELECT json_agg(json_build_array(run_uuid, key, value::text, is_nan, ts, step) \
                 ORDER BY {order})::text AS j FROM ({rows}) t"
            ),
        }
    }

    /// Loads params, tags, latest metrics and dataset inputs of `infos`, in their order.
    pub(crate) async fn attach_data(&self, infos: Vec<RunInfo>) -> Result<Vec<Run>> {
        if infos.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Arg> = infos.iter().map(|i| Arg::Text(i.run_id.clone())).collect();
        let inlist = placeholders(1, ids.len());
        let mut data: HashMap<String, RunData> = HashMap::new();
        let mut inputs: HashMap<String, Vec<DatasetInput>> = HashMap::new();

        // Four independent reads, run at once on the read pool. Params and tags (text
        // only) come back as one JSON array per query: the SQLite driver hands rows
        // over one by one between threads, and a page of runs holds hundreds of them.
        let params_sql = self.text_triples_sql("params", &inlist);
        let tags_sql = self.text_triples_sql("tags", &inlist);
        let metrics_sql = self.metrics_json_sql(
            &format!(
                "SELECT run_uuid, key, value, is_nan, ts, step FROM latest_metrics \
                 WHERE run_uuid IN ({inlist}) ORDER BY run_uuid, key"
            ),
            "run_uuid, key",
        );
        let inputs_sql = format!(
            "SELECT i.run_uuid, i.dataset_uuid, d.name, d.digest, d.source_type, d.source, \
             d.ds_schema, d.ds_profile FROM run_inputs i \
             JOIN datasets d ON d.dataset_uuid = i.dataset_uuid \
             WHERE i.run_uuid IN ({inlist}) ORDER BY i.run_uuid, i.position"
        );
        let (param_rows, tag_rows, metric_rows, rows) = tokio::try_join!(
            bind_all(sqlx::query(&params_sql), &ids).fetch_one(&self.read),
            bind_all(sqlx::query(&tags_sql), &ids).fetch_one(&self.read),
            bind_all(sqlx::query(&metrics_sql), &ids).fetch_one(&self.read),
            bind_all(sqlx::query(&inputs_sql), &ids).fetch_all(&self.read),
        )?;
        for (run, key, value) in text_triples(&param_rows)? {
            data.entry(run)
                .or_default()
                .params
                .push(Tag::new(key, value));
        }
        for (run, key, value) in text_triples(&tag_rows)? {
            data.entry(run).or_default().tags.push(Tag::new(key, value));
        }
        for (run, metric) in metrics_json(&metric_rows)? {
            data.entry(run).or_default().metrics.push(metric);
        }
        let mut dataset_of: Vec<(String, String)> = Vec::new();
        for r in &rows {
            let run = get_str(r, "run_uuid")?;
            dataset_of.push((run.clone(), get_str(r, "dataset_uuid")?));
            inputs.entry(run).or_default().push(DatasetInput {
                tags: Vec::new(),
                dataset: Dataset {
                    name: get_str(r, "name")?,
                    digest: get_str(r, "digest")?,
                    source_type: get_str(r, "source_type")?,
                    source: get_str(r, "source")?,
                    schema: get_opt_str(r, "ds_schema")?,
                    profile: get_opt_str(r, "ds_profile")?,
                },
            });
        }
        if !dataset_of.is_empty() {
            let rows = bind_all(
                sqlx::query(&format!(
                    "SELECT run_uuid, dataset_uuid, key, value FROM input_tags \
                     WHERE run_uuid IN ({inlist}) ORDER BY key"
                )),
                &ids,
            )
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                let run = get_str(r, "run_uuid")?;
                let ds = get_str(r, "dataset_uuid")?;
                let pos = dataset_of
                    .iter()
                    .filter(|(r, _)| *r == run)
                    .position(|(_, d)| *d == ds);
                if let (Some(pos), Some(list)) = (pos, inputs.get_mut(&run)) {
                    if let Some(input) = list.get_mut(pos) {
                        input
                            .tags
                            .push(Tag::new(get_str(r, "key")?, get_str(r, "value")?));
                    }
                }
            }
        }
        Ok(infos
            .into_iter()
            .map(|info| Run {
                data: data.remove(&info.run_id).unwrap_or_default(),
                inputs: inputs.remove(&info.run_id).unwrap_or_default(),
                info,
            })
            .collect())
    }

    /// Locks a run for writing and checks it is active.
    pub(crate) async fn active_run(
        &self,
        tx: &mut Transaction<'static, Any>,
        run_id: &str,
    ) -> Result<RunInfo> {
        let info = self.run_in_tx(tx, run_id).await?;
        if info.lifecycle_stage != Lifecycle::Active {
            return Err(Error::invalid(format!(
                "The run {run_id} must be in the 'active' state. Current state is deleted."
            )));
        }
        Ok(info)
    }

    pub(crate) async fn run_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        run_id: &str,
    ) -> Result<RunInfo> {
        validate::run_id(run_id)?;
        let row = bind_all(
            sqlx::query(&format!(
                "SELECT {RUN_COLUMNS} FROM runs r WHERE r.run_uuid = $1"
            )),
            &[Arg::Text(run_id.to_string())],
        )
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| Error::not_found(format!("Run with id={run_id} not found")))?;
        run_info_from_row(&row)
    }

    pub(crate) async fn update_run_impl(&self, run_id: &str, u: &RunUpdate) -> Result<RunInfo> {
        let mut tx = self.write.begin().await?;
        let mut info = self.active_run(&mut tx, run_id).await?;
        if let Some(s) = u.status {
            info.status = s;
        }
        if let Some(t) = u.end_time {
            info.end_time = Some(t);
        }
        if let Some(name) = u.run_name.as_ref().filter(|n| !n.is_empty()) {
            info.run_name = name.clone();
            upsert_tag(&mut tx, run_id, &Tag::new(RUN_NAME_TAG, name.clone())).await?;
        }
        bind_all(
            sqlx::query(
                "UPDATE runs SET status = $1, end_time = $2, name = $3 WHERE run_uuid = $4",
            ),
            &[
                Arg::Text(info.status.as_str().to_string()),
                info.end_time.map(Arg::Int).unwrap_or(Arg::NullInt),
                Arg::Text(info.run_name.clone()),
                Arg::Text(run_id.to_string()),
            ],
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(info)
    }

    pub(crate) async fn set_run_lifecycle(&self, run_id: &str, to: Lifecycle) -> Result<()> {
        let mut tx = self.write.begin().await?;
        self.run_in_tx(&mut tx, run_id).await?;
        let deleted = if to == Lifecycle::Deleted {
            Arg::Int(now_ms())
        } else {
            Arg::NullInt
        };
        bind_all(
            sqlx::query(
                "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_uuid = $3",
            ),
            &[
                Arg::Text(to.as_str().to_string()),
                deleted,
                Arg::Text(run_id.to_string()),
            ],
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn get_metric_history_impl(
        &self,
        run_id: &str,
        key: &str,
        max_results: Option<i64>,
        page_token: Option<&str>,
    ) -> Result<Page<Metric>> {
        validate::run_id(run_id)?;
        if let Some(n) = max_results {
            if n < 1 {
                return Err(Error::invalid(format!(
                    "Invalid value {n} for parameter 'max_results' supplied. It must be a \
                     positive integer"
                )));
            }
        }
        let offset = search::parse_page_token(page_token)?;
        let exists = bind_all(
            sqlx::query("SELECT run_uuid FROM runs WHERE run_uuid = $1"),
            &[Arg::Text(run_id.to_string())],
        )
        .fetch_optional(&self.read)
        .await?;
        if exists.is_none() {
            return Err(Error::not_found(format!("Run with id={run_id} not found")));
        }
        let limit = match max_results {
            Some(n) => format!(" LIMIT {}", n.saturating_add(1)),
            None => format!(" LIMIT {}", i64::MAX),
        };
        let row = bind_all(
            sqlx::query(&self.metrics_json_sql(
                &format!(
                    "SELECT run_uuid, key, value, is_nan, ts, step FROM metrics \
                     WHERE run_uuid = $1 AND key = $2 \
                     ORDER BY ts, step, value{limit} OFFSET {offset}"
                ),
                "ts, step, value",
            )),
            &[Arg::Text(run_id.to_string()), Arg::Text(key.to_string())],
        )
        .fetch_one(&self.read)
        .await?;
        let mut items: Vec<Metric> = metrics_json(&row)?.into_iter().map(|(_, m)| m).collect();
        let mut next_page_token = None;
        if let Some(n) = max_results {
            if items.len() as i64 > n {
                items.truncate(n as usize);
                next_page_token = Some(search::page_token(offset + n));
            }
        }
        Ok(Page {
            items,
            next_page_token,
        })
    }
}

/// Sets a run tag; `mlflow.runName` also renames the run, as in MLflow.
pub(crate) async fn upsert_tag(
    tx: &mut Transaction<'static, Any>,
    run_id: &str,
    t: &Tag,
) -> Result<()> {
    bind_all(
        sqlx::query(
            "INSERT INTO tags (run_uuid, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
        ),
        &[
            Arg::Text(run_id.to_string()),
            Arg::Text(t.key.clone()),
            Arg::Text(t.value.clone()),
        ],
    )
    .execute(&mut **tx)
    .await?;
    if t.key == RUN_NAME_TAG {
        bind_all(
            sqlx::query("UPDATE runs SET name = $1 WHERE run_uuid = $2"),
            &[Arg::Text(t.value.clone()), Arg::Text(run_id.to_string())],
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The triples of a [`SqlStore::text_triples_sql`] row.
fn text_triples(row: &AnyRow) -> Result<Vec<(String, String, String)>> {
    match get_opt_str(row, "j")? {
        None => Ok(Vec::new()),
        Some(j) => {
            serde_json::from_str(&j).map_err(|e| Error::Database(sqlx::Error::Decode(Box::new(e))))
        }
    }
}

/// The metrics of a [`SqlStore::metrics_json_sql`] row, with their runs.
fn metrics_json(row: &AnyRow) -> Result<Vec<(String, Metric)>> {
    type Entry = (String, String, String, i64, i64, i64);
    let Some(j) = get_opt_str(row, "j")? else {
        return Ok(Vec::new());
    };
    let bad = |e: String| Error::Database(sqlx::Error::Decode(e.into()));
    let entries: Vec<Entry> = serde_json::from_str(&j).map_err(|e| bad(e.to_string()))?;
    entries
        .into_iter()
        .map(|(run, key, value, is_nan, ts, step)| {
            let value = if is_nan != 0 {
                f64::NAN
            } else {
                value
                    .parse::<f64>()
                    .map_err(|e| bad(format!("metric value {value:?}: {e}")))?
            };
            Ok((
                run,
                Metric {
                    key,
                    value,
                    timestamp: ts,
                    step,
                },
            ))
        })
        .collect()
}
