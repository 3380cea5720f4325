//! `rigor gate` on every evidence kind's JSON, with documents constructed exactly as
//! CONTRACT.md (and the evaluators' own JSON on their branches) shape them: classify
//! (slices, sensitive groups, fairness), text, ab (segments, SRM) and drift — cases the
//! bundled data cannot produce (a sample-ratio mismatch, a slice missing from one of two
//! documents). Criteria on real output of every evaluator are in `gate_evaluators.rs`.

// Test helpers outside #[test] functions unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used)]

mod common;

use common::{dir_with, rigor, Run};
use serde_json::{json, Value};

fn provenance(doc: &mut Value, role: &str, path: &str) {
    let o = doc.as_object_mut().unwrap();
    o.insert("rigor_version".into(), json!("0.1.0"));
    o.insert("command".into(), json!(["rigor", "eval", role, path]));
    o.insert("seed".into(), json!(0));
    o.insert(
        "inputs".into(),
        json!([{"role": role, "path": path, "bytes": 1000,
                "blake3": "4b5e1e0c8a6ee31bbb8a5c5d8b2c8a3f5e1d7f6b9a0c3d2e1f4a5b6c7d8e9f00"}]),
    );
}

fn metric(value: f64, lo: f64, hi: f64) -> Value {
    json!({"value": value, "ci_low": lo, "ci_high": hi})
}

/// `rigor eval classify --score p --by region --sensitive sex --format json`.
fn classify(accuracy: [f64; 3], eu_accuracy: f64, us_accuracy: f64, tpr: [f64; 2]) -> Value {
    let fairness = |tpr: [f64; 2]| {
        json!({
            "sensitive": ["sex"], "positive": "1",
            "groups": {"f": {"n": 210, "selection_rate": 0.41, "tpr": tpr[0], "fpr": 0.12},
                       "m": {"n": 240, "selection_rate": 0.45, "tpr": tpr[1], "fpr": 0.15}},
            "between_groups": {
                "selection_rate": {"difference": 0.04, "ratio": 0.41 / 0.45},
                "tpr": {"difference": (tpr[0] - tpr[1]).abs(), "ratio": tpr[0].min(tpr[1]) / tpr[0].max(tpr[1])},
                "fpr": {"difference": 0.03, "ratio": 0.8}
            }
        })
    };
    let slice = |acc: f64, n: u64| {
        json!({"by": {"region": "x"}, "n": n,
               "metrics": {"accuracy": {"value": acc}, "ece": {"value": 0.04}},
               "per_class": {"0": {"precision": acc, "recall": acc, "f1": acc, "support": n / 2},
                             "1": {"precision": acc, "recall": acc, "f1": acc, "support": n / 2}},
               "confusion_matrix": {"labels": ["0", "1"], "matrix": [[1, 0], [0, 1]]},
               "fairness": fairness(tpr)})
    };
    let eod = (tpr[0] - tpr[1]).abs().max(0.03);
    let mut doc = json!({
        "kind": "classify", "n": 450,
        "metrics": {
            "accuracy": metric(accuracy[0], accuracy[1], accuracy[2]),
            "roc_auc": metric(0.91, 0.88, 0.93),
            "ece": metric(0.031, 0.02, 0.05),
            "demographic_parity_difference": {"value": 0.04},
            "equalized_odds_difference": metric(eod, eod / 2.0, eod * 2.0)
        },
        "per_class": {"0": {"precision": 0.86, "recall": 0.84, "f1": 0.85, "support": 230},
                      "1": {"precision": 0.84, "recall": 0.86, "f1": 0.85, "support": 220}},
        "confusion_matrix": {"labels": ["0", "1"], "matrix": [[193, 37], [31, 189]]},
        "fairness": fairness(tpr),
        "data": "eval.csv", "label": "label", "pred": "pred", "positive": "1",
        "average": "macro", "bins": 15, "classes": ["0", "1"], "by": ["region"],
        "slices": {"eu": slice(eu_accuracy, 200), "us": slice(us_accuracy, 250), "apac": slice(0.9, 12)},
        "confidence": 0.95, "resamples": 1000, "warnings": []
    });
    provenance(&mut doc, "data", "eval.csv");
    doc
}

/// `rigor eval text --per-item --format json` for one hypothesis file.
fn text(bleu: f64, items: &[f64]) -> Value {
    let mut doc = json!({
        "kind": "text", "segments": items.len(),
        "metrics": {"BLEU": {"score": bleu, "ci_low": bleu - 2.0, "ci_high": bleu + 2.0,
                             "signature": "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
                             "scale": 100.0},
                    "TER": {"score": 60.0 - bleu / 2.0, "signature": "", "scale": 100.0}},
        "per_item": items.iter().map(|b| json!({"BLEU": b, "TER": 50.0})).collect::<Vec<_>>(),
        "hyp": "hyp.txt", "refs": ["ref.txt"], "confidence": 0.95, "resamples": 1000
    });
    provenance(&mut doc, "hyp", "hyp.txt");
    doc
}

fn ab_comparison(
    metric: &str,
    delta: f64,
    lo: f64,
    hi: f64,
    p_adj: f64,
    guard: Option<&str>,
) -> Value {
    json!({
        "metric": metric, "baseline": "control", "candidate": "treatment",
        "baseline_n": 1500, "candidate_n": 1500, "baseline_mean": 1.0, "candidate_mean": 1.0 + delta,
        "delta": delta, "se": 0.01, "df": null, "statistic": 2.0, "ci_low": lo, "ci_high": hi,
        "relative_lift": delta, "relative_ci_low": lo, "relative_ci_high": hi,
        "test": "welch", "p_value": p_adj / 2.0, "p_adjusted": p_adj, "significant": p_adj < 0.05,
        "cuped": null, "sequential": null,
        "guardrail": guard.map(|d| json!({"margin": 5.0, "direction": d, "verdict": "pass"})),
        "mann_whitney": null, "cap": null
    })
}

/// `rigor ab --segment country --guardrail latency:lower:5 --format json`.
fn ab(srm: &str, de_latency: f64) -> Value {
    let arms = |c: f64, t: f64| {
        json!({"arms": {"control": {"n": 1500, "mean": c, "sd": 1.0},
                                                "treatment": {"n": 1500, "mean": t, "sd": 1.0}}})
    };
    let mut doc = json!({
        "kind": "ab", "data": "exp.csv", "units": 3000, "control": "control",
        "arms": ["control", "treatment"], "alpha": 0.05, "compat": "scipy", "correction": "holm",
        "primary": "converted", "sequential_tuning": null,
        "srm": {"observed": {"control": 1500, "treatment": 1500}, "expected": {"control": 1500.0, "treatment": 1500.0},
                "chi2": 0.0, "df": 1.0, "p_value": if srm == "ok" { 1.0 } else { 1e-6 },
                "threshold": 0.001, "status": srm, "segments": []},
        "metrics": {"converted": arms(0.10, 0.13), "latency": arms(200.0, 201.0)},
        "comparisons": [ab_comparison("converted", 0.03, 0.01, 0.05, 0.01, None),
                        ab_comparison("latency", 1.0, -1.0, 3.0, 0.4, Some("lower"))],
        "segments": [
            {"column": "country", "value": "US", "units": 1800,
             "comparisons": [ab_comparison("latency", 0.5, -2.0, 3.0, 0.7, Some("lower"))]},
            {"column": "country", "value": "DE", "units": 1200,
             "comparisons": [ab_comparison("latency", de_latency, de_latency - 2.0, de_latency + 2.0, 0.3, Some("lower"))]}
        ],
        "looks": [], "warnings": []
    });
    provenance(&mut doc, "data", "exp.csv");
    doc
}

/// `rigor drift --format json`.
fn drift(share: f64, income_drifted: bool) -> Value {
    let column = |name: &str, drifted: bool| {
        json!({"name": name, "type": "numerical", "method": "ks", "score": if drifted { 0.001 } else { 0.6 },
               "threshold": 0.05, "drifted": drifted, "p_adjusted": 0.6, "n_reference": 800, "n_current": 600,
               "missing_share_reference": 0.0, "missing_share_current": 0.01, "missing_drifted": false,
               "new_categories": [], "vanished_categories": [], "stats": {}})
    };
    let mut doc = json!({
        "kind": "drift",
        "reference": {"path": "reference.csv", "rows": 800},
        "current": {"path": "current.csv", "rows": 600},
        "columns": [column("age", false), column("income", income_drifted), column("sessions", false)],
        "dataset": {"columns": 3, "drifted": u64::from(income_drifted), "share": share, "drift_share": 0.5,
                    "drift": share >= 0.5},
        "warnings": []
    });
    provenance(&mut doc, "current", "current.csv");
    doc
}

fn gate(policy: &str, docs: &[(&str, Value)]) -> Run {
    let files: Vec<(String, String)> = docs
        .iter()
        .map(|(name, v)| (format!("{name}.json"), v.to_string()))
        .collect();
    let mut all: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    all.push(("policy.toml", policy));
    let d = dir_with(&all);
    let mut args = vec!["gate", "--policy", "policy.toml", "--format", "json"];
    for (n, _) in &files {
        args.push("--evidence");
        args.push(n);
    }
    let r = rigor(d.path(), &args);
    drop(d);
    r
}

fn passes(r: &Run) -> Vec<(String, bool)> {
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    r.json()["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["criterion"].as_str().unwrap().to_string(),
                c["pass"].as_bool().unwrap(),
            )
        })
        .collect()
}

const CLASSIFY_POLICY: &str = r#"[evidence]
min_rows = 400

[[threshold]]
measure = "ece"
max = 0.05

[[threshold]]
measure = "roc_auc"
min = 0.85
whole_ci = true

[[threshold]]
measure = "accuracy"
min = 0.8
slices = "all"
min_slice_size = 30

[[threshold]]
measure = "tpr"
min = 0.7
slices = "groups"

[[threshold]]
measure = "recall"
class = "1"
min = 0.8

[[fairness]]
measure = "equalized_odds_difference"
max = 0.1

[[fairness]]
measure = "tpr_ratio"
min = 0.8
slices = "all"
"#;

#[test]
fn classify_thresholds_slices_groups_and_fairness() {
    let good = classify([0.85, 0.82, 0.88], 0.88, 0.83, [0.80, 0.84]);
    let r = gate(CLASSIFY_POLICY, &[("clf", good)]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert!(passes(&r).iter().all(|(_, p)| *p));
    // The worst slice decides; the 12-row slice is skipped and listed as skipped.
    let acc = &j["criteria"][4];
    assert_eq!(acc["criterion"], "threshold accuracy (clf)");
    assert_eq!(
        acc["measured"],
        "worst 'us' (n = 250): 0.83 (2 checked, 1 skipped)"
    );
    assert_eq!(acc["slices"][2]["slice"], "apac");
    assert_eq!(acc["slices"][2]["pass"], Value::Null);

    // Poorer: a slice below the bar, a group below the bar, a larger disparity.
    let bad = classify([0.85, 0.79, 0.88], 0.88, 0.74, [0.62, 0.84]);
    let r = gate(CLASSIFY_POLICY, &[("clf", bad)]);
    assert_eq!(r.code, 1);
    let v = passes(&r);
    let failed: Vec<&str> = v
        .iter()
        .filter(|(_, p)| !p)
        .map(|(c, _)| c.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "threshold accuracy (clf)",
            "threshold tpr (clf)",
            "fairness equalized_odds_difference (clf)",
            "fairness tpr_ratio (clf)"
        ]
    );
    let j = r.json();
    assert_eq!(j["criteria"][4]["why"], "'us': 0.74 < 0.8 (1 of 2 fail)");
    assert_eq!(j["criteria"][5]["why"], "'f': 0.62 < 0.7 (1 of 2 fail)");
    assert_eq!(j["criteria"][7]["why"], "0.22 > 0.1");
}

#[test]
fn fairness_is_derived_from_group_rates_when_not_among_the_metrics() {
    let mut doc = classify([0.85, 0.82, 0.88], 0.88, 0.83, [0.70, 0.84]);
    let m = doc["metrics"].as_object_mut().unwrap();
    m.remove("equalized_odds_difference");
    m.remove("demographic_parity_difference");
    let policy = "[[fairness]]\nmeasure = \"equalized_odds_difference\"\nmax = 0.1\n\n\
                  [[fairness]]\nmeasure = \"demographic_parity_ratio\"\nmin = 0.8\n";
    let r = gate(policy, &[("clf", doc)]);
    let j = r.json();
    // max(|tpr_f − tpr_m| = 0.14, |fpr diff| = 0.03), Fairlearn's definition.
    assert_eq!(j["criteria"][1]["measured"], "0.14");
    assert_eq!(j["criteria"][1]["pass"], false);
    assert_eq!(j["criteria"][2]["measured"], "0.9111");
    assert_eq!(j["criteria"][2]["pass"], true);
}

#[test]
fn classify_guardrail_across_two_documents_worst_slice_decides() {
    let base = classify([0.85, 0.82, 0.88], 0.88, 0.83, [0.80, 0.84]);
    let cand = classify([0.86, 0.83, 0.89], 0.90, 0.80, [0.80, 0.84]);
    let policy = "[gate]\nbaseline = \"base\"\ncandidate = \"cand\"\n\n\
                  [[guardrail]]\nmeasure = \"accuracy\"\ntolerance = 0.02\nslices = \"all\"\n\n\
                  [[guardrail]]\nmeasure = \"accuracy\"\ntolerance = 0.05\nslices = \"all\"\n\n\
                  [[lift]]\nmeasure = \"accuracy\"\nmin_delta = 0.005\n\n\
                  [[threshold]]\nmeasure = \"accuracy\"\nmin = 0.85\n";
    let r = gate(policy, &[("base", base.clone()), ("cand", cand.clone())]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    let v = passes(&r);
    assert_eq!(
        v[2],
        ("guardrail accuracy (cand vs base)".to_string(), false)
    );
    assert_eq!(
        j["criteria"][2]["why"],
        "'us': Δ -0.03 < -0.02 (1 of 3 fail)"
    );
    assert!(v[3].1 && v[4].1, "{v:?}");
    // The threshold reads the candidate document, not the baseline.
    assert_eq!(j["criteria"][5]["measured"], "0.86 [0.83, 0.89]");
    // Separate evaluations have no paired test: asking for one is an error.
    let r = gate(
        "[[lift]]\nmeasure = \"accuracy\"\nsignificant = true\n",
        &[("base", base.clone()), ("cand", cand.clone())],
    );
    r.bad_input(&["policy.toml:1:", "separate evaluations"]);
    // A slice the candidate lacks cannot be checked: an error, not a pass.
    let mut thin = cand;
    thin["slices"].as_object_mut().unwrap().remove("eu");
    gate(
        "[[guardrail]]\nmeasure = \"accuracy\"\nslices = \"all\"\n",
        &[("base", base), ("cand", thin)],
    )
    .bad_input(&["candidate cand has no slice 'eu'"]);
}

#[test]
fn text_lift_across_documents_and_segments() {
    let base = text(30.0, &[30.0, 20.0, 40.0]);
    let cand = text(33.5, &[31.0, 25.0, 41.0]);
    let policy = "[evidence]\nmin_segments = 3\n\n[[lift]]\nmeasure = \"BLEU\"\nmin_delta = 2\nmin_relative = 0.1\n\n\
                  [[guardrail]]\nmeasure = \"TER\"\ntolerance = 0\n";
    let r = gate(policy, &[("base", base.clone()), ("cand", cand.clone())]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(
        j["criteria"][4]["why"],
        "Δ +3.5 ≥ +2; relative +11.7% ≥ +10.0%"
    );
    // TER: lower is better, and the candidate's is lower.
    assert_eq!(j["criteria"][5]["why"], "Δ -1.75 ≤ 0");
    let r = gate(
        "[evidence]\nmin_segments = 4\n\n[[lift]]\nmeasure = \"bleu\"\nmin_delta = 5\n",
        &[("base", base), ("cand", cand)],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        passes(&r)[2..],
        [
            ("min_segments (base)".to_string(), false),
            ("min_segments (cand)".to_string(), false),
            ("lift bleu (cand vs base)".to_string(), false),
        ]
    );
}

#[test]
fn ab_lift_segment_guardrails_and_sample_ratio() {
    let policy = "[evidence]\nmin_units = 1000\n\n\
                  [[lift]]\nmeasure = \"converted\"\ndirection = \"higher\"\nmin_relative = 0.02\nsignificant = true\nci_excludes_zero = true\n\n\
                  [[guardrail]]\nmeasure = \"latency\"\ntolerance = 5\nslices = \"all\"\n\n\
                  [[guardrail]]\nmeasure = \"latency\"\ntolerance = 5\nwhole_ci = true\n";
    let r = gate(policy, &[("exp", ab("ok", 1.0))]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["criteria"][1]["criterion"], "sample ratio (exp)");
    assert_eq!(
        j["criteria"][4]["measured"]
            .as_str()
            .unwrap()
            .split(':')
            .next(),
        Some("worst 'country=DE'")
    );
    // A regression in one segment, and a sample-ratio mismatch.
    let r = gate(policy, &[("exp", ab("mismatch", 7.0))]);
    assert_eq!(r.code, 1);
    let v = passes(&r);
    assert_eq!(v[1], ("sample ratio (exp)".to_string(), false));
    assert_eq!(
        v[4],
        (
            "guardrail latency (treatment vs control)".to_string(),
            false
        )
    );
    assert_eq!(
        r.json()["criteria"][4]["why"],
        "'country=DE': Δ +7 > +5 (1 of 2 fail)"
    );
    // The sample-ratio check may be waived explicitly.
    let r = gate(
        &format!("{policy}\n").replace("min_units = 1000", "min_units = 1000\nsrm = false"),
        &[("exp", ab("mismatch", 1.0))],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Which way is better for an unknown metric must be said.
    gate(
        "[[lift]]\nmeasure = \"converted\"\nmin_delta = 0\n",
        &[("exp", ab("ok", 1.0))],
    )
    .bad_input(&["policy.toml:1:", "add direction"]);
    // A segment the evidence lacks is an error.
    gate(
        "[[guardrail]]\nmeasure = \"latency\"\nslices = [\"country=FR\"]\n",
        &[("exp", ab("ok", 1.0))],
    )
    .bad_input(&["no slice 'country=FR'", "country=US, country=DE"]);
}

#[test]
fn drift_share_and_columns() {
    let policy = "[evidence]\nmin_rows = 500\n\n\
                  [[threshold]]\nmeasure = \"drift_share\"\nmax = 0.3\n\n\
                  [[threshold]]\nmeasure = \"drifted\"\nmax = 0\nslices = \"all\"\n\n\
                  [[threshold]]\nmeasure = \"missing_share_current\"\nmax = 0.05\nslices = [\"income\"]\n";
    let r = gate(policy, &[("drift", drift(0.0, false))]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = gate(policy, &[("drift", drift(1.0 / 3.0, true))]);
    assert_eq!(r.code, 1);
    let j = r.json();
    assert_eq!(j["criteria"][1]["measured"], "600 current rows");
    assert_eq!(j["criteria"][2]["why"], "0.3333 > 0.3");
    assert_eq!(j["criteria"][3]["why"], "'income': 1 > 0 (1 of 3 fail)");
    assert_eq!(j["criteria"][4]["pass"], true);
}
