//! Which tracking server a command talks to, shared by `rigor run`, `rigor repro`,
//! `rigor kpi` and `--track`: `--tracking-uri`, else `MLFLOW_TRACKING_URI`, else the
//! store `rigor server` uses by default (`sqlite:///rigor.db` and `./rigor-artifacts`
//! in the working directory). A store URI (`sqlite:///…`, `postgresql://…`) is served
//! in-process on a free 127.0.0.1 port for as long as the command needs it, so a
//! child's MLflow client can log to it over HTTP like to any server.

use rigor_track::Client;

use crate::server::{open_store, DEFAULT_ARTIFACTS, DEFAULT_STORE};
use crate::Failure;

/// A client, and the in-process server behind it when there is one.
pub struct Tracking {
    pub client: Client,
    embedded: Option<Embedded>,
}

struct Embedded {
    runtime: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(10), task).await
            });
        }
    }
}

impl Tracking {
    /// A description for messages: the URI, and the store behind an in-process server.
    pub fn describe(&self) -> String {
        match &self.embedded {
            Some(_) => format!("{} (in-process)", self.client.uri()),
            None => self.client.uri().to_string(),
        }
    }
}

pub fn track_failure(e: rigor_track::Error) -> Failure {
    if e.is_bad_input() {
        Failure::Input(e.to_string())
    } else {
        Failure::Internal(e.to_string())
    }
}

/// Connects to the tracking server named by `uri` (see the module doc for defaults)
/// and checks that it answers.
pub fn connect(uri: Option<&str>) -> Result<Tracking, Failure> {
    let env = std::env::var("MLFLOW_TRACKING_URI")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let uri = uri.map(str::to_string).or(env);
    let target = uri.unwrap_or_else(|| DEFAULT_STORE.to_string());
    let tracking = if target.starts_with("http://") || target.starts_with("https://") {
        Tracking {
            client: Client::new(&target).map_err(track_failure)?,
            embedded: None,
        }
    } else if target.starts_with("sqlite:")
        || target.starts_with("postgresql:")
        || target.starts_with("postgres:")
    {
        embed(&target)?
    } else {
        return Err(Failure::Input(format!(
            "tracking URI {target:?}: expected http://HOST:PORT, sqlite:///PATH or postgresql://…"
        )));
    };
    tracking.client.ping().map_err(track_failure)?;
    Ok(tracking)
}

fn embed(store_uri: &str) -> Result<Tracking, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Internal(format!("cannot start the async runtime: {e}")))?;
    let (listener, store) = runtime.block_on(async {
        let store = open_store(store_uri, "tracking store").await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Failure::Internal(format!("cannot listen on 127.0.0.1: {e}")))?;
        Ok::<_, Failure>((listener, store))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Internal(e.to_string()))?;
    let artifacts = rigor_store::ArtifactStore::open(DEFAULT_ARTIFACTS)
        .map_err(|e| Failure::Internal(format!("artifact directory {DEFAULT_ARTIFACTS}: {e}")))?;
    let state = rigor_server::AppState::new(store, artifacts);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = runtime.spawn(rigor_server::serve(listener, state, async move {
        let _ = stop_rx.await;
    }));
    let client =
        Client::new(&format!("http://{addr}")).map_err(|e| Failure::Internal(e.to_string()))?;
    Ok(Tracking {
        client,
        embedded: Some(Embedded {
            runtime,
            stop: Some(stop_tx),
            task: Some(task),
        }),
    })
}

/// `--track` and its options, flattened into every evaluator's arguments.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TrackArgs {
    /// Log the result to a tracking server: aggregate values and CI bounds as metrics
    /// (MLflow-legal names: nDCG@10 → nDCG_at_10, bounds as nDCG_at_10.ci_low), the
    /// JSON evidence as artifact rigor/evidence-KIND.json, inputs as dataset inputs
    /// with their digests.
    #[arg(long, help_heading = "Tracking")]
    pub track: bool,

    /// Log to this existing run (default: MLFLOW_RUN_ID, as set by `rigor run`; else a
    /// new run).
    #[arg(long, value_name = "ID", requires = "track", help_heading = "Tracking")]
    pub run_id: Option<String>,

    /// Log to a new run in this experiment (created if missing).
    #[arg(
        long,
        value_name = "NAME",
        requires = "track",
        conflicts_with = "run_id",
        help_heading = "Tracking"
    )]
    pub experiment: Option<String>,

    /// Tracking server (http://HOST:PORT) or store URI; default MLFLOW_TRACKING_URI,
    /// else sqlite:///rigor.db served in-process.
    #[arg(
        long,
        value_name = "URI",
        requires = "track",
        help_heading = "Tracking"
    )]
    pub tracking_uri: Option<String>,
}

/// A `--track` destination, resolved and checked before the evaluation starts so
/// that an unknown run or an unreachable server is reported before any work.
pub struct Tracker {
    tracking: Tracking,
    target: rigor_track::record::Target,
}

impl Tracker {
    /// `None` without `--track`.
    pub fn prepare(args: &TrackArgs) -> Result<Option<Tracker>, Failure> {
        if !args.track {
            return Ok(None);
        }
        let env = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        use rigor_track::record::Target;
        let target = match (&args.run_id, &args.experiment) {
            (Some(id), _) => Target::Run(id.clone()),
            (None, Some(name)) => Target::Experiment(Some(name.clone())),
            (None, None) => match env("MLFLOW_RUN_ID") {
                Some(id) => Target::Run(id),
                None => Target::Experiment(env("MLFLOW_EXPERIMENT_NAME")),
            },
        };
        let tracking = connect(args.tracking_uri.as_deref())?;
        if let Target::Run(id) = &target {
            tracking.client.get_run(id).map_err(track_failure)?;
        }
        Ok(Some(Tracker { tracking, target }))
    }

    /// Logs `evidence` (metrics, inputs, the document as an artifact). The one helper
    /// every evaluator calls after printing its result.
    pub fn log(&self, evidence: &impl serde::Serialize) -> Result<(), Failure> {
        let value = serde_json::to_value(evidence)
            .map_err(|e| Failure::Internal(format!("serialising evidence: {e}")))?;
        let cwd = std::env::current_dir()
            .map_err(|e| Failure::Internal(format!("working directory: {e}")))?;
        let (run_id, n) =
            rigor_track::record::log_evidence(&self.tracking.client, &self.target, &value, &cwd)
                .map_err(track_failure)?;
        eprintln!(
            "rigor: tracked {n} metrics on run {run_id} at {}",
            self.tracking.describe()
        );
        Ok(())
    }
}
