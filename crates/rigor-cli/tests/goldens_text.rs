//! Corpus and per-segment parity with the references on the committed golden files
//! (tools/goldens/text: sacrebleu 2.6, rouge-score 0.1.2 with nltk's Porter stemmer,
//! the official SQuAD v1.1 functions).

mod common;

use common::{rigor, root};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Goldens {
    evaluations: Vec<Evaluation>,
}

#[derive(Deserialize)]
struct Options {
    tokenize: String,
    lowercase: bool,
    smooth_method: String,
    smooth_value: Option<f64>,
}

#[derive(Deserialize)]
struct Evaluation {
    case: String,
    hyp: String,
    refs: Vec<String>,
    options: Options,
    measures: Vec<String>,
    corpus: BTreeMap<String, f64>,
    signatures: BTreeMap<String, String>,
    per_item: BTreeMap<String, Vec<f64>>,
}

const TOLERANCE: f64 = 1e-6;

#[test]
fn every_measure_matches_the_reference_corpus_and_per_segment() {
    let dir = root().join("tools/goldens/text");
    let goldens: Goldens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    // measure -> (compared, matched)
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for ev in &goldens.evaluations {
        let smooth_value = ev.options.smooth_value.map(|v| v.to_string());
        let mut args = vec!["eval", "text", "--hyp", &ev.hyp];
        for r in &ev.refs {
            args.extend(["--ref", r.as_str()]);
        }
        args.extend([
            "--tokenize",
            &ev.options.tokenize,
            "--smooth-method",
            &ev.options.smooth_method,
            "--per-item",
            "--no-ci",
            "--format",
            "json",
        ]);
        if let Some(v) = &smooth_value {
            args.extend(["--smooth-value", v]);
        }
        if ev.options.lowercase {
            args.push("--lowercase");
        }
        args.push("-m");
        args.extend(ev.measures.iter().map(String::as_str));
        let out = rigor(&dir, &args);
        assert_eq!(out.code, 0, "{}: {}", ev.case, out.stderr);
        let json = out.json();
        let label = format!(
            "{} nrefs={} tok={} lc={} smooth={}{}",
            ev.case,
            ev.refs.len(),
            ev.options.tokenize,
            ev.options.lowercase,
            ev.options.smooth_method,
            smooth_value
                .as_deref()
                .map(|v| format!("[{v}]"))
                .unwrap_or_default()
        );
        for m in &ev.measures {
            let entry = counts.entry(m.clone()).or_default();
            let mut check = |what: String, got: Option<f64>, want: f64| {
                entry.0 += 1;
                match got {
                    Some(g) if (g - want).abs() <= TOLERANCE => entry.1 += 1,
                    _ => mismatches.push(format!(
                        "{label} {m} {what}: rigor {got:?}, reference {want}"
                    )),
                }
            };
            check(
                "corpus".to_string(),
                json["metrics"][m]["score"].as_f64(),
                ev.corpus[m],
            );
            for (i, want) in ev.per_item[m].iter().enumerate() {
                check(
                    format!("line {}", i + 1),
                    json["per_item"][i][m].as_f64(),
                    *want,
                );
            }
            if let Some(sig) = ev.signatures.get(m) {
                assert_eq!(
                    json["metrics"][m]["signature"].as_str(),
                    Some(sig.as_str()),
                    "{label} {m} signature"
                );
            }
        }
    }
    let mut compared = 0;
    for (m, (c, ok)) in &counts {
        eprintln!("text goldens: {m}: {ok} of {c} values matched");
        compared += c;
    }
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
