//! `rigor ab power`: sample size for a minimum detectable effect, and power / MDE for a
//! given size (statsmodels `NormalIndPower`, two-sided).

use std::process::ExitCode;

use rigor_io::evidence::ab::{AtN, PowerEvidence};
use rigor_io::evidence::Provenance;
use rigor_stats::ab::power as pw;

use super::render::sig;
use crate::output::{emit, Format};
use crate::Failure;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Effect sizes as statsmodels: proportions use Cohen's h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))
(proportion_effectsize), means use delta / sd. The sample size is the exact root of
NormalIndPower's power equation (statsmodels' solve_power stops within 1e-5 of it).

Examples:
  rigor ab power --p-control 0.10 --mde 0.01
  rigor ab power --p-control 0.10 --mde 0.05 --relative --power 0.9
  rigor ab power --mean 42 --sd 80 --mde 2 --n 20000")]
pub struct PowerArgs {
    /// Control conversion rate (a proportion metric).
    #[arg(long, value_name = "P", conflicts_with_all = ["mean", "sd"], required_unless_present = "mean")]
    p_control: Option<f64>,

    /// Control mean (a mean metric; with --sd).
    #[arg(long, value_name = "M", requires = "sd", allow_hyphen_values = true)]
    mean: Option<f64>,

    /// Standard deviation per unit (a mean metric).
    #[arg(long, value_name = "S", requires = "mean")]
    sd: Option<f64>,

    /// Minimum detectable effect: absolute, or relative to the control with --relative.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    mde: f64,

    /// Read --mde as a fraction of the control (0.05 = 5% lift).
    #[arg(long)]
    relative: bool,

    /// Two-sided significance level.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,

    /// Desired power.
    #[arg(long, default_value_t = 0.8)]
    power: f64,

    /// Treatment units per control unit.
    #[arg(long, default_value_t = 1.0)]
    ratio: f64,

    /// Control units available: also report the power there and the detectable effect.
    #[arg(long, value_name = "N")]
    n: Option<f64>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

fn bad(msg: String) -> Failure {
    Failure::Input(msg)
}

pub fn run(a: PowerArgs) -> Result<ExitCode, Failure> {
    let unit = |v: f64| v > 0.0 && v < 1.0;
    if !unit(a.alpha) || !unit(a.power) {
        return Err(bad(format!(
            "--alpha and --power must be between 0 and 1, got {} and {}",
            a.alpha, a.power
        )));
    }
    if a.power <= a.alpha {
        return Err(bad("--power must exceed --alpha".into()));
    }
    if !(a.ratio > 0.0 && a.ratio.is_finite()) {
        return Err(bad(format!("--ratio must be positive, got {}", a.ratio)));
    }
    if !(a.mde.is_finite() && a.mde != 0.0) {
        return Err(bad(format!(
            "--mde must be a non-zero number, got {}",
            a.mde
        )));
    }
    if let Some(n) = a.n {
        if !(n > 0.0 && n.is_finite()) {
            return Err(bad(format!("--n must be positive, got {n}")));
        }
    }
    let (metric, mde_abs, es) = match (a.p_control, a.mean, a.sd) {
        (Some(p1), _, _) => {
            if !unit(p1) {
                return Err(bad(format!(
                    "--p-control must be between 0 and 1, got {p1}"
                )));
            }
            let p2 = if a.relative {
                p1 * (1.0 + a.mde)
            } else {
                p1 + a.mde
            };
            if !unit(p2) {
                return Err(bad(format!(
                    "the treatment rate {p2} implied by --mde is not between 0 and 1"
                )));
            }
            ("proportion", p2 - p1, pw::proportion_effectsize(p2, p1))
        }
        (None, Some(m), Some(sd)) => {
            if !(sd > 0.0 && sd.is_finite() && m.is_finite()) {
                return Err(bad(format!(
                    "--sd must be positive and --mean finite, got {sd}, {m}"
                )));
            }
            if a.relative && m == 0.0 {
                return Err(bad("--relative needs a non-zero --mean".into()));
            }
            let d = if a.relative { a.mde * m } else { a.mde };
            ("mean", d, d / sd)
        }
        _ => return Err(bad("give --p-control, or --mean with --sd".into())),
    };
    let es_abs = es.abs();
    let n1 = pw::solve_nobs1(es_abs, a.alpha, a.power, a.ratio)
        .ok_or_else(|| Failure::Internal("the power equation has no solution".into()))?;
    let n_control = n1.ceil() as u64;
    let n_treatment = (n1 * a.ratio).ceil() as u64;
    let at_n = a.n.map(|n| {
        let es_n = pw::solve_effect_size(n, a.alpha, a.power, a.ratio).unwrap_or(f64::NAN);
        let (abs, rel) = match (a.p_control, a.mean, a.sd) {
            (Some(p1), _, _) => {
                let p2 = pw::proportion_for_effectsize(es_n, p1);
                (p2.map(|p2| p2 - p1), p2.map(|p2| (p2 - p1) / p1))
            }
            (None, Some(m), Some(sd)) => (Some(es_n * sd), (m != 0.0).then(|| es_n * sd / m.abs())),
            _ => (None, None),
        };
        AtN {
            n_control: n,
            power: pw::power(es_abs, n, a.alpha, a.ratio),
            effect_size: es_n,
            mde_absolute: abs.filter(|v| v.is_finite()),
            mde_relative: rel.filter(|v| v.is_finite()),
        }
    });
    let doc = PowerEvidence {
        kind: "ab-power".into(),
        metric: metric.into(),
        p_control: a.p_control,
        mean: a.mean,
        sd: a.sd,
        mde: a.mde,
        relative: a.relative,
        mde_absolute: mde_abs,
        effect_size: es,
        alpha: a.alpha,
        power: a.power,
        ratio: a.ratio,
        n_control_exact: n1,
        n_control,
        n_treatment,
        n_total: n_control + n_treatment,
        at_n,
        provenance: Provenance::of_this_process(Vec::new(), 0),
    };
    let text = match a.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Csv => csv(&doc),
        Format::Table => table(&doc),
    };
    emit(&text, a.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn table(d: &PowerEvidence) -> String {
    let mut out = String::new();
    let base = match (d.p_control, d.mean, d.sd) {
        (Some(p), _, _) => format!("proportion, control rate {p}"),
        (_, Some(m), Some(s)) => format!("mean, control mean {m}, sd {s}"),
        _ => String::new(),
    };
    out.push_str(&format!("metric: {base}\n"));
    out.push_str(&format!(
        "minimum detectable effect: {}{} (absolute {}; effect size {})\n",
        d.mde,
        if d.relative { " relative" } else { "" },
        sig(d.mde_absolute),
        sig(d.effect_size)
    ));
    out.push_str(&format!(
        "two-sided alpha {}, power {}, treatment:control = {}\n\n",
        d.alpha, d.power, d.ratio
    ));
    out.push_str(&format!(
        "control units    {}  (exact {:.3})\ntreatment units  {}\ntotal            {}\n",
        d.n_control, d.n_control_exact, d.n_treatment, d.n_total
    ));
    if let Some(at) = &d.at_n {
        out.push_str(&format!(
            "\nwith {} control units: power {:.4}; detectable effect {} (absolute {}{})\n",
            at.n_control,
            at.power,
            sig(at.effect_size),
            at.mde_absolute.map_or("-".into(), sig),
            at.mde_relative
                .map_or(String::new(), |r| format!(", relative {:.2}%", r * 100.0))
        ));
    }
    out
}

fn csv(d: &PowerEvidence) -> String {
    format!(
        "metric,mde,relative,mde_absolute,effect_size,alpha,power,ratio,n_control_exact,n_control,n_treatment,n_total\n{},{},{},{},{},{},{},{},{},{},{},{}\n",
        d.metric,
        d.mde,
        d.relative,
        d.mde_absolute,
        d.effect_size,
        d.alpha,
        d.power,
        d.ratio,
        d.n_control_exact,
        d.n_control,
        d.n_treatment,
        d.n_total
    )
}
