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
