//! `/metrics` in Prometheus text format: request counts and latency histograms per
//! route (the route template, never the raw path), store sizes, process memory.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

const BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request counters, shared by every clone of the state.
pub struct Registry {
    started: Instant,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            started: Instant::now(),
            requests: Mutex::default(),
            latency: Mutex::default(),
        }
    }
}

impl Registry {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_string()).or_default();
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }
}

/// Middleware: times every request and counts it under its route template.
pub async fn track(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    st.registry.observe(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Resident set size of this process, from /proc (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

pub async fn render(State(st): State<AppState>) -> Response {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP rigor_http_requests_total HTTP requests by method, route and status."
    );
    let _ = writeln!(out, "# TYPE rigor_http_requests_total counter");
    if let Ok(m) = st.registry.requests.lock() {
        for ((method, route, status), n) in m.iter() {
            let _ = writeln!(
                out,
                "rigor_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP rigor_http_request_duration_seconds Request latency by route."
    );
    let _ = writeln!(out, "# TYPE rigor_http_request_duration_seconds histogram");
    if let Ok(m) = st.registry.latency.lock() {
        for (route, h) in m.iter() {
            let r = escape(route);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "rigor_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "rigor_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "rigor_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "rigor_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
    }
    match st.store.stats().await {
        Ok(s) => {
            for (name, help, v) in [
                (
                    "rigor_store_experiments",
                    "Experiments in the store.",
                    Some(s.experiments),
                ),
                ("rigor_store_runs", "Runs in the store.", Some(s.runs)),
                (
                    "rigor_store_metric_values",
                    "Logged metric values in the store.",
                    Some(s.metric_values),
                ),
                (
                    "rigor_store_size_bytes",
                    "Size of the database.",
                    s.size_bytes,
                ),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "store stats unavailable for /metrics"),
    }
    if let Some(rss) = rss_bytes() {
        let _ = writeln!(
            out,
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n\
             # TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {rss}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP rigor_uptime_seconds Seconds since the server started.\n\
         # TYPE rigor_uptime_seconds gauge\nrigor_uptime_seconds {}",
        st.registry.started.elapsed().as_secs_f64()
    );
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
