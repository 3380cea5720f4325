//! Logging to a run: metrics, params, tags (one request = one transaction) and
//! dataset inputs.

use std::collections::HashMap;

use super::runs::{upsert_tag, RUN_NAME_TAG};
use super::{bind_all, get_i64, get_str, new_uuid, placeholders, Arg, SqlStore};
use crate::error::{Error, Result};
use crate::model::{DatasetInput, Metric, Param, Tag};
use crate::validate;

/// Rows per multi-row INSERT (6 bound values each).
const CHUNK: usize = 150;

/// (is_nan, stored value) as MLflow sanitizes metric values.
fn sanitize(v: f64) -> (i64, f64) {
    if v.is_nan() {
        (1, 0.0)
    } else {
        (0, v)
    }
}

impl SqlStore {
    /// Validates everything first, then writes params, metrics and tags in one
    /// transaction: an error anywhere rolls the whole request back.
    pub(crate) async fn log_batch_impl(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[Param],
        tags: &[Tag],
        single: bool,
    ) -> Result<()> {
        validate::run_id(run_id)?;
        if !single {
            validate::batch_limits(metrics.len(), params.len(), tags.len())?;
        }
        let metrics: Vec<Metric> = metrics
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let path = if single {
                    "key".to_string()
                } else {
                    format!("metrics[{i}].key")
                };
                validate::metric(&path, m)
            })
            .collect::<Result<_>>()?;
        let params: Vec<Param> = params.iter().map(validate::param).collect::<Result<_>>()?;
        let params = validate::unique_params(params)?;
        let tags: Vec<Tag> = tags.iter().map(validate::tag).collect::<Result<_>>()?;

        let mut tx = self.write.begin().await?;
        self.active_run(&mut tx, run_id).await?;

        // Params: insert-if-absent, then every key must hold the value asked for.
        for chunk in params.chunks(CHUNK) {
            let mut args = Vec::with_capacity(chunk.len() * 3);
            let mut rows = Vec::with_capacity(chunk.len());
            for p in chunk {
                let n = args.len();
                rows.push(self.row_placeholders(n, 3));
                args.push(Arg::Text(run_id.to_string()));
                args.push(Arg::Text(p.key.clone()));
                args.push(Arg::Text(p.value.clone()));
            }
            bind_all(
                sqlx::query(&format!(
                    "INSERT INTO params (run_uuid, key, value) VALUES {} \
                     ON CONFLICT (run_uuid, key) DO NOTHING",
                    rows.join(", ")
                )),
                &args,
            )
            .execute(&mut *tx)
            .await?;
            let mut args = vec![Arg::Text(run_id.to_string())];
            args.extend(chunk.iter().map(|p| Arg::Text(p.key.clone())));
            let stored = bind_all(
                sqlx::query(&format!(
                    "SELECT key, value FROM params WHERE run_uuid = $1 AND key IN ({})",
                    placeholders(2, chunk.len())
                )),
                &args,
            )
            .fetch_all(&mut *tx)
            .await?;
            let stored: HashMap<String, String> = stored
                .iter()
                .map(|r| Ok((get_str(r, "key")?, get_str(r, "value")?)))
                .collect::<Result<_>>()?;
            for p in chunk {
                match stored.get(&p.key) {
                    Some(old) if *old != p.value => {
                        return Err(Error::invalid(format!(
                            "Changing param values is not allowed. Param with key='{}' was \
                             already logged with value='{old}' for run ID='{run_id}'. \
                             Attempted logging new value '{}'.",
                            p.key, p.value
                        )))
                    }
                    _ => {}
                }
            }
        }

        // Metrics: full history (identical entries collapse) and the latest value per key.
        for chunk in metrics.chunks(CHUNK) {
            let mut args = Vec::with_capacity(chunk.len() * 6);
            let mut rows = Vec::with_capacity(chunk.len());
            for m in chunk {
                let n = args.len();
                rows.push(self.row_placeholders(n, 6));
                let (is_nan, value) = sanitize(m.value);
                args.extend([
                    Arg::Text(run_id.to_string()),
                    Arg::Text(m.key.clone()),
                    Arg::Real(value),
                    Arg::Int(is_nan),
                    Arg::Int(m.timestamp),
                    Arg::Int(m.step),
                ]);
            }
            bind_all(
                sqlx::query(&format!(
                    "INSERT INTO metrics (run_uuid, key, value, is_nan, ts, step) VALUES {} \
                     ON CONFLICT DO NOTHING",
                    rows.join(", ")
                )),
                &args,
            )
            .execute(&mut *tx)
            .await?;
        }
        let mut latest: Vec<&Metric> = Vec::new();
        for m in &metrics {
            let key = |m: &Metric| (m.step, m.timestamp, sanitize(m.value).1);
            match latest.iter_mut().find(|l| l.key == m.key) {
                Some(l) => {
                    if key(m) > key(l) {
                        *l = m;
                    }
                }
                None => latest.push(m),
            }
        }
        for chunk in latest.chunks(CHUNK) {
            let mut args = Vec::with_capacity(chunk.len() * 6);
            let mut rows = Vec::with_capacity(chunk.len());
            for m in chunk {
                let n = args.len();
                rows.push(self.row_placeholders(n, 6));
                let (is_nan, value) = sanitize(m.value);
                args.extend([
                    Arg::Text(run_id.to_string()),
                    Arg::Text(m.key.clone()),
                    Arg::Real(value),
                    Arg::Int(is_nan),
                    Arg::Int(m.timestamp),
                    Arg::Int(m.step),
                ]);
            }
            bind_all(
                sqlx::query(&format!(
                    "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, ts, step) VALUES {} \
                     ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, \
                     is_nan = excluded.is_nan, ts = excluded.ts, step = excluded.step \
                     WHERE (excluded.step, excluded.ts, excluded.value) > \
                     (latest_metrics.step, latest_metrics.ts, latest_metrics.value)",
                    rows.join(", ")
                )),
                &args,
            )
            .execute(&mut *tx)
            .await?;
        }

        // Tags: the last value of a key wins.
        let mut last: Vec<&Tag> = Vec::new();
        for t in &tags {
            match last.iter_mut().find(|l| l.key == t.key) {
                Some(l) => *l = t,
                None => last.push(t),
            }
        }
        for t in last {
            upsert_tag(&mut tx, run_id, t).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn delete_tag_impl(&self, run_id: &str, key: &str) -> Result<()> {
        let mut tx = self.write.begin().await?;
        self.active_run(&mut tx, run_id).await?;
        let done = bind_all(
            sqlx::query("DELETE FROM tags WHERE run_uuid = $1 AND key = $2"),
            &[Arg::Text(run_id.to_string()), Arg::Text(key.to_string())],
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(format!(
                "No tag with name: {key} in run with id {run_id}"
            )));
        }
        if key == RUN_NAME_TAG {
            bind_all(
                sqlx::query("UPDATE runs SET name = '' WHERE run_uuid = $1"),
                &[Arg::Text(run_id.to_string())],
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn log_inputs_impl(
        &self,
        run_id: &str,
        inputs: &[DatasetInput],
    ) -> Result<()> {
        validate::run_id(run_id)?;
        for d in inputs {
            validate::dataset_input(d)?;
        }
        // The first input of each (name, digest) counts.
        let mut unique: Vec<&DatasetInput> = Vec::new();
        for d in inputs {
            if !unique
                .iter()
                .any(|u| u.dataset.name == d.dataset.name && u.dataset.digest == d.dataset.digest)
            {
                unique.push(d);
            }
        }
        let mut tx = self.write.begin().await?;
        let info = self.active_run(&mut tx, run_id).await?;
        let exp_id: i64 = validate::experiment_id(&info.experiment_id)?;
        let count = bind_all(
            sqlx::query("SELECT COUNT(*) AS n FROM run_inputs WHERE run_uuid = $1"),
            &[Arg::Text(run_id.to_string())],
        )
        .fetch_one(&mut *tx)
        .await?;
        let mut position = get_i64(&count, "n")?;
        for d in unique {
            let ds = &d.dataset;
            let found = bind_all(
                sqlx::query(
                    "SELECT dataset_uuid FROM datasets WHERE experiment_id = $1 AND name = $2 AND digest = $3",
                ),
                &[
                    Arg::Int(exp_id),
                    Arg::Text(ds.name.clone()),
                    Arg::Text(ds.digest.clone()),
                ],
            )
            .fetch_optional(&mut *tx)
            .await?;
            let dataset_uuid = match found {
                Some(r) => get_str(&r, "dataset_uuid")?,
                None => {
                    let id = new_uuid();
                    let opt = |v: &Option<String>| match v {
                        Some(s) => Arg::Text(s.clone()),
                        None => Arg::NullText,
                    };
                    bind_all(
                        sqlx::query(
                            "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, \
                             source_type, source, ds_schema, ds_profile) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        ),
                        &[
                            Arg::Text(id.clone()),
                            Arg::Int(exp_id),
                            Arg::Text(ds.name.clone()),
                            Arg::Text(ds.digest.clone()),
                            Arg::Text(ds.source_type.clone()),
                            Arg::Text(ds.source.clone()),
                            opt(&ds.schema),
                            opt(&ds.profile),
                        ],
                    )
                    .execute(&mut *tx)
                    .await?;
                    id
                }
            };
            let added = bind_all(
                sqlx::query(
                    "INSERT INTO run_inputs (run_uuid, dataset_uuid, position) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                ),
                &[
                    Arg::Text(run_id.to_string()),
                    Arg::Text(dataset_uuid.clone()),
                    Arg::Int(position),
                ],
            )
            .execute(&mut *tx)
            .await?;
            if added.rows_affected() == 0 {
                continue;
            }
            position += 1;
            for t in &d.tags {
                bind_all(
                    sqlx::query(
                        "INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    ),
                    &[
                        Arg::Text(run_id.to_string()),
                        Arg::Text(dataset_uuid.clone()),
                        Arg::Text(t.key.clone()),
                        Arg::Text(t.value.clone()),
                    ],
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
