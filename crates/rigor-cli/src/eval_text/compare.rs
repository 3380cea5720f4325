//! Several `--hyp`: every later system against the first, measure by measure, on the
//! same segments. Corpus measures (BLEU, chrF, chrF++, TER) by sacrebleu's paired
//! bootstrap or approximate randomization on the per-segment sufficient statistics
//! ([`rigor_stats::corpus_paired`]); sentence-level measures by the chosen
//! [`PairedTest`] on item scores ([`compare_paired_columns`]); p-values corrected
//! across every (candidate, measure) pair as `rigor eval ir` does.

use rayon::prelude::*;
use rigor_io::evidence::Comparison;
use rigor_metrics::text::{Evaluator, TextMeasure};
use rigor_stats::corpus_paired::{approximate_randomization, paired_bootstrap_p};
use rigor_stats::statistic_bootstrap::{percentile_columns, summed_statistic_resamples};
use rigor_stats::{adjust, compare_paired_columns, Bootstrap, Correction, PairedTest};

use super::System;
use crate::Failure;

/// The test of corpus-level measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CorpusTest {
    /// sacrebleu --paired-bs: paired bootstrap resampling (Koehn 2004).
    PairedBs,
    /// sacrebleu --paired-ar: approximate randomization (Riezler & Maxwell 2005).
    PairedAr,
}

impl CorpusTest {
    pub fn as_str(self) -> &'static str {
        match self {
            CorpusTest::PairedBs => "paired-bs",
            CorpusTest::PairedAr => "paired-ar",
        }
    }
}

pub struct Options {
    pub test: PairedTest,
    pub corpus_test: CorpusTest,
    pub trials: usize,
    pub bootstrap: Bootstrap,
    /// Report intervals of the differences (not `--no-ci`).
    pub intervals: bool,
    pub correction: Correction,
    pub alpha: f64,
}

/// Every system's corpus scores in every bootstrap resample of the segments:
/// `values[r][j * measures + m]` is system `j`'s score on measure `m` in resample `r`.
/// One pass over the segments serves all systems, and the draws are those of a lone
/// system, so each system's intervals are what it gets evaluated alone.
pub fn resample_systems(
    bootstrap: &Bootstrap,
    systems: &[System],
    evaluator: &Evaluator,
) -> Option<Vec<Vec<f64>>> {
    let width = evaluator.width();
    let n = systems.first()?.rows.len() / width.max(1);
    let joined: Vec<f64> = if systems.len() == 1 {
        systems[0].rows.clone()
    } else {
        (0..n)
            .flat_map(|i| {
                systems
                    .iter()
                    .flat_map(move |s| s.rows[i * width..(i + 1) * width].iter().copied())
            })
            .collect()
    };
    summed_statistic_resamples(bootstrap, &joined, width * systems.len(), |s, n| {
        s.chunks_exact(width)
            .flat_map(|sum| evaluator.scores(sum, n))
            .collect()
    })
}

/// The comparisons of every candidate with the baseline (`systems[0]`), corrected.
pub fn compare(
    systems: &[System],
    measures: &[TextMeasure],
    evaluator: &Evaluator,
    resampled: Option<&[Vec<f64>]>,
    o: &Options,
) -> Result<Vec<Comparison>, Failure> {
    let Some((baseline, candidates)) = systems.split_first() else {
        return Ok(Vec::new());
    };
    let k = measures.len();
    let width = evaluator.width();
    let n = baseline.rows.len() / width.max(1);

    // Sentence-level measures: all candidates × measures in one batch.
    let sentence: Vec<usize> = (0..k).filter(|&m| !measures[m].corpus_level()).collect();
    let items: Vec<Vec<f64>> = systems
        .iter()
        .map(|s| {
            s.rows
                .par_chunks_exact(width)
                .flat_map_iter(|row| evaluator.item_scores(row))
                .collect()
        })
        .collect();
    let column =
        |j: usize, m: usize| -> Vec<f64> { items[j].iter().skip(m).step_by(k).copied().collect() };
    let mut base_cols = Vec::new();
    let mut cand_cols = Vec::new();
    for j in 1..systems.len() {
        for &m in &sentence {
            base_cols.push(column(0, m));
            cand_cols.push(column(j, m));
        }
    }
    let sentence_results = if base_cols.is_empty() || n == 0 {
        Vec::new()
    } else {
        let b: Vec<&[f64]> = base_cols.iter().map(Vec::as_slice).collect();
        let c: Vec<&[f64]> = cand_cols.iter().map(Vec::as_slice).collect();
        compare_paired_columns(&b, &c, o.test, &o.bootstrap, o.intervals)
            .map_err(|e| Failure::Internal(format!("paired comparison: {e}")))?
    };

    // Corpus measures: deltas in the shared resamples, and the chosen test.
    let corpus: Vec<usize> = (0..k).filter(|&m| measures[m].corpus_level()).collect();
    let delta_intervals = match resampled {
        Some(values) if o.intervals && !corpus.is_empty() => {
            let deltas: Vec<Vec<f64>> = values
                .iter()
                .map(|r| {
                    (1..systems.len())
                        .flat_map(|j| corpus.iter().map(move |&m| r[j * k + m] - r[m]))
                        .collect()
                })
                .collect();
            Some(percentile_columns(&deltas, o.bootstrap.confidence))
        }
        _ => None,
    };
    let ar: Vec<Vec<Option<f64>>> = if o.corpus_test == CorpusTest::PairedAr && !corpus.is_empty() {
        candidates
            .iter()
            .map(|c| {
                approximate_randomization(
                    o.bootstrap.seed,
                    o.trials,
                    &baseline.rows,
                    &c.rows,
                    width,
                    |s, n| evaluator.scores(s, n),
                )
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut comparisons = Vec::new();
    for (ci, cand) in candidates.iter().enumerate() {
        let j = ci + 1;
        for (m, measure) in measures.iter().enumerate() {
            let name = measure.name().to_string();
            let c = if measure.corpus_level() {
                let (b, v) = (baseline.scores[m], cand.scores[m]);
                let delta = v - b;
                let slot = ci * corpus.len() + corpus.iter().position(|&x| x == m).unwrap_or(0);
                let interval = delta_intervals.as_ref().map(|d| d[slot]);
                let p_value = match o.corpus_test {
                    CorpusTest::PairedBs => resampled.and_then(|values| {
                        let bs: Vec<f64> = values.iter().map(|r| r[m]).collect();
                        let cs: Vec<f64> = values.iter().map(|r| r[j * k + m]).collect();
                        paired_bootstrap_p(&bs, &cs, delta)
                    }),
                    CorpusTest::PairedAr => ar.get(ci).and_then(|p| p.get(m).copied().flatten()),
                };
                Comparison {
                    baseline: baseline.name.clone(),
                    candidate: cand.name.clone(),
                    measure: name,
                    n,
                    baseline_mean: b,
                    candidate_mean: v,
                    delta,
                    relative_lift: (b != 0.0).then(|| delta / b.abs()),
                    ci_low: interval.map(|i| i.low),
                    ci_high: interval.map(|i| i.high),
                    effect_size: None,
                    test: o.corpus_test.as_str().to_string(),
                    p_value,
                    p_adjusted: None,
                    correction: o.correction.as_str().to_string(),
                    significant: false,
                }
            } else {
                let slot = ci * sentence.len() + sentence.iter().position(|&x| x == m).unwrap_or(0);
                let Some(r) = sentence_results.get(slot) else {
                    continue;
                };
                Comparison {
                    baseline: baseline.name.clone(),
                    candidate: cand.name.clone(),
                    measure: name,
                    n: r.n,
                    baseline_mean: r.baseline_mean,
                    candidate_mean: r.candidate_mean,
                    delta: r.delta,
                    relative_lift: r.relative_lift,
                    ci_low: r.ci_low,
                    ci_high: r.ci_high,
                    effect_size: r.effect_size,
                    test: o.test.to_string(),
                    p_value: r.p_value,
                    p_adjusted: None,
                    correction: o.correction.as_str().to_string(),
                    significant: false,
                }
            };
            comparisons.push(c);
        }
    }
    let p_values: Vec<Option<f64>> = comparisons.iter().map(|c| c.p_value).collect();
    let adjusted = adjust(&p_values, o.correction, o.alpha);
    for ((c, p), rejected) in comparisons
        .iter_mut()
        .zip(adjusted.p_adjusted)
        .zip(adjusted.rejected)
    {
        c.p_adjusted = p;
        c.significant = rejected;
    }
    let undefined = comparisons.iter().filter(|c| c.p_value.is_none()).count();
    if undefined > 0 {
        eprintln!(
            "warning: {undefined} comparisons have no p-value (identical systems or constant differences): reported as null, never significant"
        );
    }
    Ok(comparisons)
}
