//! Multiple-comparison corrections for the A/B family (statsmodels `multipletests`).
//!
//! TEMPORARY: mirrors `crate::correction` being added on main; replaced by it when main
//! is merged.

/// Which correction to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correction {
    #[default]
    None,
    Bonferroni,
    Holm,
    Bh,
}

impl Correction {
    pub fn as_str(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Bonferroni => "bonferroni",
            Correction::Holm => "holm",
            Correction::Bh => "bh",
        }
    }
}

impl std::str::FromStr for Correction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            Correction::None,
            Correction::Bonferroni,
            Correction::Holm,
            Correction::Bh,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| format!("unknown correction {s:?}"))
    }
}

/// Adjusted p-values and decisions, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjusted {
    pub p_adjusted: Vec<Option<f64>>,
    pub rejected: Vec<bool>,
}

/// Applies `correction` at `alpha`; undefined p-values are left out of the family.
pub fn adjust(p_values: &[Option<f64>], correction: Correction, alpha: f64) -> Adjusted {
    let mut sorted: Vec<(usize, f64)> = p_values
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.filter(|v| v.is_finite()).map(|v| (i, v)))
        .collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let p: Vec<f64> = sorted.iter().map(|&(_, v)| v).collect();
    let m = p.len();
    let mf = m as f64;
    let (mut adj, rej): (Vec<f64>, Vec<bool>) = match correction {
        Correction::None => (p.clone(), p.iter().map(|&v| v <= alpha).collect()),
        Correction::Bonferroni => (
            p.iter().map(|&v| v * mf).collect(),
            p.iter().map(|&v| v <= alpha / mf).collect(),
        ),
        Correction::Holm => {
            let stop = (0..m).find(|&i| p[i] > alpha / (m - i) as f64).unwrap_or(m);
            let mut run = f64::NEG_INFINITY;
            (
                (0..m)
                    .map(|i| {
                        run = run.max(p[i] * (m - i) as f64);
                        run
                    })
                    .collect(),
                (0..m).map(|i| i < stop).collect(),
            )
        }
        Correction::Bh => {
            let f = |i: usize| (i + 1) as f64 / mf;
            let last = (0..m).rev().find(|&i| p[i] <= f(i) * alpha);
            let mut run = f64::INFINITY;
            let mut adj = vec![0.0; m];
            for i in (0..m).rev() {
                run = run.min(p[i] / f(i));
                adj[i] = run;
            }
            (adj, (0..m).map(|i| last.is_some_and(|l| i <= l)).collect())
        }
    };
    for v in &mut adj {
        *v = v.min(1.0);
    }
    let mut out = Adjusted {
        p_adjusted: vec![None; p_values.len()],
        rejected: vec![false; p_values.len()],
    };
    for (k, &(i, _)) in sorted.iter().enumerate() {
        out.p_adjusted[i] = Some(adj[k]);
        out.rejected[i] = rej[k];
    }
    out
}
