//! `rigor server`: wiring from the command line to rigor-server — open the store and
//! the artifact destination, bind, serve until SIGINT/SIGTERM.

use std::process::ExitCode;

use crate::Failure;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Point the official MLflow client at it:
  MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train.py

Endpoints: the MLflow REST API under /api/2.0/mlflow/, the artifact proxy under
/api/2.0/mlflow-artifacts/, the web UI at /, GET /health (\"OK\"), GET /metrics
(Prometheus text). Request logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) to
change their level.

Examples:
  rigor server
  rigor server --backend-store-uri sqlite:////var/lib/rigor/rigor.db --port 8080
  rigor server --backend-store-uri postgresql://rigor@db/rigor --host 0.0.0.0")]
pub struct ServerArgs {
    /// Where runs, params, metrics and tags live: `sqlite:///PATH` (relative to the
    /// working directory; `sqlite:////ABS` for an absolute path) or
    /// `postgresql://USER@HOST/DB`. Created and migrated on start.
    #[arg(long, default_value = DEFAULT_STORE, value_name = "URI")]
    backend_store_uri: String,

    /// Where artifacts uploaded through the proxy are stored: a directory (created if
    /// missing), or `s3://BUCKET/PREFIX` with the usual AWS_* variables (and
    /// AWS_ENDPOINT_URL or MLFLOW_S3_ENDPOINT_URL for an S3-compatible service). Runs
    /// get `mlflow-artifacts:/` artifact URIs either way.
    #[arg(
        long,
        default_value = DEFAULT_ARTIFACTS,
        value_name = "DIR|s3://BUCKET/PREFIX"
    )]
    artifacts_destination: String,

    /// Address to listen on (0.0.0.0 for every interface).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// Port to listen on; 0 picks a free port (the address is printed on stderr).
    #[arg(long, default_value_t = 5000)]
    port: u16,
}

fn store_failure(e: rigor_store::Error) -> Failure {
    match e {
        rigor_store::Error::InvalidParameter(m) => Failure::Input(m),
        other => Failure::Internal(other.to_string()),
    }
}

/// The store and artifact directory of `rigor server` by default, in the working
/// directory; `rigor run` and `--track` use the same when no tracking URI is given.
pub const DEFAULT_STORE: &str = "sqlite:///rigor.db";
pub const DEFAULT_ARTIFACTS: &str = "./rigor-artifacts";

/// Connects to a tracking store; `what` names its origin in messages (an option, or
/// "tracking store"). A malformed URI is the user's to fix (exit 2).
pub async fn open_store(uri: &str, what: &str) -> Result<rigor_store::SqlStore, Failure> {
    rigor_store::SqlStore::connect(uri)
        .await
        .map_err(|e| match e {
            rigor_store::Error::InvalidParameter(m) => Failure::Input(format!("{what}: {m}")),
            other => Failure::Internal(format!("{what} {uri}: {other}")),
        })
}

pub fn run(args: ServerArgs) -> Result<ExitCode, Failure> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(serve(args))
}

async fn serve(args: ServerArgs) -> Result<ExitCode, Failure> {
    let store = open_store(&args.backend_store_uri, "--backend-store-uri").await?;
    let artifacts =
        rigor_store::ArtifactStore::open(&args.artifacts_destination).map_err(store_failure)?;
    let addr = format!("{}:{}", args.host, args.port);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| Failure::Internal(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::Internal(e.to_string()))?;
    tracing::info!(
        store = %args.backend_store_uri,
        artifacts = %artifacts.description(),
        "rigor server ready"
    );
    eprintln!("rigor server: listening on http://{local}");
    let state = rigor_server::AppState::new(store.clone(), artifacts);
    rigor_server::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| Failure::Internal(format!("server failed: {e}")))?;
    store.close().await;
    eprintln!("rigor server: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
