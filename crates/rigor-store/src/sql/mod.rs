//! The SQL store: one implementation of [`Store`] for SQLite and PostgreSQL through
//! sqlx's `Any` driver. Every statement is written once with `$n` placeholders, which
//! both databases accept; the few differences (DDL, case-sensitive `LIKE`) are in
//! [`Dialect`].
//!
//! SQLite runs in WAL mode with `synchronous = NORMAL`: a committed transaction survives
//! a killed process. Writes go through a pool of one connection, so concurrent writers
//! queue instead of failing with `SQLITE_BUSY`; reads use their own pool and never wait
//! for writes.

mod experiments;
mod logging;
mod query;
mod runs;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use crate::error::{Error, Result};
use crate::model::*;
use crate::store::Store;

/// The database behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Embedded migrations: (version, name, SQLite script, PostgreSQL script).
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[(
    1,
    "init",
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/postgres/0001_init.sql"),
)];

/// A tracking store in SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlStore {
    read: AnyPool,
    write: AnyPool,
    dialect: Dialect,
    sqlite_path: Option<std::path::PathBuf>,
}

/// A bound query argument.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Real(f64),
    Text(String),
    NullInt,
    NullText,
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Real(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.clone()),
            Arg::NullInt => q.bind(None::<i64>),
            Arg::NullText => q.bind(None::<String>),
        };
    }
    q
}

/// `$start, $start+1, …` for `n` values.
pub(crate) fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn new_uuid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Where an MLflow-style URI points: `sqlite:///relative.db`, `sqlite:////abs.db`,
/// `postgresql://…` / `postgres://…`.
fn parse_uri(uri: &str) -> Result<(Dialect, String, Option<std::path::PathBuf>)> {
    if let Some(rest) = uri.strip_prefix("sqlite://") {
        // MLflow / SQLAlchemy: three slashes then a relative path, four for absolute.
        let path = rest.strip_prefix('/').unwrap_or(rest);
        if path.is_empty() {
            return Err(Error::invalid(format!(
                "store URI {uri:?} names no database file (use sqlite:///rigor.db)"
            )));
        }
        let path = path.split('?').next().unwrap_or(path).to_string();
        Ok((
            Dialect::Sqlite,
            format!("sqlite://{path}?mode=rwc"),
            Some(std::path::PathBuf::from(path)),
        ))
    } else if uri.starts_with("postgresql://") || uri.starts_with("postgres://") {
        Ok((Dialect::Postgres, uri.to_string(), None))
    } else {
        Err(Error::invalid(format!(
            "unsupported store URI {uri:?}: use sqlite:///PATH or postgresql://…"
        )))
    }
}

impl SqlStore {
    /// Connects, applies the embedded migrations and makes sure the `Default`
    /// experiment (id 0) exists.
    pub async fn connect(uri: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let (dialect, url, sqlite_path) = parse_uri(uri)?;
        let opts = AnyConnectOptions::from_str(&url).map_err(Error::Database)?;
        let store = match dialect {
            Dialect::Sqlite => {
                if let Some(parent) = sqlite_path.as_ref().and_then(|p| p.parent()) {
                    if !parent.as_os_str().is_empty() && !parent.exists() {
                        return Err(Error::invalid(format!(
                            "directory {} of the store does not exist",
                            parent.display()
                        )));
                    }
                }
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(60))
                    .after_connect(|c, _| sqlite_pragmas(c))
                    .connect_with(opts.clone())
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(60))
                    .after_connect(|c, _| sqlite_pragmas(c))
                    .connect_with(opts)
                    .await?;
                SqlStore {
                    read,
                    write,
                    dialect,
                    sqlite_path,
                }
            }
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(60))
                    .connect_with(opts)
                    .await?;
                SqlStore {
                    read: pool.clone(),
                    write: pool,
                    dialect,
                    sqlite_path: None,
                }
            }
        };
        store.migrate().await?;
        store.ensure_default_experiment().await?;
        Ok(store)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Closes both pools (a clean checkpoint of the SQLite WAL).
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    async fn migrate(&self) -> Result<()> {
        let mut conn = self.write.acquire().await?;
        if self.dialect == Dialect::Postgres {
            // One migrator at a time across replicas.
            conn.execute("SELECT pg_advisory_lock(7411016)").await?;
        }
        conn.execute(
            "CREATE TABLE IF NOT EXISTS rigor_migrations (version BIGINT PRIMARY KEY, \
             name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM rigor_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<std::result::Result<_, _>>()?;
        let mut result = Ok(());
        for (version, name, sqlite, postgres) in MIGRATIONS {
            if applied.contains(version) {
                continue;
            }
            let script = match self.dialect {
                Dialect::Sqlite => sqlite,
                Dialect::Postgres => postgres,
            };
            let step: Result<()> = async {
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                tx.execute(sqlx::raw_sql(script)).await?;
                bind_all(
                    sqlx::query(
                        "INSERT INTO rigor_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    ),
                    &[Arg::Int(*version), Arg::Text(name.to_string()), Arg::Int(now_ms())],
                )
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                tracing::info!(version, name, "applied store migration");
                Ok(())
            }
            .await;
            if step.is_err() {
                result = step;
                break;
            }
        }
        if self.dialect == Dialect::Postgres {
            conn.execute("SELECT pg_advisory_unlock(7411016)").await?;
        }
        result
    }

    async fn ensure_default_experiment(&self) -> Result<()> {
        let now = now_ms();
        bind_all(
            sqlx::query(
                "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, \
                 creation_time, last_update_time) VALUES (0, 'Default', 'mlflow-artifacts:/0', \
                 'active', $1, $2) ON CONFLICT DO NOTHING",
            ),
            &[Arg::Int(now), Arg::Int(now)],
        )
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// `(…)` of `width` placeholders for one row of a multi-row INSERT whose values
    /// start after `bound` arguments. SQLite gets anonymous `?`: its lookup of numbered
    /// parameters by name is linear per parameter, quadratic for a large INSERT.
    pub(crate) fn row_placeholders(&self, bound: usize, width: usize) -> String {
        let inner: Vec<String> = match self.dialect {
            Dialect::Sqlite => vec!["?".to_string(); width],
            Dialect::Postgres => (bound + 1..=bound + width)
                .map(|i| format!("${i}"))
                .collect(),
        };
        format!("({})", inner.join(", "))
    }

    /// `column LIKE/ILIKE $n` for this database, case-sensitive `LIKE` as in MLflow.
    pub(crate) fn like_sql(&self, column: &str, ilike: bool, n: usize) -> String {
        match (self.dialect, ilike) {
            (Dialect::Postgres, false) => format!("{column} LIKE ${n}"),
            (Dialect::Postgres, true) => format!("{column} ILIKE ${n}"),
            // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive (pattern converted).
            (Dialect::Sqlite, false) => format!("{column} GLOB ${n}"),
            (Dialect::Sqlite, true) => format!("LOWER({column}) LIKE LOWER(${n})"),
        }
    }

    /// The bound value for [`Self::like_sql`]: SQLite's GLOB needs the pattern converted.
    pub(crate) fn like_arg(&self, pattern: &str, ilike: bool) -> String {
        if self.dialect == Dialect::Postgres || ilike {
            return pattern.to_string();
        }
        let mut out = String::with_capacity(pattern.len());
        for c in pattern.chars() {
            match c {
                '%' => out.push('*'),
                '_' => out.push('?'),
                '*' => out.push_str("[*]"),
                '?' => out.push_str("[?]"),
                '[' => out.push_str("[[]"),
                c => out.push(c),
            }
        }
        out
    }
}

/// Per-connection SQLite settings: WAL, durable commits, foreign keys, a busy wait.
fn sqlite_pragmas(
    conn: &mut sqlx::AnyConnection,
) -> futures::future::BoxFuture<'_, std::result::Result<(), sqlx::Error>> {
    Box::pin(async move {
        conn.execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
        )
        .await?;
        Ok(())
    })
}

pub(crate) fn get_i64(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn get_opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

pub(crate) fn get_str(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

/// True when a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &Error) -> bool {
    match e {
        Error::Database(sqlx::Error::Database(db)) => {
            db.is_unique_violation()
                || db
                    .code()
                    .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[Tag],
    ) -> Result<String> {
        self.create_experiment_impl(name, artifact_location, tags)
            .await
    }
    async fn get_experiment(&self, experiment_id: &str) -> Result<Experiment> {
        self.get_experiment_impl(experiment_id).await
    }
    async fn get_experiment_by_name(&self, name: &str) -> Result<Experiment> {
        self.get_experiment_by_name_impl(name).await
    }
    async fn search_experiments(&self, search: &ExperimentSearch) -> Result<Page<Experiment>> {
        self.search_experiments_impl(search).await
    }
    async fn rename_experiment(&self, experiment_id: &str, new_name: &str) -> Result<()> {
        self.rename_experiment_impl(experiment_id, new_name).await
    }
    async fn delete_experiment(&self, experiment_id: &str) -> Result<()> {
        self.set_experiment_lifecycle(experiment_id, Lifecycle::Deleted)
            .await
    }
    async fn restore_experiment(&self, experiment_id: &str) -> Result<()> {
        self.set_experiment_lifecycle(experiment_id, Lifecycle::Active)
            .await
    }
    async fn set_experiment_tag(&self, experiment_id: &str, tag: &Tag) -> Result<()> {
        self.set_experiment_tag_impl(experiment_id, tag).await
    }
    async fn delete_experiment_tag(&self, experiment_id: &str, key: &str) -> Result<()> {
        self.delete_experiment_tag_impl(experiment_id, key).await
    }
    async fn create_run(&self, new: &NewRun) -> Result<Run> {
        self.create_run_impl(new).await
    }
    async fn get_run(&self, run_id: &str) -> Result<Run> {
        self.get_run_impl(run_id).await
    }
    async fn update_run(&self, run_id: &str, update: &RunUpdate) -> Result<RunInfo> {
        self.update_run_impl(run_id, update).await
    }
    async fn delete_run(&self, run_id: &str) -> Result<()> {
        self.set_run_lifecycle(run_id, Lifecycle::Deleted).await
    }
    async fn restore_run(&self, run_id: &str) -> Result<()> {
        self.set_run_lifecycle(run_id, Lifecycle::Active).await
    }
    async fn search_runs(&self, search: &RunSearch) -> Result<Page<Run>> {
        self.search_runs_impl(search).await
    }
    async fn log_metric(&self, run_id: &str, metric: &Metric) -> Result<()> {
        self.log_batch_impl(run_id, std::slice::from_ref(metric), &[], &[], true)
            .await
    }
    async fn log_param(&self, run_id: &str, param: &Param) -> Result<()> {
        self.log_batch_impl(run_id, &[], std::slice::from_ref(param), &[], true)
            .await
    }
    async fn set_tag(&self, run_id: &str, tag: &Tag) -> Result<()> {
        self.log_batch_impl(run_id, &[], &[], std::slice::from_ref(tag), true)
            .await
    }
    async fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        self.delete_tag_impl(run_id, key).await
    }
    async fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[Param],
        tags: &[Tag],
    ) -> Result<()> {
        self.log_batch_impl(run_id, metrics, params, tags, false)
            .await
    }
    async fn log_inputs(&self, run_id: &str, datasets: &[DatasetInput]) -> Result<()> {
        self.log_inputs_impl(run_id, datasets).await
    }
    async fn get_metric_history(
        &self,
        run_id: &str,
        key: &str,
        max_results: Option<i64>,
        page_token: Option<&str>,
    ) -> Result<Page<Metric>> {
        self.get_metric_history_impl(run_id, key, max_results, page_token)
            .await
    }
    async fn stats(&self) -> Result<StoreStats> {
        let count = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.read).await?;
            get_i64(&row, "n")
        };
        let experiments = count("SELECT COUNT(*) AS n FROM experiments").await?;
        let runs = count("SELECT COUNT(*) AS n FROM runs").await?;
        let metric_values = count("SELECT COUNT(*) AS n FROM metrics").await?;
        let size_bytes = match self.dialect {
            Dialect::Sqlite => self.sqlite_path.as_ref().map(|p| {
                let file = |suffix: &str| {
                    let mut s = p.as_os_str().to_owned();
                    s.push(suffix);
                    std::fs::metadata(&s).map(|m| m.len() as i64).unwrap_or(0)
                };
                file("") + file("-wal")
            }),
            Dialect::Postgres => {
                let row = sqlx::query("SELECT pg_database_size(current_database()) AS n")
                    .fetch_one(&self.read)
                    .await?;
                Some(get_i64(&row, "n")?)
            }
        };
        Ok(StoreStats {
            experiments,
            runs,
            metric_values,
            size_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let (d, url, path) = parse_uri("sqlite:///rigor.db").expect("uri");
        assert_eq!(d, Dialect::Sqlite);
        assert_eq!(url, "sqlite://rigor.db?mode=rwc");
        assert_eq!(path.expect("path"), std::path::PathBuf::from("rigor.db"));
        let (_, url, _) = parse_uri("sqlite:////tmp/x.db").expect("uri");
        assert_eq!(url, "sqlite:///tmp/x.db?mode=rwc");
        assert!(parse_uri("sqlite://").is_err());
        assert!(parse_uri("mysql://x").is_err());
        assert_eq!(
            parse_uri("postgresql://u@h/db").expect("pg").0,
            Dialect::Postgres
        );
    }
}
