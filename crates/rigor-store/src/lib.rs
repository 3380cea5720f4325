//! rigor-store: the tracking store behind rigor's MLflow-compatible server.
//!
//! One [`Store`] trait holds every operation MLflow's tracking client needs; the one
//! implementation, [`SqlStore`], serves SQLite (embedded, the default) and PostgreSQL
//! from the same SQL through sqlx, with migrations embedded in the binary and applied
//! on connect. [`validate`] holds MLflow's rules (name syntax, length limits, batch
//! limits), [`search`] its filter and order-by grammar. Artifacts live apart, in an
//! [`ArtifactStore`] over the object_store crate. [`kpi`] computes research KPIs from
//! stored runs (reproducibility compliance), as pure functions.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use rigor_store::{Metric, NewRun, SqlStore, Store};
//! let dir = tempfile::tempdir().unwrap();
//! let uri = format!("sqlite:///{}/t.db", dir.path().display());
//! let store = SqlStore::connect(&uri).await.unwrap();
//! let exp = store.create_experiment("demo", None, &[]).await.unwrap();
//! let run = store
//!     .create_run(&NewRun { experiment_id: exp, ..Default::default() })
//!     .await
//!     .unwrap();
//! store.log_metric(&run.info.run_id, &Metric::new("loss", 0.5, 1, 0)).await.unwrap();
//! let got = store.get_run(&run.info.run_id).await.unwrap();
//! assert_eq!(got.data.metrics[0].value, 0.5);
//! # });
//! ```

pub mod artifacts;
pub mod error;
pub mod kpi;
pub mod mlflow_json;
pub mod model;
pub mod search;
mod sql;
mod store;
pub mod validate;

pub use artifacts::{ArtifactStore, FileInfo};
pub use error::{Error, Result};
pub use model::*;
pub use sql::{Dialect, SqlStore};
pub use store::Store;
