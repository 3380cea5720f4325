//! One evaluation: every metric of a set of rows, and the same metrics on a bootstrap
//! resample of them.
//!
//! Rows become *units* once, in [`Evaluator::new`]:
//! - without probabilities every metric is a function of the counts of
//!   (label, prediction, sensitive group) triples, so identical rows are merged into
//!   one unit with a multiplicity — millions of rows become a few dozen units, and
//!   resampling them (multinomially, see `rigor_stats::resample`) is exact and cheap;
//! - with probabilities each row is a unit. Binary rows are sorted by score (highest
//!   first) so the ranking metrics are one sequential sweep; multiclass rows keep their
//!   order and each class column has its own sorted order. Per-row log-loss terms are
//!   computed once.
//!
//! [`Evaluator::evaluate`] weighs each unit by its multiplicity and also returns the
//! details (per class, confusion matrix, per group) and notes on every value that
//! is undefined or was set by a convention; [`Evaluator::values`] weighs units by a
//! resample's counts and returns only the headline metrics.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::accuracy::{accuracy, balanced_accuracy};
use super::agreement::{cohen_kappa, mcc};
use super::calibration::{
    binary_brier_term, binary_log_loss_term, brier_term, log_loss_term, EceBins, Sum,
};
use super::confusion::Confusion;
use super::fairness::{fairness, rates, Fairness, GroupCounts, GroupRates};
use super::prf::{averaged, per_class, Average, ClassScores};
use super::ranking::{ranking, Ranking};

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
    label: Vec<u32>,
    pred: Vec<u32>,
    group: Option<Vec<u32>>,
    /// Rows per unit; `None` when every unit is one row.
    multiplicity: Option<Vec<u64>>,
    scores: Scores,
}

enum Scores {
    None,
    /// Units sorted by `score` descending.
    Binary {
        score: Vec<f64>,
        log_loss: Vec<f64>,
    },
    Multi {
        /// Column `j` belongs to class `classes[j]`.
        classes: Vec<u32>,
        columns: Vec<Vec<f64>>,
        /// Units of column `j` by its probability descending.
        orders: Vec<Vec<u32>>,
        log_loss: Vec<f64>,
        brier: Vec<f64>,
        confidence: Vec<f64>,
        correct: Vec<bool>,
    },
}

impl<'s> Evaluator<'s> {
    pub fn new(setup: &'s Setup, rows: Rows) -> Self {
        let Rows {
            labels,
            preds,
            probabilities,
            groups,
        } = rows;
        match probabilities {
            Probabilities::None => Self::cells(setup, &labels, &preds, groups.as_deref()),
            Probabilities::Binary(p) => Self::binary(setup, labels, preds, groups, p),
            Probabilities::PerClass { classes, columns } => {
                Self::multi(setup, labels, preds, groups, classes, columns)
            }
        }
    }

    /// Merges identical (label, prediction, group) rows.
    fn cells(setup: &'s Setup, labels: &[u32], preds: &[u32], groups: Option<&[u32]>) -> Self {
        let k = setup.class_names.len().max(1) as u64;
        let g = setup.group_names.len().max(1) as u64;
        let key = |i: usize| {
            (u64::from(labels[i]) * k + u64::from(preds[i])) * g
                + groups.map_or(0, |gr| u64::from(gr[i]))
        };
        let mut counts: FxHashMap<u64, u64> = FxHashMap::default();
        let mut last = (u64::MAX, 0u64);
        for i in 0..labels.len() {
            let kk = key(i);
            if kk == last.0 {
                last.1 += 1;
                continue;
            }
            if last.1 > 0 {
                *counts.entry(last.0).or_insert(0) += last.1;
            }
            last = (kk, 1);
        }
        if last.1 > 0 {
            *counts.entry(last.0).or_insert(0) += last.1;
        }
        let mut cells: Vec<(u64, u64)> = counts.into_iter().collect();
        cells.sort_unstable();
        let decode = |kk: u64| {
            let group = (kk % g) as u32;
            let pair = kk / g;
            ((pair / k) as u32, (pair % k) as u32, group)
        };
        Evaluator {
            setup,
            label: cells.iter().map(|c| decode(c.0).0).collect(),
            pred: cells.iter().map(|c| decode(c.0).1).collect(),
            group: groups.map(|_| cells.iter().map(|c| decode(c.0).2).collect()),
            multiplicity: Some(cells.iter().map(|c| c.1).collect()),
            scores: Scores::None,
        }
    }

    fn binary(
        setup: &'s Setup,
        labels: Vec<u32>,
        preds: Vec<u32>,
        groups: Option<Vec<u32>>,
        p: Vec<f64>,
    ) -> Self {
        // Sort by score descending; -0.0 is 0.0 (as numpy's comparisons see it).
        let mut keyed: Vec<(u64, u32)> = p
            .par_iter()
            .enumerate()
            .map(|(i, &s)| (u64::MAX - (s + 0.0).to_bits(), i as u32))
            .collect();
        keyed.par_sort_unstable();
        let order: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
        let gather = |v: &[u32]| order.par_iter().map(|&i| v[i as usize]).collect::<Vec<_>>();
        let label = gather(&labels);
        drop(labels);
        let pred = gather(&preds);
        drop(preds);
        let group = groups.as_deref().map(gather);
        drop(groups);
        let score: Vec<f64> = order.par_iter().map(|&i| p[i as usize] + 0.0).collect();
        drop(p);
        let positive = setup.positive;
        let log_loss = score
            .par_iter()
            .zip(&label)
            .map(|(&s, &y)| binary_log_loss_term(s, Some(y) == positive))
            .collect();
        Evaluator {
            setup,
            label,
            pred,
            group,
            multiplicity: None,
            scores: Scores::Binary { score, log_loss },
        }
    }

    fn multi(
        setup: &'s Setup,
        labels: Vec<u32>,
        preds: Vec<u32>,
        groups: Option<Vec<u32>>,
        classes: Vec<u32>,
        columns: Vec<Vec<f64>>,
    ) -> Self {
        let column_of: FxHashMap<u32, usize> =
            classes.iter().enumerate().map(|(j, &c)| (c, j)).collect();
        let n = labels.len();
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
        let per_row: Vec<(f64, f64, f64, bool)> = (0..n)
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
        Evaluator {
            setup,
            label: labels,
            pred: preds,
            group: groups,
            multiplicity: None,
            scores: Scores::Multi {
                classes,
                columns,
                orders,
                log_loss: per_row.iter().map(|r| r.0).collect(),
                brier: per_row.iter().map(|r| r.1).collect(),
                confidence: per_row.iter().map(|r| r.2).collect(),
                correct: per_row.iter().map(|r| r.3).collect(),
            },
        }
    }

    /// Names of the headline metrics, in the order of every value vector.
    pub fn metric_names(&self) -> Vec<&'static str> {
        let mut names = LABEL_METRICS.to_vec();
        if !matches!(self.scores, Scores::None) {
            names.extend(SCORE_METRICS);
        }
        if self.fairness_applies() {
            names.extend(FAIRNESS_METRICS);
        }
        names
    }

    fn fairness_applies(&self) -> bool {
        self.group.is_some() && self.setup.positive.is_some()
    }

    /// Rows per unit, for resampling.
    pub fn multiplicities(&self) -> Vec<u64> {
        match &self.multiplicity {
            Some(m) => m.clone(),
            None => vec![1; self.label.len()],
        }
    }

    /// Headline metrics of a resample: `counts[u]` copies of unit `u`.
    pub fn values(&self, counts: &[u32]) -> Vec<Option<f64>> {
        self.compute(|u| u64::from(counts[u]), false).0
    }

    /// Every metric of the rows, with details and notes.
    pub fn evaluate(&self) -> Evaluation {
        let (values, detail) = match &self.multiplicity {
            Some(m) => self.compute(|u| m[u], true),
            None => self.compute(|_| 1, true),
        };
        let detail = detail.expect("details were asked for");
        Evaluation {
            n: detail.confusion.total(),
            metrics: self.metric_names().into_iter().zip(values).collect(),
            per_class: detail.per_class,
            confusion: detail.confusion,
            fairness: detail.fairness,
            notes: detail.notes,
        }
    }

    fn compute<W: Fn(usize) -> u64 + Copy>(
        &self,
        w: W,
        detail: bool,
    ) -> (Vec<Option<f64>>, Option<Detail>) {
        let setup = self.setup;
        let k = setup.class_names.len();
        let positive = setup.positive;
        let mut confusion = Confusion::new(k);
        let mut groups = vec![GroupCounts::default(); setup.group_names.len()];
        let fair = self.fairness_applies();
        for u in 0..self.label.len() {
            let wu = w(u);
            if wu == 0 {
                continue;
            }
            let (y, p) = (self.label[u], self.pred[u]);
            confusion.add(y, p, wu);
            if fair {
                if let Some(g) = &self.group {
                    groups[g[u] as usize].add(Some(y) == positive, Some(p) == positive, wu);
                }
            }
        }
        let n = confusion.total();
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
        match &self.scores {
            Scores::None => {}
            Scores::Binary { score, log_loss } => {
                let pos = positive.map_or(0, |c| confusion.true_count(c as usize));
                let r = ranking(
                    (0..score.len()).map(|u| (score[u], Some(self.label[u]) == positive, w(u))),
                    pos,
                    n - pos,
                );
                let mut loss = Sum::default();
                let mut brier = Sum::default();
                let mut ece = EceBins::new(setup.bins);
                for u in 0..score.len() {
                    let wu = w(u);
                    if wu == 0 {
                        continue;
                    }
                    let is_pos = Some(self.label[u]) == positive;
                    let wf = wu as f64;
                    loss.add(log_loss[u] * wf);
                    brier.add(binary_brier_term(score[u], is_pos) * wf);
                    ece.add(score[u], is_pos, wu);
                }
                if detail {
                    self.binary_notes(&r, pos, n, &mut notes);
                }
                values.extend([
                    r.roc_auc,
                    Some(r.average_precision),
                    Some(loss.value() / n as f64),
                    Some(brier.value() / n as f64 * 0.5),
                    Some(ece.ece()),
                ]);
            }
            Scores::Multi {
                classes: score_classes,
                columns,
                orders,
                log_loss,
                brier,
                confidence,
                correct,
            } => {
                let mut aucs = Vec::with_capacity(columns.len());
                let mut aps = Vec::new();
                for (j, &c) in score_classes.iter().enumerate() {
                    let pos = confusion.true_count(c as usize);
                    let r = ranking(
                        orders[j].iter().map(|&u| {
                            let u = u as usize;
                            (columns[j][u], self.label[u] == c, w(u))
                        }),
                        pos,
                        n - pos,
                    );
                    aucs.push(r.roc_auc);
                    if pos > 0 {
                        aps.push(r.average_precision);
                    }
                }
                let roc_auc = aucs
                    .iter()
                    .copied()
                    .sum::<Option<f64>>()
                    .map(|s| s / aucs.len() as f64);
                let ap = aps.iter().sum::<f64>() / aps.len() as f64;
                let mut loss = Sum::default();
                let mut brier_sum = Sum::default();
                let mut ece = EceBins::new(setup.bins);
                for u in 0..self.label.len() {
                    let wu = w(u);
                    if wu == 0 {
                        continue;
                    }
                    let wf = wu as f64;
                    loss.add(log_loss[u] * wf);
                    brier_sum.add(brier[u] * wf);
                    ece.add(confidence[u], correct[u], wu);
                }
                if detail {
                    self.multi_notes(&confusion, score_classes, &aucs, &mut notes);
                }
                values.extend([
                    roc_auc,
                    Some(ap),
                    Some(loss.value() / n as f64),
                    Some(brier_sum.value() / n as f64),
                    Some(ece.ece()),
                ]);
            }
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

    fn binary_notes(&self, r: &Ranking, pos: u64, n: u64, notes: &mut Vec<String>) {
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
        let _ = n;
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
        assert_eq!(ev.multiplicities().iter().sum::<u64>(), 6);
        assert!(ev.multiplicities().len() < 6);
        let e = ev.evaluate();
        assert_eq!(e.n, 6);
        assert_eq!(metric(&e, "accuracy"), Some(5.0 / 6.0));
        // The values of a resample that repeats every unit by its multiplicity are
        // the evaluation's values.
        let m: Vec<u32> = ev.multiplicities().iter().map(|&x| x as u32).collect();
        let again = ev.values(&m);
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
        let doubled = ev.values(&[2, 2, 2, 2]);
        assert_eq!(doubled, e.metrics.iter().map(|m| m.1).collect::<Vec<_>>());
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
