//! `rigor repro`: run a recorded command again from its recorded code and inputs, and
//! compare every metric.
//!
//! The recorded commit is checked out into a temporary git worktree and the recorded
//! diff applied; the command runs in the same directory of that checkout, with the same
//! seed and params, under a new run tagged `rigor.repro_of=<id>` in the same
//! experiment. Inputs must be the very bytes recorded: an input that git tracks is read
//! from the checkout; one it does not (data beside the code) is linked into the checkout
//! from where it was recorded. **A changed or missing input makes the verdict CANNOT**,
//! naming each one: a rerun on other data would not test the claim, and a difference
//! it produced would be blamed on the code. Nothing runs in that case.
//!
//! Verdicts: REPRODUCED (every metric of the original within the tolerance of the new
//! run's, the same metrics on both sides, the same exit code), DIFFERENT (otherwise;
//! the metrics that differ are listed), CANNOT (the run cannot be re-run as recorded).
//! Metrics are compared on their latest values, absolutely: `|original − new| ≤
//! tolerance` (two NaN are equal). rigor's own resource metrics (`rigor.*`: wall time,
//! CPU time, memory) are not compared.

use std::path::{Path, PathBuf};

use rigor_store::{Metric, Run, Tag};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::record::{record, RunSpec, DIFF_ARTIFACT};
use crate::supervise::Echo;
use crate::{git, inputs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Reproduced,
    Different,
    Cannot,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reproduced => "REPRODUCED",
            Verdict::Different => "DIFFERENT",
            Verdict::Cannot => "CANNOT",
        }
    }
}

/// One metric of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDiff {
    pub name: String,
    pub original: Option<f64>,
    pub new: Option<f64>,
    /// `new − original`, when both exist.
    pub delta: Option<f64>,
    pub within: bool,
}

/// One recorded input, checked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputCheck {
    pub path: String,
    pub recorded: String,
    /// The digest now; `None` when the input is gone.
    pub now: Option<String>,
}

impl InputCheck {
    pub fn same(&self) -> bool {
        self.now.as_deref() == Some(self.recorded.as_str())
    }
}

/// What `rigor repro` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub verdict: Verdict,
    pub run_id: String,
    pub repro_run_id: Option<String>,
    pub tolerance: f64,
    /// Why the verdict is CANNOT or DIFFERENT beyond the metrics (exit codes).
    pub reasons: Vec<String>,
    pub inputs: Vec<InputCheck>,
    pub metrics: Vec<MetricDiff>,
}

/// Compares the latest value of every metric (but `rigor.*`) of two runs.
pub fn compare(original: &[Metric], new: &[Metric], tolerance: f64) -> Vec<MetricDiff> {
    let keep = |m: &&Metric| !m.key.starts_with("rigor.");
    let mut names: Vec<&str> = original
        .iter()
        .chain(new)
        .filter(keep)
        .map(|m| m.key.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let value = |list: &[Metric], k: &str| list.iter().find(|m| m.key == k).map(|m| m.value);
    names
        .into_iter()
        .map(|name| {
            let (o, n) = (value(original, name), value(new, name));
            let within = match (o, n) {
                (Some(a), Some(b)) => {
                    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tolerance
                }
                _ => false,
            };
            MetricDiff {
                name: name.to_string(),
                original: o,
                new: n,
                delta: o.zip(n).map(|(a, b)| b - a),
                within,
            }
        })
        .collect()
}

fn cannot(run_id: &str, tolerance: f64, reason: String, inputs: Vec<InputCheck>) -> Report {
    Report {
        verdict: Verdict::Cannot,
        run_id: run_id.to_string(),
        repro_run_id: None,
        tolerance,
        reasons: vec![reason],
        inputs,
        metrics: Vec::new(),
    }
}

/// Reproduces run `run_id` (see the module doc). `cwd` is where to look for the git
/// repository first; `on_start` is called with the new run's id.
pub fn reproduce(
    client: &Client,
    run_id: &str,
    tolerance: f64,
    cwd: &Path,
    echo: Echo,
    on_start: impl FnOnce(&Run),
) -> Result<Report> {
    let original = client.get_run(run_id)?;
    let no = |why: String| Ok(cannot(run_id, tolerance, why, Vec::new()));
    let Some(command_json) = original.tag("rigor.command") else {
        return no(format!(
            "run {run_id} has no rigor.command tag: it was not recorded by `rigor run`"
        ));
    };
    let command: Vec<String> = match serde_json::from_str(command_json) {
        Ok(c) => c,
        Err(e) => {
            return no(format!(
                "run {run_id}: rigor.command is not a JSON array: {e}"
            ))
        }
    };
    let Some(commit) = original.tag("mlflow.source.git.commit") else {
        return no(format!(
            "run {run_id} has no mlflow.source.git.commit tag: its code version is unknown"
        ));
    };
    // The repository: the one around `cwd`, else the recorded one.
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(g) = git::state(cwd)? {
        candidates.push(g.root);
    }
    if let Some(root) = original.tag("rigor.git.root") {
        candidates.push(PathBuf::from(root));
    }
    let Some(repo) = candidates.into_iter().find(|r| git::has_commit(r, commit)) else {
        return no(format!(
            "commit {commit} of run {run_id} is not in the git repository here ({}) nor in \
             the recorded one",
            cwd.display()
        ));
    };
    let scratch =
        tempfile::tempdir().map_err(|e| Error::Io(format!("temporary directory: {e}")))?;
    let checkout = scratch.path().join("checkout");
    if let Err(e) = git::add_worktree(&repo, commit, &checkout) {
        return no(e.to_string());
    }
    let result = reproduce_in(
        client,
        &original,
        &command,
        commit,
        &checkout,
        scratch.path(),
        tolerance,
        echo,
        on_start,
    );
    git::remove_worktree(&repo, &checkout);
    result
}

#[allow(clippy::too_many_arguments)]
fn reproduce_in(
    client: &Client,
    original: &Run,
    command: &[String],
    commit: &str,
    checkout: &Path,
    scratch: &Path,
    tolerance: f64,
    echo: Echo,
    on_start: impl FnOnce(&Run),
) -> Result<Report> {
    let run_id = original.info.run_id.as_str();
    let no = |why: String, inputs: Vec<InputCheck>| Ok(cannot(run_id, tolerance, why, inputs));
    if original.tag("rigor.git.diff").is_some() {
        let Some(diff) = client.download(original, DIFF_ARTIFACT)? else {
            return no(
                format!("run {run_id} lost its artifact {DIFF_ARTIFACT}"),
                Vec::new(),
            );
        };
        let patch = scratch.join("git.diff");
        std::fs::write(&patch, diff).map_err(|e| Error::Io(format!("{}: {e}", patch.display())))?;
        if let Err(e) = git::apply(checkout, &patch) {
            return no(
                format!("the recorded diff does not apply to commit {commit}: {e}"),
                Vec::new(),
            );
        }
    }
    let subdir = original.tag("rigor.git.subdir").unwrap_or("");
    let workdir = if subdir.is_empty() {
        checkout.to_path_buf()
    } else {
        checkout.join(subdir)
    };
    if !workdir.is_dir() {
        return no(
            format!("directory {subdir} does not exist at commit {commit}"),
            Vec::new(),
        );
    }

    // Inputs: the recorded bytes or nothing.
    let mut checks = Vec::new();
    let mut input_paths = Vec::new();
    for d in &original.inputs {
        let rec = inputs::recorded(d);
        let given = Path::new(&rec.path);
        let here = if given.is_absolute() {
            given.to_path_buf()
        } else {
            workdir.join(given)
        };
        if !here.exists() && !given.is_absolute() {
            // Not in git: link the recorded location into the checkout.
            if let Some(abs) = rec.absolute.as_ref().filter(|a| a.exists()) {
                if let Some(parent) = here.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = std::os::unix::fs::symlink(abs, &here);
            }
        }
        let now = rigor_io::input::digest_path(&here).ok().map(|d| {
            if rec.full {
                d.blake3
            } else {
                d.blake3.chars().take(rec.blake3.len()).collect()
            }
        });
        if d.tags
            .iter()
            .any(|t| t.key == "mlflow.data.context" && t.value == "input")
        {
            input_paths.push(rec.path.clone());
        }
        checks.push(InputCheck {
            path: rec.path,
            recorded: rec.blake3,
            now,
        });
    }
    checks.dedup_by(|a, b| a.path == b.path && a.recorded == b.recorded);
    let bad: Vec<String> = checks
        .iter()
        .filter(|c| !c.same())
        .map(|c| match &c.now {
            None => format!("{} is missing", c.path),
            Some(now) => format!(
                "{} changed (blake3 {} recorded, {} now)",
                c.path,
                short(&c.recorded),
                short(now)
            ),
        })
        .collect();
    if !bad.is_empty() {
        return no(
            format!("inputs differ from run {run_id}: {}", bad.join("; ")),
            checks,
        );
    }

    let seed = original
        .data
        .params
        .iter()
        .find(|p| p.key == "seed")
        .map(|p| p.value.clone())
        .or_else(|| original.tag("rigor.seed").map(str::to_string));
    let param_keys: Vec<String> = original
        .tag("rigor.params")
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let params = original
        .data
        .params
        .iter()
        .filter(|p| param_keys.contains(&p.key))
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    let spec = RunSpec {
        experiment: None,
        experiment_id: Some(original.info.experiment_id.clone()),
        run_name: Some(format!("repro of {}", original.info.run_name)),
        seed,
        inputs: input_paths,
        params,
        command: program_outside_git(command, &workdir, original.tag("rigor.cwd")),
        cwd: workdir,
        extra_tags: vec![Tag::new("rigor.repro_of", run_id)],
        echo,
    };
    let done = record(client, &spec, on_start)?;
    let new = client.get_run(&done.run_id)?;
    let metrics = compare(&original.data.metrics, &new.data.metrics, tolerance);
    let mut reasons = Vec::new();
    let old_exit = original.tag("rigor.exit_code").unwrap_or("?");
    let new_exit = done.outcome.code().to_string();
    if old_exit != new_exit {
        reasons.push(format!("exit code {old_exit} recorded, {new_exit} now"));
    }
    let verdict = if reasons.is_empty() && metrics.iter().all(|m| m.within) {
        Verdict::Reproduced
    } else {
        Verdict::Different
    };
    Ok(Report {
        verdict,
        run_id: run_id.to_string(),
        repro_run_id: Some(done.run_id),
        tolerance,
        reasons,
        inputs: checks,
        metrics,
    })
}

fn short(digest: &str) -> String {
    digest.chars().take(12).collect()
}

/// The command, with a relative program path that the checkout lacks (a virtualenv's
/// `.venv/bin/python`, a build output: what git ignores) taken from the recorded
/// working directory, where it still is; as the command was, otherwise.
fn program_outside_git(
    command: &[String],
    workdir: &Path,
    recorded_cwd: Option<&str>,
) -> Vec<String> {
    let mut command = command.to_vec();
    if let (Some(program), Some(cwd)) = (command.first_mut(), recorded_cwd) {
        let p = Path::new(program.as_str());
        if p.is_relative() && p.components().count() > 1 && !workdir.join(p).exists() {
            let there = Path::new(cwd).join(p);
            if there.exists() {
                *program = there.display().to_string();
            }
        }
    }
    command
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_untracked_program_is_taken_from_the_recorded_directory() {
        let recorded = tempfile::tempdir().expect("tempdir");
        let checkout = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(recorded.path().join(".venv/bin")).unwrap();
        std::fs::write(recorded.path().join(".venv/bin/python"), "").unwrap();
        std::fs::write(checkout.path().join("train.sh"), "").unwrap();
        let cwd = recorded.path().to_str();
        let cmd = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let venv = program_outside_git(&cmd(&[".venv/bin/python", "t.py"]), checkout.path(), cwd);
        assert_eq!(
            venv,
            cmd(&[
                &recorded
                    .path()
                    .join(".venv/bin/python")
                    .display()
                    .to_string(),
                "t.py"
            ])
        );
        // In the checkout, on PATH, or nowhere: unchanged.
        for c in [
            cmd(&["./train.sh"]),
            cmd(&["python3", "t.py"]),
            cmd(&["bin/nothing"]),
        ] {
            assert_eq!(program_outside_git(&c, checkout.path(), cwd), c);
        }
    }
    use super::*;

    fn m(k: &str, v: f64) -> Metric {
        Metric::new(k, v, 0, 0)
    }

    #[test]
    fn metrics_compare_within_tolerance_and_ignore_rigor_s_own() {
        let a = [
            m("acc", 0.5),
            m("loss", f64::NAN),
            m("rigor.wall_seconds", 1.0),
            m("gone", 1.0),
        ];
        let b = [
            m("acc", 0.5 + 1e-12),
            m("loss", f64::NAN),
            m("rigor.wall_seconds", 2.0),
            m("new", 2.0),
        ];
        let d = compare(&a, &b, 1e-9);
        let names: Vec<&str> = d.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["acc", "gone", "loss", "new"]);
        assert!(d[0].within);
        assert!(!d[1].within && d[1].new.is_none());
        assert!(d[2].within, "NaN = NaN");
        assert!(!d[3].within && d[3].original.is_none());
        let far = compare(&[m("acc", 0.5)], &[m("acc", 0.6)], 1e-9);
        assert!(!far[0].within);
        assert!((far[0].delta.unwrap() - 0.1).abs() < 1e-12);
    }
}
