//! `rigor eval ir` end to end: output shapes, options and bad input.

mod common;

use common::{dir_with, rigor, root};
use std::io::Write;

const QRELS: &str = "q1 0 d1 2\nq1 0 d2 0\nq1 0 d3 1\nq2 0 d1 1\nq3 0 x 1\n";
const RUN: &str = "q1 Q0 d1 1 3.0 sys\nq1 Q0 d2 2 2.0 sys\nq1 Q0 d3 3 1.0 sys\nq2 Q0 d9 1 5 sys\nq2 Q0 d1 2 4 sys\nq4 Q0 d1 1 1 sys\n";

#[test]
fn json_has_the_contract_shape() {
    let d = dir_with(&[("qrels", QRELS), ("run", RUN)]);
    let r = rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels",
            "--run",
            "run",
            "-m",
            "map",
            "P_2",
            "--per-query",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["kind"], "ir");
    assert_eq!(j["measures"], serde_json::json!(["AP", "P@2"]));
    let run = &j["runs"][0];
    assert_eq!(run["name"], "sys");
    assert_eq!(run["path"], "run");
    assert_eq!(run["queries"], 2);
    assert_eq!(run["queries_missing_from_run"], 1);
    assert_eq!(run["queries_missing_from_qrels"], 1);
    // q1: AP = (1 + 2/3)/2; q2: AP = 1/2.
    let ap_q1 = (1.0 + 2.0 / 3.0) / 2.0;
    assert_eq!(run["per_query"]["q1"]["AP"], ap_q1);
    assert_eq!(run["per_query"]["q2"]["AP"], 0.5);
    assert_eq!(run["aggregate"]["AP"]["mean"], (ap_q1 + 0.5) / 2.0);
    assert!(run["aggregate"]["AP"]["ci_low"].as_f64().unwrap() <= 0.5);
    assert_eq!(j["comparisons"], serde_json::json!([]));
    // Provenance: what a gate needs to trust and reproduce the result.
    assert_eq!(j["seed"], 0);
    assert_eq!(j["rigor_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["command"][1], "eval");
    assert_eq!(j["command"].as_array().unwrap().last().unwrap(), "json");
    for (k, (role, file, text)) in [("qrels", "qrels", QRELS), ("run", "run", RUN)]
        .into_iter()
        .enumerate()
    {
        let input = &j["inputs"][k];
        assert_eq!(
            (input["role"].as_str(), input["path"].as_str()),
            (Some(role), Some(file))
        );
        assert_eq!(
            input["blake3"],
            blake3::hash(text.as_bytes()).to_hex().as_str()
        );
        assert_eq!(input["bytes"], text.len());
    }
    assert!(
        r.stderr.contains("1 judged queries are not in the run"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("1 queries of the run have no judgments"),
        "{}",
        r.stderr
    );
}

#[test]
fn complete_scores_missing_queries_zero() {
    let d = dir_with(&[("qrels", QRELS), ("run", RUN)]);
    let r = rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels",
            "--run",
            "run",
            "-m",
            "AP",
            "NumRel",
            "--complete",
            "--per-query",
            "--no-ci",
            "--format",
            "json",
        ],
    );
    let j = r.json();
    let run = &j["runs"][0];
    assert_eq!(run["queries"], 3);
    assert_eq!(run["per_query"]["q3"]["AP"], 0.0);
    // trec_eval -c still counts the missing query's relevant documents.
    assert_eq!(run["per_query"]["q3"]["NumRel"], 1.0);
    assert!(run["aggregate"]["AP"].get("ci_low").is_none());
}

#[test]
fn intervals_are_seeded() {
    let args = |seed: &'static str| {
        vec![
            "eval",
            "ir",
            "--qrels",
            "examples/qrels.txt",
            "--run",
            "examples/bm25.run",
            "--seed",
            seed,
            "--format",
            "json",
        ]
    };
    let a = rigor(&root(), &args("0")).json();
    let b = rigor(&root(), &args("0")).json();
    let c = rigor(&root(), &args("1")).json();
    let ci = |j: &serde_json::Value| j["runs"][0]["aggregate"]["nDCG@10"].clone();
    assert_eq!(ci(&a), ci(&b));
    assert_ne!(ci(&a), ci(&c));
    assert_eq!(a["runs"][0]["queries"], 30);
}

#[test]
fn gzip_inputs_and_csv_and_output_file() {
    let d = dir_with(&[("qrels", QRELS), ("run", RUN)]);
    for name in ["qrels", "run"] {
        let text = std::fs::read(d.path().join(name)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(d.path().join(format!("{name}.gz"))).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(&text).unwrap();
        gz.finish().unwrap();
    }
    let plain = rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels",
            "--run",
            "run",
            "--format",
            "csv",
            "--per-query",
            "--no-ci",
        ],
    );
    let gz = rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels.gz",
            "--run",
            "run.gz",
            "--format",
            "csv",
            "--per-query",
            "--no-ci",
            "--output",
            "out.csv",
        ],
    );
    assert_eq!(gz.code, 0, "{}", gz.stderr);
    assert_eq!(gz.stdout, "");
    let written = std::fs::read_to_string(d.path().join("out.csv")).unwrap();
    assert_eq!(written, plain.stdout);
    assert!(written.starts_with("run,query,measure,value,ci_low,ci_high,"));
    assert!(written.contains("\nsys,all,nDCG@10,"), "{written}");
    assert!(
        written.contains("\nsys,q2,RR,0.5,,,,,,,,,,,,\n"),
        "{written}"
    );
}

#[test]
fn table_lists_runs_and_measures() {
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
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines
        .iter()
        .any(|l| l.starts_with("run ") && l.contains("nDCG@10") && l.contains("R@100")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("bm25 ") && l.contains(" 30 ")));
    assert!(lines.iter().any(|l| l.starts_with("dense ")));
}

#[test]
fn unknown_measure_lists_valid_ones() {
    let d = dir_with(&[("qrels", QRELS), ("run", RUN)]);
    rigor(
        d.path(),
        &[
            "eval", "ir", "--qrels", "qrels", "--run", "run", "-m", "ndcg@x",
        ],
    )
    .bad_input(&["'ndcg@x'", "positive integer"]);
    rigor(
        d.path(),
        &[
            "eval", "ir", "--qrels", "qrels", "--run", "run", "-m", "MRR",
        ],
    )
    .bad_input(&["unknown measure 'MRR'", "P@k", "nDCG@k", "recip_rank"]);
}

#[test]
fn malformed_lines_name_file_and_line() {
    let cases: [(&str, &str, &[&str]); 6] = [
        ("q1 0 d1\n", RUN, &["qrels:1:", "expected 4 fields"]),
        (
            "q1 0 d1 1\nq1 0 d2 high\n",
            RUN,
            &["qrels:2:", "relevance 'high' is not an integer"],
        ),
        (
            QRELS,
            "q1 Q0 d1 1 3.0 sys\nq1 Q0 d2 2\n",
            &["run:2:", "expected 6 fields", "found 4"],
        ),
        (
            QRELS,
            "q1 Q0 d1 1 3.0 sys\n\nq1 Q0 d2 2 abc sys\n",
            &["run:3:", "score 'abc' is not a number"],
        ),
        (QRELS, "q1 Q0 d1 1 nan sys\n", &["run:1:", "NaN"]),
        ("q1 0 d1 1\nq1 0 d1 0\n", RUN, &["qrels:2:", "judged twice"]),
    ];
    for (qrels, run, parts) in cases {
        let d = dir_with(&[("qrels", qrels), ("run", run)]);
        rigor(
            d.path(),
            &["eval", "ir", "--qrels", "qrels", "--run", "run"],
        )
        .bad_input(parts);
    }
}

#[test]
fn duplicate_documents_are_refused_with_a_count() {
    let run = "q1 Q0 d1 1 3 s\nq1 Q0 d1 2 2 s\nq2 Q0 d1 1 1 s\nq2 Q0 d1 2 1 s\nq2 Q0 d1 3 1 s\n";
    let d = dir_with(&[("qrels", QRELS), ("run", run)]);
    rigor(
        d.path(),
        &["eval", "ir", "--qrels", "qrels", "--run", "run"],
    )
    .bad_input(&[
        "run:2:",
        "'d1' is listed more than once for query 'q1'",
        "3 duplicate",
    ]);
}

#[test]
fn unusable_files_are_refused() {
    let d = dir_with(&[("qrels", QRELS), ("empty", ""), ("blank", "\n \n")]);
    std::fs::create_dir(d.path().join("adir")).unwrap();
    let ir = |q: &str, r: &str| rigor(d.path(), &["eval", "ir", "--qrels", q, "--run", r]);
    ir("qrels", "empty").bad_input(&["empty: is empty"]);
    ir("empty", "qrels").bad_input(&["empty: is empty"]);
    ir("qrels", "blank").bad_input(&["blank: holds no run lines"]);
    ir("qrels", "adir").bad_input(&["adir: is a directory"]);
    ir("qrels", "missing").bad_input(&["missing: no such file"]);
    let bad_gz = dir_with(&[("qrels", QRELS)]);
    std::fs::write(bad_gz.path().join("run.gz"), [0x1f, 0x8b, 1, 2, 3]).unwrap();
    rigor(
        bad_gz.path(),
        &["eval", "ir", "--qrels", "qrels", "--run", "run.gz"],
    )
    .bad_input(&["run.gz"]);
}

#[test]
fn bad_settings_are_usage_errors() {
    let d = dir_with(&[("qrels", QRELS), ("run", RUN)]);
    rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            "qrels",
            "--run",
            "run",
            "--confidence",
            "95",
        ],
    )
    .bad_input(&["--confidence"]);
    assert_eq!(rigor(d.path(), &["eval", "ir", "--qrels", "qrels"]).code, 2);
    assert_eq!(
        rigor(
            d.path(),
            &["eval", "ir", "--qrels", "qrels", "--run", "run", "--format", "xml"]
        )
        .code,
        2
    );
}

#[test]
fn unordered_run_equals_ordered_run() {
    // The same lines, grouped and interleaved by query.
    let mut grouped = String::new();
    for q in 0..30 {
        for d in 0..20 {
            grouped.push_str(&format!("q{q} Q0 d{d} 0 {} t\n", (d * 7 + q) % 11));
        }
    }
    let lines: Vec<&str> = grouped.lines().collect();
    let mut interleaved = String::new();
    for d in 0..20 {
        for q in 0..30 {
            interleaved.push_str(lines[q * 20 + d]);
            interleaved.push('\n');
        }
    }
    let mut qrels = String::new();
    for q in 0..30 {
        for d in (0..20).step_by(3) {
            qrels.push_str(&format!("q{q} 0 d{d} {}\n", d % 3));
        }
    }
    let d = dir_with(&[("qrels", &qrels), ("a", &grouped), ("b", &interleaved)]);
    let eval = |run: &str| {
        let mut j = rigor(
            d.path(),
            &[
                "eval",
                "ir",
                "--qrels",
                "qrels",
                "--run",
                run,
                "--per-query",
                "--format",
                "json",
            ],
        )
        .json();
        j["runs"][0]["path"] = serde_json::Value::Null;
        j["runs"][0]["per_query"].clone()
    };
    assert_eq!(eval("a"), eval("b"));
}

/// Comparisons on the bundled examples against scipy/statsmodels run on pytrec_eval's
/// per-query values (tools/goldens/ir_compare).
#[test]
fn comparisons_match_scipy_and_statsmodels() {
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tools/goldens/ir_compare/expected.json")).unwrap(),
    )
    .unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs() + 1e-15;
    let mut compared = 0;
    for (test, rows) in golden["tests"].as_object().unwrap() {
        for correction in ["holm", "bh", "bonferroni"] {
            let out = rigor(
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
                    "--test",
                    test,
                    "--correction",
                    correction,
                    "--format",
                    "json",
                ],
            );
            let json = out.json();
            let comparisons = json["comparisons"].as_array().unwrap();
            assert_eq!(comparisons.len(), 5);
            for (c, g) in comparisons.iter().zip(rows.as_array().unwrap()) {
                assert_eq!(c["measure"], g["measure"]);
                assert_eq!(
                    (c["baseline"].as_str(), c["candidate"].as_str()),
                    (Some("bm25"), Some("dense"))
                );
                assert_eq!(c["test"], test.as_str());
                assert_eq!(c["correction"], correction);
                assert_eq!(c["n"], 30);
                for key in [
                    "baseline_mean",
                    "candidate_mean",
                    "delta",
                    "effect_size",
                    "p_value",
                ] {
                    let (ours, theirs) = (c[key].as_f64().unwrap(), g[key].as_f64().unwrap());
                    assert!(
                        close(ours, theirs),
                        "{test} {} {key}: {ours} vs {theirs}",
                        g["measure"]
                    );
                    compared += 1;
                }
                let adj = c["p_adjusted"].as_f64().unwrap();
                assert!(
                    close(adj, g["p_adjusted"][correction].as_f64().unwrap()),
                    "{test} {correction}"
                );
                assert_eq!(c["significant"], g["significant"][correction]);
                let lift = c["delta"].as_f64().unwrap() / c["baseline_mean"].as_f64().unwrap();
                assert!(close(c["relative_lift"].as_f64().unwrap(), lift));
                assert!(c["ci_low"].as_f64().unwrap() < c["delta"].as_f64().unwrap());
                compared += 2;
            }
        }
    }
    assert_eq!(compared, 2 * 3 * 5 * 7);
}

#[test]
fn ablation_table_marks_significant_values_and_explains() {
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
            "-m",
            "nDCG@10",
            "AP",
            "--test",
            "wilcoxon",
            "--correction",
            "bh",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dense = r.stdout.lines().find(|l| l.starts_with("dense ")).unwrap();
    assert_eq!(dense.matches('▲').count(), 2, "{dense}");
    assert!(
        r.stdout
            .contains("wilcoxon test on shared queries, bh correction across 2 comparisons"),
        "{}",
        r.stdout
    );
    let csv = rigor(
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
            "-m",
            "AP",
            "--format",
            "csv",
            "--no-ci",
        ],
    );
    let rows: Vec<&str> = csv.stdout.lines().collect();
    assert!(rows[0].ends_with(",baseline,delta,delta_ci_low,delta_ci_high,effect_size,test,p_value,p_adjusted,correction,significant"));
    assert!(
        rows[1].starts_with("bm25,all,AP,") && rows[1].ends_with(",,,,,,,,,,"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("dense,all,AP,")
            && rows[2].contains(",bm25,")
            && rows[2].ends_with(",holm,true"),
        "{}",
        rows[2]
    );
}

/// Batching runs and candidates into one resampling changes no value: a run's interval
/// and a comparison's p-value are the same alone and in company.
#[test]
fn batched_resampling_equals_separate_runs() {
    let base = [
        "eval",
        "ir",
        "--qrels",
        "examples/qrels.txt",
        "--run",
        "examples/bm25.run",
        "--format",
        "json",
        "--test",
        "permutation",
        "--resamples",
        "2000",
    ];
    let alone = rigor(&root(), &base).json();
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        rigor(&root(), &args).json()
    };
    let two = with(&["--run", "examples/dense.run"]);
    let three = with(&["--run", "examples/dense.run", "--run", "examples/dense.run"]);
    assert_eq!(alone["runs"][0]["aggregate"], two["runs"][0]["aggregate"]);
    assert_eq!(two["runs"][1]["aggregate"], three["runs"][2]["aggregate"]);
    for k in 0..5 {
        for key in ["p_value", "ci_low", "ci_high"] {
            assert_eq!(
                two["comparisons"][k][key],
                three["comparisons"][k + 5][key],
                "{key}"
            );
        }
    }
}
