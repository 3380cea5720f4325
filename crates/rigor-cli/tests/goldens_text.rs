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

// ---------------------------------------------------------------------------
// Several --hyp: tools/goldens/text/compare.json (sacrebleu's PairedTest, scipy).
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct CompareGoldens {
    evaluations: Vec<CompareEvaluation>,
}

#[derive(Deserialize)]
struct CompareEvaluation {
    name: String,
    hyps: Vec<String>,
    refs: Vec<String>,
    systems: Vec<String>,
    segments: usize,
    corpus: BTreeMap<String, Vec<f64>>,
    comparisons: Vec<GoldComparison>,
}

#[derive(Deserialize)]
struct GoldComparison {
    candidate: String,
    measure: String,
    delta: f64,
    // Corpus measures (sacrebleu).
    baseline_score: Option<f64>,
    candidate_score: Option<f64>,
    paired_bs: Option<GoldBootstrap>,
    paired_ar: Option<GoldRandomization>,
    // Sentence-level measures (numpy / scipy).
    baseline_mean: Option<f64>,
    candidate_mean: Option<f64>,
    effect_size: Option<f64>,
    paired_t: Option<f64>,
    wilcoxon: Option<f64>,
}

#[derive(Deserialize)]
struct GoldBootstrap {
    p_value: f64,
    resamples: usize,
    baseline_mean: f64,
    baseline_ci: f64,
    candidate_mean: f64,
    candidate_ci: f64,
}

#[derive(Deserialize)]
struct GoldRandomization {
    p_value: f64,
    trials: usize,
}

/// Two independent Monte-Carlo estimates of one p-value from `r` draws each agree
/// within 3 standard errors of their difference.
fn within_monte_carlo(a: f64, b: f64, r: usize) -> bool {
    let p = ((a + b) / 2.0).max(1.0 / (r as f64 + 1.0));
    (a - b).abs() <= 3.0 * (2.0 * p * (1.0 - p) / r as f64).sqrt()
}

#[test]
fn several_systems_match_sacrebleu_paired_tests_and_scipy() {
    let dir = root().join("tools/goldens/text");
    let goldens: CompareGoldens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("compare.json")).unwrap()).unwrap();
    // kind -> (compared, matched)
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut mismatches = Vec::new();
    let mut check = |kind: &'static str, what: String, ok: bool| {
        let e = counts.entry(kind).or_default();
        e.0 += 1;
        if ok {
            e.1 += 1;
        } else {
            mismatches.push(format!("{kind}: {what}"));
        }
    };
    let close =
        |got: Option<f64>, want: f64, tol: f64| got.is_some_and(|g| (g - want).abs() <= tol);
    for ev in &goldens.evaluations {
        let run = |extra: &[&str]| {
            let mut args = vec!["eval", "text"];
            for h in &ev.hyps {
                args.extend(["--hyp", h.as_str()]);
            }
            for r in &ev.refs {
                args.extend(["--ref", r.as_str()]);
            }
            args.extend(["--format", "json"]);
            args.extend(extra);
            let out = rigor(&dir, &args);
            assert_eq!(out.code, 0, "{}: {}", ev.name, out.stderr);
            out.json()
        };
        let bs = run(&["--test", "paired-t", "--seed", "7"]);
        let again = run(&["--test", "paired-t", "--seed", "7"]);
        assert_eq!(
            bs["comparisons"], again["comparisons"],
            "{}: same seed",
            ev.name
        );
        assert_eq!(bs["systems"], again["systems"], "{}: same seed", ev.name);
        let ar = run(&[
            "--test",
            "wilcoxon",
            "--corpus-test",
            "paired-ar",
            "--no-ci",
        ]);
        assert_eq!(bs["segments"], ev.segments);
        let systems = bs["systems"].as_array().unwrap();
        assert_eq!(systems.len(), ev.systems.len());
        for (j, name) in ev.systems.iter().enumerate() {
            assert_eq!(systems[j]["name"], name.as_str());
            for (m, scores) in &ev.corpus {
                check(
                    "corpus score",
                    format!("{} {name} {m}", ev.name),
                    close(
                        systems[j]["metrics"][m]["score"].as_f64(),
                        scores[j],
                        TOLERANCE,
                    ),
                );
            }
        }
        let find = |doc: &serde_json::Value, cand: &str, m: &str| {
            doc["comparisons"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["candidate"] == cand && c["measure"] == m)
                .cloned()
                .unwrap_or_else(|| panic!("{}: no comparison {cand} {m}", ev.name))
        };
        let system = |name: &str| systems.iter().find(|s| s["name"] == name).cloned().unwrap();
        for g in &ev.comparisons {
            let label = format!("{} {} {}", ev.name, g.candidate, g.measure);
            let (cb, ca) = (
                find(&bs, &g.candidate, &g.measure),
                find(&ar, &g.candidate, &g.measure),
            );
            if let Some(gbs) = &g.paired_bs {
                let (b, c) = (g.baseline_score.unwrap(), g.candidate_score.unwrap());
                check(
                    "corpus baseline/candidate/delta",
                    label.clone(),
                    close(cb["baseline_mean"].as_f64(), b, TOLERANCE)
                        && close(cb["candidate_mean"].as_f64(), c, TOLERANCE)
                        && close(cb["delta"].as_f64(), g.delta, TOLERANCE),
                );
                assert_eq!(cb["test"], "paired-bs");
                let p = cb["p_value"].as_f64().unwrap();
                check(
                    "paired-bs p (3 SE)",
                    format!("{label}: rigor {p}, sacrebleu {}", gbs.p_value),
                    within_monte_carlo(p, gbs.p_value, gbs.resamples),
                );
                // sacrebleu's "mean ± CI" of the resampled scores: the mean within 3 SE
                // (sd ≈ CI/1.96), the half-width within 15%.
                for (who, mean, ci) in [
                    (ev.systems[0].as_str(), gbs.baseline_mean, gbs.baseline_ci),
                    (g.candidate.as_str(), gbs.candidate_mean, gbs.candidate_ci),
                ] {
                    let m = &system(who)["metrics"][&g.measure];
                    let se = (ci / 1.96) * (2.0 / gbs.resamples as f64).sqrt();
                    check(
                        "bootstrap mean (3 SE)",
                        format!("{label} {who}"),
                        close(m["bootstrap_mean"].as_f64(), mean, 3.0 * se + 1e-9),
                    );
                    check(
                        "bootstrap CI half-width (15%)",
                        format!("{label} {who}: rigor {}, sacrebleu {ci}", m["bootstrap_ci"]),
                        close(m["bootstrap_ci"].as_f64(), ci, 0.15 * ci + 1e-9),
                    );
                }
            }
            if let Some(gar) = &g.paired_ar {
                assert_eq!(ca["test"], "paired-ar");
                let p = ca["p_value"].as_f64().unwrap();
                check(
                    "paired-ar p (3 SE)",
                    format!("{label}: rigor {p}, sacrebleu {}", gar.p_value),
                    within_monte_carlo(p, gar.p_value, gar.trials),
                );
            }
            if g.paired_bs.is_none() {
                check(
                    "sentence means/delta (1e-9)",
                    label.clone(),
                    close(cb["baseline_mean"].as_f64(), g.baseline_mean.unwrap(), 1e-9)
                        && close(
                            cb["candidate_mean"].as_f64(),
                            g.candidate_mean.unwrap(),
                            1e-9,
                        )
                        && close(cb["delta"].as_f64(), g.delta, 1e-9),
                );
                check(
                    "effect size d_z (1e-9)",
                    label.clone(),
                    match g.effect_size {
                        Some(want) => close(cb["effect_size"].as_f64(), want, 1e-9),
                        None => cb["effect_size"].is_null(),
                    },
                );
                assert_eq!(cb["test"], "paired-t");
                assert_eq!(ca["test"], "wilcoxon");
                for (kind, got, want) in [
                    ("ttest_rel p (1e-9)", &cb["p_value"], g.paired_t),
                    ("wilcoxon p (1e-9)", &ca["p_value"], g.wilcoxon),
                ] {
                    check(
                        kind,
                        format!("{label}: rigor {got}, scipy {want:?}"),
                        match want {
                            Some(w) => close(got.as_f64(), w, 1e-9),
                            None => got.is_null(),
                        },
                    );
                }
            }
        }
    }
    let mut compared = 0;
    for (kind, (c, ok)) in &counts {
        eprintln!("text comparison goldens: {kind}: {ok} of {c} matched");
        compared += c;
    }
    assert!(compared > 100, "only {compared} golden values");
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
