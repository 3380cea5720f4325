//! Per-query parity with the references on the committed golden files
//! (tools/goldens/ir: pytrec_eval / trec_eval 9.0.8, ir_measures, gdeval).

mod common;

use common::{rigor, root};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Goldens {
    evaluations: Vec<Evaluation>,
}

#[derive(Deserialize)]
struct Evaluation {
    case: String,
    qrels: String,
    run: String,
    complete: bool,
    /// measure → qid → value
    values: BTreeMap<String, BTreeMap<String, f64>>,
}

const TOLERANCE: f64 = 1e-9;

#[test]
fn every_measure_matches_the_reference_per_query() {
    let dir = root().join("tools/goldens/ir");
    let goldens: Goldens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut compared = 0usize;
    let mut mismatches = Vec::new();
    for ev in &goldens.evaluations {
        let mut args = vec![
            "eval",
            "ir",
            "--qrels",
            &ev.qrels,
            "--run",
            &ev.run,
            "--per-query",
            "--no-ci",
            "--format",
            "json",
        ];
        if ev.complete {
            args.push("--complete");
        }
        args.push("-m");
        args.extend(ev.values.keys().map(String::as_str));
        let out = rigor(&dir, &args);
        assert_eq!(out.code, 0, "{} {}: {}", ev.case, ev.run, out.stderr);
        let json = out.json();
        let per_query = json["runs"][0]["per_query"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        // The evaluated queries are exactly those trec_eval reports.
        if let Some(reference) = ev.values.get("NumRet") {
            let ours: Vec<&String> = per_query.keys().collect();
            let theirs: Vec<&String> = reference.keys().collect();
            let (mut ours, mut theirs) = (ours, theirs);
            ours.sort();
            theirs.sort();
            assert_eq!(
                ours, theirs,
                "{} {} complete={}: evaluated queries",
                ev.case, ev.run, ev.complete
            );
        }
        for (measure, by_query) in &ev.values {
            for (qid, expected) in by_query {
                compared += 1;
                let got = per_query.get(qid).and_then(|v| v[measure].as_f64());
                match got {
                    Some(g) if (g - expected).abs() <= TOLERANCE => {}
                    _ => mismatches.push(format!(
                        "{} {} complete={} {measure} {qid}: rigor {got:?}, reference {expected}",
                        ev.case, ev.run, ev.complete
                    )),
                }
            }
        }
    }
    eprintln!(
        "IR goldens: {} of {compared} values matched",
        compared - mismatches.len()
    );
    assert!(compared > 10_000, "only {compared} golden values");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} values differ:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
