//! From columns as read to a classification problem: class codes in scikit-learn's
//! order, the positive class, binary or multiclass probabilities, sensitive groups
//! and slices. Every way the columns can contradict each other is a [`ProblemError`].
//!
//! Rules:
//! - Classes are the sorted union of labels and predictions (and, with one probability
//!   column per class, the classes of those columns); see [`super::classes`].
//! - A single probability column (`--score COL`) is P(positive): binary, at most two
//!   classes. Two per-class columns are binary too (the positive class's column is
//!   used). Three or more per-class columns are multiclass; every label needs one.
//! - The positive class is `--positive` when given — it must occur as a label, a
//!   prediction or a probability column — else the greater of two classes, as
//!   scikit-learn's default `pos_label` for `roc_auc_score` and `brier_score_loss`.
//! - Slices (`--by`) and sensitive groups (`--sensitive`) are the combinations of
//!   their columns' values that occur, in sorted order; several columns' values are
//!   joined by `|` in names.

use std::fmt;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::classes::sorted_order;
use super::evaluate::{Probabilities, Rows, Setup};
use super::prf::Average;

/// A dictionary-encoded text column: row `i` holds `values[codes[i]]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Coded {
    pub values: Vec<String>,
    pub codes: Vec<u32>,
}

/// Predicted probabilities as given.
#[derive(Debug, Clone, PartialEq)]
pub enum ScoreInput {
    None,
    /// One column: P(positive).
    Binary(Vec<f64>),
    /// (class name, P(class)) per class.
    PerClass(Vec<(String, Vec<f64>)>),
}

/// The columns of a classification problem and how to evaluate them.
#[derive(Debug, Clone)]
pub struct Input {
    pub labels: Coded,
    pub preds: Coded,
    pub scores: ScoreInput,
    pub positive: Option<String>,
    /// Sensitive feature columns: (name, values).
    pub sensitive: Vec<(String, Coded)>,
    /// Slice columns: (name, values).
    pub by: Vec<(String, Coded)>,
    pub average: Average,
    pub bins: usize,
}

/// A slice of the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    /// The slice's name: its `--by` values joined by `|`.
    pub name: String,
    /// (column, value) per `--by` column.
    pub by: Vec<(String, String)>,
    /// Row indices.
    pub rows: Vec<u32>,
}

/// A problem ready to evaluate.
#[derive(Debug, Clone)]
pub struct Problem {
    pub setup: Setup,
    pub rows: Rows,
    pub slices: Vec<Slice>,
    /// Things the user should know (not errors).
    pub notes: Vec<String>,
}

/// Columns that contradict each other or the options.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemError {
    /// `--positive` names a class that occurs nowhere.
    PositiveNeverOccurs {
        positive: String,
        classes: Vec<String>,
    },
    /// A single probability column with more than two classes.
    OneScoreManyClasses { classes: Vec<String> },
    /// A label (first at `row`, 0-based) without a probability column.
    NoScoreColumn {
        class: String,
        row: usize,
        columns: Vec<String>,
    },
    /// The same class given two probability columns.
    DuplicateScoreClass { class: String },
    /// Per-class probabilities for a single class.
    OneClassColumn { class: String },
    /// Fairness needs a binary problem.
    FairnessNeedsTwoClasses { classes: Vec<String> },
}

fn quoted(v: &[String]) -> String {
    v.iter()
        .map(|c| format!("'{c}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ProblemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemError::PositiveNeverOccurs { positive, classes } => write!(
                f,
                "--positive '{positive}' never occurs as a label, prediction or score class; \
                 the classes are: {}",
                quoted(classes)
            ),
            ProblemError::OneScoreManyClasses { classes } => write!(
                f,
                "one --score column is the probability of the positive class, but there are \
                 {} classes ({}): give one column per class as --score CLASS=COL",
                classes.len(),
                quoted(classes)
            ),
            ProblemError::NoScoreColumn {
                class,
                row,
                columns,
            } => write!(
                f,
                "row {}: label '{class}' has no probability column (--score {class}=COL); \
                 columns are given for: {}",
                row + 1,
                quoted(columns)
            ),
            ProblemError::DuplicateScoreClass { class } => {
                write!(f, "class '{class}' is given two --score columns")
            }
            ProblemError::OneClassColumn { class } => write!(
                f,
                "--score {class}=COL gives one class's probability: give one column per \
                 class, or --score COL for P(positive) of a binary problem"
            ),
            ProblemError::FairnessNeedsTwoClasses { classes } => write!(
                f,
                "--sensitive needs a binary problem (selection rate, TPR and FPR of a positive \
                 class), but there are {} classes ({})",
                classes.len(),
                quoted(classes)
            ),
        }
    }
}

impl std::error::Error for ProblemError {}

/// Builds the problem.
pub fn build(input: Input) -> Result<Problem, ProblemError> {
    let Input {
        labels,
        preds,
        scores,
        positive,
        sensitive,
        by,
        average,
        bins,
    } = input;
    let mut notes = Vec::new();

    // Classes: union of labels, predictions and per-class score columns.
    let mut names: Vec<String> = Vec::new();
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut intern = |v: &str, names: &mut Vec<String>| -> u32 {
        *index.entry(v.to_string()).or_insert_with(|| {
            names.push(v.to_string());
            (names.len() - 1) as u32
        })
    };
    let label_map: Vec<u32> = labels
        .values
        .iter()
        .map(|v| intern(v, &mut names))
        .collect();
    let pred_map: Vec<u32> = preds.values.iter().map(|v| intern(v, &mut names)).collect();
    let score_classes: Vec<u32> = match &scores {
        ScoreInput::PerClass(cols) => {
            if let [(class, _)] = cols.as_slice() {
                return Err(ProblemError::OneClassColumn {
                    class: class.clone(),
                });
            }
            let mut seen = Vec::new();
            for (class, _) in cols {
                let c = intern(class, &mut names);
                if seen.contains(&c) {
                    return Err(ProblemError::DuplicateScoreClass {
                        class: class.clone(),
                    });
                }
                seen.push(c);
            }
            seen
        }
        _ => Vec::new(),
    };
    // Renumber in sorted order.
    let order = sorted_order(&names);
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r as u32;
    }
    let class_names: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
    let code_of = |name: &str| class_names.iter().position(|c| c == name).map(|p| p as u32);
    let recode = |map: &[u32], codes: &[u32]| -> Vec<u32> {
        let map: Vec<u32> = map.iter().map(|&m| rank[m as usize]).collect();
        codes.par_iter().map(|&c| map[c as usize]).collect()
    };
    let label_codes = recode(&label_map, &labels.codes);
    let pred_codes = recode(&pred_map, &preds.codes);
    let k = class_names.len();

    let positive = match positive {
        Some(p) => Some(
            code_of(&p).ok_or_else(|| ProblemError::PositiveNeverOccurs {
                positive: p.clone(),
                classes: class_names.clone(),
            })?,
        ),
        None => None,
    };
    let default_positive = |candidates: &[u32]| candidates.iter().copied().max();

    let (probabilities, positive) = match scores {
        ScoreInput::None => {
            let positive = match positive {
                Some(p) => {
                    if k > 2 && sensitive.is_empty() {
                        notes.push(format!(
                            "--positive '{}' is not used: there are {k} classes",
                            class_names[p as usize]
                        ));
                    }
                    Some(p)
                }
                None if k <= 2 => default_positive(&(0..k as u32).collect::<Vec<_>>()),
                None => None,
            };
            (Probabilities::None, positive)
        }
        ScoreInput::Binary(p) => {
            if k > 2 {
                return Err(ProblemError::OneScoreManyClasses {
                    classes: class_names,
                });
            }
            let positive =
                positive.or_else(|| default_positive(&(0..k as u32).collect::<Vec<_>>()));
            if k == 1 {
                notes.push(format!(
                    "only class '{}' occurs: the --score column is read as its probability",
                    class_names[positive.unwrap_or(0) as usize]
                ));
            }
            (Probabilities::Binary(p), positive)
        }
        ScoreInput::PerClass(cols) => {
            let mut cols: Vec<(u32, Vec<f64>)> = score_classes
                .iter()
                .map(|&c| rank[c as usize])
                .zip(cols.into_iter().map(|(_, v)| v))
                .collect();
            cols.sort_by_key(|c| c.0);
            let scored: Vec<u32> = cols.iter().map(|c| c.0).collect();
            // Every label needs a column; in a binary problem every prediction too.
            let need_pred = cols.len() == 2;
            let has = {
                let mut has = vec![false; k];
                for &c in &scored {
                    has[c as usize] = true;
                }
                has
            };
            let column_names: Vec<String> = scored
                .iter()
                .map(|&c| class_names[c as usize].clone())
                .collect();
            let missing = |codes: &[u32]| codes.iter().position(|&c| !has[c as usize]);
            let first_missing = match (missing(&label_codes), need_pred) {
                (Some(row), _) => Some((row, label_codes[row])),
                (None, true) => missing(&pred_codes).map(|row| (row, pred_codes[row])),
                (None, false) => None,
            };
            if let Some((row, c)) = first_missing {
                return Err(ProblemError::NoScoreColumn {
                    class: class_names[c as usize].clone(),
                    row,
                    columns: column_names,
                });
            }
            if cols.len() == 2 {
                let positive = positive.unwrap_or(scored[1]);
                let Some(j) = scored.iter().position(|&c| c == positive) else {
                    return Err(ProblemError::PositiveNeverOccurs {
                        positive: class_names[positive as usize].clone(),
                        classes: column_names,
                    });
                };
                let p = cols.swap_remove(j).1;
                (Probabilities::Binary(p), Some(positive))
            } else {
                if let Some(p) = positive {
                    notes.push(format!(
                        "--positive '{}' is not used: with {} probability columns the problem \
                         is multiclass",
                        class_names[p as usize],
                        cols.len()
                    ));
                }
                let (classes, columns) = cols.into_iter().unzip();
                (Probabilities::PerClass { classes, columns }, None)
            }
        }
    };

    let (groups, group_names) = if sensitive.is_empty() {
        (None, Vec::new())
    } else {
        let binary = k <= 2 && !matches!(probabilities, Probabilities::PerClass { .. });
        if !binary || positive.is_none() {
            return Err(ProblemError::FairnessNeedsTwoClasses {
                classes: class_names,
            });
        }
        let (codes, combos) = combine(&sensitive);
        (Some(codes), combos.into_iter().map(|c| c.0).collect())
    };

    let slices = if by.is_empty() {
        Vec::new()
    } else {
        let (codes, combos) = combine(&by);
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); combos.len()];
        for (i, &c) in codes.iter().enumerate() {
            rows[c as usize].push(i as u32);
        }
        combos
            .into_iter()
            .zip(rows)
            .map(|((name, values), rows)| Slice {
                name,
                by: by.iter().map(|(n, _)| n.clone()).zip(values).collect(),
                rows,
            })
            .collect()
    };

    Ok(Problem {
        setup: Setup {
            class_names,
            positive,
            group_names,
            average,
            bins,
        },
        rows: Rows {
            labels: label_codes,
            preds: pred_codes,
            probabilities,
            groups,
        },
        slices,
        notes,
    })
}

/// Codes for the combinations of several columns' values that occur, numbered in
/// sorted order (column by column), with each combination's name and values.
fn combine(columns: &[(String, Coded)]) -> (Vec<u32>, Vec<(String, Vec<String>)>) {
    let orders: Vec<Vec<usize>> = columns
        .iter()
        .map(|(_, c)| sorted_order(&c.values))
        .collect();
    let ranks: Vec<Vec<u32>> = orders
        .iter()
        .map(|order| {
            let mut rank = vec![0u32; order.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r as u32;
            }
            rank
        })
        .collect();
    let n = columns.first().map_or(0, |c| c.1.codes.len());
    let key = |i: usize| -> Vec<u32> {
        columns
            .iter()
            .zip(&ranks)
            .map(|((_, c), r)| r[c.codes[i] as usize])
            .collect()
    };
    let mut seen: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut raw = Vec::with_capacity(n);
    for i in 0..n {
        let next = seen.len() as u32;
        raw.push(*seen.entry(key(i)).or_insert(next));
    }
    let mut keys: Vec<(Vec<u32>, u32)> = seen.into_iter().collect();
    keys.sort();
    let mut renumber = vec![0u32; keys.len()];
    let mut combos = Vec::with_capacity(keys.len());
    for (new, (key, old)) in keys.into_iter().enumerate() {
        renumber[old as usize] = new as u32;
        let values: Vec<String> = columns
            .iter()
            .zip(&key)
            .zip(&orders)
            .map(|(((_, c), &r), order)| c.values[order[r as usize]].clone())
            .collect();
        combos.push((values.join("|"), values));
    }
    let codes = raw.into_iter().map(|c| renumber[c as usize]).collect();
    (codes, combos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coded(rows: &[&str]) -> Coded {
        let mut c = Coded::default();
        for r in rows {
            let code = match c.values.iter().position(|v| v == r) {
                Some(p) => p,
                None => {
                    c.values.push(r.to_string());
                    c.values.len() - 1
                }
            };
            c.codes.push(code as u32);
        }
        c
    }

    fn input(labels: &[&str], preds: &[&str], scores: ScoreInput) -> Input {
        Input {
            labels: coded(labels),
            preds: coded(preds),
            scores,
            positive: None,
            sensitive: Vec::new(),
            by: Vec::new(),
            average: Average::Macro,
            bins: 10,
        }
    }

    #[test]
    fn classes_sorted_numerically_and_positive_is_the_greater() {
        let p = build(input(
            &["10", "2", "10"],
            &["2", "2", "10"],
            ScoreInput::None,
        ))
        .unwrap();
        assert_eq!(p.setup.class_names, vec!["2", "10"]);
        assert_eq!(p.rows.labels, vec![1, 0, 1]);
        assert_eq!(p.setup.positive, Some(1));
    }

    #[test]
    fn positive_must_occur() {
        let mut i = input(&["a", "b"], &["a", "a"], ScoreInput::None);
        i.positive = Some("c".into());
        let e = build(i).unwrap_err();
        assert!(e.to_string().contains("--positive 'c' never occurs"), "{e}");
    }

    #[test]
    fn one_score_column_needs_two_classes() {
        let e = build(input(
            &["a", "b"],
            &["c", "a"],
            ScoreInput::Binary(vec![0.1, 0.2]),
        ))
        .unwrap_err();
        assert!(matches!(e, ProblemError::OneScoreManyClasses { .. }));
    }

    #[test]
    fn per_class_columns_must_cover_labels() {
        let cols = vec![
            ("a".to_string(), vec![0.5, 0.5]),
            ("b".to_string(), vec![0.25, 0.25]),
            ("c".to_string(), vec![0.25, 0.25]),
        ];
        let e = build(input(
            &["a", "d"],
            &["a", "a"],
            ScoreInput::PerClass(cols.clone()),
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "row 2: label 'd' has no probability column (--score d=COL); columns are given \
             for: 'a', 'b', 'c'"
        );
        let p = build(input(&["c", "a"], &["d", "a"], ScoreInput::PerClass(cols))).unwrap();
        assert_eq!(p.setup.class_names, vec!["a", "b", "c", "d"]);
        assert!(matches!(
            p.rows.probabilities,
            Probabilities::PerClass { ref classes, .. } if classes == &[0, 1, 2]
        ));
    }

    #[test]
    fn two_per_class_columns_are_binary_on_the_positive_column() {
        let cols = vec![
            ("yes".to_string(), vec![0.75, 0.5]),
            ("no".to_string(), vec![0.25, 0.5]),
        ];
        let p = build(input(
            &["yes", "no"],
            &["yes", "yes"],
            ScoreInput::PerClass(cols),
        ))
        .unwrap();
        assert_eq!(p.setup.positive, Some(1)); // "yes" > "no"
        assert_eq!(p.rows.probabilities, Probabilities::Binary(vec![0.75, 0.5]));
    }

    #[test]
    fn slices_and_groups_combine_columns() {
        let mut i = input(
            &["0", "1", "1", "0"],
            &["0", "1", "0", "0"],
            ScoreInput::None,
        );
        i.by = vec![
            ("region".into(), coded(&["eu", "us", "eu", "eu"])),
            ("tier".into(), coded(&["2", "1", "10", "2"])),
        ];
        i.sensitive = vec![("sex".into(), coded(&["m", "f", "f", "m"]))];
        let p = build(i).unwrap();
        let names: Vec<&str> = p.slices.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["eu|2", "eu|10", "us|1"]);
        assert_eq!(p.slices[0].rows, vec![0, 3]);
        assert_eq!(
            p.slices[2].by,
            vec![("region".into(), "us".into()), ("tier".into(), "1".into())]
        );
        assert_eq!(p.setup.group_names, vec!["f", "m"]);
        assert_eq!(p.rows.groups, Some(vec![1, 0, 0, 1]));
    }

    #[test]
    fn fairness_needs_binary() {
        let mut i = input(&["a", "b", "c"], &["a", "b", "c"], ScoreInput::None);
        i.sensitive = vec![("g".into(), coded(&["x", "y", "x"]))];
        assert!(matches!(
            build(i).unwrap_err(),
            ProblemError::FairnessNeedsTwoClasses { .. }
        ));
    }
}
