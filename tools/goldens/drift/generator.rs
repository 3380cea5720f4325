//! The golden-input generator of `generate.py`, in Rust, so tests can rebuild the
//! n = 100,000 inputs byte for byte instead of committing them (each file's FNV-1a
//! hash in expected.json proves the rebuild). Included by tests with `#[path]`.

#![allow(dead_code)]

/// splitmix64, as `generate.py`'s `Rng`.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Irwin–Hall(12) − 6, an exact multiple of 2^-24.
    pub fn normal(&mut self) -> f64 {
        let mut s: i64 = 0;
        for _ in 0..12 {
            s += (self.next_u64() >> 40) as i64;
        }
        (s - 6 * (1 << 24)) as f64 / 16_777_216.0
    }

    pub fn below(&mut self, k: u64) -> u64 {
        self.next_u64() % k
    }

    pub fn choice(&mut self, weights: &[u64]) -> usize {
        let r = self.below(weights.iter().sum());
        let mut acc = 0;
        for (i, w) in weights.iter().enumerate() {
            acc += w;
            if r < acc {
                return i;
            }
        }
        unreachable!("r < sum of weights")
    }
}

/// `generate.py`'s `ks_sample`.
pub fn ks_sample(seed: u64, n: usize, shift: f64, ties: bool) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let v = rng.normal() + shift;
            if ties {
                (v * 4.0).floor() / 4.0
            } else {
                v
            }
        })
        .collect()
}

/// One column's rendered values (`""` for missing) from its JSON spec.
pub fn column_values(spec: &serde_json::Value, n: usize) -> Vec<String> {
    let mut rng = Rng::new(spec["seed"].as_u64().expect("seed"));
    let missing = spec["missing"].as_u64().expect("missing");
    let kind = spec["kind"].as_str().expect("kind");
    (0..n)
        .map(|_| {
            let is_missing = rng.below(100) < missing;
            let text = match kind {
                "normal" => {
                    let mu = spec["mu"].as_f64().expect("mu");
                    let sigma = spec["sigma"].as_f64().expect("sigma");
                    format!(
                        "{}",
                        ((mu + sigma * rng.normal()) * 4096.0).floor() / 4096.0
                    )
                }
                "int_normal" => {
                    let spread = spec["spread"].as_f64().expect("spread");
                    let shift = spec["shift"].as_f64().expect("shift");
                    format!("{}", (rng.normal() * spread + shift).floor() as i64)
                }
                _ => {
                    let weights: Vec<u64> = spec["weights"]
                        .as_array()
                        .expect("weights")
                        .iter()
                        .map(|w| w.as_u64().expect("weight"))
                        .collect();
                    let v = &spec["values"][rng.choice(&weights)];
                    match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(x) if x.is_f64() => {
                            format!("{}", x.as_f64().expect("float"))
                        }
                        other => other.to_string(),
                    }
                }
            };
            if is_missing {
                String::new()
            } else {
                text
            }
        })
        .collect()
}

/// The CSV file `generate.py` writes for a list of column specs.
pub fn csv_bytes(columns: &[serde_json::Value], n: usize) -> Vec<u8> {
    let values: Vec<Vec<String>> = columns.iter().map(|c| column_values(c, n)).collect();
    let mut out = String::new();
    let names: Vec<&str> = columns
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    out.push_str(&names.join(","));
    out.push('\n');
    for i in 0..n {
        let row: Vec<&str> = values.iter().map(|v| v[i].as_str()).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// FNV-1a, 64 bits, as hex.
pub fn fnv1a64(data: &[u8]) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    format!("{h:016x}")
}
