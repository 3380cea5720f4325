//! Parity with Evidently 0.7 and scipy on the committed drift goldens
//! (tools/goldens/drift): per column the method, score and verdict of Evidently's
//! `DataDriftPreset`, every other statistic from Evidently's stattest functions,
//! scipy and statsmodels, and the dataset verdict. Inputs with n = 100,000 are
//! rebuilt here by the generator of `generate.py` and checked by their hash.

mod common;

#[path = "../../../tools/goldens/drift/generator.rs"]
mod generator;

use common::{rigor, root};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * b.abs().max(1.0)
}

/// The path of one input: committed, or rebuilt into `tmp` and checked by hash.
fn input(dir: &std::path::Path, tmp: &std::path::Path, case: &Value, side: &str) -> String {
    let file = &case[side];
    let rel = file["path"].as_str().expect("path");
    if case["committed"].as_bool().expect("committed") {
        return dir.join(rel).display().to_string();
    }
    let columns = file["columns"].as_array().expect("columns");
    let n = case["n"].as_u64().expect("n") as usize;
    let bytes = generator::csv_bytes(columns, n);
    assert_eq!(
        generator::fnv1a64(&bytes),
        file["fnv1a64"].as_str().expect("fnv1a64"),
        "{rel}: the regenerated input differs from the one the references saw"
    );
    let path = tmp.join(rel.replace('/', "_"));
    std::fs::write(&path, bytes).expect("write the regenerated input");
    path.display().to_string()
}

#[test]
fn drift_matches_evidently_and_scipy() {
    let dir = root().join("tools/goldens/drift");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (mut values, mut verdicts) = (0usize, 0usize);
    let mut mismatches = Vec::new();
    let mut worst = 0.0f64;
    for case in expected["cases"].as_array().unwrap() {
        let name = case["case"].as_str().unwrap();
        let reference = input(&dir, tmp.path(), case, "reference");
        let current = input(&dir, tmp.path(), case, "current");
        let out = rigor(
            &dir,
            &[
                "drift",
                "--reference",
                &reference,
                "--current",
                &current,
                "--format",
                "json",
            ],
        );
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let json = out.json();
        let ours: Vec<&Value> = json["columns"].as_array().unwrap().iter().collect();
        for (col, want) in case["columns"].as_object().unwrap() {
            let Some(got) = ours.iter().find(|c| c["name"] == col.as_str()) else {
                mismatches.push(format!("{name} {col}: missing from rigor's output"));
                continue;
            };
            let mut check_eq = |what: &str, g: &Value, w: &Value| {
                verdicts += 1;
                if g != w {
                    mismatches.push(format!("{name} {col} {what}: rigor {g}, reference {w}"));
                }
            };
            check_eq("type", &got["type"], &want["type"]);
            check_eq("method", &got["method"], &want["method"]);
            check_eq("drifted", &got["drifted"], &want["drifted"]);
            check_eq("threshold", &got["threshold"], &want["threshold"]);
            check_eq("n_reference", &got["n_reference"], &want["n_reference"]);
            check_eq("n_current", &got["n_current"], &want["n_current"]);
            let mut check_num = |what: &str, g: &Value, w: &Value| {
                values += 1;
                match (g.as_f64(), w.as_f64()) {
                    (Some(a), Some(b)) if close(a, b) => worst = worst.max((a - b).abs()),
                    (None, None) if g.is_null() && w.is_null() => {}
                    _ => mismatches.push(format!("{name} {col} {what}: rigor {g}, reference {w}")),
                }
            };
            check_num("score", &got["score"], &want["score"]);
            for (stat, w) in want["stats"].as_object().unwrap() {
                let g = match stat.as_str() {
                    "missing_share_reference" | "missing_share_current" => &got[stat.as_str()],
                    _ => &got["stats"][stat.as_str()],
                };
                check_num(stat, g, w);
            }
            // Statistics rigor reports beyond the references' list are checked too:
            // the expected set is exactly rigor's (bar ks_method, chi_square_df, z,
            // missing_p_value when statsmodels has none).
            for (stat, g) in got["stats"].as_object().unwrap() {
                let extra = !want["stats"].as_object().unwrap().contains_key(stat);
                let allowed = matches!(stat.as_str(), "ks_method" | "chi_square_df" | "z")
                    || (stat == "missing_p_value" && g.is_null());
                if extra && !allowed {
                    mismatches.push(format!(
                        "{name} {col} {stat}: rigor reports {g}, the references have no value"
                    ));
                }
            }
        }
        // Columns Evidently leaves out (timestamps) are reported without a verdict.
        for col in case["skipped"].as_array().into_iter().flatten() {
            verdicts += 1;
            match ours.iter().find(|c| c["name"] == *col) {
                Some(c) if c["drifted"].is_null() && c["type"].is_null() => {}
                other => mismatches.push(format!(
                    "{name} {col}: expected a null verdict, rigor {other:?}"
                )),
            }
        }
        let (gd, wd) = (&json["dataset"], &case["dataset"]);
        for key in ["columns", "drifted", "drift"] {
            verdicts += 1;
            if gd[key] != wd[key] {
                mismatches.push(format!(
                    "{name} dataset {key}: rigor {}, Evidently {}",
                    gd[key], wd[key]
                ));
            }
        }
        values += 1;
        if !close(gd["share"].as_f64().unwrap(), wd["share"].as_f64().unwrap()) {
            mismatches.push(format!(
                "{name} dataset share: rigor {}, Evidently {}",
                gd["share"], wd["share"]
            ));
        }
    }
    eprintln!(
        "drift goldens: {} cases; {values} values and {verdicts} verdicts/labels compared; \
         {} mismatches; largest difference {worst:e}",
        expected["cases"].as_array().unwrap().len(),
        mismatches.len()
    );
    assert!(values > 1000, "only {values} golden values");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
