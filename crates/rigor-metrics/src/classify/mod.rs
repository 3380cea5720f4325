//! Classification, calibration and fairness metrics exact to scikit-learn 1.9 and
//! Fairlearn 0.15.
//!
//! One concept per module: [`classes`] orders class labels, [`confusion`] counts
//! (true, predicted) pairs, [`accuracy`], [`prf`] (precision/recall/F1) and
//! [`agreement`] (MCC, Cohen's kappa) read the confusion matrix, [`ranking`] computes
//! ROC AUC and average precision from sorted scores, [`curves`] the ROC and PR curves
//! drawn from them, [`calibration`] log loss, Brier
//! score and ECE, [`fairness`] Fairlearn's group metrics. [`problem`] turns columns as read into
//! class codes, probabilities, groups and slices; [`evaluate`] puts them
//! together for a set of rows and for bootstrap resamples of it.
//!
//! Every kernel takes integer weights per row (1 for the data itself, bootstrap counts
//! for a resample), so a resample is evaluated without copying rows.

pub mod accuracy;
pub mod agreement;
pub mod calibration;
pub mod classes;
pub mod confusion;
pub mod curves;
pub mod evaluate;
pub mod fairness;
pub mod prf;
pub mod problem;
pub mod ranking;

pub use confusion::Confusion;
pub use evaluate::{
    Diagnostics, Evaluation, Evaluator, FairnessDetail, Probabilities, Rows, Setup,
};
pub use fairness::GroupRates;
pub use prf::{Average, ClassScores};
pub use problem::{build, Coded, Input, Problem, ProblemError, ScoreInput, Slice};
