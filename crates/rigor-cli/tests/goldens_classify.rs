//! Parity with scikit-learn 1.9 and Fairlearn 0.15 on the committed golden files
//! (tools/goldens/classify: expected.json written by generate.py from the references).
//!
//! Every evaluation runs `rigor eval classify <args> --no-ci --format json` and walks
//! the expected document: every number must match to 1e-9, every null (the
//! reference's NaN) must be null, every label and count must be equal, and the maps
//! of metrics, classes, groups and slices must hold exactly the expected keys.

mod common;

use common::{rigor, root};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Goldens {
    evaluations: Vec<Evaluation>,
}

#[derive(Deserialize)]
struct Evaluation {
    case: String,
    args: Vec<String>,
    expected: Value,
}

const TOLERANCE: f64 = 1e-9;

/// Maps whose keys must be exactly the expected ones (no missing, no extra).
const EXACT_KEYS: [&str; 6] = [
    "metrics",
    "per_class",
    "groups",
    "between_groups",
    "slices",
    "confusion_matrix",
];

fn leaves(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.values().map(leaves).sum(),
        Value::Array(a) => a.iter().map(leaves).sum(),
        _ => 1,
    }
}

#[derive(Default)]
struct Tally {
    compared: usize,
    mismatches: Vec<String>,
}

impl Tally {
    /// Prints the count and fails on any mismatch (showing the first `show`) or when
    /// fewer than `least` values were compared.
    fn finish(&self, what: &str, least: usize, show: usize) {
        eprintln!(
            "{what}: {} of {} values matched",
            self.compared - self.mismatches.len(),
            self.compared
        );
        assert!(
            self.compared > least,
            "only {} {what} values",
            self.compared
        );
        assert!(
            self.mismatches.is_empty(),
            "{} of {} values differ:\n{}",
            self.mismatches.len(),
            self.compared,
            self.mismatches[..self.mismatches.len().min(show)].join("\n")
        );
    }
}

fn compare(at: &str, parent: &str, expected: &Value, got: Option<&Value>, t: &mut Tally) {
    let Some(got) = got else {
        t.compared += leaves(expected);
        t.mismatches
            .push(format!("{at}: missing from rigor's output"));
        return;
    };
    match expected {
        Value::Object(map) => {
            if EXACT_KEYS.contains(&parent) {
                let extra: Vec<&String> = got
                    .as_object()
                    .map(|g| g.keys().filter(|k| !map.contains_key(*k)).collect())
                    .unwrap_or_default();
                if !extra.is_empty() {
                    t.mismatches.push(format!(
                        "{at}: rigor has keys the reference lacks: {extra:?}"
                    ));
                }
            }
            for (k, v) in map {
                compare(&format!("{at}.{k}"), k, v, got.get(k), t);
            }
        }
        Value::Array(items) => match got.as_array() {
            Some(g) if g.len() == items.len() => {
                for (i, (e, g)) in items.iter().zip(g).enumerate() {
                    compare(&format!("{at}[{i}]"), parent, e, Some(g), t);
                }
            }
            _ => {
                t.compared += leaves(expected);
                t.mismatches
                    .push(format!("{at}: rigor {got}, reference {expected}"));
            }
        },
        Value::Number(n) => {
            t.compared += 1;
            let e = n.as_f64().unwrap_or(f64::NAN);
            match got.as_f64() {
                Some(g) if (g - e).abs() <= TOLERANCE => {}
                _ => t
                    .mismatches
                    .push(format!("{at}: rigor {got}, reference {expected}")),
            }
        }
        _ => {
            t.compared += 1;
            if got != expected {
                t.mismatches
                    .push(format!("{at}: rigor {got}, reference {expected}"));
            }
        }
    }
}

#[test]
fn every_value_matches_scikit_learn_and_fairlearn() {
    let dir = root().join("tools/goldens/classify");
    let goldens: Goldens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut t = Tally::default();
    for ev in &goldens.evaluations {
        let mut args: Vec<&str> = vec!["eval", "classify"];
        args.extend(ev.args.iter().map(String::as_str));
        args.extend(["--no-ci", "--format", "json"]);
        let out = rigor(&dir, &args);
        assert_eq!(out.code, 0, "{} {:?}: {}", ev.case, ev.args, out.stderr);
        let json = out.json();
        let at = format!("{} {}", ev.case, ev.args.join(" "));
        compare(&at, "", &ev.expected, Some(&json), &mut t);
    }
    t.finish("classify goldens", 1500, 40);
}

#[derive(Deserialize)]
struct CurveGoldens {
    curves: Vec<CurveCase>,
}

#[derive(Deserialize)]
struct CurveCase {
    case: String,
    args: Vec<String>,
    roc: Value,
    pr: Value,
}

/// The `roc` and `pr` curves equal scikit-learn's `roc_curve` and
/// `precision_recall_curve` (drop_intermediate=False) point for point; one-class
/// labels give neither (tools/goldens/classify/curves.json, from curves.py).
#[test]
fn curves_match_scikit_learn() {
    let dir = root().join("tools/goldens/classify");
    let goldens: CurveGoldens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("curves.json")).unwrap()).unwrap();
    let mut t = Tally::default();
    for c in &goldens.curves {
        let mut args: Vec<&str> = vec!["eval", "classify"];
        args.extend(c.args.iter().map(String::as_str));
        args.extend(["--no-ci", "--format", "json"]);
        let out = rigor(&dir, &args);
        assert_eq!(out.code, 0, "{} {:?}: {}", c.case, c.args, out.stderr);
        let json = out.json();
        let at = format!("{} {}", c.case, c.args.join(" "));
        for (name, expected) in [("roc", &c.roc), ("pr", &c.pr)] {
            if expected.is_null() {
                t.compared += 1;
                if json.get(name).is_some() {
                    t.mismatches
                        .push(format!("{at}: {name} present, scikit-learn has none"));
                }
            } else {
                compare(
                    &format!("{at} {name}"),
                    name,
                    expected,
                    json.get(name),
                    &mut t,
                );
            }
        }
        if c.roc.is_null() {
            continue;
        }
        // The reliability diagram behind ECE: its bins weigh up to ECE itself.
        let bins = json["reliability"].as_array().expect("reliability bins");
        let n: f64 = bins.iter().map(|b| b["n"].as_f64().unwrap()).sum();
        let ece: f64 = bins
            .iter()
            .map(|b| {
                let w = b["n"].as_f64().unwrap() / n;
                w * (b["accuracy"].as_f64().unwrap() - b["confidence"].as_f64().unwrap()).abs()
            })
            .sum();
        let reported = json["metrics"]["ece"]["value"].as_f64().unwrap();
        assert!(
            (ece - reported).abs() < 1e-12,
            "{at}: bins give ECE {ece}, reported {reported}"
        );
        assert_eq!(n, json["n"].as_f64().unwrap(), "{at}: every row in a bin");
    }
    t.finish("classify curve goldens", 1000, 20);
}
