//! A minimal web UI, server-rendered HTML embedded in the binary: experiments at `/`,
//! an experiment's runs at `/ui/experiments/{id}`, one run (params, metrics with SVG
//! history charts, tags, datasets, artifacts) at `/ui/runs/{id}`.

use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use rigor_store::{Experiment, ExperimentSearch, FileInfo, Metric, Run, RunSearch, ViewType};

use crate::error::ApiResult;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(experiments))
        .route("/ui/experiments/{id}", get(experiment))
        .route("/ui/runs/{id}", get(run))
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}\
a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:underline}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #ddd;\
padding:.3rem .7rem;text-align:left;vertical-align:top}th{background:#f4f4f4}\
td.n{text-align:right;font-variant-numeric:tabular-nums}h1{font-size:1.4rem}\
h2{font-size:1.1rem;margin-top:1.5rem}.muted{color:#777}svg{background:#fafafa}\
.FINISHED{color:#1a7f37}.FAILED,.KILLED{color:#cf222e}.RUNNING{color:#9a6700}";

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Percent-encodes a path segment for a link.
fn enc(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width\"><title>{} · rigor</title>\
         <style>{STYLE}</style></head><body><p class=muted><a href=\"/\">rigor</a> · \
         MLflow-compatible tracking</p>{body}</body></html>",
        esc(title)
    ))
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) from epoch milliseconds.
fn time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.abs() >= 1e6 || (v != 0.0 && v.abs() < 1e-4) {
        format!("{v:.4e}")
    } else {
        format!("{}", (v * 1e6).round() / 1e6)
    }
}

async fn experiments(State(st): State<AppState>) -> ApiResult<Html<String>> {
    let page_ = st
        .store
        .search_experiments(&ExperimentSearch {
            max_results: Some(1000),
            ..Default::default()
        })
        .await?;
    Ok(render_experiments(&page_.items))
}

fn render_experiments(list: &[Experiment]) -> Html<String> {
    let mut rows = String::new();
    for e in list {
        rows.push_str(&format!(
            "<tr><td><a href=\"/ui/experiments/{}\">{}</a></td><td class=n>{}</td><td>{}</td><td class=muted>{}</td></tr>",
            enc(&e.experiment_id),
            esc(&e.name),
            esc(&e.experiment_id),
            time(e.creation_time),
            esc(&e.artifact_location)
        ));
    }
    page(
        "Experiments",
        &format!(
            "<h1>Experiments</h1><table><tr><th>name</th><th>id</th><th>created (UTC)</th>\
             <th>artifacts</th></tr>{rows}</table>"
        ),
    )
}

async fn experiment(State(st): State<AppState>, Path(id): Path<String>) -> ApiResult<Html<String>> {
    let exp = st.store.get_experiment(&id).await?;
    let runs = st
        .store
        .search_runs(&RunSearch {
            experiment_ids: vec![id],
            view: ViewType::ActiveOnly,
            max_results: Some(1000),
            ..Default::default()
        })
        .await?;
    Ok(render_experiment(&exp, &runs.items))
}

fn union_keys<'a>(runs: &'a [Run], f: impl Fn(&'a Run) -> Vec<&'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = runs.iter().flat_map(f).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.truncate(10);
    keys
}

fn render_experiment(exp: &Experiment, runs: &[Run]) -> Html<String> {
    let metric_keys = union_keys(runs, |r| {
        r.data.metrics.iter().map(|m| m.key.as_str()).collect()
    });
    let param_keys = union_keys(runs, |r| {
        r.data.params.iter().map(|p| p.key.as_str()).collect()
    });
    let mut head = String::from(
        "<tr><th>run</th><th>status</th><th>started (UTC)</th><th>duration</th><th>user</th>",
    );
    for k in &metric_keys {
        head.push_str(&format!("<th>{}</th>", esc(k)));
    }
    for k in &param_keys {
        head.push_str(&format!("<th class=muted>{}</th>", esc(k)));
    }
    head.push_str("</tr>");
    let mut rows = String::new();
    for r in runs {
        let parent = r.tag("mlflow.parentRunId").map(|_| "↳ ").unwrap_or("");
        let duration = r
            .info
            .end_time
            .map(|e| format!("{:.1}s", (e - r.info.start_time) as f64 / 1000.0))
            .unwrap_or_default();
        rows.push_str(&format!(
            "<tr><td>{parent}<a href=\"/ui/runs/{}\">{}</a></td><td class={}>{}</td><td>{}</td><td class=n>{}</td><td>{}</td>",
            enc(&r.info.run_id),
            esc(&r.info.run_name),
            r.info.status.as_str(),
            r.info.status.as_str(),
            time(r.info.start_time),
            duration,
            esc(&r.info.user_id)
        ));
        for k in &metric_keys {
            let v = r
                .data
                .metrics
                .iter()
                .find(|m| m.key == *k)
                .map(|m| num(m.value));
            rows.push_str(&format!("<td class=n>{}</td>", v.unwrap_or_default()));
        }
        for k in &param_keys {
            let v = r
                .data
                .params
                .iter()
                .find(|p| p.key == *k)
                .map(|p| esc(&p.value));
            rows.push_str(&format!("<td>{}</td>", v.unwrap_or_default()));
        }
        rows.push_str("</tr>");
    }
    page(
        &exp.name,
        &format!(
            "<h1>{} <span class=muted>#{}</span></h1><p>{} runs</p><table>{head}{rows}</table>",
            esc(&exp.name),
            esc(&exp.experiment_id),
            runs.len()
        ),
    )
}

async fn run(State(st): State<AppState>, Path(id): Path<String>) -> ApiResult<Html<String>> {
    let run = st.store.get_run(&id).await?;
    let mut histories = Vec::new();
    for m in &run.data.metrics {
        let h = st
            .store
            .get_metric_history(&id, &m.key, Some(5000), None)
            .await?;
        histories.push((m.key.clone(), h.items));
    }
    let root = artifact_root(&run.info.artifact_uri);
    let files = match &root {
        Some(r) => st.artifacts.list(r).await.unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(render_run(&run, &histories, root.as_deref(), &files))
}

/// The proxy path of an `mlflow-artifacts:` URI.
fn artifact_root(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("mlflow-artifacts:")?;
    Some(rest.trim_start_matches('/').to_string())
}

/// An SVG line chart of one metric's history (value by step).
fn chart(points: &[Metric]) -> String {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|m| m.value.is_finite())
        .map(|m| (m.step as f64, m.value))
        .collect();
    if pts.len() < 2 {
        return String::new();
    }
    let (w, h, pad) = (320.0, 90.0, 6.0);
    let (xmin, xmax) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (ymin, ymax) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let sx = if xmax > xmin {
        (w - 2.0 * pad) / (xmax - xmin)
    } else {
        0.0
    };
    let sy = if ymax > ymin {
        (h - 2.0 * pad) / (ymax - ymin)
    } else {
        0.0
    };
    let path: Vec<String> = pts
        .iter()
        .map(|(x, y)| {
            format!(
                "{:.1},{:.1}",
                pad + (x - xmin) * sx,
                h - pad - (y - ymin) * sy
            )
        })
        .collect();
    format!(
        "<svg width={w} height={h} role=img><polyline fill=none stroke=#0b5cad stroke-width=1.5 points=\"{}\"/></svg>",
        path.join(" ")
    )
}

fn render_run(
    run: &Run,
    histories: &[(String, Vec<Metric>)],
    root: Option<&str>,
    files: &[FileInfo],
) -> Html<String> {
    let i = &run.info;
    let mut body = format!(
        "<h1>{} <span class=muted>{}</span></h1><table>\
         <tr><th>experiment</th><td><a href=\"/ui/experiments/{}\">{}</a></td></tr>\
         <tr><th>status</th><td class={}>{}</td></tr><tr><th>user</th><td>{}</td></tr>\
         <tr><th>started (UTC)</th><td>{}</td></tr><tr><th>ended (UTC)</th><td>{}</td></tr>\
         <tr><th>artifacts</th><td>{}</td></tr></table>",
        esc(&i.run_name),
        esc(&i.run_id),
        enc(&i.experiment_id),
        esc(&i.experiment_id),
        i.status.as_str(),
        i.status.as_str(),
        esc(&i.user_id),
        time(i.start_time),
        i.end_time.map(time).unwrap_or_default(),
        esc(&i.artifact_uri)
    );
    body.push_str("<h2>Metrics</h2><table><tr><th>key</th><th>latest</th><th>step</th><th>values</th><th>history</th></tr>");
    for m in &run.data.metrics {
        let h = histories
            .iter()
            .find(|(k, _)| *k == m.key)
            .map(|(_, h)| h.as_slice())
            .unwrap_or(&[]);
        body.push_str(&format!(
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            esc(&m.key),
            num(m.value),
            m.step,
            h.len(),
            chart(h)
        ));
    }
    body.push_str("</table><h2>Parameters</h2><table>");
    for p in &run.data.params {
        body.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(&p.key),
            esc(&p.value)
        ));
    }
    body.push_str("</table><h2>Tags</h2><table>");
    for t in &run.data.tags {
        body.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(&t.key),
            esc(&t.value)
        ));
    }
    body.push_str("</table>");
    if !run.inputs.is_empty() {
        body.push_str("<h2>Datasets</h2><table><tr><th>name</th><th>digest</th><th>source type</th><th>context</th></tr>");
        for d in &run.inputs {
            let ctx = d
                .tags
                .iter()
                .find(|t| t.key == "mlflow.data.context")
                .map(|t| esc(&t.value));
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&d.dataset.name),
                esc(&d.dataset.digest),
                esc(&d.dataset.source_type),
                ctx.unwrap_or_default()
            ));
        }
        body.push_str("</table>");
    }
    if let Some(root) = root {
        body.push_str("<h2>Artifacts</h2><table>");
        for f in files {
            let link = format!(
                "/api/2.0/mlflow-artifacts/artifacts/{}/{}",
                root.split('/').map(enc).collect::<Vec<_>>().join("/"),
                enc(&f.path)
            );
            if f.is_dir {
                body.push_str(&format!("<tr><td>{}/</td><td></td></tr>", esc(&f.path)));
            } else {
                body.push_str(&format!(
                    "<tr><td><a href=\"{link}\">{}</a></td><td class=n>{} B</td></tr>",
                    esc(&f.path),
                    f.file_size.unwrap_or(0)
                ));
            }
        }
        body.push_str("</table>");
    }
    page(&i.run_name, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_escaping() {
        assert_eq!(time(0), "1970-01-01 00:00:00");
        assert_eq!(time(1_795_765_105_359), "2026-11-27 07:38:25");
        assert_eq!(
            esc("<a href='x'>&</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
    }
}
