//! One evaluation: every metric of a set of rows, and the same metrics on bootstrap
//! resamples of them.
//!
//! Rows become *units* once, in [`Evaluator::new`], in two independent sets:
//! - **cells** for the label metrics and fairness: every one of them is a function of
//!   the counts of (label, prediction, sensitive group) triples, so identical rows are
//!   merged into one unit with a multiplicity. Millions of rows become a few dozen
//!   units, and resampling them multinomially (`rigor_stats::resample`) is exactly the
//!   row bootstrap of these metrics, at the cost of the cells;
//! - **scored rows** for the probability metrics: binary rows are reduced to one sort
//!   key each (the score's bits and whether the label is positive), sorted once, so
//!   ROC AUC, average precision, log loss, Brier and ECE are one sequential sweep;
//!   multiclass rows keep their order, with one sorted order per class column.
//!
//! [`Evaluator::evaluate`] returns every value with its details (per class, confusion
//! matrix, per group) and notes on values that are undefined or set by a convention;
//! [`Evaluator::label_values`] and [`Evaluator::score_values`] return the headline
//! metrics of one resample of each unit set. Each metric's interval therefore comes
//! from a bootstrap over rows; label and score metrics are resampled separately.

use std::sync::OnceLock;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::accuracy::{accuracy, balanced_accuracy};
use super::agreement::{cohen_kappa, mcc};
use super::calibration::{
    binary_brier_term, binary_log_loss_term, brier_term, log_loss_term, Accumulate, EceBins,
    ReliabilityBin, Sum,
};
use super::confusion::Confusion;
use super::curves::{curves, Curves};
use super::fairness::{fairness, rates, Fairness, GroupCounts, GroupRates};
use super::prf::{averaged, per_class, Average, ClassScores};
use super::ranking::{radix_sort, ranking, Ranking, Sweep};

/// What is being evaluated, shared by the whole file and its slices.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// Class names in class order: class code `c` is `class_names[c]`.
    pub class_names: Vec<String>,
    /// The positive class of a binary problem (needed for binary probabilities and
    /// fairness).
    pub positive: Option<u32>,
    /// Sensitive group names: group code `g` is `group_names[g]`.
    pub group_names: Vec<String>,
    pub average: Average,
    /// ECE bins.
    pub bins: usize,
}

/// Predicted probabilities, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Probabilities {
    None,
    /// P(positive class) per row.
    Binary(Vec<f64>),
    /// One column per class (`classes[j]` is column `j`'s class code, ascending):
    /// P(class) per row. Three or more classes.
    PerClass {
        classes: Vec<u32>,
        columns: Vec<Vec<f64>>,
    },
}

/// Rows to evaluate, as class and group codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    pub labels: Vec<u32>,
    pub preds: Vec<u32>,
    pub probabilities: Probabilities,
    /// Sensitive group per row (fairness), if asked for.
    pub groups: Option<Vec<u32>>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The rows at `index` (a slice of the data).
    pub fn select(&self, index: &[u32]) -> Rows {
        let pick_u32 = |v: &[u32]| index.iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
        let pick_f64 = |v: &[f64]| index.iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
        Rows {
            labels: pick_u32(&self.labels),
            preds: pick_u32(&self.preds),
            probabilities: match &self.probabilities {
                Probabilities::None => Probabilities::None,
                Probabilities::Binary(p) => Probabilities::Binary(pick_f64(p)),
                Probabilities::PerClass { classes, columns } => Probabilities::PerClass {
                    classes: classes.clone(),
                    columns: columns.iter().map(|c| pick_f64(c)).collect(),
                },
            },
            groups: self.groups.as_deref().map(pick_u32),
        }
    }
}

/// The full result of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub n: u64,
    /// Headline metrics in [`Evaluator::metric_names`] order; `None` = undefined.
    pub metrics: Vec<(&'static str, Option<f64>)>,
    /// Classes that occur as a label or prediction, in class order.
    pub per_class: Vec<ClassScores>,
    pub confusion: Confusion,
    pub fairness: Option<FairnessDetail>,
    /// Why a value is undefined or was set by convention, for the user.
    pub notes: Vec<String>,
}

/// Calibration and ranking diagnostics for charts ([`Evaluator::diagnostics`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagnostics {
    pub reliability: Vec<ReliabilityBin>,
    pub curves: Option<Curves>,
}

/// Fairness per group and between groups.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessDetail {
    /// Groups that hold rows: (group code, rates), in group order.
    pub groups: Vec<(u32, GroupRates)>,
    pub summary: Fairness,
}

const LABEL_METRICS: [&str; 7] = [
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "mcc",
    "cohen_kappa",
];
const SCORE_METRICS: [&str; 5] = ["roc_auc", "average_precision", "log_loss", "brier", "ece"];
const FAIRNESS_METRICS: [&str; 4] = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
];

/// Rows prepared for repeated evaluation.
pub struct Evaluator<'s> {
    setup: &'s Setup,
    cells: Cells,
    scores: Scores,
}

/// Distinct (label, prediction, group) triples and how many rows each stands for.
struct Cells {
    label: Vec<u32>,
    pred: Vec<u32>,
    group: Option<Vec<u32>>,
    rows: Vec<u64>,
}

enum Scores {
    None,
    /// One key per row, ascending: `score.to_bits() << 1 | label is positive` (scores
    /// are non-negative, so the bits order like the values and the top bit is free).
    /// Log-loss terms in the same order are computed on first resample.
    Binary {
        keys: Vec<u64>,
        log_loss: OnceLock<Vec<f64>>,
    },
    Multi {
        label: Vec<u32>,
        /// Column `j` belongs to class `classes[j]`.
        classes: Vec<u32>,
        columns: Vec<Vec<f64>>,
        /// Rows of column `j` by its probability descending.
        orders: Vec<Vec<u32>>,
        log_loss: Vec<f64>,
        brier: Vec<f64>,
        confidence: Vec<f64>,
        correct: Vec<bool>,
    },
}

/// Score of a binary sort key.
fn key_score(key: u64) -> f64 {
    f64::from_bits(key >> 1)
}

impl<'s> Evaluator<'s> {
    pub fn new(setup: &'s Setup, rows: Rows) -> Self {
        let Rows {
            labels,
            preds,
            probabilities,
            groups,
        } = rows;
        let cells = Cells::new(setup, &labels, &preds, groups.as_deref());
        drop(preds);
        drop(groups);
        let scores = match probabilities {
            Probabilities::None => Scores::None,
            Probabilities::Binary(p) => {
                let positive = setup.positive;
                let mut keys: Vec<u64> = p
                    .par_iter()
                    .zip(labels.par_iter())
                    .map(|(&s, &y)| (s + 0.0).to_bits() << 1 | u64::from(Some(y) == positive))
                    .collect();
                drop(p);
                radix_sort(&mut keys);
                Scores::Binary {
                    keys,
                    log_loss: OnceLock::new(),
                }
            }
            Probabilities::PerClass { classes, columns } => multi(labels, classes, columns),
        };
        Evaluator {
            setup,
            cells,
            scores,
        }
    }

    fn fairness_applies(&self) -> bool {
        self.cells.group.is_some() && self.setup.positive.is_some()
    }

    /// Names of [`Evaluator::label_values`], in order: label metrics, then fairness.
    pub fn label_metric_names(&self) -> Vec<&'static str> {
        let mut names = LABEL_METRICS.to_vec();
        if self.fairness_applies() {
            names.extend(FAIRNESS_METRICS);
        }
        names
    }

    /// Names of [`Evaluator::score_values`] (empty without probabilities).
    pub fn score_metric_names(&self) -> Vec<&'static str> {
        match self.scores {
            Scores::None => Vec::new(),
            _ => SCORE_METRICS.to_vec(),
        }
    }

    /// Rows per label unit (cell), for resampling the label metrics.
    pub fn label_units(&self) -> &[u64] {
        &self.cells.rows
    }

    /// Rows per score unit (every unit is one row), for resampling the score metrics.
    pub fn score_units(&self) -> Vec<u64> {
        match &self.scores {
            Scores::None => Vec::new(),
            Scores::Binary { keys, .. } => vec![1; keys.len()],
            Scores::Multi { label, .. } => vec![1; label.len()],
        }
    }

    /// Label and fairness metrics of a resample: `counts[u]` copies of cell `u`.
    pub fn label_values(&self, counts: &[u32]) -> Vec<Option<f64>> {
        self.label_part(|u| u64::from(counts[u]), false).0
    }

    /// Probability metrics of a resample: `counts[u]` copies of scored row `u`.
    pub fn score_values(&self, counts: &[u32]) -> Vec<Option<f64>> {
        let w = |u: usize| u64::from(counts[u]);
        match &self.scores {
            Scores::None => Vec::new(),
            Scores::Binary { keys, log_loss } => {
                let log_loss = log_loss.get_or_init(|| {
                    keys.par_iter()
                        .map(|&k| binary_log_loss_term(key_score(k), k & 1 == 1))
                        .collect()
                });
                binary_values::<f64, _, _>(self.setup.bins, keys, |u| log_loss[u], w).0
            }
            Scores::Multi { .. } => self.multi_values(w).0,
        }
    }

    /// What a readout draws for calibration and ranking, from every row: the
    /// reliability diagram behind ECE (binary: P(positive) against the label being
    /// positive; multiclass: top-label confidence against the top label being right)
    /// and, for a binary problem with both classes, the ROC and precision-recall curves
    /// thinned to at most `max_points` thresholds ([`super::curves`]). Empty without
    /// probabilities.
    pub fn diagnostics(&self, max_points: usize) -> Diagnostics {
        let mut ece = EceBins::<Sum>::new(self.setup.bins);
        match &self.scores {
            Scores::None => Diagnostics::default(),
            Scores::Binary { keys, .. } => {
                let positives = keys.iter().filter(|&&k| k & 1 == 1).count() as u64;
                let negatives = keys.len() as u64 - positives;
                let rows = || keys.iter().rev().map(|&k| (key_score(k), k & 1 == 1));
                for (score, positive) in rows() {
                    ece.add(score, positive, 1);
                }
                Diagnostics {
                    reliability: ece.reliability(),
                    curves: curves(rows(), positives, negatives, max_points),
                }
            }
            Scores::Multi {
                confidence,
                correct,
                ..
            } => {
                for (&c, &ok) in confidence.iter().zip(correct) {
                    ece.add(c, ok, 1);
                }
                Diagnostics {
                    reliability: ece.reliability(),
                    curves: None,
                }
            }
        }
    }

    /// Every metric of the rows, with details and notes.
    pub fn evaluate(&self) -> Evaluation {
        let cells = &self.cells.rows;
        let (mut values, detail) = self.label_part(|u| cells[u], true);
        let Some(mut detail) = detail else {
            unreachable!("details were asked for")
        };
        let fairness_values = values.split_off(LABEL_METRICS.len());
        let mut names = LABEL_METRICS.to_vec();
        match &self.scores {
            Scores::None => {}
            Scores::Binary { keys, .. } => {
                let (v, r) = binary_values::<Sum, _, _>(
                    self.setup.bins,
                    keys,
                    |u| {
                        let k = keys[u];
                        binary_log_loss_term(key_score(k), k & 1 == 1)
                    },
                    |_| 1,
                );
                self.binary_notes(&r, &mut detail.notes);
                names.extend(SCORE_METRICS);
                values.extend(v);
            }
            Scores::Multi { classes, .. } => {
                let (v, aucs) = self.multi_values(|_| 1);
                self.multi_notes(&detail.confusion, classes, &aucs, &mut detail.notes);
                names.extend(SCORE_METRICS);
                values.extend(v);
            }
        }
        if self.fairness_applies() {
            names.extend(FAIRNESS_METRICS);
            values.extend(fairness_values);
        }
        Evaluation {
            n: detail.confusion.total(),
            metrics: names.into_iter().zip(values).collect(),
            per_class: detail.per_class,
            confusion: detail.confusion,
            fairness: detail.fairness,
            notes: detail.notes,
        }
    }

    /// Label metrics then fairness metrics of the cells weighted by `w`.
    fn label_part<W: Fn(usize) -> u64>(
        &self,
        w: W,
        detail: bool,
    ) -> (Vec<Option<f64>>, Option<Detail>) {
        let setup = self.setup;
        let positive = setup.positive;
        let mut confusion = Confusion::new(setup.class_names.len());
        let mut groups = vec![GroupCounts::default(); setup.group_names.len()];
        let fair = self.fairness_applies();
        let c = &self.cells;
        for u in 0..c.rows.len() {
            let wu = w(u);
            if wu == 0 {
                continue;
            }
            let (y, p) = (c.label[u], c.pred[u]);
            confusion.add(y, p, wu);
            if let (true, Some(g)) = (fair, &c.group) {
                groups[g[u] as usize].add(Some(y) == positive, Some(p) == positive, wu);
            }
        }
        let mut notes = Vec::new();
        let classes = per_class(&confusion);
        let (precision, recall, f1) = averaged(&confusion, &classes, setup.average);
        let (mcc_value, mcc_undefined) = mcc(&confusion);
        let kappa = cohen_kappa(&confusion);
        let mut values = vec![
            Some(accuracy(&confusion)),
            Some(balanced_accuracy(&confusion)),
            Some(precision),
            Some(recall),
            Some(f1),
            Some(mcc_value),
            kappa,
        ];
        if detail {
            self.label_notes(&confusion, &classes, mcc_undefined, kappa, &mut notes);
        }
        let mut fairness_detail = None;
        if fair {
            let group_rates: Vec<(u32, GroupRates)> = groups
                .iter()
                .enumerate()
                .filter(|(_, c)| c.n() > 0)
                .map(|(g, c)| (g as u32, rates(c)))
                .collect();
            let rates_only: Vec<GroupRates> = group_rates.iter().map(|g| g.1).collect();
            let summary = fairness(&rates_only);
            values.extend([
                Some(summary.demographic_parity_difference),
                summary.demographic_parity_ratio,
                Some(summary.equalized_odds_difference),
                summary.equalized_odds_ratio,
            ]);
            if detail {
                self.fairness_notes(&group_rates, &summary, &mut notes);
                fairness_detail = Some(FairnessDetail {
                    groups: group_rates,
                    summary,
                });
            }
        }
        let detail = detail.then_some(Detail {
            per_class: classes,
            confusion,
            fairness: fairness_detail,
            notes,
        });
        (values, detail)
    }

    /// Multiclass probability metrics of the rows weighted by `w`, and each class
    /// column's one-vs-rest AUC.
    fn multi_values<W: Fn(usize) -> u64 + Copy>(
        &self,
        w: W,
    ) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
        let Scores::Multi {
            label,
            classes,
            columns,
            orders,
            log_loss,
            brier,
            confidence,
            correct,
        } = &self.scores
        else {
            return (Vec::new(), Vec::new());
        };
        let mut aucs = Vec::with_capacity(columns.len());
        let mut aps = Vec::new();
        for (j, &c) in classes.iter().enumerate() {
            let r = ranking(orders[j].iter().map(|&u| {
                let u = u as usize;
                (columns[j][u], label[u] == c, w(u))
            }));
            aucs.push(r.roc_auc);
            // scikit-learn's multiclass average precision covers the classes that
            // occur among the labels.
            if r.positives > 0 {
                aps.push(r.average_precision);
            }
        }
        let roc_auc = aucs
            .iter()
            .copied()
            .sum::<Option<f64>>()
            .map(|s| s / aucs.len() as f64);
        let ap = aps.iter().sum::<f64>() / aps.len() as f64;
        let mut n = 0u64;
        let mut loss = Sum::default();
        let mut brier_sum = Sum::default();
        let mut ece = EceBins::<Sum>::new(self.setup.bins);
        for u in 0..label.len() {
            let wu = w(u);
            if wu == 0 {
                continue;
            }
            n += wu;
            let wf = wu as f64;
            loss.add(log_loss[u] * wf);
            brier_sum.add(brier[u] * wf);
            ece.add(confidence[u], correct[u], wu);
        }
        let values = vec![
            roc_auc,
            Some(ap),
            Some(loss.value() / n as f64),
            Some(brier_sum.value() / n as f64),
            Some(ece.ece()),
        ];
        (values, aucs)
    }

    fn names(&self, classes: impl Iterator<Item = usize>) -> String {
        classes
            .map(|c| format!("'{}'", self.setup.class_names[c]))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn label_notes(
        &self,
        confusion: &Confusion,
        classes: &[ClassScores],
        mcc_undefined: bool,
        kappa: Option<f64>,
        notes: &mut Vec<String>,
    ) {
        let never_predicted: Vec<usize> = classes
            .iter()
            .filter(|s| s.precision_undefined)
            .map(|s| s.class)
            .collect();
        if !never_predicted.is_empty() {
            notes.push(format!(
                "precision of class {} is 0/0 (never predicted): reported as 0.0, as \
                 scikit-learn's zero_division default, and included in the macro average",
                self.names(never_predicted.into_iter())
            ));
        }
        let never_true: Vec<usize> = classes
            .iter()
            .filter(|s| s.recall_undefined)
            .map(|s| s.class)
            .collect();
        if !never_true.is_empty() {
            notes.push(format!(
                "recall of class {} is 0/0 (not among the labels): reported as 0.0, as \
                 scikit-learn's zero_division default; balanced_accuracy leaves the class out",
                self.names(never_true.into_iter())
            ));
        }
        if mcc_undefined {
            notes.push(
                "mcc is 0/0 (labels or predictions hold a single class): reported as 0.0, \
                 as scikit-learn"
                    .to_string(),
            );
        }
        if kappa.is_none() {
            let only = confusion.present();
            notes.push(format!(
                "cohen_kappa is undefined (labels and predictions share only class {}): null",
                self.names(only.into_iter())
            ));
        }
    }

    fn binary_notes(&self, r: &Ranking, notes: &mut Vec<String>) {
        let pos = r.positives;
        let positive = self
            .setup
            .positive
            .map(|c| self.setup.class_names[c as usize].clone())
            .unwrap_or_default();
        if r.roc_auc.is_none() {
            let missing = if pos == 0 { "positive" } else { "negative" };
            notes.push(format!(
                "roc_auc is undefined: no {missing} labels (positive class '{positive}'): null"
            ));
        }
        if pos == 0 {
            notes.push(format!(
                "average_precision: no positive labels (positive class '{positive}'): \
                 reported as 0.0, as scikit-learn"
            ));
        }
    }

    fn multi_notes(
        &self,
        confusion: &Confusion,
        classes: &[u32],
        aucs: &[Option<f64>],
        notes: &mut Vec<String>,
    ) {
        let undefined: Vec<usize> = classes
            .iter()
            .zip(aucs)
            .filter(|(_, a)| a.is_none())
            .map(|(&c, _)| c as usize)
            .collect();
        if !undefined.is_empty() {
            notes.push(format!(
                "roc_auc (one-vs-rest macro) is undefined: class {} is not among the labels \
                 or is every label, so its one-vs-rest AUC is undefined: null",
                self.names(undefined.into_iter())
            ));
        }
        let absent: Vec<usize> = classes
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| confusion.true_count(c) == 0)
            .collect();
        if !absent.is_empty() {
            notes.push(format!(
                "average_precision is the macro average over the classes among the labels \
                 (as scikit-learn's multiclass average_precision_score); left out: class {}",
                self.names(absent.into_iter())
            ));
        }
    }

    fn fairness_notes(
        &self,
        groups: &[(u32, GroupRates)],
        summary: &Fairness,
        notes: &mut Vec<String>,
    ) {
        let names = |f: fn(&GroupRates) -> bool| {
            groups
                .iter()
                .filter(|(_, r)| f(r))
                .map(|(g, _)| format!("'{}'", self.setup.group_names[*g as usize]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let no_pos = names(|r| r.no_positives);
        if !no_pos.is_empty() {
            notes.push(format!(
                "group {no_pos} has no positive labels: its TPR is 0/0, reported as 0.0 as Fairlearn"
            ));
        }
        let no_neg = names(|r| r.no_negatives);
        if !no_neg.is_empty() {
            notes.push(format!(
                "group {no_neg} has no negative labels: its FPR is 0/0, reported as 0.0 as Fairlearn"
            ));
        }
        if summary.demographic_parity_ratio.is_none() {
            notes.push(
                "demographic_parity_ratio is 0/0 (no group has a positive prediction): null"
                    .to_string(),
            );
        }
        match (summary.tpr.ratio, summary.fpr.ratio) {
            (None, _) => notes.push(
                "equalized_odds_ratio is undefined: the TPR ratio is 0/0 (every group's TPR \
                 is 0): null, as Fairlearn"
                    .to_string(),
            ),
            (Some(_), None) => notes.push(
                "equalized_odds_ratio is the TPR ratio alone: the FPR ratio is 0/0 (every \
                 group's FPR is 0), which Fairlearn's min() passes over"
                    .to_string(),
            ),
            _ => {}
        }
    }
}

struct Detail {
    per_class: Vec<ClassScores>,
    confusion: Confusion,
    fairness: Option<FairnessDetail>,
    notes: Vec<String>,
}

impl Cells {
    /// Merges identical (label, prediction, group) rows.
    fn new(setup: &Setup, labels: &[u32], preds: &[u32], groups: Option<&[u32]>) -> Cells {
        let k = setup.class_names.len().max(1) as u64;
        let g = setup.group_names.len().max(1) as u64;
        let key = |i: usize| {
            (u64::from(labels[i]) * k + u64::from(preds[i])) * g
                + groups.map_or(0, |gr| u64::from(gr[i]))
        };
        let space = k * k * g;
        let cells: Vec<(u64, u64)> = if space <= 1 << 16 {
            // Few possible cells: count in a dense table, in parallel chunks.
            let dense = (0..labels.len())
                .into_par_iter()
                .fold(
                    || vec![0u64; space as usize],
                    |mut t, i| {
                        t[key(i) as usize] += 1;
                        t
                    },
                )
                .reduce(
                    || vec![0u64; space as usize],
                    |mut a, b| {
                        for (x, y) in a.iter_mut().zip(b) {
                            *x += y;
                        }
                        a
                    },
                );
            dense
                .into_iter()
                .enumerate()
                .filter(|(_, c)| *c > 0)
                .map(|(kk, c)| (kk as u64, c))
                .collect()
        } else {
            let mut counts: FxHashMap<u64, u64> = FxHashMap::default();
            for i in 0..labels.len() {
                *counts.entry(key(i)).or_insert(0) += 1;
            }
            let mut cells: Vec<(u64, u64)> = counts.into_iter().collect();
            cells.sort_unstable();
            cells
        };
        let decode = |kk: u64| {
            let pair = kk / g;
            ((pair / k) as u32, (pair % k) as u32, (kk % g) as u32)
        };
        Cells {
            label: cells.iter().map(|c| decode(c.0).0).collect(),
            pred: cells.iter().map(|c| decode(c.0).1).collect(),
            group: groups.map(|_| cells.iter().map(|c| decode(c.0).2).collect()),
            rows: cells.iter().map(|c| c.1).collect(),
        }
    }
}

/// Binary probability metrics from sort keys (ascending) weighted by `w`, in one pass
/// from the highest score down.
fn binary_values<A, L, W>(
    bins: usize,
    keys: &[u64],
    log_loss: L,
    w: W,
) -> (Vec<Option<f64>>, Ranking)
where
    A: Accumulate + Clone,
    L: Fn(usize) -> f64,
    W: Fn(usize) -> u64,
{
    let mut sweep = Sweep::default();
    let mut n = 0u64;
    let mut loss = A::default();
    let mut brier = A::default();
    let mut ece = EceBins::<A>::new(bins);
    // Rows of weight 0 (a third of a resample) add zeros: cheaper than a branch.
    for u in (0..keys.len()).rev() {
        let wu = w(u);
        let k = keys[u];
        let (score, positive) = (key_score(k), k & 1 == 1);
        sweep.push(score, positive, wu);
        n += wu;
        let wf = wu as f64;
        loss.add(log_loss(u) * wf);
        brier.add(binary_brier_term(score, positive) * wf);
        ece.add(score, positive, wu);
    }
    let r = sweep.finish();
    let values = vec![
        r.roc_auc,
        Some(r.average_precision),
        Some(loss.value() / n as f64),
        Some(brier.value() / n as f64 * 0.5),
        Some(ece.ece()),
    ];
    (values, r)
}

/// Multiclass rows: per-row terms and one sorted order per class column.
fn multi(labels: Vec<u32>, classes: Vec<u32>, columns: Vec<Vec<f64>>) -> Scores {
    let column_of: FxHashMap<u32, usize> =
        classes.iter().enumerate().map(|(j, &c)| (c, j)).collect();
    let orders: Vec<Vec<u32>> = columns
        .iter()
        .map(|col| {
            let mut keyed: Vec<(u64, u32)> = col
                .par_iter()
                .enumerate()
                .map(|(i, &s)| (u64::MAX - (s + 0.0).to_bits(), i as u32))
                .collect();
            keyed.par_sort_unstable();
            keyed.into_iter().map(|(_, i)| i).collect()
        })
        .collect();
    let per_row: Vec<(f64, f64, f64, bool)> = (0..labels.len())
        .into_par_iter()
        .map(|i| {
            let truth = column_of.get(&labels[i]).copied();
            let p_true = truth.map_or(0.0, |j| columns[j][i]);
            let mut best = 0;
            for j in 1..columns.len() {
                if columns[j][i] > columns[best][i] {
                    best = j;
                }
            }
            (
                log_loss_term(p_true),
                brier_term(columns.iter().map(|c| c[i]), truth),
                columns[best][i],
                classes[best] == labels[i],
            )
        })
        .collect();
    Scores::Multi {
        label: labels,
        classes,
        columns,
        orders,
        log_loss: per_row.iter().map(|r| r.0).collect(),
        brier: per_row.iter().map(|r| r.1).collect(),
        confidence: per_row.iter().map(|r| r.2).collect(),
        correct: per_row.iter().map(|r| r.3).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(classes: &[&str], positive: Option<u32>, groups: &[&str]) -> Setup {
        Setup {
            class_names: classes.iter().map(|s| s.to_string()).collect(),
            positive,
            group_names: groups.iter().map(|s| s.to_string()).collect(),
            average: Average::Macro,
            bins: 10,
        }
    }

    fn metric(e: &Evaluation, name: &str) -> Option<f64> {
        e.metrics.iter().find(|m| m.0 == name).expect("metric").1
    }

    #[test]
    fn cells_merge_identical_rows_without_changing_values() {
        let s = setup(&["a", "b"], Some(1), &["x", "y"]);
        let rows = Rows {
            labels: vec![0, 1, 1, 0, 1, 1],
            preds: vec![0, 1, 0, 0, 1, 1],
            probabilities: Probabilities::None,
            groups: Some(vec![0, 0, 1, 0, 1, 0]),
        };
        let ev = Evaluator::new(&s, rows);
        assert_eq!(ev.label_units().iter().sum::<u64>(), 6);
        assert!(ev.label_units().len() < 6);
        let e = ev.evaluate();
        assert_eq!(e.n, 6);
        assert_eq!(metric(&e, "accuracy"), Some(5.0 / 6.0));
        // The values of a resample that repeats every unit by its multiplicity are
        // the evaluation's values.
        let m: Vec<u32> = ev.label_units().iter().map(|&x| x as u32).collect();
        let again = ev.label_values(&m);
        assert_eq!(again, e.metrics.iter().map(|m| m.1).collect::<Vec<_>>());
        let f = e.fairness.unwrap();
        assert_eq!(f.groups.len(), 2);
        // x: labels a b a b, preds a b a b → selection 2/4; y: labels b b, preds a b.
        assert_eq!(f.groups[0].1.selection_rate, 0.5);
        assert_eq!(f.groups[1].1.tpr, 0.5);
    }

    #[test]
    fn binary_scores_are_sorted_once_and_weights_repeat_rows() {
        let s = setup(&["0", "1"], Some(1), &[]);
        let rows = Rows {
            labels: vec![1, 0, 1, 0],
            preds: vec![1, 0, 0, 1],
            probabilities: Probabilities::Binary(vec![0.9, 0.2, 0.2, 1.0]),
            groups: None,
        };
        let ev = Evaluator::new(&s, rows);
        let e = ev.evaluate();
        // Pairs (pos, neg): (0.9,0.2) win, (0.9,1.0) lose, (0.2,0.2) tie, (0.2,1.0) lose.
        assert_eq!(metric(&e, "roc_auc"), Some(1.5 / 4.0));
        assert_eq!(metric(&e, "ece").map(|v| v >= 0.0), Some(true));
        let doubled = ev.score_values(&[2, 2, 2, 2]);
        let scored: Vec<Option<f64>> = e.metrics[7..12].iter().map(|m| m.1).collect();
        assert_eq!(
            ev.score_metric_names(),
            e.metrics[7..12].iter().map(|m| m.0).collect::<Vec<_>>()
        );
        for (a, b) in doubled.iter().zip(&scored) {
            assert!(
                (a.unwrap() - b.unwrap()).abs() <= 1e-14 * b.unwrap().abs(),
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn multiclass_auc_is_undefined_when_a_scored_class_has_no_labels() {
        let s = setup(&["a", "b", "c"], None, &[]);
        let rows = Rows {
            labels: vec![0, 1, 0, 1],
            preds: vec![0, 1, 1, 1],
            probabilities: Probabilities::PerClass {
                classes: vec![0, 1, 2],
                columns: vec![
                    vec![0.7, 0.1, 0.4, 0.2],
                    vec![0.2, 0.8, 0.5, 0.7],
                    vec![0.1, 0.1, 0.1, 0.1],
                ],
            },
            groups: None,
        };
        let e = Evaluator::new(&s, rows).evaluate();
        assert_eq!(metric(&e, "roc_auc"), None);
        assert_eq!(metric(&e, "average_precision"), Some(1.0));
        assert!(e.notes.iter().any(|n| n.contains("roc_auc")));
    }
}
