//! `rigor gate` on real output of `rigor eval classify` (the committed fairness case of
//! tools/goldens/classify: 900 rows, three regions, two sexes), `rigor drift` (the
//! bundled examples/drift), `rigor ab` (the bundled examples/ab) and `rigor eval text`
//! (the committed random case of tools/goldens/text): every criterion type passing and
//! failing, worst slice, group and segment deciding, and comparisons across two
//! evaluations.

// Test helpers outside #[test] functions unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{dir_with, rigor, root, Run};
use serde_json::Value;

/// `rigor eval classify` on `data` (a JSONL of label, pred, score, sex, region).
fn classify(dir: &Path, data: &str, out: &str) -> Value {
    let r = rigor(
        dir,
        &[
            "eval",
            "classify",
            "--data",
            data,
            "--score",
            "score",
            "--positive",
            "spam",
            "--by",
            "region",
            "--sensitive",
            "sex",
            "--resamples",
            "200",
            "--format",
            "json",
            "--output",
            out,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&std::fs::read_to_string(dir.join(out)).unwrap()).unwrap()
}

fn fairness_data() -> String {
    root()
        .join("tools/goldens/classify/cases/fairness/data.jsonl")
        .display()
        .to_string()
}

/// Whether the evaluator recorded what reproducibility needs (classify does not yet:
/// then the gate must refuse the evidence, whatever else passes).
fn reproducible(ev: &Value) -> bool {
    ["rigor_version", "command", "seed", "inputs"]
        .iter()
        .all(|k| ev.get(k).is_some_and(|v| !v.is_null()))
}

fn gate(dir: &Path, policy: &str, evidence: &[&str]) -> Run {
    std::fs::write(dir.join("policy.toml"), policy).unwrap();
    let mut args = vec!["gate", "--policy", "policy.toml", "--format", "json"];
    for e in evidence {
        args.push("--evidence");
        args.push(e);
    }
    let r = rigor(dir, &args);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    r
}

/// (criterion, pass, why) per outcome, requirements first.
fn outcomes(r: &Run) -> Vec<(String, bool, String)> {
    r.json()["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["criterion"].as_str().unwrap().to_string(),
                c["pass"].as_bool().unwrap(),
                c["why"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn classifier_thresholds_fairness_slices_and_groups() {
    let d = dir_with(&[]);
    let ev = classify(d.path(), &fairness_data(), "clf.json");
    // Values of this case (scikit-learn / Fairlearn parity is the evaluator's own test).
    assert_eq!(ev["n"], 900);

    let lenient = r#"[evidence]
min_rows = 900

[[threshold]]
measure = "ece"
max = 0.2

[[threshold]]
measure = "accuracy"
min = 0.83
slices = "all"

[[threshold]]
measure = "tpr"
min = 0.84
slices = "groups"

[[threshold]]
measure = "recall"
class = "spam"
min = 0.8

[[fairness]]
measure = "equalized_odds_difference"
max = 0.1

[[fairness]]
measure = "demographic_parity_ratio"
min = 0.8
slices = "all"
"#;
    let r = gate(d.path(), lenient, &["clf.json"]);
    let o = outcomes(&r);
    assert_eq!(o[0].0, "reproducible (clf)");
    assert_eq!(o[0].1, reproducible(&ev), "{}", o[0].2);
    assert_eq!(r.code, if reproducible(&ev) { 0 } else { 1 });
    if !reproducible(&ev) {
        assert!(
            o[0].2.starts_with("cannot be reproduced: missing:"),
            "{}",
            o[0].2
        );
    }
    let rest: Vec<(&str, bool)> = o[1..].iter().map(|(c, p, _)| (c.as_str(), *p)).collect();
    assert_eq!(
        rest,
        [
            ("min_rows (clf)", true),
            ("threshold ece (clf)", true),
            ("threshold accuracy (clf)", true),
            ("threshold tpr (clf)", true),
            ("threshold recall[spam] (clf)", true),
            ("fairness equalized_odds_difference (clf)", true),
            ("fairness demographic_parity_ratio (clf)", true),
        ]
    );
    // Worst slice and worst group are the ones named.
    assert_eq!(o[3].2, "worst 'apac': 0.8333 ≥ 0.83");
    assert_eq!(o[4].2, "worst 'f': 0.8439 ≥ 0.84");
    assert_eq!(o[7].2, "worst 'eu': 0.839 ≥ 0.8");

    let strict = lenient
        .replace("min_rows = 900", "min_rows = 901")
        .replace("max = 0.2", "max = 0.05")
        .replace("min = 0.83\n", "min = 0.835\n")
        .replace("min = 0.84\n", "min = 0.85\n")
        .replace("max = 0.1\n", "max = 0.01\n")
        .replace("min = 0.8\nslices", "min = 0.85\nslices");
    let r = gate(d.path(), &strict, &["clf.json"]);
    assert_eq!(r.code, 1);
    let o = outcomes(&r);
    let why: Vec<(&str, bool, &str)> = o[1..]
        .iter()
        .map(|(c, p, w)| (c.as_str(), *p, w.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            ("min_rows (clf)", false, "900 < 901"),
            ("threshold ece (clf)", false, "0.1362 > 0.05"),
            (
                "threshold accuracy (clf)",
                false,
                "'apac': 0.8333 < 0.835 (1 of 3 fail)"
            ),
            (
                "threshold tpr (clf)",
                false,
                "'f': 0.8439 < 0.85 (1 of 2 fail)"
            ),
            ("threshold recall[spam] (clf)", true, why[4].2),
            (
                "fairness equalized_odds_difference (clf)",
                false,
                "0.0146 > 0.01"
            ),
            (
                "fairness demographic_parity_ratio (clf)",
                false,
                "'eu': 0.839 < 0.85 (1 of 3 fail)"
            ),
        ]
    );
    // A slice, group or class the evidence lacks is an error.
    for (policy, part) in [
        (
            "[[threshold]]\nmeasure = \"f1\"\nmin = 0.5\nslices = [\"latam\"]\n",
            "no slice 'latam'",
        ),
        (
            "[[threshold]]\nmeasure = \"recall\"\nclass = \"eggs\"\nmin = 0.5\n",
            "no evidence has 'recall' for class 'eggs' (clf has class ham, class spam)",
        ),
        (
            "[[fairness]]\nmeasure = \"equalized_odds_gap\"\nmax = 0.5\n",
            "no evidence has fairness measure 'equalized_odds_gap'",
        ),
    ] {
        std::fs::write(d.path().join("policy.toml"), policy).unwrap();
        rigor(
            d.path(),
            &["gate", "--policy", "policy.toml", "--evidence", "clf.json"],
        )
        .bad_input(&["policy.toml:1:", part]);
    }
}

#[test]
fn classifier_guardrail_across_two_evaluations_worst_region_decides() {
    // The candidate: the same rows with 20 correct predictions in region `us` flipped.
    let text = std::fs::read_to_string(fairness_data()).unwrap();
    let mut flipped = 0;
    let candidate: Vec<String> = text
        .lines()
        .map(|line| {
            let mut row: Value = serde_json::from_str(line).unwrap();
            if flipped < 20 && row["region"] == "us" && row["label"] == row["pred"] {
                flipped += 1;
                let other = if row["pred"] == "spam" { "ham" } else { "spam" };
                row["pred"] = Value::from(other);
            }
            row.to_string()
        })
        .collect();
    let d = dir_with(&[("cand.jsonl", &(candidate.join("\n") + "\n"))]);
    classify(d.path(), &fairness_data(), "base.json");
    classify(d.path(), "cand.jsonl", "cand.json");
    let policy = r#"[gate]
baseline = "base"
candidate = "cand"

[[guardrail]]
measure = "accuracy"
tolerance = 0.01
slices = "all"

[[guardrail]]
measure = "accuracy"
tolerance = 0.1
slices = "all"

[[guardrail]]
measure = "tpr"
tolerance = 0.1
slices = "groups"
"#;
    let r = gate(d.path(), policy, &["base.json", "cand.json"]);
    let o = outcomes(&r);
    let n = o.len();
    // us: 20 of 297 rows newly wrong, accuracy −0.0673; the other regions unchanged.
    assert_eq!(o[n - 3].0, "guardrail accuracy (cand vs base)");
    assert_eq!(
        (o[n - 3].1, o[n - 3].2.as_str()),
        (false, "'us': Δ -0.0673 < -0.01 (1 of 3 fail)")
    );
    assert!(o[n - 2].1, "{:?}", o[n - 2]);
    assert_eq!(o[n - 2].2, "worst 'us': Δ -0.0673 ≥ -0.1");
    assert!(o[n - 1].1, "{:?}", o[n - 1]);
    assert_eq!(r.code, 1);
}

#[test]
fn drift_share_columns_and_missing_values() {
    let d = dir_with(&[]);
    let ex = root().join("examples/drift");
    let r = rigor(
        d.path(),
        &[
            "drift",
            "--reference",
            &ex.join("reference.csv").display().to_string(),
            "--current",
            &ex.join("current.csv").display().to_string(),
            "--format",
            "json",
            "--output",
            "drift.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let go = r#"[evidence]
min_rows = 600
verify_inputs = true

[[threshold]]
measure = "drift_share"
max = 0.3

[[threshold]]
measure = "dataset_drift"
max = 0

[[threshold]]
measure = "drifted"
max = 0
slices = ["age", "device", "sessions", "premium"]
"#;
    let r = gate(d.path(), go, &["drift.json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let nogo = r#"[[threshold]]
measure = "drift_share"
max = 0.25

[[threshold]]
measure = "drifted"
max = 0
slices = "all"

[[threshold]]
measure = "missing_share_current"
max = 0.05
slices = ["tenure_days"]
"#;
    let r = gate(d.path(), nogo, &["drift.json"]);
    assert_eq!(r.code, 1);
    let o = outcomes(&r);
    assert!(o[0].1, "drift evidence is reproducible: {:?}", o[0]);
    assert_eq!(o[1].2, "0.2857 > 0.25");
    assert_eq!(o[2].2, "'income': 1 > 0 (2 of 7 fail)");
    assert_eq!(o[3].2, "'tenure_days': 0.13 > 0.05 (1 of 1 fail)");
    let slices = &r.json()["criteria"][2]["slices"];
    let failing: Vec<&str> = slices
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["pass"] == false)
        .map(|s| s["slice"].as_str().unwrap())
        .collect();
    assert_eq!(failing, ["income", "country"]);
}

#[test]
fn readout_of_a_classifier_shows_slices_and_groups() {
    let d = dir_with(&[(
        "policy.toml",
        "[[threshold]]\nmeasure = \"accuracy\"\nmin = 0.835\nslices = \"all\"\n",
    )]);
    classify(d.path(), &fairness_data(), "clf.json");
    let r = rigor(
        d.path(),
        &[
            "report",
            "--evidence",
            "clf.json",
            "--policy",
            "policy.toml",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = &r.stdout;
    assert!(md.contains("### clf: slices"));
    assert!(md.contains("| apac | 276 | 0.8333 |"));
    assert!(md.contains("### clf: sensitive groups"));
    assert!(md.contains("| f | 411 | 0.4428 | 0.8439 | 0.1513 |"));
    assert!(md.contains("| equalized_odds_difference | 0.0146 ["));
    assert!(md.contains("## Classifier diagnostics"));
}

#[test]
fn experiment_lift_segment_guardrail_and_sample_ratio() {
    let d = dir_with(&[]);
    let data = root()
        .join("examples/ab/experiment.csv")
        .display()
        .to_string();
    let r = rigor(
        d.path(),
        &[
            "ab",
            "--data",
            &data,
            "--unit-col",
            "user_id",
            "--metric",
            "converted",
            "--metric",
            "revenue",
            "--guardrail",
            "latency:lower:10",
            "--segment",
            "country",
            "--format",
            "json",
            "--output",
            "ab.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let go = r#"[gate]
candidate = "treatment"

[evidence]
min_units = 1000
verify_inputs = true

[[lift]]
measure = "converted"
direction = "higher"
min_relative = 0.1
significant = true
ci_excludes_zero = true

[[guardrail]]
measure = "latency"
tolerance = 10
slices = "all"

[[threshold]]
measure = "converted"
min = 0.12
"#;
    let r = gate(d.path(), go, &["ab.json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let o = outcomes(&r);
    assert_eq!(o[1].0, "sample ratio (ab)");
    assert_eq!(o[4].2, "worst 'country=US': Δ +5.828 ≤ +10");

    let nogo = r#"[[lift]]
measure = "revenue"
direction = "higher"
significant = true

[[guardrail]]
measure = "latency"
tolerance = 5
slices = "all"

[[guardrail]]
measure = "latency"
tolerance = 10
whole_ci = true
"#;
    let r = gate(d.path(), nogo, &["ab.json"]);
    assert_eq!(r.code, 1);
    let o = outcomes(&r);
    assert!(
        !o[2].1 && o[2].2.ends_with(": not significant"),
        "{:?}",
        o[2]
    );
    assert_eq!(o[3].2, "'country=US': Δ +5.828 > +5 (1 of 4 fail)");
    assert!(o[4].1, "{:?}", o[4]);
    // The latency guardrail's direction came from the evidence; revenue's must be said.
    std::fs::write(
        d.path().join("policy.toml"),
        "[[lift]]\nmeasure = \"revenue\"\nmin_delta = 0\n",
    )
    .unwrap();
    rigor(
        d.path(),
        &["gate", "--policy", "policy.toml", "--evidence", "ab.json"],
    )
    .bad_input(&["policy.toml:1:", "add direction"]);
}

#[test]
fn text_systems_compared_across_two_evaluations() {
    // Two "systems" over the committed random case, both scored against ref1.txt: the
    // baseline's output is hyp.txt, the candidate's is ref2.txt (a second translation,
    // better by about +2.8 BLEU and -2.5 TER).
    let case = root().join("tools/goldens/text/cases/random");
    let d = dir_with(&[]);
    let score = |hyp: &str, out: &str| -> Value {
        let r = rigor(
            d.path(),
            &[
                "eval",
                "text",
                "--hyp",
                &case.join(hyp).display().to_string(),
                "--ref",
                &case.join("ref1.txt").display().to_string(),
                "-m",
                "BLEU",
                "chrF",
                "TER",
                "--per-item",
                "--resamples",
                "200",
                "--format",
                "json",
                "--output",
                out,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str(&std::fs::read_to_string(d.path().join(out)).unwrap()).unwrap()
    };
    let base = score("hyp.txt", "base.json");
    let cand = score("ref2.txt", "cand.json");
    let value = |ev: &Value, m: &str| ev["metrics"][m]["score"].as_f64().unwrap();
    let bleu = value(&cand, "BLEU") - value(&base, "BLEU");
    let ter = value(&cand, "TER") - value(&base, "TER");
    assert!(bleu > 2.0 && ter < -2.0, "{bleu} {ter}");
    let policy = |min_segments: u64, min_delta: f64, ter_tolerance: f64, chrf_min: f64| {
        format!(
            "[gate]\nbaseline = \"base\"\ncandidate = \"cand\"\n\n[evidence]\nmin_segments = {min_segments}\n\n\
             [[lift]]\nmeasure = \"BLEU\"\nmin_delta = {min_delta}\n\n\
             [[guardrail]]\nmeasure = \"TER\"\ntolerance = {ter_tolerance}\n\n\
             [[threshold]]\nmeasure = \"chrF\"\nmin = {chrf_min}\n"
        )
    };
    // Bounds just on the passing side of the measured values …
    let lenient = policy(
        400,
        bleu - 0.5,
        ter.max(0.0) + 0.5,
        value(&cand, "chrF") - 0.5,
    );
    let r = gate(d.path(), &lenient, &["base.json", "cand.json"]);
    let o = outcomes(&r);
    let n = o.len();
    let verdicts: Vec<(&str, bool)> = o[n - 5..]
        .iter()
        .map(|(c, p, _)| (c.as_str(), *p))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("min_segments (base)", true),
            ("min_segments (cand)", true),
            ("lift BLEU (cand vs base)", true),
            ("guardrail TER (cand vs base)", true),
            ("threshold chrF (cand)", true),
        ]
    );
    let reproducible_both = reproducible(&base) && reproducible(&cand);
    assert_eq!(
        r.code,
        if reproducible_both { 0 } else { 1 },
        "{:?}",
        &o[..2]
    );
    // … and just on the failing side.
    let strict = policy(
        401,
        bleu + 0.5,
        (ter - 0.5).max(0.0).min(ter.abs()),
        value(&cand, "chrF") + 0.5,
    );
    let r = gate(d.path(), &strict, &["base.json", "cand.json"]);
    assert_eq!(r.code, 1);
    let o = outcomes(&r);
    let n = o.len();
    assert!(
        !o[n - 5].1 && !o[n - 4].1 && !o[n - 3].1 && !o[n - 1].1,
        "{o:?}"
    );
    // Separate evaluations carry no paired test.
    std::fs::write(
        d.path().join("policy.toml"),
        "[[lift]]\nmeasure = \"BLEU\"\nsignificant = true\n",
    )
    .unwrap();
    rigor(
        d.path(),
        &[
            "gate",
            "--policy",
            "policy.toml",
            "--evidence",
            "base.json",
            "--evidence",
            "cand.json",
        ],
    )
    .bad_input(&["policy.toml:1:", "separate evaluations"]);
    // The readout draws their per-segment differences.
    let r = rigor(
        d.path(),
        &[
            "report",
            "--evidence",
            "base.json",
            "--evidence",
            "cand.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("`BLEU`, cand − base over 400 items:"),
        "{}",
        r.stdout
    );
}

#[test]
fn text_systems_compared_in_one_evaluation_with_paired_tests() {
    // The bundled three systems in one `eval text`: comparisons with paired tests, so a
    // lift may require significance after correction.
    let ex = root().join("examples/text");
    let d = dir_with(&[]);
    let p = |f: &str| ex.join(f).display().to_string();
    let r = rigor(
        d.path(),
        &[
            "eval",
            "text",
            "--hyp",
            &p("base.txt"),
            "--hyp",
            &p("finetuned.txt"),
            "--hyp",
            &p("distilled.txt"),
            "--ref",
            &p("ref.txt"),
            "-m",
            "BLEU",
            "TER",
            "ROUGE-L",
            "--resamples",
            "300",
            "--format",
            "json",
            "--output",
            "text.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ev: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("text.json")).unwrap())
            .unwrap();
    let compared = |cand: &str, m: &str| {
        ev["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["candidate"] == cand && c["measure"] == m)
            .unwrap_or_else(|| panic!("no {cand} {m} comparison"))
            .clone()
    };
    let ft = compared("finetuned", "BLEU");
    let di = compared("distilled", "BLEU");
    assert_eq!(ft["significant"], true, "{ft}");
    assert!(di["delta"].as_f64().unwrap() < 0.0, "{di}");
    let policy = |candidate: &str| {
        format!(
            "[gate]\ncandidate = \"{candidate}\"\n\n[[lift]]\nmeasure = \"BLEU\"\nmin_delta = 1.0\n\
             significant = true\n\n[[guardrail]]\nmeasure = \"ROUGE-L\"\ntolerance = 0.01\n"
        )
    };
    // Baseline from the document (its first system); the candidate from the policy.
    let r = gate(d.path(), &policy("finetuned"), &["text.json"]);
    let o = outcomes(&r);
    let n = o.len();
    assert_eq!(
        o[n - 2..]
            .iter()
            .map(|(c, p, _)| (c.as_str(), *p))
            .collect::<Vec<_>>(),
        [
            ("lift BLEU (finetuned vs base)", true),
            ("guardrail ROUGE-L (finetuned vs base)", true),
        ],
        "{o:?}"
    );
    assert_eq!(r.code, 0, "{o:?}");
    let r = gate(d.path(), &policy("distilled"), &["text.json"]);
    assert_eq!(r.code, 1);
    let o = outcomes(&r);
    let n = o.len();
    assert!(!o[n - 2].1 && !o[n - 1].1, "{o:?}");
    // A system the document lacks is an error, never a pass.
    std::fs::write(d.path().join("policy.toml"), policy("nope")).unwrap();
    rigor(
        d.path(),
        &["gate", "--policy", "policy.toml", "--evidence", "text.json"],
    )
    .bad_input(&["nope"]);
}
