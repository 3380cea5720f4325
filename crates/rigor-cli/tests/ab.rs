//! `rigor ab` and `rigor ab power`: shapes, options, bad input, zero variance, SRM
//! warnings, input formats.

mod common;

use common::{dir_with, rigor, root};
use std::io::Write;

/// A small two-arm table: 20 units.
fn small() -> String {
    let mut s = String::from("user,variant,converted,revenue,pre,country,day,sessions,flat\n");
    for i in 0..20 {
        let arm = if i % 2 == 0 { "control" } else { "treatment" };
        let conv = u8::from(i % 3 == 0);
        let rev = (i * 7 % 11) as f64 + if i % 2 == 1 { 1.5 } else { 0.0 };
        let pre = (i * 7 % 11) as f64 * 0.8 + (i % 4) as f64;
        let country = ["US", "DE"][(i / 2) % 2];
        let day = 1 + i % 3;
        let sessions = 1 + i % 4;
        s.push_str(&format!(
            "u{i},{arm},{conv},{rev},{pre},{country},2024-01-0{day},{sessions},5\n"
        ));
    }
    s
}

#[test]
fn json_has_the_contract_shape() {
    let dir = dir_with(&[("x.csv", &small())]);
    let out = rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--unit-col",
            "user",
            "--metric",
            "converted",
            "--metric",
            "revenue",
            "--covariate",
            "revenue=pre",
            "--ratio",
            "rps=revenue/sessions",
            "--guardrail",
            "sessions:higher:5%",
            "--segment",
            "country",
            "--day-col",
            "day",
            "--sequential",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    for key in [
        "kind",
        "data",
        "units",
        "control",
        "arms",
        "alpha",
        "compat",
        "correction",
        "srm",
        "metrics",
        "comparisons",
        "segments",
        "looks",
        "warnings",
    ] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    assert_eq!(j["kind"], "ab");
    assert_eq!(j["control"], "control");
    assert_eq!(j["arms"], serde_json::json!(["control", "treatment"]));
    for key in [
        "observed",
        "expected",
        "chi2",
        "df",
        "p_value",
        "threshold",
        "status",
        "segments",
    ] {
        assert!(j["srm"].get(key).is_some(), "srm lacks {key}");
    }
    let c = &j["comparisons"][0];
    for key in [
        "metric",
        "baseline",
        "candidate",
        "baseline_mean",
        "candidate_mean",
        "delta",
        "se",
        "df",
        "ci_low",
        "ci_high",
        "relative_lift",
        "relative_ci_low",
        "relative_ci_high",
        "test",
        "p_value",
        "p_adjusted",
        "significant",
        "cuped",
        "sequential",
        "guardrail",
    ] {
        assert!(c.get(key).is_some(), "comparison lacks {key}");
    }
    let by_metric = |m: &str| {
        j["comparisons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == m)
            .unwrap()
            .clone()
    };
    assert!(by_metric("revenue")["cuped"]["theta"].is_number());
    assert!(by_metric("converted")["cuped"].is_null());
    assert!(by_metric("converted")["sequential"]["p_value"].is_number());
    assert_eq!(by_metric("sessions")["guardrail"]["direction"], "higher");
    assert!(by_metric("rps")["test"]
        .as_str()
        .unwrap()
        .contains("delta method"));
    assert_eq!(j["metrics"]["converted"]["type"], "proportion");
    assert_eq!(j["metrics"]["revenue"]["type"], "mean");
    assert_eq!(j["metrics"]["rps"]["type"], "ratio");
    assert_eq!(j["looks"].as_array().unwrap().len(), 3);
    assert_eq!(j["segments"].as_array().unwrap().len(), 2);
    assert!(!out.stdout.contains("NaN"));
    // Provenance: the data file's digest and the command line.
    let text = small();
    assert_eq!(j["inputs"][0]["role"], "data");
    assert_eq!(j["inputs"][0]["path"], "x.csv");
    assert_eq!(j["inputs"][0]["bytes"], text.len() as u64);
    assert_eq!(j["inputs"][0]["blake3"].as_str().unwrap().len(), 64);
    assert_eq!(j["command"][1], "ab");
    assert!(j["rigor_version"].is_string());
}

#[test]
fn csv_and_table_outputs() {
    let dir = dir_with(&[("x.csv", &small())]);
    let out = rigor(
        dir.path(),
        &[
            "ab", "--data", "x.csv", "--metric", "revenue", "--format", "csv",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut lines = out.stdout.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("scope,segment_column,segment_value,day,metric"));
    assert!(lines
        .next()
        .unwrap()
        .starts_with("overall,,,,revenue,control,treatment,10,10,"));
    let out = rigor(
        dir.path(),
        &["ab", "--data", "x.csv", "--metric", "revenue"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("SRM: chi2 = 0.000, p = 1.0000: ok"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("delta [95% CI]"));
}

#[test]
fn metrics_default_to_numeric_columns() {
    let dir = dir_with(&[("x.csv", &small())]);
    let out = rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--unit-col",
            "user",
            "--segment",
            "country",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    let metrics: Vec<&String> = j["metrics"].as_object().unwrap().keys().collect();
    assert_eq!(metrics, ["converted", "revenue", "pre", "sessions", "flat"]);
    assert!(
        out.stderr
            .contains("not metrics (not numeric throughout): day"),
        "{}",
        out.stderr
    );
}

#[test]
fn zero_variance_is_null_with_a_warning() {
    let dir = dir_with(&[("x.csv", &small())]);
    for compat in ["scipy", "growthbook"] {
        let out = rigor(
            dir.path(),
            &[
                "ab",
                "--data",
                "x.csv",
                "--metric",
                "flat",
                "--compat",
                compat,
                "--sequential",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        let c = &out.json()["comparisons"][0];
        for key in [
            "se",
            "ci_low",
            "ci_high",
            "p_value",
            "p_adjusted",
            "sequential",
        ] {
            assert!(c[key].is_null(), "{compat}: {key} = {}", c[key]);
        }
        assert_eq!(c["delta"], 0.0);
        assert_eq!(c["significant"], false);
        assert!(
            out.stderr
                .contains("warning: flat: treatment vs control: zero variance"),
            "{}",
            out.stderr
        );
        assert!(!out.stdout.contains("NaN"));
    }
}

#[test]
fn a_constant_zero_metric_has_no_relative_lift() {
    let mut s = String::from("variant,zero\n");
    for i in 0..10 {
        s.push_str(&format!("{},0\n", ["control", "treatment"][i % 2]));
    }
    let dir = dir_with(&[("z.csv", &s)]);
    let out = rigor(
        dir.path(),
        &[
            "ab", "--data", "z.csv", "--metric", "zero", "--format", "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let c = &out.json()["comparisons"][0];
    assert!(c["relative_lift"].is_null() && c["p_value"].is_null());
    assert!(out.stderr.contains("control mean is 0"), "{}", out.stderr);
}

// ---- bad input: exit 2, one line naming file, line and column -------------------------

#[test]
fn duplicate_unit_ids() {
    let dir = dir_with(&[(
        "d.csv",
        "user,variant,m\na,control,1\nb,treatment,2\nc,control,3\nb,control,4\n",
    )]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "d.csv",
            "--unit-col",
            "user",
            "--metric",
            "m",
        ],
    )
    .bad_input(&[
        "d.csv:5:",
        "column 'user'",
        "duplicate unit id 'b'",
        "line 3",
    ]);
}

#[test]
fn duplicate_unit_ids_in_gzip_and_jsonl() {
    let dir = dir_with(&[(
        "d.jsonl",
        "{\"id\": 1, \"variant\": \"control\", \"m\": 1}\n{\"id\": 2, \"variant\": \"treatment\", \"m\": 2}\n{\"id\": 1, \"variant\": \"treatment\", \"m\": 3}\n",
    )]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "d.jsonl",
            "--unit-col",
            "id",
            "--metric",
            "m",
        ],
    )
    .bad_input(&[
        "d.jsonl:3:",
        "column 'id'",
        "duplicate unit id '1'",
        "line 1",
    ]);
    let gz = dir.path().join("d.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(b"user,variant,m\nx,control,1\nx,treatment,2\n")
        .unwrap();
    enc.finish().unwrap();
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "d.csv.gz",
            "--unit-col",
            "user",
            "--metric",
            "m",
        ],
    )
    .bad_input(&["d.csv.gz:3:", "duplicate unit id 'x'"]);
}

#[test]
fn unknown_arm_in_weights() {
    let dir = dir_with(&[("x.csv", &small())]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--metric",
            "revenue",
            "--weights",
            "control=1,treatmnt=1",
        ],
    )
    .bad_input(&["x.csv", "--weights", "'treatmnt'", "column 'variant'"]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--metric",
            "revenue",
            "--weights",
            "control=1",
        ],
    )
    .bad_input(&["x.csv", "arm 'treatment'", "no weight"]);
}

#[test]
fn control_arm_absent() {
    let dir = dir_with(&[("x.csv", &small()), ("y.csv", "variant,m\nA,1\nB,2\n")]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--metric",
            "revenue",
            "--control",
            "baseline",
        ],
    )
    .bad_input(&[
        "x.csv",
        "control arm 'baseline'",
        "column 'variant'",
        "control, treatment",
    ]);
    rigor(dir.path(), &["ab", "--data", "y.csv", "--metric", "m"]).bad_input(&[
        "y.csv",
        "no arm named 'control'",
        "--control",
    ]);
}

#[test]
fn non_numeric_metric() {
    let dir = dir_with(&[
        ("n.csv", "variant,revenue\ncontrol,1.5\ntreatment,2\ncontrol,abc\n"),
        ("n.jsonl", "{\"variant\":\"control\",\"revenue\":1}\n{\"variant\":\"treatment\",\"revenue\":\"2x\"}\n"),
        ("i.csv", "variant,revenue\ncontrol,1.5\ntreatment,inf\n"),
    ]);
    rigor(
        dir.path(),
        &["ab", "--data", "n.csv", "--metric", "revenue"],
    )
    .bad_input(&["n.csv:4:", "column 'revenue'", "'abc' is not a number"]);
    rigor(
        dir.path(),
        &["ab", "--data", "n.jsonl", "--metric", "revenue"],
    )
    .bad_input(&["n.jsonl:2:", "column 'revenue'", "'2x' is not a number"]);
    rigor(
        dir.path(),
        &["ab", "--data", "i.csv", "--metric", "revenue"],
    )
    .bad_input(&["i.csv:3:", "column 'revenue'", "'inf'"]);
}

#[test]
fn ratio_denominator_summing_to_zero() {
    let dir = dir_with(&[(
        "r.csv",
        "variant,num,den\ncontrol,1,1\ncontrol,2,0\ntreatment,3,0\ntreatment,1,0\n",
    )]);
    rigor(
        dir.path(),
        &["ab", "--data", "r.csv", "--ratio", "rate=num/den"],
    )
    .bad_input(&[
        "r.csv",
        "column 'den'",
        "ratio 'rate'",
        "sums to 0",
        "arm 'treatment'",
    ]);
}

#[test]
fn other_bad_input() {
    let dir = dir_with(&[
        ("x.csv", &small()),
        ("ragged.csv", "variant,m\ncontrol,1\ntreatment,2,3\n"),
        ("one.csv", "variant,m\ncontrol,1\ncontrol,2\n"),
        ("empty_variant.csv", "variant,m\ncontrol,1\n,2\n"),
    ]);
    rigor(dir.path(), &["ab", "--data", "x.csv", "--metric", "nope"]).bad_input(&[
        "x.csv:1:",
        "no column 'nope'",
        "columns: user, variant",
    ]);
    rigor(dir.path(), &["ab", "--data", "ragged.csv", "--metric", "m"]).bad_input(&[
        "ragged.csv:3:",
        "expected 2 fields",
        "found 3",
    ]);
    rigor(dir.path(), &["ab", "--data", "one.csv", "--metric", "m"])
        .bad_input(&["one.csv", "only one arm"]);
    rigor(
        dir.path(),
        &["ab", "--data", "empty_variant.csv", "--metric", "m"],
    )
    .bad_input(&["empty_variant.csv:3:", "column 'variant'", "empty variant"]);
    rigor(
        dir.path(),
        &["ab", "--data", "missing.csv", "--metric", "m"],
    )
    .bad_input(&["missing.csv", "no such file"]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--metric",
            "revenue",
            "--cap",
            "rps=0.9",
            "--ratio",
            "rps=revenue/sessions",
        ],
    )
    .bad_input(&["--cap", "rps", "not ratios"]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--metric",
            "revenue",
            "--covariate",
            "converted=pre",
        ],
    )
    .bad_input(&["--covariate", "'converted' is not a metric"]);
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "x.csv",
            "--metric",
            "revenue",
            "--guardrail",
            "revenue:sideways",
        ],
    )
    .bad_input(&["--guardrail", "sideways"]);
    rigor(
        dir.path(),
        &[
            "ab", "--data", "x.csv", "--metric", "revenue", "--alpha", "1.5",
        ],
    )
    .bad_input(&["--alpha"]);
    rigor(dir.path(), &["ab", "--data", "x.parquet"]).bad_input(&["x.parquet", "no such file"]);
    rigor(dir.path(), &["ab", "--data", "x.xlsx"]).bad_input(&["x.xlsx", "unknown format"]);
    let mut many = String::from("variant,id,m\n");
    for i in 0..1001 {
        many.push_str(&format!(
            "{},{i},{}\n",
            ["control", "treatment"][i % 2],
            i % 5
        ));
    }
    std::fs::write(dir.path().join("many.csv"), many).unwrap();
    rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "many.csv",
            "--metric",
            "m",
            "--segment",
            "id",
        ],
    )
    .bad_input(&["many.csv", "column 'id' has 1001 distinct values"]);
}

// ---- SRM ----------------------------------------------------------------------------

#[test]
fn srm_concentrated_in_one_segment_is_named() {
    let dir = root().join("tools/goldens/ab");
    let out = rigor(
        &dir,
        &[
            "ab",
            "--data",
            "cases/srm_segment.csv",
            "--metric",
            "converted",
            "--segment",
            "country",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["srm"]["status"], "mismatch");
    let warning = out
        .stderr
        .lines()
        .find(|l| l.contains("sample ratio mismatch"))
        .expect("an SRM warning");
    assert!(warning.starts_with("warning: "), "{warning}");
    assert!(warning.contains("concentrated in country=DE"), "{warning}");
    let statuses: Vec<(String, String)> = j["srm"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["value"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("DE".into(), "mismatch".into())),
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|(_, s)| s == "mismatch").count(), 1);
    assert!(j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("country=DE")));
}

#[test]
fn srm_hidden_by_opposite_segments_is_still_reported() {
    let mut s = String::from("variant,segment,m\n");
    for (seg, control, treatment) in [("A", 600, 400), ("B", 400, 600)] {
        for i in 0..control + treatment {
            let arm = if i < control { "control" } else { "treatment" };
            s.push_str(&format!("{arm},{seg},{}\n", i % 7));
        }
    }
    let dir = dir_with(&[("h.csv", &s)]);
    let out = rigor(
        dir.path(),
        &[
            "ab",
            "--data",
            "h.csv",
            "--metric",
            "m",
            "--segment",
            "segment",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["srm"]["status"], "ok");
    assert!(
        out.stderr.contains(
            "warning: sample ratio mismatch within a segment although the total is fine: segment=A"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn aa_test_finds_nothing() {
    let dir = root().join("tools/goldens/ab");
    let out = rigor(
        &dir,
        &[
            "ab",
            "--data",
            "cases/aa.csv",
            "--metric",
            "converted",
            "--metric",
            "revenue",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let j = out.json();
    assert_eq!(j["srm"]["status"], "ok");
    for c in j["comparisons"].as_array().unwrap() {
        assert_eq!(c["significant"], false, "{c}");
    }
}

#[test]
fn plain_gzip_jsonl_and_tsv_inputs_agree() {
    let dir = root().join("tools/goldens/ab");
    let text = std::fs::read_to_string(dir.join("cases/three_arm.csv")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(tmp.path().join("t.csv.gz")).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut jsonl = String::new();
    let mut tsv = header.join("\t") + "\n";
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        jsonl.push_str(&format!(
            "{{\"{}\":\"{}\",\"{}\":\"{}\",\"{}\":{},\"{}\":{}}}\n",
            header[0], f[0], header[1], f[1], header[2], f[2], header[3], f[3]
        ));
        tsv.push_str(&f.join("\t"));
        tsv.push('\n');
    }
    std::fs::write(tmp.path().join("t.jsonl"), jsonl).unwrap();
    std::fs::write(tmp.path().join("t.tsv"), tsv).unwrap();
    std::fs::copy(dir.join("cases/three_arm.csv"), tmp.path().join("t.csv")).unwrap();
    let comparisons = |file: &str| {
        let out = rigor(
            tmp.path(),
            &[
                "ab",
                "--data",
                file,
                "--unit-col",
                "id",
                "--metric",
                "converted",
                "--metric",
                "revenue",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.code, 0, "{file}: {}", out.stderr);
        out.json()["comparisons"].clone()
    };
    let plain = comparisons("t.csv");
    assert_eq!(plain.as_array().unwrap().len(), 4);
    for f in ["t.csv.gz", "t.jsonl", "t.tsv"] {
        assert_eq!(comparisons(f), plain, "{f}");
    }
}

#[test]
fn parquet_and_csv_give_the_same_document() {
    let dir = root().join("tools/goldens/ab");
    let run = |file: &str| {
        let out = rigor(
            &dir,
            &[
                "ab",
                "--data",
                file,
                "--unit-col",
                "user_id",
                "--metric",
                "converted",
                "--metric",
                "revenue",
                "--covariate",
                "revenue=pre_revenue",
                "--segment",
                "country",
                "--day-col",
                "day",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.code, 0, "{file}: {}", out.stderr);
        let mut j = out.json();
        for key in ["data", "inputs", "command"] {
            j[key] = serde_json::Value::Null;
        }
        j
    };
    assert_eq!(run("cases/two_arm.parquet"), run("cases/two_arm.csv"));
}

#[test]
fn output_file_and_determinism() {
    let dir = dir_with(&[("x.csv", &small())]);
    let args = [
        "ab",
        "--data",
        "x.csv",
        "--metric",
        "revenue",
        "--metric",
        "converted",
        "--segment",
        "country",
        "--format",
        "json",
    ];
    let a = rigor(dir.path(), &args);
    let b = rigor(dir.path(), &args);
    assert_eq!(a.stdout, b.stdout);
    let mut with_out = args.to_vec();
    with_out.extend(["--output", "r.json"]);
    let c = rigor(dir.path(), &with_out);
    assert_eq!(c.code, 0);
    assert!(c.stdout.is_empty());
    // The same document but for the command line it records.
    let mut written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    let mut printed = a.json();
    written["command"] = serde_json::Value::Null;
    printed["command"] = serde_json::Value::Null;
    assert_eq!(written, printed);
}

// ---- power -----------------------------------------------------------------------------

#[test]
fn power_table_and_bad_input() {
    let dir = dir_with(&[]);
    let out = rigor(
        dir.path(),
        &["ab", "power", "--p-control", "0.1", "--mde", "0.01"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // statsmodels: ceil(NormalIndPower().solve_power(proportion_effectsize(0.11, 0.1), None, 0.05, 0.8))
    assert!(
        out.stdout.contains("control units    14745"),
        "{}",
        out.stdout
    );
    rigor(
        dir.path(),
        &["ab", "power", "--p-control", "1.5", "--mde", "0.01"],
    )
    .bad_input(&["--p-control"]);
    rigor(
        dir.path(),
        &["ab", "power", "--p-control", "0.9", "--mde", "0.2"],
    )
    .bad_input(&["treatment rate"]);
    rigor(
        dir.path(),
        &["ab", "power", "--mean", "3", "--sd", "0", "--mde", "1"],
    )
    .bad_input(&["--sd"]);
    let out = rigor(dir.path(), &["ab", "power", "--mde", "1"]);
    assert_eq!(out.code, 2);
}
