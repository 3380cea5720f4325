//! Experiments: create, read, search, rename, delete/restore, tags.

use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::{bind_all, get_i64, get_str, is_unique_violation, now_ms, placeholders, Arg, SqlStore};
use crate::error::{Error, Result};
use crate::model::{Experiment, ExperimentSearch, Lifecycle, Page, Tag};
use crate::search::{self, Field, Op, Target, Value};
use crate::validate;

const COLUMNS: &str =
    "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";

fn experiment_from_row(row: &AnyRow) -> Result<Experiment> {
    Ok(Experiment {
        experiment_id: get_i64(row, "experiment_id")?.to_string(),
        name: get_str(row, "name")?,
        artifact_location: get_str(row, "artifact_location")?,
        lifecycle_stage: Lifecycle::parse(&get_str(row, "lifecycle_stage")?),
        creation_time: get_i64(row, "creation_time")?,
        last_update_time: get_i64(row, "last_update_time")?,
        tags: Vec::new(),
    })
}

impl SqlStore {
    pub(crate) async fn create_experiment_impl(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[Tag],
    ) -> Result<String> {
        validate::experiment_name(name)?;
        for t in tags {
            validate::experiment_tag(t)?;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .try_create_experiment(name, artifact_location, tags)
                .await
            {
                Err(e) if is_unique_violation(&e) && attempt < 5 => {
                    // A concurrent create took the id (PostgreSQL); the name check below
                    // tells a real duplicate from a race.
                    continue;
                }
                other => return other,
            }
        }
    }

    async fn try_create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[Tag],
    ) -> Result<String> {
        let mut tx = self.write.begin().await?;
        let exists = bind_all(
            sqlx::query("SELECT experiment_id FROM experiments WHERE name = $1"),
            &[Arg::Text(name.to_string())],
        )
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Err(Error::AlreadyExists(format!(
                "Experiment(name={name}) already exists."
            )));
        }
        let row = sqlx::query("SELECT COALESCE(MAX(experiment_id), 0) + 1 AS n FROM experiments")
            .fetch_one(&mut *tx)
            .await?;
        let id = get_i64(&row, "n")?;
        let location = match artifact_location {
            Some(l) if !l.is_empty() => l.to_string(),
            _ => format!("mlflow-artifacts:/{id}"),
        };
        let now = now_ms();
        bind_all(
            sqlx::query(
                "INSERT INTO experiments (experiment_id, name, artifact_location, \
                 lifecycle_stage, creation_time, last_update_time) \
                 VALUES ($1, $2, $3, 'active', $4, $5)",
            ),
            &[
                Arg::Int(id),
                Arg::Text(name.to_string()),
                Arg::Text(location),
                Arg::Int(now),
                Arg::Int(now),
            ],
        )
        .execute(&mut *tx)
        .await?;
        for t in tags {
            upsert_experiment_tag(&mut tx, id, t).await?;
        }
        tx.commit().await?;
        Ok(id.to_string())
    }

    pub(crate) async fn get_experiment_impl(&self, experiment_id: &str) -> Result<Experiment> {
        let id = validate::experiment_id(experiment_id)?;
        let row = bind_all(
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM experiments WHERE experiment_id = $1"
            )),
            &[Arg::Int(id)],
        )
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| Error::not_found(format!("No Experiment with id={experiment_id} exists")))?;
        let mut exp = experiment_from_row(&row)?;
        exp.tags = self.experiment_tags(id).await?;
        Ok(exp)
    }

    pub(crate) async fn get_experiment_by_name_impl(&self, name: &str) -> Result<Experiment> {
        let row = bind_all(
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM experiments WHERE name = $1"
            )),
            &[Arg::Text(name.to_string())],
        )
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| Error::not_found(format!("Could not find experiment with name '{name}'")))?;
        let mut exp = experiment_from_row(&row)?;
        exp.tags = self
            .experiment_tags(validate::experiment_id(&exp.experiment_id)?)
            .await?;
        Ok(exp)
    }

    async fn experiment_tags(&self, id: i64) -> Result<Vec<Tag>> {
        let rows = bind_all(
            sqlx::query(
                "SELECT key, value FROM experiment_tags WHERE experiment_id = $1 ORDER BY key",
            ),
            &[Arg::Int(id)],
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok(Tag::new(get_str(r, "key")?, get_str(r, "value")?)))
            .collect()
    }

    pub(crate) async fn search_experiments_impl(
        &self,
        s: &ExperimentSearch,
    ) -> Result<Page<Experiment>> {
        validate::max_results(s.max_results)?;
        let clauses = search::parse_filter(&s.filter, Target::Experiments)?;
        let order = search::parse_order_by(&s.order_by, Target::Experiments)?;
        let offset = search::parse_page_token(s.page_token.as_deref())?;
        let max = s.max_results.unwrap_or(1000);

        let mut args: Vec<Arg> = Vec::new();
        let stages = s.view.stages();
        let mut sql = format!(
            "SELECT {COLUMNS} FROM experiments e WHERE lifecycle_stage IN ({})",
            placeholders(1, stages.len())
        );
        args.extend(stages.iter().map(|s| Arg::Text(s.to_string())));
        for c in &clauses {
            let n = args.len() + 1;
            let cond = match (&c.field, &c.value) {
                (Field::StringAttr(_), Value::Text(v)) => match c.op {
                    Op::Like | Op::ILike => {
                        let ilike = c.op == Op::ILike;
                        args.push(Arg::Text(self.like_arg(v, ilike)));
                        self.like_sql("e.name", ilike, n)
                    }
                    op => {
                        args.push(Arg::Text(v.clone()));
                        format!("e.name {} ${n}", op.as_sql())
                    }
                },
                (Field::NumericAttr(col), Value::Number(v)) => {
                    args.push(Arg::Real(*v));
                    format!("e.{col} {} ${n}", c.op.as_sql())
                }
                (Field::Tag(key), value) => {
                    args.push(Arg::Text(key.clone()));
                    match (c.op, value) {
                        (Op::IsNull | Op::IsNotNull, _) => format!(
                            "{}EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = \
                             e.experiment_id AND t.key = ${n})",
                            if c.op == Op::IsNull { "NOT " } else { "" }
                        ),
                        (op, Value::Text(v)) => {
                            let cmp = match op {
                                Op::Like | Op::ILike => {
                                    let ilike = op == Op::ILike;
                                    args.push(Arg::Text(self.like_arg(v, ilike)));
                                    self.like_sql("t.value", ilike, n + 1)
                                }
                                op => {
                                    args.push(Arg::Text(v.clone()));
                                    format!("t.value {} ${}", op.as_sql(), n + 1)
                                }
                            };
                            format!(
                                "EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = \
                                 e.experiment_id AND t.key = ${n} AND {cmp})"
                            )
                        }
                        _ => return Err(Error::invalid("Invalid experiment filter")),
                    }
                }
                _ => {
                    return Err(Error::invalid(format!(
                        "Invalid filter '{}' for experiments",
                        s.filter
                    )))
                }
            };
            sql.push_str(" AND ");
            sql.push_str(&cond);
        }
        let mut order_sql: Vec<String> = Vec::new();
        for o in &order {
            let col = match &o.field {
                Field::StringAttr(c) | Field::NumericAttr(c) => {
                    if *c == "name"
                        || *c == "creation_time"
                        || *c == "last_update_time"
                        || *c == "experiment_id"
                    {
                        c.to_string()
                    } else {
                        return Err(Error::invalid(format!("Invalid order_by key '{c}'")));
                    }
                }
                _ => {
                    return Err(Error::invalid(
                        "Experiments can only be ordered by attributes",
                    ))
                }
            };
            order_sql.push(format!(
                "e.{col} {}",
                if o.ascending { "ASC" } else { "DESC" }
            ));
        }
        if !order
            .iter()
            .any(|o| o.field == Field::NumericAttr("creation_time"))
        {
            order_sql.push("e.creation_time DESC".into());
        }
        order_sql.push("e.experiment_id ASC".into());
        sql.push_str(&format!(
            " ORDER BY {} LIMIT {} OFFSET {}",
            order_sql.join(", "),
            max + 1,
            offset
        ));
        let rows = bind_all(sqlx::query(&sql), &args)
            .fetch_all(&self.read)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows.iter().take(max as usize) {
            let mut e = experiment_from_row(r)?;
            e.tags = self
                .experiment_tags(validate::experiment_id(&e.experiment_id)?)
                .await?;
            items.push(e);
        }
        let next_page_token = (rows.len() as i64 > max).then(|| search::page_token(offset + max));
        Ok(Page {
            items,
            next_page_token,
        })
    }

    async fn lock_experiment(
        &self,
        tx: &mut Transaction<'static, Any>,
        experiment_id: &str,
    ) -> Result<(i64, Lifecycle)> {
        let id = validate::experiment_id(experiment_id)?;
        let row = bind_all(
            sqlx::query("SELECT lifecycle_stage FROM experiments WHERE experiment_id = $1"),
            &[Arg::Int(id)],
        )
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| Error::not_found(format!("No Experiment with id={experiment_id} exists")))?;
        Ok((id, Lifecycle::parse(&get_str(&row, "lifecycle_stage")?)))
    }

    pub(crate) async fn rename_experiment_impl(
        &self,
        experiment_id: &str,
        new_name: &str,
    ) -> Result<()> {
        validate::experiment_name(new_name)?;
        let mut tx = self.write.begin().await?;
        let (id, stage) = self.lock_experiment(&mut tx, experiment_id).await?;
        if stage != Lifecycle::Active {
            return Err(Error::invalid(format!(
                "Cannot rename a non-active experiment. Experiment {experiment_id} is deleted."
            )));
        }
        let taken = bind_all(
            sqlx::query(
                "SELECT experiment_id FROM experiments WHERE name = $1 AND experiment_id != $2",
            ),
            &[Arg::Text(new_name.to_string()), Arg::Int(id)],
        )
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(Error::AlreadyExists(format!(
                "Experiment(name={new_name}) already exists."
            )));
        }
        bind_all(
            sqlx::query(
                "UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3",
            ),
            &[
                Arg::Text(new_name.to_string()),
                Arg::Int(now_ms()),
                Arg::Int(id),
            ],
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes or restores an experiment together with its runs.
    pub(crate) async fn set_experiment_lifecycle(
        &self,
        experiment_id: &str,
        to: Lifecycle,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let (id, stage) = self.lock_experiment(&mut tx, experiment_id).await?;
        if to == Lifecycle::Deleted && id == 0 {
            return Err(Error::invalid(
                "Cannot delete the default experiment '0'. This is an internally reserved \
                 experiment.",
            ));
        }
        if to == Lifecycle::Active && stage == Lifecycle::Active {
            return Err(Error::invalid(format!(
                "Cannot restore an experiment that is not deleted. Experiment {experiment_id} \
                 is active."
            )));
        }
        let now = now_ms();
        bind_all(
            sqlx::query("UPDATE experiments SET lifecycle_stage = $1, last_update_time = $2 WHERE experiment_id = $3"),
            &[Arg::Text(to.as_str().to_string()), Arg::Int(now), Arg::Int(id)],
        )
        .execute(&mut *tx)
        .await?;
        let deleted_time = if to == Lifecycle::Deleted {
            Arg::Int(now)
        } else {
            Arg::NullInt
        };
        bind_all(
            sqlx::query(
                "UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE experiment_id = $3",
            ),
            &[
                Arg::Text(to.as_str().to_string()),
                deleted_time,
                Arg::Int(id),
            ],
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn set_experiment_tag_impl(
        &self,
        experiment_id: &str,
        tag: &Tag,
    ) -> Result<()> {
        validate::experiment_tag(tag)?;
        let mut tx = self.write.begin().await?;
        let (id, stage) = self.lock_experiment(&mut tx, experiment_id).await?;
        if stage != Lifecycle::Active {
            return Err(Error::invalid(format!(
                "The experiment {experiment_id} must be in the 'active' state. Current state is \
                 deleted."
            )));
        }
        upsert_experiment_tag(&mut tx, id, tag).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn delete_experiment_tag_impl(
        &self,
        experiment_id: &str,
        key: &str,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let (id, _) = self.lock_experiment(&mut tx, experiment_id).await?;
        let done = bind_all(
            sqlx::query("DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2"),
            &[Arg::Int(id), Arg::Text(key.to_string())],
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found(format!(
                "No tag with name: {key} in experiment with id {experiment_id}"
            )));
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn upsert_experiment_tag(tx: &mut Transaction<'static, Any>, id: i64, t: &Tag) -> Result<()> {
    bind_all(
        sqlx::query(
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
        ),
        &[
            Arg::Int(id),
            Arg::Text(t.key.clone()),
            Arg::Text(t.value.clone()),
        ],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
