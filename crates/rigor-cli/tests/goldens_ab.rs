//! Parity with scipy, statsmodels and GrowthBook's gbstats on the committed golden files
//! (tools/goldens/ab: generate.py, expected.json).
//!
//! Each run is a `rigor` invocation; each check names a value of its JSON by a path
//! such as `comparisons[metric=revenue,candidate=treatment].ci_low` and the value a
//! reference computed. Numbers agree within 1e-9 (relative above 1) unless the check
//! carries its own tolerance (statsmodels' `solve_power` stops its root search at
//! 1e-5).

mod common;

use common::{rigor, root};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Goldens {
    runs: Vec<GoldenRun>,
}

#[derive(Deserialize)]
struct GoldenRun {
    case: String,
    args: Vec<String>,
    checks: Vec<Check>,
}

#[derive(Deserialize)]
struct Check {
    path: String,
    value: Value,
    #[serde(rename = "ref")]
    reference: String,
    tolerance: Option<f64>,
}

const TOLERANCE: f64 = 1e-9;

/// Splits `a.b[k=v,x=y].c` into segments, keeping brackets whole.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value at `path`, or a description of where it is missing.
fn lookup<'a>(doc: &'a Value, path: &str) -> Result<&'a Value, String> {
    let mut v = doc;
    for seg in segments(path) {
        let (name, selector) = match seg.split_once('[') {
            Some((n, rest)) => (n, Some(rest.trim_end_matches(']'))),
            None => (seg, None),
        };
        v = v
            .get(name)
            .ok_or_else(|| format!("no key {name:?} in {path}"))?;
        if let Some(sel) = selector {
            let conds: Vec<(&str, &str)> =
                sel.split(',').filter_map(|kv| kv.split_once('=')).collect();
            v = v
                .as_array()
                .ok_or_else(|| format!("{name} is not an array in {path}"))?
                .iter()
                .find(|e| {
                    conds
                        .iter()
                        .all(|(k, want)| e.get(*k).map(as_text).as_deref() == Some(*want))
                })
                .ok_or_else(|| format!("no element [{sel}] in {path}"))?;
        }
    }
    Ok(v)
}

#[test]
fn every_value_matches_its_reference() {
    let dir = root().join("tools/goldens/ab");
    let goldens: Goldens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut compared = 0usize;
    let mut worst = 0.0f64;
    let mut mismatches = Vec::new();
    for run in &goldens.runs {
        let args: Vec<&str> = run.args.iter().map(String::as_str).collect();
        let out = rigor(&dir, &args);
        assert_eq!(out.code, 0, "{} {:?}: {}", run.case, run.args, out.stderr);
        let doc = out.json();
        for check in &run.checks {
            compared += 1;
            let got = match lookup(&doc, &check.path) {
                Ok(v) => v,
                Err(e) => {
                    mismatches.push(format!("{}: {e}", run.case));
                    continue;
                }
            };
            let ok = match (&check.value, got) {
                (Value::Number(want), Value::Number(have)) => {
                    let (w, h) = (want.as_f64().unwrap(), have.as_f64().unwrap());
                    let scaled = (w - h).abs() / w.abs().max(1.0);
                    if check.tolerance.is_none() {
                        worst = worst.max(scaled);
                    }
                    scaled <= check.tolerance.unwrap_or(TOLERANCE)
                }
                (want, have) => want == have,
            };
            if !ok {
                mismatches.push(format!(
                    "{} {}: rigor {got}, reference {} ({})",
                    run.case, check.path, check.value, check.reference
                ));
            }
        }
    }
    eprintln!(
        "A/B goldens: {} of {compared} values matched (largest difference {worst:.1e})",
        compared - mismatches.len()
    );
    assert!(compared > 5000, "only {compared} golden values");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} values differ:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
