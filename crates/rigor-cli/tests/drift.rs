//! `rigor drift`: output shapes, options and bad input.

mod common;

use common::{dir_with, rigor, root};

const REF: &str = "x,c,flag\n1.5,a,0\n2.5,b,1\n3.5,a,0\n4.5,b,1\n5.5,a,0\n6.5,c,1\n7.5,a,0\n";
const CUR: &str =
    "x,c,flag\n11.5,a,0\n12.5,d,1\n13.5,a,1\n14.5,d,1\n15.5,a,1\n16.5,d,1\n17.5,a,1\n";

fn example(args: &[&str]) -> common::Run {
    let mut all = vec![
        "drift",
        "--reference",
        "examples/drift/reference.csv",
        "--current",
        "examples/drift/current.csv",
    ];
    all.extend_from_slice(args);
    rigor(&root(), &all)
}

#[test]
fn json_has_the_contract_shape() {
    let out = example(&["--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["kind"], "drift");
    assert_eq!(j["reference"]["rows"], 800);
    assert_eq!(j["current"]["rows"], 600);
    assert!(j["reference"]["path"]
        .as_str()
        .unwrap()
        .ends_with("reference.csv"));
    let columns = j["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 7);
    for c in columns {
        for key in [
            "name",
            "type",
            "method",
            "score",
            "threshold",
            "drifted",
            "p_adjusted",
            "n_reference",
            "n_current",
            "missing_share_reference",
            "missing_share_current",
            "missing_drifted",
            "new_categories",
            "vanished_categories",
            "stats",
        ] {
            assert!(c.get(key).is_some(), "column {} lacks {key}", c["name"]);
        }
    }
    for key in ["columns", "drifted", "share", "drift_share", "drift"] {
        assert!(j["dataset"].get(key).is_some(), "dataset lacks {key}");
    }
    assert!(j["warnings"].is_array());
    let country = columns.iter().find(|c| c["name"] == "country").unwrap();
    assert_eq!(country["new_categories"], serde_json::json!(["BR"]));
    assert_eq!(country["drifted"], true);
    let tenure = columns.iter().find(|c| c["name"] == "tenure_days").unwrap();
    assert_eq!(tenure["missing_drifted"], true);
    assert_eq!(
        tenure["drifted"], false,
        "missing values are dropped, as Evidently does"
    );
    assert_eq!(j["inputs"][0]["role"], "reference");
    assert_eq!(j["inputs"][0]["blake3"].as_str().unwrap().len(), 64);
}

#[test]
fn table_names_drifted_columns_first() {
    let out = example(&[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 7, "{}", out.stdout);
    let verdicts: Vec<bool> = rows.iter().map(|r| r.contains("DRIFT")).collect();
    let first_ok = verdicts.iter().position(|d| !d).unwrap();
    assert!(first_ok >= 1, "{}", out.stdout);
    assert!(verdicts[first_ok..].iter().all(|d| !d), "{}", out.stdout);
    assert!(
        out.stdout.contains("dataset: 2 of 7 columns drifted"),
        "{}",
        out.stdout
    );
    // Warnings go to stderr, never stdout.
    assert!(out
        .stderr
        .contains("warning: column 'country': categories new"));
    assert!(!out.stdout.contains("warning"));
}

#[test]
fn csv_has_one_row_per_column() {
    let out = example(&["--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("segment,column,type,method,score,threshold,drifted"));
    assert_eq!(lines.len(), 8);
    assert!(lines
        .iter()
        .any(|l| l.starts_with(",country,categorical,chisquare,0,0.05,true")));
}

#[test]
fn output_file_is_written_atomically() {
    let dir = dir_with(&[("r.csv", REF), ("c.csv", CUR)]);
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--format",
            "json",
            "--output",
            "out.json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    assert!(text.contains("\"kind\": \"drift\""));
}

#[test]
fn correction_adjusts_p_value_verdicts() {
    let none = example(&["--format", "json"]).json();
    let holm = example(&["--format", "json", "--correction", "holm"]).json();
    let p_cols: Vec<(&serde_json::Value, &serde_json::Value)> = none["columns"]
        .as_array()
        .unwrap()
        .iter()
        .zip(holm["columns"].as_array().unwrap())
        .collect();
    let family = p_cols.len(); // every column of the example is judged by a p-value
    for (a, b) in p_cols {
        assert_eq!(a["p_adjusted"], a["score"], "none: p_adjusted = p");
        let (p, adj) = (
            a["score"].as_f64().unwrap(),
            b["p_adjusted"].as_f64().unwrap(),
        );
        assert!(adj >= p && adj <= (p * family as f64).min(1.0) + 1e-15);
    }
    assert_eq!(holm["settings"]["correction"], "holm");
}

#[test]
fn segments_compare_each_value_separately() {
    let out = example(&["--segment", "device", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    let segs = j["segments"].as_array().unwrap();
    let values: Vec<&str> = segs.iter().map(|s| s["value"].as_str().unwrap()).collect();
    assert_eq!(values, vec!["desktop", "mobile", "tablet"]);
    for s in segs {
        assert_eq!(
            s["columns"].as_array().unwrap().len(),
            6,
            "device itself is left out"
        );
        assert!(s["dataset"]["columns"].as_u64().unwrap() > 0);
    }
    let table = example(&["--segment", "device"]);
    assert!(
        table.stdout.contains("segment device=mobile"),
        "{}",
        table.stdout
    );
}

#[test]
fn a_segment_missing_from_a_file_is_null_with_a_warning() {
    let dir = dir_with(&[
        ("r.csv", "g,x\na,1\na,2\na,3\n"),
        ("c.csv", "g,x\na,1\nb,2\na,3\n"),
    ]);
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--segment",
            "g",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    let b = &j["segments"][1];
    assert_eq!(b["value"], "b");
    assert_eq!(b["reference_rows"], 0);
    assert!(b["dataset"].is_null());
    assert!(out
        .stderr
        .contains("segment g=b: no rows in the reference file"));
}

#[test]
fn all_missing_column_is_null_with_a_warning() {
    let dir = dir_with(&[
        ("r.csv", "x,y\n1,2\n2,3\n3,4\n"),
        ("c.csv", "x,y\n1,\n2,\n3,\n"),
    ]);
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    let y = &j["columns"][1];
    assert_eq!(y["name"], "y");
    assert!(y["score"].is_null() && y["drifted"].is_null());
    assert_eq!(y["missing_share_current"], 1.0);
    assert_eq!(y["missing_drifted"], true);
    assert_eq!(j["dataset"]["skipped"], 1);
    assert!(out
        .stderr
        .contains("every value is missing in the current file"));
}

#[test]
fn forced_types_override_inference() {
    // Integers with few values are categorical; a current file with a missing value
    // holds floats (numerical, as pandas reads it): a mismatch unless forced.
    let dir = dir_with(&[
        ("r.csv", "level,k\n1,a\n2,a\n1,a\n3,a\n"),
        ("c.csv", "level,k\n1,a\n,a\n2,a\n3,a\n"),
    ]);
    let base = ["drift", "--reference", "r.csv", "--current", "c.csv"];
    let out = rigor(dir.path(), &base);
    out.bad_input(&[
        "r.csv vs c.csv",
        "column 'level' is categorical in the reference but numerical in the current file",
        "--categorical level",
    ]);
    let mut forced = base.to_vec();
    forced.extend(["--categorical", "level", "--format", "json"]);
    let out = rigor(dir.path(), &forced);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["columns"][0]["type"], "categorical");
    let mut numeric = base.to_vec();
    numeric.extend(["--numerical", "level", "--format", "json"]);
    let out = rigor(dir.path(), &numeric);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["columns"][0]["type"], "numerical");
    // Three distinct values: Evidently's choice for a numerical column is chi-square.
    assert_eq!(j["columns"][0]["method"], "chisquare");
}

#[test]
fn methods_and_thresholds_per_column() {
    let dir = dir_with(&[("r.csv", REF), ("c.csv", CUR)]);
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--method",
            "psi",
            "--method-for",
            "x=wasserstein",
            "--threshold-for",
            "c=0.5",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["columns"][0]["method"], "wasserstein");
    assert_eq!(j["columns"][1]["method"], "psi");
    assert_eq!(j["columns"][1]["threshold"], 0.5);
    assert_eq!(j["columns"][2]["method"], "psi");
    // A global method that does not fit a column type falls back to auto, with a warning.
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--method",
            "ks",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["columns"][1]["method"], "chisquare");
    assert!(out
        .stderr
        .contains("--method ks does not apply to a categorical column"));
}

#[test]
fn gzip_input_is_read_by_content() {
    use std::io::Write;
    let dir = dir_with(&[("r.csv", REF)]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(CUR.as_bytes()).unwrap();
    std::fs::write(dir.path().join("c.csv.gz"), gz.finish().unwrap()).unwrap();
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv.gz",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["current"]["rows"], 7);
}

#[test]
fn bad_input_is_one_line_naming_file_and_problem() {
    let dir = dir_with(&[
        ("r.csv", REF),
        ("c.csv", CUR),
        ("empty.csv", ""),
        ("header.csv", "x,c,flag\n"),
        ("ragged.csv", "x,c,flag\n1,a,0\n2,b\n"),
        ("extra.csv", "x,c,flag,z\n1,a,0,1\n"),
        ("fewer.csv", "x,c\n1,a\n"),
        ("text.csv", "x,c,flag\nabc,a,0\n2,b,1\n"),
        ("bad.txt", "x\n1\n"),
    ]);
    let run = |r: &str, c: &str, extra: &[&str]| {
        let mut args = vec!["drift", "--reference", r, "--current", c];
        args.extend_from_slice(extra);
        rigor(dir.path(), &args)
    };
    run("missing.csv", "c.csv", &[]).bad_input(&["missing.csv", "no such file"]);
    run("r.csv", "empty.csv", &[]).bad_input(&["empty.csv", "is empty"]);
    run("r.csv", "header.csv", &[]).bad_input(&["header.csv", "holds no data rows"]);
    run("r.csv", "ragged.csv", &[]).bad_input(&["ragged.csv:3", "2 fields, the header has 3"]);
    run("r.csv", "extra.csv", &[]).bad_input(&[
        "extra.csv",
        "column 'z' is not in r.csv",
        "--exclude z",
    ]);
    run("r.csv", "fewer.csv", &[]).bad_input(&["r.csv", "column 'flag' is not in fewer.csv"]);
    run("r.csv", "text.csv", &[]).bad_input(&[
        "column 'x' is numerical in the reference but categorical in the current file",
    ]);
    run("r.csv", "text.csv", &["--numerical", "x"])
        .bad_input(&["column 'x' cannot be numerical", "'abc'"]);
    run("r.csv", "c.csv", &["--columns", "nope"]).bad_input(&[
        "r.csv",
        "--columns: no column 'nope'",
        "'x', 'c', 'flag'",
    ]);
    run("r.csv", "c.csv", &["--method-for", "x"]).bad_input(&["--method-for x", "COLUMN=VALUE"]);
    run("r.csv", "c.csv", &["--method-for", "x=kl"]).bad_input(&["unknown drift method \"kl\""]);
    run("r.csv", "c.csv", &["--method-for", "c=ks"])
        .bad_input(&["ks does not apply to categorical column 'c'"]);
    run("r.csv", "c.csv", &["--threshold-for", "x=high"]).bad_input(&["'high' is not a number"]);
    run("r.csv", "c.csv", &["--drift-share", "0"]).bad_input(&["--drift-share must be in (0, 1]"]);
    run("r.csv", "c.csv", &["--exclude", "x,c,flag"]).bad_input(&["no column left to compare"]);
    run("r.csv", "bad.txt", &[]).bad_input(&["bad.txt", "unknown format"]);
    run(
        "r.csv",
        "c.csv",
        &["--numerical", "x", "--categorical", "x"],
    )
    .bad_input(&["both --numerical and --categorical"]);
}

#[test]
fn undefined_verdicts_never_pass_silently() {
    // Every value missing on both sides: no type, no verdict, and the dataset verdict
    // is null rather than "no drift".
    let dir = dir_with(&[("r.csv", "x\n\n\nNA\n"), ("c.csv", "x\nNA\nNA\n")]);
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert!(j["columns"][0]["type"].is_null());
    assert!(j["dataset"]["drift"].is_null());
    assert!(out.stderr.contains("no column could be compared"));
}

#[test]
fn segments_keep_the_types_of_the_whole_files() {
    // `n` has 12 distinct integers overall (numerical) but at most 6 per segment, where
    // inference alone would call it categorical.
    let mut r = String::from("g,n\n");
    let mut c = String::from("g,n\n");
    for i in 0..24 {
        let g = if i % 2 == 0 { "a" } else { "b" };
        r.push_str(&format!("{g},{}\n", i % 12));
        c.push_str(&format!("{g},{}\n", (i + 3) % 12));
    }
    let dir = dir_with(&[("r.csv", &r), ("c.csv", &c)]);
    let out = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--segment",
            "g",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["columns"][1]["type"], "numerical");
    for s in j["segments"].as_array().unwrap() {
        assert_eq!(s["columns"][0]["name"], "n");
        assert_eq!(s["columns"][0]["type"], "numerical");
        assert_eq!(s["columns"][0]["method"], "ks");
    }
    let csv = rigor(
        dir.path(),
        &[
            "drift",
            "--reference",
            "r.csv",
            "--current",
            "c.csv",
            "--segment",
            "g",
            "--format",
            "csv",
        ],
    );
    assert!(
        csv.stdout
            .lines()
            .any(|l| l.starts_with("g=a,n,numerical,ks,")),
        "{}",
        csv.stdout
    );
}
