//! `rigor gate` end to end on real `rigor eval ir` evidence from the bundled examples:
//! every criterion type GO and NO-GO, reproducibility, malformed policies and evidence,
//! and criteria naming what the evidence lacks (exit 2, never a pass).

// Test helpers outside #[test] functions unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{dir_with, rigor, root, Run};
use serde_json::Value;

/// `rigor eval ir` on the bundled examples (absolute paths, so the evidence can be
/// re-verified from any directory), written to `dir/name`.
fn ir_evidence(dir: &Path, name: &str, runs: &[&str], extra: &[&str]) -> PathBuf {
    let ex = root().join("examples");
    let qrels = ex.join("qrels.txt").display().to_string();
    let mut args: Vec<String> = vec!["eval".into(), "ir".into(), "--qrels".into(), qrels];
    for r in runs {
        args.push("--run".into());
        args.push(ex.join(format!("{r}.run")).display().to_string());
    }
    args.extend(["--resamples", "2000", "--format", "json", "--output", name].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = rigor(dir, &argv);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir.join(name)
}

fn gate(dir: &Path, policy: &str, evidence: &[&str], format: &str) -> Run {
    std::fs::write(dir.join("policy.toml"), policy).unwrap();
    let mut args = vec!["gate", "--policy", "policy.toml", "--format", format];
    for e in evidence {
        args.push("--evidence");
        args.push(e);
    }
    rigor(dir, &args)
}

/// (criterion, pass) per outcome of a JSON decision.
fn verdicts(j: &Value) -> Vec<(String, bool)> {
    j["criteria"]
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

fn outcome<'j>(j: &'j Value, criterion: &str) -> &'j Value {
    j["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == criterion)
        .unwrap_or_else(|| panic!("no criterion {criterion} in {j:#}"))
}

const GO_POLICY: &str = r#"[gate]
name = "dense retriever v2"
baseline = "bm25"
candidate = "dense"

[evidence]
min_queries = 30
verify_inputs = true

[[threshold]]
measure = "nDCG@10"
min = 0.75
whole_ci = true

[[threshold]]
measure = "ndcg_cut_10"     # trec_eval alias of nDCG@10
min = 0.5
max = 0.95

[[lift]]
measure = "nDCG@10"
min_delta = 0.1
min_relative = 0.2
significant = true
ci_excludes_zero = true

[[lift]]
measure = "AP"
significant = true
alpha = 0.001

[[guardrail]]
measure = "R@100"
tolerance = 0.01
whole_ci = true

[[guardrail]]
measure = "P@10"
relative_tolerance = 0.02
"#;

#[test]
fn every_ir_criterion_type_passes_on_a_better_run() {
    let d = dir_with(&[]);
    ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &["--per-query"]);
    let r = gate(d.path(), GO_POLICY, &["ir.json"], "json");
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["decision"], "GO");
    assert_eq!(j["go"], true);
    let v = verdicts(&j);
    assert_eq!(
        v.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        [
            "reproducible (ir)",
            "min_queries (ir)",
            "threshold nDCG@10 (dense)",
            "threshold ndcg_cut_10 (dense)",
            "lift nDCG@10 (dense vs bm25)",
            "lift AP (dense vs bm25)",
            "guardrail R@100 (dense vs bm25)",
            "guardrail P@10 (dense vs bm25)",
        ]
    );
    assert!(v.iter().all(|(_, pass)| *pass), "{v:?}");
    // Lines point into the policy.
    let lines: Vec<u64> = j["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6, 7, 10, 15, 20, 27, 32, 37]);
    // The measured value is the evidence's: the alias resolved to nDCG@10.
    let ev: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("ir.json")).unwrap()).unwrap();
    let mean = &ev["runs"][1]["aggregate"]["nDCG@10"]["mean"];
    assert_eq!(&outcome(&j, "threshold ndcg_cut_10 (dense)")["value"], mean);
    let lift = &ev["comparisons"][0];
    assert_eq!(
        &outcome(&j, "lift nDCG@10 (dense vs bm25)")["value"],
        &lift["delta"]
    );
}

#[test]
fn table_and_markdown_say_go_with_one_line_per_criterion() {
    let d = dir_with(&[]);
    ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &[]);
    let t = gate(d.path(), GO_POLICY, &["ir.json"], "table");
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(t
        .stdout
        .starts_with("GO: dense retriever v2 — 8 of 8 criteria pass"));
    assert_eq!(
        t.stdout.lines().filter(|l| l.starts_with("pass ")).count(),
        8
    );
    let m = gate(d.path(), GO_POLICY, &["ir.json"], "markdown");
    assert_eq!(m.code, 0);
    assert!(m.stdout.starts_with("### ✅ GO — dense retriever v2\n"));
    assert!(m
        .stdout
        .contains("| | criterion | line | required | measured | why |"));
    assert_eq!(m.stdout.matches("| ✅ pass |").count(), 8);
}

#[test]
fn every_failing_criterion_is_reported() {
    let d = dir_with(&[]);
    ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &[]);
    let policy = r#"[evidence]
min_queries = 31

[[threshold]]
measure = "nDCG@10"
min = 0.81

[[threshold]]
measure = "nDCG@10"
min = 0.78
whole_ci = true

[[lift]]
measure = "nDCG@10"
min_delta = 0.25

[[lift]]
measure = "RR"
min_relative = 0.2

[[lift]]
measure = "RR"
significant = true
alpha = 0.001

[[guardrail]]
measure = "R@100"
tolerance = 0.01
"#;
    let r = gate(d.path(), policy, &["ir.json"], "json");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["decision"], "NO-GO");
    assert_eq!(
        verdicts(&j),
        [
            ("reproducible (ir)".to_string(), true),
            ("min_queries (ir)".to_string(), false),
            ("threshold nDCG@10 (dense)".to_string(), false),
            ("threshold nDCG@10 (dense)".to_string(), false),
            ("lift nDCG@10 (dense vs bm25)".to_string(), false),
            ("lift RR (dense vs bm25)".to_string(), false),
            ("lift RR (dense vs bm25)".to_string(), false),
            ("guardrail R@100 (dense vs bm25)".to_string(), true),
        ]
    );
    assert_eq!(j["failed"], 6);
    let why: Vec<&str> = j["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["why"].as_str().unwrap())
        .collect();
    assert_eq!(why[1], "30 < 31");
    assert_eq!(why[2], "0.8027 < 0.81");
    assert!(why[3].starts_with("CI lower bound 0.7"), "{}", why[3]);
    assert_eq!(why[4], "Δ +0.1911 < +0.25");
    assert_eq!(why[5], "relative +14.3% < +20.0%");
    assert_eq!(why[6], "p adj 0.0067: not significant");
    // The table marks each failure on its own line.
    let t = gate(d.path(), policy, &["ir.json"], "table");
    assert_eq!(t.code, 1);
    assert!(t.stdout.starts_with("NO-GO — 2 of 8 criteria pass"));
    assert_eq!(
        t.stdout.lines().filter(|l| l.starts_with("FAIL ")).count(),
        6
    );
}

#[test]
fn a_worse_candidate_fails_lift_and_guardrail() {
    // dense first: bm25 is the candidate, and it is significantly worse.
    let d = dir_with(&[]);
    ir_evidence(d.path(), "ir.json", &["dense", "bm25"], &[]);
    let policy = r#"[[lift]]
measure = "AP"
significant = true

[[lift]]
measure = "AP"
ci_excludes_zero = true

[[guardrail]]
measure = "R@100"
tolerance = 0.05

[[guardrail]]
measure = "R@100"
tolerance = 0.1
whole_ci = true
"#;
    let r = gate(d.path(), policy, &["ir.json"], "json");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    let v = verdicts(&j);
    assert_eq!(v[1], ("lift AP (bm25 vs dense)".to_string(), false));
    assert_eq!(
        outcome(&j, "lift AP (bm25 vs dense)")["why"],
        "p adj 1.6e-6: significant, but a regression"
    );
    assert!(!v[2].1);
    assert!(j["criteria"][2]["why"]
        .as_str()
        .unwrap()
        .contains("not above 0"));
    // R@100 drops by 0.0713: beyond 0.05; within 0.1, but its CI reaches past -0.1? No:
    // the CI's worse bound is about -0.096, within -0.1.
    assert!(!v[3].1, "{v:?}");
    assert!(v[4].1, "{:#}", j["criteria"][4]);
}

#[test]
fn evidence_that_cannot_be_reproduced_never_passes() {
    let d = dir_with(&[]);
    let path = ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &[]);
    let mut ev: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let obj = ev.as_object_mut().unwrap();
    obj.remove("seed");
    obj["inputs"][1].as_object_mut().unwrap().remove("blake3");
    std::fs::write(d.path().join("stripped.json"), ev.to_string()).unwrap();
    let policy = "[[lift]]\nmeasure = \"AP\"\nmin_delta = 0.01\n";
    let r = gate(d.path(), policy, &["stripped.json"], "json");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j = r.json();
    let rep = outcome(&j, "reproducible (stripped)");
    assert_eq!(rep["pass"], false);
    let why = rep["why"].as_str().unwrap();
    assert!(why.starts_with("cannot be reproduced: missing: seed, path, blake3 or bytes of "));
    assert!(why.ends_with("bm25.run"), "{why}");
    assert_eq!(rep["line"], 0);
    // The lift itself passes; the gate does not.
    assert_eq!(outcome(&j, "lift AP (dense vs bm25)")["pass"], true);
    assert_eq!(j["decision"], "NO-GO");

    // Extra required fields name what is missing.
    let r = gate(
        d.path(),
        "[evidence]\nrequire = [\"git_commit\", \"resamples\"]\n",
        &["ir.json"],
        "json",
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.json()["criteria"][0]["why"],
        "cannot be reproduced: missing: git_commit"
    );
}

#[test]
fn verify_inputs_fails_when_an_input_changed_or_vanished() {
    let d = dir_with(&[]);
    let ex = root().join("examples");
    for f in ["qrels.txt", "bm25.run", "dense.run"] {
        std::fs::copy(ex.join(f), d.path().join(f)).unwrap();
    }
    let r = rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels.txt",
            "--run",
            "bm25.run",
            "--run",
            "dense.run",
            "--no-ci",
            "--format",
            "json",
            "--output",
            "ir.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let policy = "[evidence]\nverify_inputs = true\n\n[[lift]]\nmeasure = \"AP\"\nmin_delta = 0\n";
    assert_eq!(gate(d.path(), policy, &["ir.json"], "json").code, 0);
    let mut run = std::fs::read_to_string(d.path().join("dense.run")).unwrap();
    run.push_str("q1 Q0 extra 9999 -1 dense\n");
    std::fs::write(d.path().join("dense.run"), run).unwrap();
    std::fs::remove_file(d.path().join("qrels.txt")).unwrap();
    let r = gate(d.path(), policy, &["ir.json"], "json");
    assert_eq!(r.code, 1, "{}", r.stderr);
    let why = r.json()["criteria"][0]["why"].as_str().unwrap().to_string();
    assert!(why.contains("qrels.txt: qrels.txt: no such file"), "{why}");
    assert!(why.contains("dense.run changed (blake3 "), "{why}");
    assert_eq!(r.json()["criteria"][0]["line"], 1);
}

#[test]
fn malformed_policies_name_the_line() {
    let d = dir_with(&[]);
    ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &[]);
    let cases: &[(&str, &[&str])] = &[
        // A misspelt key is an error, not an ignored (silently passing) criterion.
        (
            "[[lift]]\nmeasure = \"AP\"\nmin_deltaa = 0.1\n",
            &["policy.toml:3:", "min_deltaa"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = \"high\"\n",
            &["policy.toml:3:"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = \n",
            &["policy.toml:3:"],
        ),
        (
            "\n\n[[threshold]]\nmeasure = \"AP\"\n",
            &["policy.toml:3:", "needs min, max or both"],
        ),
        (
            "[[lift]]\nmeasure = \"AP\"\n",
            &["policy.toml:1:", "requires nothing"],
        ),
        (
            "[[guardrail]]\nmeasure = \"AP\"\ntolerance = -0.01\n",
            &["policy.toml:3:", "tolerance must be 0 or more"],
        ),
        (
            "[[guardrail]]\nmeasure = \"AP\"\nslices = 3\n",
            &["policy.toml:3:", "slices: expected"],
        ),
        (
            "[[lift]]\nmeasure = \"AP\"\nmin_delta = 0\ndirection = \"up\"\n",
            &["policy.toml:4:", "direction 'up'"],
        ),
        ("[gate]\nname = \"x\"\n", &["policy.toml:1:", "no criteria"]),
        ("[gates]\nname = \"x\"\n", &["policy.toml:1:", "gates"]),
    ];
    for (policy, parts) in cases {
        gate(d.path(), policy, &["ir.json"], "json").bad_input(parts);
    }
    let r = rigor(
        d.path(),
        &["gate", "--policy", "absent.toml", "--evidence", "ir.json"],
    );
    r.bad_input(&["absent.toml", "no such file"]);
}

#[test]
fn a_criterion_naming_what_the_evidence_lacks_is_an_error() {
    let d = dir_with(&[]);
    ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &[]);
    ir_evidence(d.path(), "noci.json", &["bm25", "dense"], &["--no-ci"]);
    ir_evidence(d.path(), "three.json", &["bm25", "dense", "bm25"], &[]);
    ir_evidence(
        d.path(),
        "counts.json",
        &["bm25", "dense"],
        &["-m", "NumRet", "AP"],
    );
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "\n[[threshold]]\nmeasure = \"nDCG@20\"\nmin = 0.5\n",
            "ir.json",
            &["policy.toml:2:", "no evidence has 'nDCG@20'", "ir has nDCG@10, AP"],
        ),
        (
            "[[lift]]\nmeasure = \"AP\"\ncandidate = \"splade\"\nmin_delta = 0\n",
            "ir.json",
            &["policy.toml:1:", "no run 'splade'", "runs: bm25, dense"],
        ),
        (
            "[[lift]]\nmeasure = \"AP\"\nbaseline = \"dense\"\ncandidate = \"bm25\"\nmin_delta = 0\n",
            "ir.json",
            &["policy.toml:1:", "does not compare bm25 with dense on 'AP'", "dense vs bm25 on AP"],
        ),
        (
            "[[guardrail]]\nmeasure = \"AP\"\nslices = \"all\"\n",
            "ir.json",
            &["policy.toml:1:", "no per-slice comparisons"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = 0.1\nslices = [\"eu\"]\n",
            "ir.json",
            &["policy.toml:1:", "no slice 'eu'"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = 0.1\nwhole_ci = true\n",
            "noci.json",
            &["policy.toml:1:", "no interval for 'AP'"],
        ),
        (
            "[[lift]]\nmeasure = \"AP\"\nci_excludes_zero = true\n",
            "noci.json",
            &["policy.toml:1:", "no interval of the difference"],
        ),
        (
            "[evidence]\nmin_rows = 100\n",
            "ir.json",
            &["policy.toml:2:", "min_rows applies to classify or drift evidence"],
        ),
        (
            "[[fairness]]\nmeasure = \"equalized_odds_difference\"\nmax = 0.1\n",
            "ir.json",
            &["policy.toml:1:", "no evidence has fairness measure"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = 0.1\nkind = \"classify\"\n",
            "ir.json",
            &["policy.toml:1:", "no classify evidence"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = 0.1\nevidence = \"val\"\n",
            "ir.json",
            &["policy.toml:1:", "no evidence labelled 'val'"],
        ),
        (
            "[[threshold]]\nmeasure = \"AP\"\nmin = 0.1\n",
            "three.json",
            &["policy.toml:1:", "say candidate"],
        ),
        (
            "[gate]\ncandidate = \"dnse\"\n\n[[lift]]\nmeasure = \"AP\"\nmin_delta = 0\n",
            "ir.json",
            &["policy.toml:2:", "[gate] candidate 'dnse'", "bm25, dense (ir)"],
        ),
        (
            "[[guardrail]]\nmeasure = \"NumRet\"\n",
            "counts.json",
            &["policy.toml:1:", "higher or lower 'NumRet' is better"],
        ),
    ];
    for (policy, evidence, parts) in cases {
        gate(d.path(), policy, &[evidence], "json").bad_input(parts);
    }
    // Direction stated: the same guardrail is decided.
    let r = gate(
        d.path(),
        "[[guardrail]]\nmeasure = \"NumRet\"\ndirection = \"higher\"\n",
        &["counts.json"],
        "json",
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

#[test]
fn malformed_evidence_is_refused_with_file_and_line() {
    let d = dir_with(&[
        ("broken.json", "{\"kind\": \"ir\",\n  \"runs\": [\n"),
        ("nokind.json", "{\"runs\": []}"),
        ("odd.json", "{\"kind\": \"vision\"}"),
        (
            "short.json",
            "{\"kind\": \"ir\",\n\"runs\": [{\"name\": \"a\"}]}",
        ),
        ("policy.toml", "[[threshold]]\nmeasure = \"AP\"\nmin = 0\n"),
    ]);
    let run = |e: &str| {
        rigor(
            d.path(),
            &["gate", "--policy", "policy.toml", "--evidence", e],
        )
    };
    run("broken.json").bad_input(&["broken.json:3:", "EOF"]);
    run("nokind.json").bad_input(&["nokind.json", "no \"kind\" field"]);
    run("odd.json").bad_input(&["odd.json", "unknown evidence kind 'vision'"]);
    run("short.json").bad_input(&["short.json:2:", "missing field `queries`"]);
    run("absent.json").bad_input(&["absent.json", "no such file"]);
}

#[test]
fn labels_and_standard_input() {
    let d = dir_with(&[]);
    let path = ir_evidence(d.path(), "ir.json", &["bm25", "dense"], &[]);
    let policy = "[[threshold]]\nmeasure = \"AP\"\nmin = 0.5\nevidence = \"offline\"\n";
    std::fs::write(d.path().join("policy.toml"), policy).unwrap();
    let r = rigor(
        d.path(),
        &[
            "gate",
            "--policy",
            "policy.toml",
            "--evidence",
            "offline=ir.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["evidence"][0]["label"], "offline");
    // Two documents may not share a label.
    rigor(
        d.path(),
        &[
            "gate",
            "--policy",
            "policy.toml",
            "--evidence",
            "ir.json",
            "--evidence",
            "ir.json",
        ],
    )
    .bad_input(&["label 'ir' is also the label of ir.json"]);
    // `-` reads the evidence from standard input.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args(["gate", "--policy", "policy.toml", "--evidence", "offline=-"])
        .current_dir(d.path())
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bundled_example_policy_is_go_from_the_repository_root() {
    // As the README runs it: relative input paths, verified against the files on disk.
    let d = dir_with(&[]);
    let out = d.path().join("ir.json").display().to_string();
    let r = rigor(
        &root(),
        &[
            "eval",
            "ir",
            "--qrels",
            "examples/qrels.txt",
            "--run",
            "examples/bm25.run",
            "--run",
            "examples/dense.run",
            "--resamples",
            "2000",
            "--format",
            "json",
            "--output",
            &out,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = rigor(
        &root(),
        &[
            "gate",
            "--policy",
            "examples/gate.toml",
            "--evidence",
            &out,
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = r.json();
    assert_eq!(j["name"], "dense retriever replaces bm25");
    assert_eq!(j["criteria"].as_array().unwrap().len(), 7);
}
