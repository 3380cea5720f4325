//! `rigor report` and `rigor card` end to end on real `rigor eval ir` evidence.

// Test helpers outside #[test] functions unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{dir_with, rigor, root};

fn ir_evidence(dir: &Path, runs: &[&str]) {
    let ex = root().join("examples");
    let mut args: Vec<String> = vec![
        "eval".into(),
        "ir".into(),
        "--qrels".into(),
        ex.join("qrels.txt").display().to_string(),
    ];
    for r in runs {
        args.push("--run".into());
        args.push(ex.join(format!("{r}.run")).display().to_string());
    }
    args.extend(
        [
            "--per-query",
            "--resamples",
            "1000",
            "--format",
            "json",
            "--output",
            "ir.json",
        ]
        .map(String::from),
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = rigor(dir, &argv);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

const POLICY: &str =
    "[gate]\nname = \"dense v2\"\n\n[[lift]]\nmeasure = \"RR\"\nmin_relative = 0.2\n";

#[test]
fn html_readout_is_self_contained_and_decision_first() {
    let d = dir_with(&[("policy.toml", POLICY)]);
    ir_evidence(d.path(), &["bm25", "dense"]);
    let r = rigor(
        d.path(),
        &[
            "report",
            "--evidence",
            "ir.json",
            "--policy",
            "policy.toml",
            "--out",
            "readout.html",
        ],
    );
    // A NO-GO readout is still a successful report.
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let html = std::fs::read_to_string(d.path().join("readout.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>dense v2</title>"));
    // No scripts, no external resources: nothing is fetched.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("href="));
    assert!(!html.contains("url("));
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    // The decision and its reasons come first, then the evidence.
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(at("class=\"banner nogo\"") < at("id=\"comparisons\""));
    assert!(at("id=\"comparisons\"") < at("id=\"distribution\""));
    assert!(at("id=\"distribution\"") < at("id=\"estimates\""));
    assert!(at("id=\"estimates\"") < at("id=\"slices\""));
    assert!(at("id=\"slices\"") < at("id=\"reproducibility\""));
    assert!(html.contains("relative +14.3% &lt; +20.0%"));
    // Charts: one forest plot, one histogram per measure.
    assert_eq!(html.matches("data-chart=\"forest\"").count(), 1);
    assert_eq!(html.matches("data-chart=\"histogram\"").count(), 5);
    // Reproducibility: the command and every input's hash.
    let ev: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("ir.json")).unwrap()).unwrap();
    for input in ev["inputs"].as_array().unwrap() {
        assert!(html.contains(input["blake3"].as_str().unwrap()));
    }
    assert!(html.contains("eval ir --qrels"));
}

#[test]
fn markdown_readout_and_no_policy() {
    let d = dir_with(&[("policy.toml", POLICY)]);
    ir_evidence(d.path(), &["bm25", "dense"]);
    let r = rigor(
        d.path(),
        &[
            "report",
            "--evidence",
            "ir.json",
            "--policy",
            "policy.toml",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = &r.stdout;
    assert!(md.starts_with("# dense v2\n"));
    assert!(md.contains("**❌ NO-GO** — 1 of 2 criteria fail: lift RR (dense vs bm25)."));
    assert!(md.contains("| FAIL | lift RR (dense vs bm25) | relative ≥ +20.0% |"));
    assert!(md.contains("| dense | nDCG@10 | 0.6116 | 0.8027 | +0.1911 |"));
    assert!(md.contains("over 30 queries: 28 higher, 2 lower, 0 tied"));
    assert!(!md.contains("<svg"));
    // `.md` output chooses Markdown; without a policy there is no decision.
    let r = rigor(
        d.path(),
        &["report", "--evidence", "ir.json", "--out", "r.md"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(d.path().join("r.md")).unwrap();
    assert!(md.contains("**NO DECISION** — No policy was given"));
    // A bad policy is still exit 2.
    std::fs::write(
        d.path().join("bad.toml"),
        "[[lift]]\nmeasure = \"X\"\nmin_delta = 1\n",
    )
    .unwrap();
    rigor(
        d.path(),
        &["report", "--evidence", "ir.json", "--policy", "bad.toml"],
    )
    .bad_input(&["bad.toml:1:", "no evidence has 'X'"]);
}

const META: &str = r#"[model]
name = "dense-retriever"
version = "2.0.0"
type = "bi-encoder dense retriever"
license = "Apache-2.0"

[intended_use]
primary_uses = "First-stage retrieval for the help-centre search."
"#;

#[test]
fn card_fills_what_evidence_says_and_lists_what_is_missing() {
    let d = dir_with(&[("card.toml", META), ("policy.toml", POLICY)]);
    ir_evidence(d.path(), &["bm25", "dense"]);
    let r = rigor(
        d.path(),
        &[
            "card",
            "--evidence",
            "ir.json",
            "--meta",
            "card.toml",
            "--policy",
            "policy.toml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = &r.stdout;
    assert!(md.starts_with("# Model card: dense-retriever\n"));
    for section in [
        "## Model details",
        "## Intended use",
        "## Factors",
        "## Metrics",
        "## Evaluation data",
        "## Training data",
        "## Quantitative analyses",
        "## Ethical considerations",
        "## Caveats and recommendations",
        "## Missing information",
        "## Reproducibility",
    ] {
        assert!(md.contains(section), "no {section}");
    }
    // Supplied fields as given; the rest listed as missing, not invented.
    assert!(md.contains("| version | 2.0.0 |"));
    assert!(
        md.contains("| primary intended users | missing — supply `intended_use.primary_users` |")
    );
    assert!(md.contains("18 fields only the model's owners can supply were not given"));
    assert!(md.contains("- `ethical_considerations.risks`"));
    assert!(!md.contains("- `model.version`"));
    assert!(r.stderr.starts_with("warning: 18 card fields not supplied"));
    // From the evidence: the model's values with intervals, the comparison, the hashes,
    // and the policy's thresholds and decision.
    assert!(md.contains("This card describes run `dense` of `ir` (ir)."));
    assert!(md.contains("| nDCG@10 | 0.8027 | [0."));
    assert!(md.contains("### dense against bm25"));
    assert!(md.contains("| ir | qrels | `"));
    assert!(md.contains("lift RR (dense vs bm25): relative ≥ +20.0%"));
    assert!(md.contains("Release gate `policy.toml`: NO-GO (1 of 2 criteria pass)."));

    // HTML by extension.
    let r = rigor(
        d.path(),
        &[
            "card",
            "--evidence",
            "ir.json",
            "--meta",
            "card.toml",
            "--out",
            "card.html",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(d.path().join("card.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Model card: dense-retriever"));
    assert!(html.contains("class=\"fail\""));
}

#[test]
fn card_metadata_errors_name_the_line() {
    let d = dir_with(&[
        ("typo.toml", "[model]\nname = \"x\"\nversoin = \"1\"\n"),
        (
            "system.toml",
            "[model]\nname = \"x\"\nsystem = \"splade\"\n",
        ),
    ]);
    ir_evidence(d.path(), &["bm25", "dense", "bm25"]);
    rigor(
        d.path(),
        &["card", "--evidence", "ir.json", "--meta", "typo.toml"],
    )
    .bad_input(&["typo.toml:3:", "versoin"]);
    rigor(
        d.path(),
        &["card", "--evidence", "ir.json", "--meta", "system.toml"],
    )
    .bad_input(&["system.toml:3:", "set [model] system", "has runs bm25 ("]);
    // Without metadata every owner field is missing, and three runs need a system.
    rigor(d.path(), &["card", "--evidence", "ir.json"])
        .bad_input(&["card metadata", "set [model] system"]);
}

#[test]
fn bundled_card_metadata_is_complete() {
    let d = dir_with(&[]);
    ir_evidence(d.path(), &["bm25", "dense"]);
    let meta = root().join("examples/card.toml").display().to_string();
    let r = rigor(
        d.path(),
        &["card", "--evidence", "ir.json", "--meta", &meta],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(r
        .stdout
        .contains("Every field the card asks of its owners was supplied."));
    assert!(!r.stdout.contains("missing — supply"));
}

#[test]
fn two_text_documents_give_relative_differences_and_per_item_histograms() {
    let doc = |bleu: f64, items: [f64; 4]| {
        serde_json::json!({
            "kind": "text", "segments": 4,
            "metrics": {"BLEU": {"score": bleu, "ci_low": bleu - 2.0, "ci_high": bleu + 2.0, "signature": "", "scale": 100.0},
                        "TER": {"score": 50.0, "signature": "", "scale": 100.0}},
            "per_item": items.iter().map(|b| serde_json::json!({"BLEU": b, "TER": 50.0})).collect::<Vec<_>>(),
            "hyp": "h.txt", "refs": ["r.txt"], "rigor_version": "0.1.0", "seed": 0
        })
        .to_string()
    };
    let d = dir_with(&[
        ("base.json", &doc(30.0, [30.0, 20.0, 40.0, 30.0])),
        ("cand.json", &doc(33.0, [31.0, 25.0, 39.0, 30.0])),
    ]);
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
    assert!(r.stdout.contains("### cand vs base (text)"));
    assert!(r
        .stdout
        .contains("| cand | BLEU | 30 | 33 | +3 |  | +10.0% |  | untested |"));
    assert!(r
        .stdout
        .contains("`BLEU`, cand − base over 4 items: 2 higher, 1 lower, 1 tied; median +0.5"));
    // Without inputs and a command the readout says the evidence cannot be reproduced.
    assert!(r
        .stdout
        .contains("Inputs and their hashes not recorded: this evidence cannot be reproduced."));
}
