//! Research KPIs computed from what was tracked. The first: reproducibility compliance.
//!
//! A run is **compliant** when it carries everything a reproduction needs:
//!
//! | requirement | satisfied by |
//! |---|---|
//! | `code_version` | tag `mlflow.source.git.commit` (set by `rigor run` and by MLflow's own client in a git checkout) |
//! | `config` | at least one param |
//! | `seed` | param `seed`, or tag `rigor.seed` or `seed` |
//! | `input_digests` | at least one dataset input, and every one has a digest |
//! | `logs` | tag `rigor.logs`, or a logged artifact of the command's output (see [`is_log_artifact`]) |
//!
//! Runs logged by plain MLflow clients are judged by the same rule. Pure functions:
//! the caller says whether a run has a log artifact (the server asks its artifact
//! store, the CLI the artifact proxy).

use serde::Serialize;

use crate::model::{Experiment, Run};

/// One requirement of reproducibility compliance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    CodeVersion,
    Config,
    Seed,
    InputDigests,
    Logs,
}

impl Requirement {
    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::CodeVersion => "code_version",
            Requirement::Config => "config",
            Requirement::Seed => "seed",
            Requirement::InputDigests => "input_digests",
            Requirement::Logs => "logs",
        }
    }
}

/// A run that misses something, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunGaps {
    pub run_id: String,
    pub run_name: String,
    pub missing: Vec<Requirement>,
}

/// Compliance of one experiment's runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentCompliance {
    pub experiment_id: String,
    pub name: String,
    pub runs: usize,
    pub compliant: usize,
    /// `100 · compliant / runs`; `None` for an experiment without runs.
    pub percent: Option<f64>,
    pub non_compliant: Vec<RunGaps>,
}

/// True for an artifact name that holds a command's output: `stdout*`, `stderr*`,
/// `*.log`, `log*.txt`, `output*.txt` (case-insensitive, last path segment).
pub fn is_log_artifact(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("stdout")
        || name.starts_with("stderr")
        || name.ends_with(".log")
        || (name.starts_with("log") && name.ends_with(".txt"))
        || (name.starts_with("output") && name.ends_with(".txt"))
}

/// True when the run's tags already show it has logs (no artifact listing needed).
pub fn has_log_tag(run: &Run) -> bool {
    run.tag("rigor.logs").is_some_and(|v| !v.is_empty())
}

/// What `run` lacks; `log_artifact` says whether it has a log artifact.
pub fn gaps(run: &Run, log_artifact: bool) -> Vec<Requirement> {
    let mut missing = Vec::new();
    if run
        .tag("mlflow.source.git.commit")
        .is_none_or(|c| c.trim().is_empty())
    {
        missing.push(Requirement::CodeVersion);
    }
    if run.data.params.is_empty() {
        missing.push(Requirement::Config);
    }
    let seed = run.data.params.iter().any(|p| p.key == "seed")
        || run.tag("rigor.seed").is_some()
        || run.tag("seed").is_some();
    if !seed {
        missing.push(Requirement::Seed);
    }
    if run.inputs.is_empty()
        || run
            .inputs
            .iter()
            .any(|d| d.dataset.digest.trim().is_empty())
    {
        missing.push(Requirement::InputDigests);
    }
    if !(has_log_tag(run) || log_artifact) {
        missing.push(Requirement::Logs);
    }
    missing
}

/// Compliance of `experiment` from its runs, each with whether it has a log artifact.
pub fn repro_compliance(experiment: &Experiment, runs: &[(Run, bool)]) -> ExperimentCompliance {
    let mut non_compliant = Vec::new();
    for (run, log_artifact) in runs {
        let missing = gaps(run, *log_artifact);
        if !missing.is_empty() {
            non_compliant.push(RunGaps {
                run_id: run.info.run_id.clone(),
                run_name: run.info.run_name.clone(),
                missing,
            });
        }
    }
    let compliant = runs.len() - non_compliant.len();
    ExperimentCompliance {
        experiment_id: experiment.experiment_id.clone(),
        name: experiment.name.clone(),
        runs: runs.len(),
        compliant,
        percent: (!runs.is_empty()).then(|| 100.0 * compliant as f64 / runs.len() as f64),
        non_compliant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn run(id: &str, tags: &[(&str, &str)], params: &[(&str, &str)], digests: &[&str]) -> Run {
        Run {
            info: RunInfo {
                run_id: id.into(),
                experiment_id: "1".into(),
                run_name: format!("name-{id}"),
                user_id: String::new(),
                status: RunStatus::Finished,
                start_time: 0,
                end_time: None,
                artifact_uri: String::new(),
                lifecycle_stage: Lifecycle::Active,
            },
            data: RunData {
                metrics: Vec::new(),
                params: params.iter().map(|(k, v)| Tag::new(*k, *v)).collect(),
                tags: tags.iter().map(|(k, v)| Tag::new(*k, *v)).collect(),
            },
            inputs: digests
                .iter()
                .map(|d| DatasetInput {
                    tags: Vec::new(),
                    dataset: Dataset {
                        name: "d".into(),
                        digest: d.to_string(),
                        source_type: "local".into(),
                        source: "{}".into(),
                        schema: None,
                        profile: None,
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn a_run_is_compliant_only_with_all_five() {
        let full = run(
            "a",
            &[
                ("mlflow.source.git.commit", "abc"),
                ("rigor.logs", "rigor/stdout.txt"),
            ],
            &[("seed", "1")],
            &["d1"],
        );
        assert!(gaps(&full, false).is_empty());
        let plain = run(
            "b",
            &[("mlflow.source.git.commit", "abc")],
            &[("lr", "0.1")],
            &["d1", ""],
        );
        assert_eq!(
            gaps(&plain, false),
            [
                Requirement::Seed,
                Requirement::InputDigests,
                Requirement::Logs
            ]
        );
        assert_eq!(gaps(&plain, true).len(), 2, "a log artifact counts");
        let bare = run("c", &[], &[], &[]);
        assert_eq!(gaps(&bare, false).len(), 5);
        let seed_tag = run("d", &[("rigor.seed", "3")], &[], &[]);
        assert!(!gaps(&seed_tag, false).contains(&Requirement::Seed));
    }

    #[test]
    fn an_experiment_s_percentage_and_its_non_compliant_runs() {
        let exp = Experiment {
            experiment_id: "1".into(),
            name: "mixed".into(),
            artifact_location: String::new(),
            lifecycle_stage: Lifecycle::Active,
            creation_time: 0,
            last_update_time: 0,
            tags: Vec::new(),
        };
        let ok = run(
            "a",
            &[("mlflow.source.git.commit", "abc"), ("rigor.logs", "x")],
            &[("seed", "1")],
            &["d"],
        );
        let bad = run(
            "b",
            &[("mlflow.source.git.commit", "abc")],
            &[("lr", "1")],
            &["d"],
        );
        let c = repro_compliance(&exp, &[(ok, false), (bad, true)]);
        assert_eq!((c.runs, c.compliant, c.percent), (2, 1, Some(50.0)));
        assert_eq!(c.non_compliant[0].run_id, "b");
        assert_eq!(c.non_compliant[0].missing, [Requirement::Seed]);
        let empty = repro_compliance(&exp, &[]);
        assert_eq!(empty.percent, None);
        assert!(is_log_artifact("rigor/stdout.txt") && is_log_artifact("train.LOG"));
        assert!(!is_log_artifact("model.pkl"));
    }
}
