//! Drift kernels against scipy on the committed goldens (tools/goldens/drift:
//! `kernels` in expected.json): `ks_2samp` on regenerated samples, `kstwo.sf`,
//! `chi2.sf`.

#[path = "../../../tools/goldens/drift/generator.rs"]
mod generator;

use rigor_stats::drift::chisquare::chi2_sf;
use rigor_stats::drift::kolmogorov::kstwo_sf;
use rigor_stats::drift::ks::ks_2samp;

const TOLERANCE: f64 = 1e-9;

fn expected() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/goldens/drift/expected.json"
    );
    let text = std::fs::read_to_string(path).expect("tools/goldens/drift/expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * b.abs().max(1.0)
}

#[test]
fn ks_2samp_matches_scipy() {
    let all = expected();
    let cases = all["kernels"]["ks_2samp"].as_array().unwrap();
    let mut bad = Vec::new();
    let mut worst = 0.0f64;
    for c in cases {
        let n1 = c["n1"].as_u64().unwrap() as usize;
        let n2 = c["n2"].as_u64().unwrap() as usize;
        let ties = c["ties"].as_bool().unwrap();
        let shift = c["shift"].as_f64().unwrap();
        let mut a = generator::ks_sample(c["seed_a"].as_u64().unwrap(), n1, 0.0, ties);
        let mut b = generator::ks_sample(c["seed_b"].as_u64().unwrap(), n2, shift, ties);
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let t = ks_2samp(&a, &b).unwrap();
        let (d, p) = (
            c["statistic"].as_f64().unwrap(),
            c["p_value"].as_f64().unwrap(),
        );
        worst = worst
            .max((t.p_value - p).abs())
            .max((t.statistic - d).abs());
        if !close(t.statistic, d) || !close(t.p_value, p) {
            bad.push(format!(
                "n1={n1} n2={n2} shift={shift} ties={ties}: rigor D={} p={} ({:?}), scipy D={d} p={p}",
                t.statistic, t.p_value, t.method
            ));
        }
    }
    eprintln!(
        "ks_2samp: {} of {} cases matched (largest difference {worst:e})",
        cases.len() - bad.len(),
        cases.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn kstwo_sf_matches_scipy() {
    let all = expected();
    let cases = all["kernels"]["kstwo_sf"].as_array().unwrap();
    let mut bad = Vec::new();
    let mut worst = 0.0f64;
    for c in cases {
        let n = c["n"].as_u64().unwrap();
        let x = c["x"].as_f64().unwrap();
        let want = c["sf"].as_f64().unwrap();
        let got = kstwo_sf(n, x);
        worst = worst.max((got - want).abs());
        if !close(got, want) {
            bad.push(format!(
                "n={n} x={x}: rigor {got}, scipy {want} (diff {:e})",
                got - want
            ));
        }
    }
    eprintln!(
        "kstwo.sf: {} of {} values matched (largest difference {worst:e})",
        cases.len() - bad.len(),
        cases.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn chi2_sf_matches_scipy() {
    let all = expected();
    let cases = all["kernels"]["chi2_sf"].as_array().unwrap();
    let mut bad = Vec::new();
    for c in cases {
        let df = c["df"].as_f64().unwrap();
        let x = c["x"].as_f64().unwrap();
        let want = c["sf"].as_f64().unwrap();
        let got = chi2_sf(x, df);
        if !close(got, want) {
            bad.push(format!("df={df} x={x}: rigor {got}, scipy {want}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
