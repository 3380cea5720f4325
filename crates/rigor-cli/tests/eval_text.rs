//! `rigor eval text` end to end: output shapes, options and bad input.

mod common;

use common::{dir_with, rigor};
use std::io::Write;

const HYP: &str = "The cat sat on the mat.\nHello, world!\n\nIt costs $1,000.50 today.\n";
const REF: &str = "The cat is on the mat.\nHello world.\nnothing\nIt costs $1,000 today.\n";

fn json_of(args: &[&str]) -> serde_json::Value {
    let d = dir_with(&[("h.txt", HYP), ("r.txt", REF)]);
    let mut all = vec!["eval", "text", "--hyp", "h.txt", "--ref", "r.txt"];
    all.extend(args);
    let r = rigor(d.path(), &all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

#[test]
fn json_has_the_contract_shape() {
    let j = json_of(&[
        "-m",
        "BLEU",
        "rougeL",
        "em",
        "--per-item",
        "--format",
        "json",
    ]);
    assert_eq!(j["kind"], "text");
    assert_eq!(j["segments"], 4);
    let names: Vec<&String> = j["metrics"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["BLEU", "ROUGE-L", "ExactMatch"]);
    let bleu = &j["metrics"]["BLEU"];
    // sacrebleu 2.6.0: BLEU = 33.79 76.5/50.0/27.3/12.5 (BP = 1.000 ...)
    assert!(
        (bleu["score"].as_f64().unwrap() - 33.7890323365359).abs() < 1e-9,
        "{bleu}"
    );
    assert_eq!(
        bleu["signature"],
        "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
    );
    let (lo, hi) = (
        bleu["ci_low"].as_f64().unwrap(),
        bleu["ci_high"].as_f64().unwrap(),
    );
    assert!(lo <= hi);
    assert_eq!(j["metrics"]["ROUGE-L"]["scale"], 1.0);
    assert_eq!(j["metrics"]["ExactMatch"]["score"], 25.0);
    let items = j["per_item"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    // sacrebleu.sentence_bleu: 48.892302243490086, 18.99589214128981, 0.0, 37.99178428257963
    assert!((items[0]["BLEU"].as_f64().unwrap() - 48.892302243490086).abs() < 1e-9);
    assert_eq!(items[2]["BLEU"], 0.0);
    assert_eq!(items[1]["ExactMatch"], 100.0);
}

#[test]
fn no_ci_and_no_per_item_leave_fields_out() {
    let j = json_of(&["-m", "chrF", "--no-ci", "--format", "json"]);
    assert!(j["metrics"]["chrF"].get("ci_low").is_none());
    assert!(j.get("per_item").is_none());
}

#[test]
fn intervals_depend_only_on_the_seed() {
    let a = json_of(&["-m", "BLEU", "TER", "--seed", "3", "--format", "json"]);
    let b = json_of(&["-m", "BLEU", "TER", "--seed", "3", "--format", "json"]);
    let c = json_of(&["-m", "BLEU", "TER", "--seed", "4", "--format", "json"]);
    assert_eq!(a["metrics"], b["metrics"]);
    // Another seed draws other resamples: some bound moves (a single bound can
    // coincide on a tiny sample).
    assert_ne!(a["metrics"], c["metrics"]);
}

#[test]
fn csv_and_table_and_output_file() {
    let d = dir_with(&[("h.txt", HYP), ("r.txt", REF)]);
    let base = [
        "eval", "text", "--hyp", "h.txt", "--ref", "r.txt", "-m", "BLEU", "TokenF1",
    ];
    let mut args = base.to_vec();
    args.extend(["--per-item", "--no-ci", "--format", "csv"]);
    let r = rigor(d.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "measure,segment,score,ci_low,ci_high,signature");
    assert!(lines[1].starts_with("BLEU,all,33.7890323365359,,,nrefs:1|"));
    assert_eq!(lines.len(), 1 + 2 + 4 * 2);
    let mut args = base.to_vec();
    args.extend(["--output", "out.txt"]);
    let r = rigor(d.path(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let table = std::fs::read_to_string(d.path().join("out.txt")).unwrap();
    assert!(
        table.contains("BLEU: 76.5/50.0/27.3/12.5 (BP = 1.000"),
        "{table}"
    );
}

#[test]
fn several_references_and_gzip() {
    let d = dir_with(&[("h.txt", HYP), ("r.txt", REF), ("r2.txt", HYP)]);
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(d.path().join("r2.txt.gz")).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(HYP.as_bytes()).unwrap();
    gz.finish().unwrap();
    for r2 in ["r2.txt", "r2.txt.gz"] {
        let r = rigor(
            d.path(),
            &[
                "eval",
                "text",
                "--hyp",
                "h.txt",
                "--ref",
                "r.txt",
                "--ref",
                r2,
                "-m",
                "BLEU",
                "ExactMatch",
                "--no-ci",
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let j = r.json();
        // The hypothesis is one of the references: perfect scores.
        assert!((j["metrics"]["BLEU"]["score"].as_f64().unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(j["metrics"]["ExactMatch"]["score"], 100.0);
        assert!(j["metrics"]["BLEU"]["signature"]
            .as_str()
            .unwrap()
            .starts_with("nrefs:2|"));
    }
}

#[test]
fn line_count_mismatch_names_both_files_and_counts() {
    let d = dir_with(&[("h.txt", "a\nb\nc\n"), ("r.txt", "a\nb\n")]);
    rigor(
        d.path(),
        &["eval", "text", "--hyp", "h.txt", "--ref", "r.txt"],
    )
    .bad_input(&["h.txt", "3 segments", "r.txt has 2"]);
}

#[test]
fn invalid_utf8_names_the_line() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("h.txt"), b"ok\nfine\nbad \xff byte\n").unwrap();
    std::fs::write(d.path().join("r.txt"), "a\nb\nc\n").unwrap();
    rigor(
        d.path(),
        &["eval", "text", "--hyp", "h.txt", "--ref", "r.txt"],
    )
    .bad_input(&["h.txt:3:", "invalid UTF-8"]);
}

#[test]
fn unknown_names_are_bad_input() {
    let d = dir_with(&[("h.txt", HYP), ("r.txt", REF)]);
    let base = ["eval", "text", "--hyp", "h.txt", "--ref", "r.txt"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        rigor(d.path(), &a)
    };
    with(&["-m", "METEOR"]).bad_input(&["unknown text measure 'METEOR'", "BLEU"]);
    with(&["--tokenize", "zh"]).bad_input(&["unknown tokenizer 'zh'", "13a, intl, char, none"]);
    with(&["--smooth-method", "lin"]).bad_input(&["unknown smoothing method 'lin'"]);
    with(&["--resamples", "0"]).bad_input(&["--resamples"]);
    with(&["--confidence", "1.5"]).bad_input(&["--confidence"]);
}

#[test]
fn missing_and_empty_files_are_bad_input() {
    let d = dir_with(&[("h.txt", HYP), ("empty.txt", "")]);
    rigor(
        d.path(),
        &["eval", "text", "--hyp", "h.txt", "--ref", "nope.txt"],
    )
    .bad_input(&["nope.txt", "no such file"]);
    rigor(
        d.path(),
        &["eval", "text", "--hyp", "empty.txt", "--ref", "h.txt"],
    )
    .bad_input(&["empty.txt", "is empty"]);
}

// Several --hyp: comparisons with the first.

const HYP2: &str = REF;
const HYP3: &str = "A cat.\nHello, world!\nnothing at all\nIt costs money.\n";

fn three_systems(args: &[&str]) -> common::Run {
    let d = dir_with(&[
        ("h.txt", HYP),
        ("h2.txt", HYP2),
        ("h3.txt", HYP3),
        ("r.txt", REF),
    ]);
    let mut all = vec![
        "eval", "text", "--hyp", "h.txt", "--hyp", "h2.txt", "--hyp", "h3.txt", "--ref", "r.txt",
    ];
    all.extend(args);
    rigor(d.path(), &all)
}

#[test]
fn three_systems_json_has_systems_and_comparisons() {
    let r = three_systems(&["-m", "BLEU", "TER", "ROUGE-L", "em", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    // The single-system shape holds, describing the baseline.
    assert_eq!(j["kind"], "text");
    assert_eq!(j["hyp"], "h.txt");
    assert!((j["metrics"]["BLEU"]["score"].as_f64().unwrap() - 33.7890323365359).abs() < 1e-9);
    let systems = j["systems"].as_array().unwrap();
    let names: Vec<&str> = systems
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["h", "h2", "h3"]);
    assert_eq!(
        systems[0]["metrics"],
        j["metrics"]
            .clone()
            .as_object()
            .map_or(serde_json::Value::Null, |m| {
                // bootstrap_mean/ci are only in `systems`.
                let mut m = m.clone();
                for (k, v) in m.iter_mut() {
                    if let Some(s) = systems[0]["metrics"][k].get("bootstrap_mean") {
                        v["bootstrap_mean"] = s.clone();
                        v["bootstrap_ci"] = systems[0]["metrics"][k]["bootstrap_ci"].clone();
                    }
                }
                serde_json::Value::Object(m)
            })
    );
    // h2 is the reference: perfect scores.
    assert!((systems[1]["metrics"]["BLEU"]["score"].as_f64().unwrap() - 100.0).abs() < 1e-9);
    assert!(systems[1]["metrics"]["BLEU"]["bootstrap_mean"].is_number());
    assert!(systems[1]["metrics"]["ROUGE-L"]
        .get("bootstrap_mean")
        .is_none());
    let comparisons = j["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 2 * 4);
    for c in comparisons {
        for key in [
            "baseline",
            "candidate",
            "measure",
            "baseline_mean",
            "candidate_mean",
            "delta",
            "relative_lift",
            "ci_low",
            "ci_high",
            "effect_size",
            "test",
            "p_value",
            "p_adjusted",
            "correction",
            "significant",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
        assert_eq!(c["baseline"], "h");
        assert_eq!(c["correction"], "holm");
        let corpus = ["BLEU", "TER"].contains(&c["measure"].as_str().unwrap());
        assert_eq!(c["test"], if corpus { "paired-bs" } else { "paired-t" });
        if corpus {
            assert!(c["effect_size"].is_null());
        }
    }
    let bleu = &comparisons[0];
    assert_eq!(
        (bleu["candidate"].as_str(), bleu["measure"].as_str()),
        (Some("h2"), Some("BLEU"))
    );
    assert!((bleu["baseline_mean"].as_f64().unwrap() - 33.7890323365359).abs() < 1e-9);
    assert!((bleu["delta"].as_f64().unwrap() - (100.0 - 33.7890323365359)).abs() < 1e-9);
    assert!(bleu["p_value"].as_f64().unwrap() > 0.0);
    assert_eq!(j["alpha"], 0.05);
}

#[test]
fn one_system_has_no_comparison_fields() {
    let j = json_of(&["-m", "BLEU", "--format", "json"]);
    assert!(j.get("systems").is_none());
    assert!(j.get("comparisons").is_none());
    assert!(j["metrics"]["BLEU"].get("bootstrap_mean").is_none());
}

#[test]
fn three_systems_table_csv_and_options() {
    let r = three_systems(&[
        "-m",
        "BLEU",
        "chrF",
        "ROUGE-1",
        "--test",
        "wilcoxon",
        "--correction",
        "bh",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = &r.stdout;
    assert!(t.contains("system  BLEU"), "{t}");
    assert!(t.contains("\nh2 "), "{t}");
    assert!(
        t.contains("▲/▼ significantly higher/lower than the baseline h (two-sided tests on shared segments — paired-bs for BLEU, chrF; wilcoxon for ROUGE-1; bh correction across 6 comparisons, α = 0.05)"),
        "{t}"
    );
    assert!(
        t.contains(
            "paired-bs: sacrebleu's paired bootstrap resampling over segments (1000 resamples)"
        ),
        "{t}"
    );
    assert!(t.contains("candidate  measure"), "{t}");

    let r = three_systems(&[
        "-m",
        "BLEU",
        "ROUGE-1",
        "--corpus-test",
        "paired-ar",
        "--trials",
        "500",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("system,measure,segment,score,ci_low,ci_high,baseline,delta,"));
    assert_eq!(lines.len(), 1 + 3 * 2);
    assert!(
        lines[1].starts_with("h,BLEU,all,33.7890323365359,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].contains(",h,") && lines[3].contains(",paired-ar,"),
        "{}",
        lines[3]
    );
    assert!(lines[4].contains(",paired-t,"), "{}", lines[4]);
    assert!(r.stdout.contains("paired-ar"));
}

#[test]
fn three_systems_are_deterministic_for_a_seed() {
    let args = [
        "-m",
        "BLEU",
        "chrF++",
        "TokenF1",
        "--test",
        "permutation",
        "--seed",
        "5",
        "--format",
        "json",
    ];
    let a = three_systems(&args).json();
    let b = three_systems(&args).json();
    assert_eq!(a["comparisons"], b["comparisons"]);
    assert_eq!(a["systems"], b["systems"]);
    let mut ar = args.to_vec();
    ar.extend(["--corpus-test", "paired-ar"]);
    let c = three_systems(&ar).json();
    let d = three_systems(&ar).json();
    assert_eq!(c["comparisons"], d["comparisons"]);
}

#[test]
fn identical_systems_have_no_p_value() {
    let d = dir_with(&[("h.txt", HYP), ("same.txt", HYP), ("r.txt", REF)]);
    for test in ["paired-bs", "paired-ar"] {
        let r = rigor(
            d.path(),
            &[
                "eval",
                "text",
                "--hyp",
                "h.txt",
                "--hyp",
                "same.txt",
                "--ref",
                "r.txt",
                "-m",
                "BLEU",
                "ROUGE-L",
                "--corpus-test",
                test,
                "--format",
                "json",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        for c in r.json()["comparisons"].as_array().unwrap() {
            assert!(c["p_value"].is_null(), "{c}");
            assert_eq!(c["significant"], false);
            assert_eq!(c["delta"], 0.0);
        }
        assert!(r.stderr.contains("no p-value"), "{}", r.stderr);
    }
}

#[test]
fn several_hyps_bad_input() {
    let d = dir_with(&[
        ("h.txt", HYP),
        ("short.txt", "a\nb\n"),
        ("h2.txt", HYP2),
        ("r.txt", REF),
    ]);
    let base = ["eval", "text", "--hyp", "h.txt", "--ref", "r.txt"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        rigor(d.path(), &a)
    };
    with(&["--hyp", "short.txt"]).bad_input(&["short.txt", "2 segments", "baseline h.txt has 4"]);
    usage_error(with(&["--hyp", "h2.txt", "--test", "ttest"]), "ttest");
    usage_error(
        with(&["--hyp", "h2.txt", "--corpus-test", "bootstrap"]),
        "bootstrap",
    );
    usage_error(with(&["--hyp", "h2.txt", "--correction", "fdr"]), "fdr");
    with(&["--hyp", "h2.txt", "--alpha", "0"]).bad_input(&["--alpha"]);
    with(&["--hyp", "h2.txt", "--trials", "0"]).bad_input(&["--trials"]);
}

/// clap's own usage errors: exit 2, the offending value named on stderr.
fn usage_error(r: common::Run, value: &str) {
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(value), "{}", r.stderr);
}

#[test]
fn each_system_gets_the_intervals_it_gets_alone() {
    // The systems are resampled together with the same draws as a lone system.
    let d = dir_with(&[("h.txt", HYP), ("h3.txt", HYP3), ("r.txt", REF)]);
    let m = [
        "-m", "BLEU", "TER", "ROUGE-1", "--seed", "9", "--format", "json",
    ];
    let run = |hyps: &[&str]| {
        let mut a = vec!["eval", "text", "--ref", "r.txt"];
        for h in hyps {
            a.extend(["--hyp", h]);
        }
        a.extend(m);
        let r = rigor(d.path(), &a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json()
    };
    let both = run(&["h.txt", "h3.txt"]);
    for (j, h) in ["h.txt", "h3.txt"].into_iter().enumerate() {
        let alone = run(&[h]);
        for measure in ["BLEU", "TER", "ROUGE-1"] {
            let (a, b) = (
                &alone["metrics"][measure],
                &both["systems"][j]["metrics"][measure],
            );
            for key in ["score", "ci_low", "ci_high"] {
                assert_eq!(a[key], b[key], "{h} {measure} {key}");
            }
        }
    }
}
