//! `rigor eval classify` end to end: output shapes, options, warnings and bad input.
//! (Values against scikit-learn and Fairlearn are in goldens_classify.rs.)

mod common;

use common::{dir_with, rigor, root};
use serde_json::json;

const BINARY: &str = "\
label,pred,score,group,region
1,1,0.9,a,eu
0,0,0.2,a,eu
1,0,0.4,b,us
0,1,0.6,b,eu
1,1,0.8,a,us
0,0,0.1,b,us
1,1,1.0,a,eu
0,0,0.0,b,eu
";

fn classify(dir: &std::path::Path, args: &[&str]) -> common::Run {
    let mut all = vec!["eval", "classify"];
    all.extend(args);
    rigor(dir, &all)
}

#[test]
fn json_has_the_contract_shape() {
    let d = dir_with(&[("d.csv", BINARY)]);
    let r = classify(
        d.path(),
        &[
            "--data", "d.csv", "--score", "score", "--by", "region", "--format", "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["kind"], "classify");
    assert_eq!(j["n"], 8);
    assert_eq!(j["positive"], "1");
    assert_eq!(j["classes"], json!(["0", "1"]));
    assert_eq!(j["scores"], json!({"1": "score"}));
    let acc = &j["metrics"]["accuracy"];
    assert_eq!(acc["value"], 0.75);
    assert!(acc["ci_low"].as_f64().unwrap() <= 0.75 && 0.75 <= acc["ci_high"].as_f64().unwrap());
    let names: Vec<&str> = j["metrics"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "accuracy",
            "balanced_accuracy",
            "precision",
            "recall",
            "f1",
            "mcc",
            "cohen_kappa",
            "roc_auc",
            "average_precision",
            "log_loss",
            "brier",
            "ece"
        ]
    );
    assert_eq!(
        j["per_class"]["1"],
        json!({"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4})
    );
    assert_eq!(
        j["confusion_matrix"],
        json!({"labels": ["0", "1"], "matrix": [[3, 1], [1, 3]]})
    );
    let eu = &j["slices"]["eu"];
    assert_eq!(eu["by"], json!({"region": "eu"}));
    assert_eq!(eu["n"], 5);
    assert_eq!(eu["metrics"]["accuracy"]["value"], 0.8);
    assert_eq!(j["slices"]["us"]["n"], 3);
    assert_eq!(j["resamples"], 1000);
}

#[test]
fn intervals_are_seeded_and_optional() {
    let d = dir_with(&[("d.csv", BINARY)]);
    let run = |extra: &[&str]| {
        let mut args = vec!["--data", "d.csv", "--score", "score", "--format", "json"];
        args.extend(extra);
        let r = classify(d.path(), &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json()
    };
    let a = run(&["--seed", "3"]);
    assert_eq!(a["metrics"], run(&["--seed", "3"])["metrics"]);
    assert_ne!(a["metrics"], run(&["--seed", "4"])["metrics"]);
    let none = run(&["--no-ci"]);
    assert_eq!(none["metrics"]["f1"], json!({"value": 0.75}));
    assert_eq!(none["resamples"], 0);
    let few = run(&["--resamples", "50", "--confidence", "0.5"]);
    assert_eq!(few["resamples"], 50);
    assert_eq!(few["confidence"], 0.5);
}

#[test]
fn table_csv_and_output_file() {
    let d = dir_with(&[("d.csv", BINARY)]);
    let r = classify(
        d.path(),
        &[
            "--data",
            "d.csv",
            "--score",
            "score",
            "--sensitive",
            "group",
            "--by",
            "region",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for part in [
        "accuracy",
        "95% CI",
        "per class",
        "confusion matrix",
        "fairness by group",
        "demographic_parity_difference",
        "slices by region",
    ] {
        assert!(r.stdout.contains(part), "table lacks {part}:\n{}", r.stdout);
    }
    let r = classify(
        d.path(),
        &[
            "--data",
            "d.csv",
            "--no-ci",
            "--sensitive",
            "group",
            "--format",
            "csv",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "slice,group,metric,label,pred,value,ci_low,ci_high"
    );
    assert!(lines.contains(&",,accuracy,,,0.75,,"), "{}", r.stdout);
    assert!(lines.contains(&",,count,1,0,1,,"), "{}", r.stdout);
    assert!(
        lines.contains(&",a,selection_rate,,,0.75,,"),
        "{}",
        r.stdout
    );
    let r = classify(
        d.path(),
        &[
            "--data", "d.csv", "--no-ci", "--format", "json", "--output", "out.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let written = std::fs::read_to_string(d.path().join("out.json")).unwrap();
    assert!(written.contains("\"kind\": \"classify\""));
}

#[test]
fn fairness_block() {
    let d = dir_with(&[("d.csv", BINARY)]);
    let r = classify(
        d.path(),
        &[
            "--data",
            "d.csv",
            "--sensitive",
            "group",
            "--no-ci",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let f = &j["fairness"];
    assert_eq!(f["sensitive"], json!(["group"]));
    assert_eq!(f["positive"], "1");
    assert_eq!(
        f["groups"]["a"],
        json!({"n": 4, "selection_rate": 0.75, "tpr": 1.0, "fpr": 0.0})
    );
    assert_eq!(f["between_groups"]["selection_rate"]["difference"], 0.5);
    assert_eq!(j["metrics"]["demographic_parity_difference"]["value"], 0.5);
    // Group b has no true positive and a has no false positive.
    assert_eq!(j["metrics"]["equalized_odds_ratio"]["value"], 0.0);
}

#[test]
fn labels_are_text_and_formats_agree() {
    // JSON 1 and "1" are one label; the same rows as CSV, JSONL and gzip give one result.
    let jsonl =
        "{\"label\":1,\"pred\":\"1\",\"score\":0.9}\n{\"label\":\"0\",\"pred\":0,\"score\":0.2}\n\
                 {\"label\":1,\"pred\":0,\"score\":0.4}\n{\"label\":0,\"pred\":1,\"score\":0.6}\n";
    let csv = "label,pred,score\n1,1,0.9\n0,0,0.2\n1,0,0.4\n0,1,0.6\n";
    let d = dir_with(&[("d.jsonl", jsonl), ("d.csv", csv)]);
    let gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(csv.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    std::fs::write(d.path().join("d.csv.gz"), gz).unwrap();
    let results: Vec<serde_json::Value> = ["d.jsonl", "d.csv", "d.csv.gz"]
        .iter()
        .map(|f| {
            let r = classify(
                d.path(),
                &[
                    "--data", f, "--score", "score", "--no-ci", "--format", "json",
                ],
            );
            assert_eq!(r.code, 0, "{f}: {}", r.stderr);
            let j = r.json();
            assert_eq!(j["classes"], json!(["0", "1"]));
            j["metrics"].clone()
        })
        .collect();
    assert_eq!(results[0], results[1]);
    assert_eq!(results[1], results[2]);
}

#[test]
fn undefined_values_are_null_with_a_warning() {
    let d = dir_with(&[("d.csv", "label,pred,score\n1,1,0.9\n1,0,0.3\n1,1,0.7\n")]);
    let r = classify(
        d.path(),
        &[
            "--data", "d.csv", "--score", "score", "--no-ci", "--format", "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["metrics"]["roc_auc"], json!({"value": null}));
    assert!(
        r.stderr
            .contains("warning: roc_auc is undefined: no negative labels"),
        "{}",
        r.stderr
    );
    // Precision of the never-predicted... class 0 is predicted once but never a label.
    assert!(
        r.stderr.contains("recall of class '0' is 0/0"),
        "{}",
        r.stderr
    );
    assert_eq!(j["per_class"]["0"]["recall"], 0.0);
    assert!(j["warnings"].as_array().unwrap().len() >= 2);
}

#[test]
fn probabilities_that_do_not_sum_to_one_warn() {
    let d = dir_with(&[(
        "d.csv",
        "y,p,pa,pb,pc\na,a,0.5,0.3,0.2\nb,b,0.1,0.5,0.3\nc,c,0.1,0.1,0.8\n",
    )]);
    let r = classify(
        d.path(),
        &[
            "--data", "d.csv", "--label", "y", "--pred", "p", "--score", "a=pa", "--score", "b=pb",
            "--score", "c=pc", "--no-ci",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "1 row whose probabilities (pa, pb, pc) do not sum to 1 within 1e-6 (first: row 2, sum 0.899"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn parquet_input() {
    let dir = root().join("tools/goldens/classify/cases/multiclass5");
    let r = rigor(
        &dir,
        &[
            "eval",
            "classify",
            "--data",
            "data.parquet",
            "--label",
            "y",
            "--pred",
            "yhat",
            "--no-ci",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["n"], 1500);
    rigor(
        &dir,
        &["eval", "classify", "--data", "data.parquet", "--no-ci"],
    )
    .bad_input(&["data.parquet", "no column 'label'", "'y', 'yhat', 'p_ant'"]);
}

/// Each bad input: exit 2 and one line naming the file, the row and the problem.
#[test]
fn bad_input_is_one_line_naming_file_row_and_problem() {
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "d.csv",
            "label,prediction\n1,1\n",
            &[],
            &["d.csv: no column 'pred'; the columns are: 'label', 'prediction'"],
        ),
        (
            "d.csv",
            "label,pred\n1,1\n,0\n",
            &[],
            &["d.csv:3: row 2, column 'label': empty value"],
        ),
        (
            "d.csv",
            "label,pred\n1,1\nNaN,0\n",
            &[],
            &["d.csv:3: row 2, column 'label': NaN"],
        ),
        (
            "d.csv",
            "label,pred,s\n1,1,0.5\n0,0,nan\n",
            &["--score", "s"],
            &["d.csv:3: row 2, column 's': NaN"],
        ),
        (
            "d.csv",
            "label,pred,s\n1,1,0.5\n0,0,\n",
            &["--score", "s"],
            &["d.csv:3: row 2, column 's': empty value"],
        ),
        (
            "d.csv",
            "label,pred,s\n1,1,0.5\n0,0,1.0000001\n",
            &["--score", "s"],
            &["d.csv:3: row 2, column 's': 1.0000001 is outside [0, 1]"],
        ),
        (
            "d.csv",
            "label,pred,s\n1,1,0.5\n0,0,-0.1\n",
            &["--score", "s"],
            &["row 2, column 's': -0.1 is outside [0, 1]"],
        ),
        (
            "d.csv",
            "label,pred,s\n1,1,0.5\n0,0,high\n",
            &["--score", "s"],
            &["d.csv:3: row 2, column 's': 'high' is not a number"],
        ),
        (
            "d.csv",
            "label,pred\n1,1\n0\n",
            &[],
            &["d.csv:3: row 2: 1 field, the header has 2"],
        ),
        (
            "d.csv",
            "label,pred\n1,1\n0,0\n",
            &["--positive", "yes"],
            &["d.csv: --positive 'yes' never occurs", "'0', '1'"],
        ),
        (
            "d.csv",
            "label,pred,s\n1,1,0.5\n2,0,0.5\n",
            &["--score", "s"],
            &["d.csv: one --score column", "3 classes"],
        ),
        (
            "d.csv",
            "label,pred,pa,pb,pc\na,a,0.5,0.3,0.2\nd,a,0.5,0.3,0.2\n",
            &["--score", "a=pa", "--score", "b=pb", "--score", "c=pc"],
            &["d.csv: row 2: label 'd' has no probability column"],
        ),
        (
            "d.csv",
            "label,pred,g\na,b,x\nc,a,y\n",
            &["--sensitive", "g"],
            &["d.csv: --sensitive needs a binary problem", "3 classes"],
        ),
        ("d.csv", "label,pred\n", &[], &["d.csv: holds no data rows"]),
        ("d.csv", "", &[], &["d.csv: is empty"]),
        (
            "d.jsonl",
            "{\"label\":1,\"pred\":1}\n{\"label\":1,\"pred\":}\n",
            &[],
            &["d.jsonl:2: row 2: not a JSON object"],
        ),
        (
            "d.jsonl",
            "{\"label\":1,\"pred\":1}\n{\"label\":null,\"pred\":1}\n",
            &[],
            &["d.jsonl:2: row 2, column 'label': null"],
        ),
        (
            "d.txt",
            "label,pred\n1,1\n",
            &[],
            &["d.txt: unknown format", ".csv, .jsonl"],
        ),
        (
            "d.csv",
            "label,pred\n1,1\n",
            &["--bins", "0"],
            &["--bins must be at least 1"],
        ),
        (
            "d.csv",
            "label,pred,pa,pb\na,a,0.5,0.5\n",
            &["--score", "a=pa", "--score", "pb"],
            &["--score 'pb': with several --score options each must be CLASS=COL"],
        ),
    ];
    for (name, text, args, parts) in cases {
        let d = dir_with(&[(name, text)]);
        let mut all = vec!["--data", *name];
        all.extend(*args);
        let r = classify(d.path(), &all);
        r.bad_input(parts);
    }
    let d = dir_with(&[]);
    classify(d.path(), &["--data", "missing.csv"]).bad_input(&["missing.csv: no such file"]);
}
